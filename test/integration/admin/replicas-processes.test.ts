import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoUpstream, startDemoUpstream } from '../../../src/demo/upstream.js';
import { demoApiKey } from '../../../src/edge/auth/demo.js';
import { demoRoute, eventually } from '../../helpers/gateway.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';

/**
 * Three gateway processes as operators run them (`gatehouse start --config FILE`, spawned), sharing
 * the real Redis at 127.0.0.1:6379 under a key prefix of this test's own. An operator change made
 * through one replica's admin listener takes effect on the data plane of the other two: the test
 * polls until it does (a generous bound for a loaded machine; the speed of propagation is not what
 * this test measures).
 */
const CLI = join(import.meta.dirname, '../../../src/cli/run.ts');
const PREFIX = `ghtest:admproc:${process.pid}:${randomBytes(4).toString('hex')}:`;
const PROPAGATION_BOUND_MS = 60_000;

interface Replica {
  readonly child: ChildProcess;
  readonly url: string;
  readonly admin: string;
}

let idp: TestIssuer;
let upstream: DemoUpstream;
const children: ChildProcess[] = [];
const replicas: Replica[] = [];
const acme = demoApiKey('acme');

async function startReplica(config: unknown): Promise<Replica> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-admproc-'));
  const file = join(dir, 'gatehouse.yaml');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--config', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  for (;;) {
    const url = /gatehouse listening on (http\S+)/.exec(err)?.[1];
    const admin = /admin: +(http\S+)\/admin\//.exec(err)?.[1];
    if (url !== undefined && admin !== undefined) return { child, url, admin };
    if (child.exitCode !== null) throw new Error(`gateway exited: ${err.slice(-3_000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  idp = await startTestIssuer();
  upstream = await startDemoUpstream();
  const config = {
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
    health: { enabled: false },
    metrics: { enabled: false },
    routes: [demoRoute(upstream.url)],
    auth: acme.auth,
    store: { kind: 'redis', url: 'redis://127.0.0.1:6379', prefix: PREFIX },
    limits: { replicas: 3, clock: 'local' },
    admin: { enabled: true, port: 0, oidc: { issuer: idp.issuer, audience: idp.audience } },
  };
  // One after another: three concurrent tsx start-ups on a loaded 2-CPU machine only slow each other.
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(config));
}, 240_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
  await upstream?.close();
  await idp?.close();
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}, 60_000);

/** One chat request as acme through a replica's data plane: 'ok' or the error code. */
async function ask(r: Replica): Promise<string> {
  const client = new OpenAI({ baseURL: `${r.url}/v1`, apiKey: acme.key, maxRetries: 0 });
  try {
    await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });
    return 'ok';
  } catch (err) {
    return String((err as { code?: unknown }).code ?? err);
  }
}

async function setEnabled(via: Replica, enabled: boolean, reason: string): Promise<void> {
  const res = await fetch(`${via.admin}/admin/v1/consumers/acme/enabled`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await idp.mint('oncall', ['operator'])}`,
      'content-type': 'application/json',
      'x-gatehouse-reason': reason,
    },
    body: JSON.stringify({ enabled }),
  });
  expect(res.status).toBe(200);
}

describe('an admin change across three gateway processes (real Redis)', () => {
  it('a consumer disabled through one replica is refused by the other two, and re-enabled likewise', async () => {
    const [first, second, third] = replicas;
    if (first === undefined || second === undefined || third === undefined) throw new Error('3 replicas');
    for (const r of replicas) expect(await ask(r)).toBe('ok');

    await setEnabled(first, false, 'INC-101 key leaked');
    await eventually(async () => {
      expect(await ask(second)).toBe('GH_ERR_AUTH_CONSUMER_DISABLED');
      expect(await ask(third)).toBe('GH_ERR_AUTH_CONSUMER_DISABLED');
    }, PROPAGATION_BOUND_MS);
    expect(await ask(first)).toBe('GH_ERR_AUTH_CONSUMER_DISABLED');

    // The way back, through another replica's admin port.
    await setEnabled(third, true, 'INC-101 key rotated');
    await eventually(async () => {
      expect(await ask(first)).toBe('ok');
      expect(await ask(second)).toBe('ok');
    }, PROPAGATION_BOUND_MS);
  }, 180_000);
});
