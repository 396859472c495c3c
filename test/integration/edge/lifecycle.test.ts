import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoUpstream, startDemoUpstream } from '../../../src/demo/upstream.js';
import { demoApiKey } from '../../../src/edge/auth/demo.js';
import { freePort } from '../../helpers/free-port.js';
import { demoRoute, eventually } from '../../helpers/gateway.js';
import { createPki } from '../../helpers/pki.js';

/**
 * The gateway as operators run it: `gatehouse start --config FILE` in its own process, stopped with
 * SIGTERM. Each test's own timeout is the bound on "promptly" (far below the timers that used to
 * hold the process: idle sockets, a reconnecting Redis client).
 */
const CLI = join(import.meta.dirname, '../../../src/cli/run.ts');

interface Proc {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function start(config: unknown, env: Record<string, string> = {}): Proc {
  const dir = mkdtempSync(join(tmpdir(), 'gh-life-'));
  const file = join(dir, 'gatehouse.yaml');
  // JSON is YAML: the test writes its config object as is.
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--config', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      // A death by signal (code null) says which one, with the child's last words, in the failure.
      if (code === null) err += `\n[killed by ${signal}]`;
      resolve(code);
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** The data-plane URL the CLI prints once every listener is bound. */
async function listening(p: Proc): Promise<string> {
  for (;;) {
    const m = /gatehouse listening on (http\S+)/.exec(p.stderr());
    if (m) return m[1]!;
    if (p.child.exitCode !== null) throw new Error(`gateway exited: ${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const base = (upstreamUrl: string, extra: Record<string, unknown> = {}) => ({
  version: 1,
  server: { host: '127.0.0.1', port: 0, allowPlaintext: true, ...extra },
  health: { port: 0 },
  metrics: { port: 0 },
  routes: [demoRoute(upstreamUrl)],
});

describe('boot either succeeds or exits non-zero', () => {
  const redis = { kind: 'redis', url: 'redis://127.0.0.1:6379/0', prefix: `gh-life-${process.pid}:` };
  // The store is built (a Redis client connecting) before the route's secret fails to resolve.
  const withUpstreamKey = (apiKey: string) => {
    const route = demoRoute('http://127.0.0.1:9/v1');
    return { ...base(''), store: redis, routes: [{ ...route, upstream: { ...route.upstream, apiKey } }] };
  };

  it('with store.kind redis and an unset secret variable', async () => {
    const p = start(withUpstreamKey('${GH_LIFE_UNSET_SECRET}'));
    expect(await p.exit).toBe(1);
    expect(p.stderr()).toContain('GH_LIFE_UNSET_SECRET is not set');
  }, 40_000);

  it('with store.kind redis and a missing file: secret', async () => {
    const p = start(withUpstreamKey('file:/nonexistent/gh-life-key'));
    expect(await p.exit).toBe(1);
    expect(p.stderr()).toContain('cannot be read');
  }, 40_000);
});

describe('SIGTERM', () => {
  let upstream: DemoUpstream | null = null;
  afterEach(async () => {
    await upstream?.close();
    upstream = null;
  });

  it('exits 0 promptly with an idle keep-alive socket, a silent socket and half-sent headers open', async () => {
    upstream = await startDemoUpstream();
    const pki = createPki();
    // TLS, and timers far longer than this test's bound: only the shutdown itself may close these
    // sockets (a raw TCP socket on a TLS listener is not an HTTP connection Node would close).
    const p = start(
      base(upstream.url, {
        tls: { cert: pki.serverCert, key: pki.serverKey },
        allowPlaintext: false,
        headersTimeoutMs: 120_000,
        keepAliveTimeoutMs: 120_000,
        handshakeTimeoutMs: 120_000,
      }),
    );
    const url = new URL(await listening(p));
    const secure = (): Promise<Socket> =>
      new Promise((resolve) => {
        const s = tlsConnect(
          { host: '127.0.0.1', port: Number(url.port), servername: 'localhost', ca: pki.read(pki.caCert) },
          () => resolve(s),
        );
        s.on('error', () => {});
      });
    const keepAlive = await secure();
    const answered = new Promise<string>((resolve) => keepAlive.once('data', (d) => resolve(d.toString())));
    keepAlive.write('GET /nope HTTP/1.1\r\nhost: x\r\n\r\n');
    expect(await answered).toMatch(/^HTTP\/1\.1 404 /);
    const silent = connect(Number(url.port), '127.0.0.1');
    silent.on('error', () => {});
    await new Promise((r) => silent.once('connect', r));
    const half = await secure();
    half.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n');
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.stderr()).toContain('gatehouse: stopped');
    for (const s of [keepAlive, silent, half]) s.destroy();
  }, 30_000);

  it('loses no audit event with the SIEM down: every recorded request is in the spool, exactly once', async () => {
    upstream = await startDemoUpstream({ delayMs: 150 });
    const spoolDir = mkdtempSync(join(tmpdir(), 'gh-life-spool-'));
    const { key, auth } = demoApiKey();
    const config = (sinkUrl: string) => ({
      ...base(upstream!.url, { drainTimeoutMs: 200 }),
      auth,
      telemetry: {
        audit: {
          sinks: [
            {
              kind: 'splunk_hec',
              name: 'siem',
              url: sinkUrl,
              token: '${GH_LIFE_HEC_TOKEN}',
              timeoutMs: 500,
              flushIntervalMs: 100,
            },
          ],
        },
        spool: { dir: spoolDir },
      },
    });
    const env = { GH_LIFE_HEC_TOKEN: 'test-token' };
    // Nothing listens there: the collector is down for the whole first run.
    const p = start(config(`http://127.0.0.1:${await freePort()}`), env);
    const url = await listening(p);
    const pool = new Pool(url, { connections: 100 });
    const body = JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hello' }] });
    const ids: string[] = [];
    let failed = 0;
    let signalled = false;
    await Promise.all(
      Array.from({ length: 2_000 }, async () => {
        try {
          const res = await pool.request({
            path: '/v1/chat/completions',
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body,
          });
          await res.body.text();
          ids.push(String(res.headers['x-request-id']));
        } catch {
          failed++;
        }
        // Mid-run: about 100 requests are in flight, some answered within the drain, some cut.
        if (!signalled && ids.length >= 1_000) {
          signalled = true;
          p.child.kill('SIGTERM');
        }
      }),
    );
    expect(await p.exit).toBe(0);
    await pool.close();
    expect(failed).toBeGreaterThan(0);

    // Every request the gateway recorded (its request log line) has its audit event in the spool.
    const logged = p
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"event":"request"'))
      .map((l) => JSON.parse(l).request_id as string);
    const segDir = join(spoolDir, 'siem');
    const spooled = readdirSync(segDir)
      .filter((f) => f.endsWith('.seg'))
      .sort()
      .flatMap((f) => readFileSync(join(segDir, f), 'utf8').split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as { event: { action: string }; gatehouse: { request_id: string } })
      .filter((e) => e.event.action === 'gen_ai.request')
      .map((e) => e.gatehouse.request_id);
    expect(new Set(spooled).size).toBe(spooled.length);
    expect(spooled.length).toBe(logged.length);
    expect(new Set(spooled)).toEqual(new Set(logged));
    // And every answer the client got is among them (requests cut at the deadline are too).
    for (const id of ids) expect(spooled).toContain(id);
    expect(spooled.length).toBeGreaterThanOrEqual(ids.length);

    // Restart with the collector back: the spool is delivered, every event exactly once.
    const delivered: string[] = [];
    const hec = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        for (const l of body.split('\n').filter(Boolean)) {
          const env = JSON.parse(l) as {
            event: { event: { action: string }; gatehouse: { request_id: string } };
          };
          if (env.event.event.action === 'gen_ai.request') delivered.push(env.event.gatehouse.request_id);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
      });
    });
    await new Promise<void>((r) => hec.listen(0, '127.0.0.1', r));
    const again = start(config(`http://127.0.0.1:${(hec.address() as { port: number }).port}`), env);
    await listening(again);
    await eventually(() => expect(delivered.length).toBeGreaterThanOrEqual(spooled.length), 20_000);
    again.child.kill('SIGTERM');
    expect(await again.exit, again.stderr().slice(-3000)).toBe(0);
    hec.close();
    expect(delivered.length).toBe(spooled.length);
    expect(new Set(delivered)).toEqual(new Set(spooled));
  }, 90_000);
});
