import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeServer, startProbeServer } from '../../fixtures/mcp/probe-server.js';
import { consumerKey, startToolGateway, type ToolGateway, textOf, toolError } from './harness.js';

const REDIS = process.env.GATEHOUSE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

describe('write-tool idempotency across two replicas on real Redis', () => {
  const acme = consumerKey('acme');
  const prefix = `ghtest:tools:${randomUUID()}:`;
  let probe: ProbeServer;
  let r1: ToolGateway;
  let r2: ToolGateway;

  beforeAll(async () => {
    // The upstream takes a while, so the second replica's call arrives while the first is in flight.
    probe = await startProbeServer({ transferDelayMs: 400 });
    const cfg = {
      store: { kind: 'redis' as const, url: REDIS, prefix },
      auth: { consumers: [acme.entry] },
      tools: {
        enabled: true,
        servers: [
          {
            name: 'bank',
            transport: { kind: 'http' as const, url: probe.url },
            tools: [{ name: 'transfer', access: 'write' as const }],
          },
        ],
        access: [{ consumer: 'acme', tools: ['bank.*'] }],
      },
    };
    r1 = await startToolGateway(cfg);
    r2 = await startToolGateway(cfg);
  }, 30_000);
  afterAll(async () => {
    await r1?.close();
    await r2?.close();
    await probe?.close();
  });

  it('the same write call sent concurrently to both replicas runs once upstream', async () => {
    const [c1, c2] = await Promise.all([r1.client(acme.key), r2.client(acme.key)]);
    const args = { amount: 42, to: `ACC-${randomUUID()}` };
    const outcomes = await Promise.all([
      toolError(c1.callTool({ name: 'bank.transfer', arguments: args })),
      toolError(c2.callTool({ name: 'bank.transfer', arguments: args })),
      toolError(c1.callTool({ name: 'bank.transfer', arguments: args })),
    ]);
    const codes = outcomes.map((o) => o.code).sort();
    expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
    expect(codes.filter((c) => c === 'GH_ERR_TOOL_IDEMPOTENCY_IN_FLIGHT')).toHaveLength(2);
    expect(probe.calls.filter((c) => c.args.to === args.to)).toHaveLength(1);

    // Once done, a repeat on either replica gets the stored result, still without a second run.
    const again1 = textOf(await c1.callTool({ name: 'bank.transfer', arguments: args }));
    const again2 = textOf(await c2.callTool({ name: 'bank.transfer', arguments: args }));
    expect(again1).toBe(again2);
    expect(again1).toContain('transferred 42');
    expect(probe.calls.filter((c) => c.args.to === args.to)).toHaveLength(1);
  });
});
