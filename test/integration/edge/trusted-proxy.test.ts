import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

/**
 * Behind a proxy, identity still holds: X-Forwarded-For names the client only when the connection
 * comes from a trusted proxy. The per-IP auth-failure block and the audit event follow the client.
 */
let tg: TestGateway | undefined;
afterEach(async () => {
  await tg?.close();
  tg = undefined;
});

interface Ev {
  event: { action: string };
  source: { ip: string };
  gatehouse: { peer?: { ip: string } };
}
let auditFile = '';
const requestEvents = (): Ev[] =>
  existsSync(auditFile)
    ? readFileSync(auditFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Ev)
        .filter((e) => e.event.action === 'gen_ai.request')
    : [];

async function startWith(trusted: string[]): Promise<TestGateway> {
  auditFile = join(mkdtempSync(join(tmpdir(), 'gh-xff-')), 'audit.ndjson');
  tg = await startTestGateway({
    config: (u) => ({
      routes: [
        {
          alias: 'demo',
          upstream: { provider: 'openai', url: u, model: 'demo-model-2024-01-01', zone2Colocated: true },
        },
      ],
      proxy: { trusted },
      telemetry: { audit: { sinks: [{ kind: 'file', path: auditFile }] } },
      auth: {
        consumers: [],
        failures: { alertThreshold: 2, block: { enabled: true, threshold: 3, durationMs: 60_000 } },
      },
    }),
  });
  return tg;
}

const badKey = (g: TestGateway, xff: string) =>
  fetch(`${g.gw.url}/v1/models`, {
    headers: { authorization: 'Bearer ghk_wrongwrongwrong', 'x-forwarded-for': xff },
  });

describe('trusted proxies', () => {
  it('a spoofed X-Forwarded-For from an untrusted client is ignored', async () => {
    const g = await startWith(['10.0.0.0/8']);
    const r = await badKey(g, '198.51.100.1');
    expect(r.status).toBe(401);
    await eventually(() => expect(requestEvents().length).toBe(1));
    const ev = requestEvents()[0];
    expect(ev?.source.ip).toBe('127.0.0.1');
    expect(ev?.gatehouse.peer?.ip).toBe('127.0.0.1');
  });

  it('from a trusted proxy, the forwarded client is the identity: audit event and per-IP block follow it', async () => {
    const g = await startWith(['127.0.0.1']);
    // block.threshold 3: the fourth failure blocks.
    for (let i = 0; i < 4; i++) expect((await badKey(g, '6.6.6.6, 198.51.100.7')).status).toBe(401);
    // 198.51.100.7 is now blocked; another client behind the same proxy is not.
    const blocked = await badKey(g, '198.51.100.7');
    expect(blocked.status).toBe(403);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_AUTH_IP_BLOCKED');
    expect((await badKey(g, '198.51.100.8')).status).toBe(401);
    await eventually(() => expect(requestEvents().length).toBe(6));
    const ev = requestEvents()[0];
    expect(ev?.source.ip).toBe('198.51.100.7');
    expect(ev?.gatehouse.peer?.ip).toBe('127.0.0.1');
  });
});
