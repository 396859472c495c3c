import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

/**
 * `telemetry.spool.onFull` through a running gateway whose SIEM is down and whose spool is small:
 * `block` refuses new requests in the documented shape once the spool reaches its high-water mark;
 * `drop` (tier 1 under the default `byTier`) keeps serving and counts every dropped event.
 */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function gateway(onFull: 'block' | 'byTier'): Promise<TestGateway> {
  const port = await closedPort();
  return startTestGateway({
    config: (u) => ({
      routes: [demoRoute(u)],
      telemetry: {
        audit: {
          sinks: [
            {
              kind: 'splunk_hec',
              name: 'siem',
              url: `http://127.0.0.1:${port}`,
              token: 'test-token-not-secret',
              timeoutMs: 500,
            },
          ],
        },
        spool: { dir: mkdtempSync(join(tmpdir(), 'gh-onfull-')), maxBytes: 32_768, onFull },
      },
    }),
  });
}

async function metric(g: TestGateway, sample: string): Promise<number> {
  const text = await (await fetch(`${g.gw.metricsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

const chat = (g: TestGateway) =>
  fetch(`${g.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...g.authHeaders },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hello' }] }),
  });

let block: TestGateway;
let drop: TestGateway;
beforeAll(async () => {
  block = await gateway('block');
  drop = await gateway('byTier');
});
afterAll(async () => {
  await Promise.all([block?.close(), drop?.close()]);
});

describe('spool.onFull', () => {
  it('block: new requests are refused with 503 GH_ERR_AUDIT_BACKPRESSURE once the spool is at its high-water mark', async () => {
    let refused: Response | null = null;
    let served = 0;
    for (let i = 0; i < 400 && refused === null; i++) {
      const res = await chat(block);
      if (res.status === 503) refused = res;
      else {
        expect(res.status).toBe(200);
        served++;
        await res.text();
      }
    }
    expect(refused).not.toBeNull();
    expect(served).toBeGreaterThan(0);
    const body = (await refused!.json()) as { error: { code: string; request_id: string; type: string } };
    expect(body.error.code).toBe('GH_ERR_AUDIT_BACKPRESSURE');
    expect(body.error.type).toBe('service_unavailable');
    expect(refused!.headers.get('retry-after')).toBe('5');
    expect(refused!.headers.get('x-request-id')).toBe(body.error.request_id);
    // The upstream never saw the refused request.
    expect(block.upstream.received).toHaveLength(served);
    // Every served request's event is still on disk: the headroom above the mark took them.
    expect(await metric(block, 'gatehouse_audit_events_dropped_total{sink="siem"}')).toBe(0);
  }, 30_000);

  it('byTier at tier 1 (drop): requests keep being served, drops are counted', async () => {
    for (let i = 0; i < 60; i++) {
      const res = await chat(drop);
      expect(res.status).toBe(200);
      await res.text();
    }
    await eventually(async () =>
      expect(await metric(drop, 'gatehouse_audit_events_dropped_total{sink="siem"}')).toBeGreaterThan(0),
    );
    expect(await metric(drop, 'gatehouse_audit_spool_full{sink="siem"}')).toBe(1);
  }, 30_000);
});
