import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoUpstream, startDemoUpstream } from '../../../src/demo/upstream.js';
import { demoApiKey } from '../../../src/edge/auth/demo.js';
import { generateApiKey, hashApiKey } from '../../../src/formats/api-key.js';
import { freePort } from '../../helpers/free-port.js';
import { demoRoute, eventually } from '../../helpers/gateway.js';
import { chat, freshPrefix, REDIS_URL } from './helpers.js';

/**
 * Three gateway processes as operators run them (`gatehouse start --config FILE`, each its own
 * process and Redis connections) sharing the real Redis under a prefix of this test's own. The kill
 * switch engaged through one of them (its admin API) or through `gatehouse kill` (the CLI, straight
 * to the store) refuses traffic on all three; the release restores all three; a PACE override set
 * through one replica's admin API holds on all three. Conditions are polled with generous bounds:
 * the sub-second propagation figure is measured in bench/resilience.ts, not asserted here.
 */
const CLI = join(import.meta.dirname, '../../../src/cli/run.ts');
const WAIT = 90_000;
const dir = mkdtempSync(join(tmpdir(), 'gh-three-'));
const configFile = join(dir, 'gatehouse.yaml');
const consumer = demoApiKey();
const auth = { authorization: `Bearer ${consumer.key}` };
const adminKey = generateApiKey('gha_');

interface Replica {
  readonly child: ChildProcess;
  readonly url: string;
  readonly health: string;
  readonly admin: string;
}
let upstream: DemoUpstream;
const replicas: Replica[] = [];
const prefix = freshPrefix();

/** The deployment's config (JSON is YAML); `configFile` holds it for the CLI. */
const config = () => ({
  version: 1,
  server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
  health: { port: 0 },
  metrics: { port: 0 },
  store: { kind: 'redis', url: REDIS_URL, prefix },
  routes: [demoRoute(upstream.url)],
  auth: consumer.auth,
  admin: {
    enabled: true,
    port: 0,
    apiKeys: [
      { id: adminKey.id, hash: hashApiKey(adminKey.key, undefined), operator: 'alice', roles: ['operator'] },
    ],
  },
  resilience: { killSwitch: { pollMs: 250 } },
});

/** Runs the CLI to completion; resolves with its exit code and output. */
async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out };
}

/** One replica: the shared config with its own admin port (health and data ports ephemeral, printed). */
async function startReplica(i: number): Promise<Replica> {
  const admin = await freePort();
  const file = join(dir, `replica-${i}.yaml`);
  writeFileSync(file, JSON.stringify({ ...config(), admin: { ...config().admin, port: admin } }));
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  child.stdout?.resume();
  for (;;) {
    const url = /gatehouse listening on (http\S+)/.exec(err)?.[1];
    const health = /health: +(http\S+)\/health/.exec(err)?.[1];
    if (url !== undefined && health !== undefined)
      return { child, url, health, admin: `http://127.0.0.1:${admin}` };
    if (child.exitCode !== null) throw new Error(`gateway exited: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  upstream = await startDemoUpstream();
  writeFileSync(configFile, JSON.stringify(config()));
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(i));
}, 3 * WAIT);

afterAll(async () => {
  for (const r of replicas) {
    if (r.child.exitCode !== null || r.child.signalCode !== null) continue;
    const exited = once(r.child, 'exit');
    r.child.kill('SIGTERM');
    await exited;
  }
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

const adminCall = async (r: Replica, method: string, path: string, body: unknown, reason: string) => {
  const res = await fetch(`${r.admin}/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminKey.key}`,
      'content-type': 'application/json',
      'x-gatehouse-reason': reason,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
// biome-ignore lint/suspicious/noExplicitAny: the health body, read field by field
const health = async (r: Replica): Promise<any> => (await fetch(`${r.health}/health`)).json();
const allServe = () =>
  eventually(async () => {
    for (const r of replicas) expect((await chat(r.url, auth)).status).toBe(200);
  }, WAIT);
const allRefuse = () =>
  eventually(async () => {
    for (const r of replicas) {
      const res = await chat(r.url, auth);
      expect(res.status).toBe(503);
      expect(res.code).toBe('GH_ERR_MAINTENANCE');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  }, WAIT);

describe('three gateway processes on one Redis', () => {
  it(
    'the kill switch engaged through one replica’s admin API stops all three; `gatehouse kill --release` restores all three',
    async () => {
      await allServe();
      const [a] = replicas;
      if (a === undefined) throw new Error('no replica');
      const engaged = await adminCall(
        a,
        'POST',
        '/killswitch/engage',
        { scope: 'all' },
        'INC-3: drill across replicas',
      );
      expect(engaged.status).toBe(200);
      await allRefuse();
      for (const r of replicas)
        expect((await health(r)).kill_switch).toMatchObject({
          engaged: true,
          scopes: ['all'],
          store_reachable: true,
        });

      const released = await cli([
        'kill',
        '--release',
        '--scope',
        'all',
        '--reason',
        'drill over',
        '--config',
        configFile,
      ]);
      expect(released.code, released.out).toBe(0);
      await allServe();
      for (const r of replicas) expect((await health(r)).kill_switch.engaged).toBe(false);
    },
    4 * WAIT,
  );

  it(
    '`gatehouse kill --scope route` stops the route on all three until released',
    async () => {
      const engaged = await cli([
        'kill',
        '--scope',
        'route',
        '--target',
        'demo',
        '--reason',
        'bad outputs',
        '--by',
        'bob',
        '--config',
        configFile,
      ]);
      expect(engaged.code, engaged.out).toBe(0);
      await allRefuse();
      await eventually(async () => {
        for (const r of replicas) expect((await health(r)).pace.demo).toBe('emergency');
      }, WAIT);
      const released = await cli([
        'kill',
        '--release',
        '--scope',
        'route',
        '--target',
        'demo',
        '--reason',
        'fixed',
        '--config',
        configFile,
      ]);
      expect(released.code, released.out).toBe(0);
      await allServe();
    },
    4 * WAIT,
  );

  it(
    'a PACE override set through one replica holds on all three, and clearing it through another restores Primary',
    async () => {
      const [, b, c] = replicas;
      if (b === undefined || c === undefined) throw new Error('no replicas');
      const set = await adminCall(
        b,
        'PUT',
        '/pace/override',
        { route: 'demo', state: 'contingency' },
        'drill',
      );
      expect(set.status).toBe(200);
      await eventually(async () => {
        for (const r of replicas) expect((await health(r)).pace.demo).toBe('contingency');
      }, WAIT);
      const cleared = await adminCall(
        c,
        'PUT',
        '/pace/override',
        { route: 'demo', state: null },
        'drill over',
      );
      expect(cleared.status).toBe(200);
      await eventually(async () => {
        for (const r of replicas) expect((await health(r)).pace.demo).toBe('primary');
      }, WAIT);
      await allServe();
    },
    4 * WAIT,
  );
});
