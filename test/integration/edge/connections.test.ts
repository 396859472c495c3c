import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

/**
 * Connection hygiene on real sockets. Timeouts are set to about a second; each test's own vitest
 * timeout is the bound, far below Node's defaults that held these connections before (a 30 s
 * connection-check interval, no per-IP cap, nothing closing a socket that never sends a request).
 */
let t: TestGateway;
let c: TestGateway;
const port = (g: TestGateway) => Number(new URL(g.gw.url).port);

function open(g: TestGateway, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port: port(g), host: '127.0.0.1', localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves with everything the server sent once it closes the socket. */
function whenClosed(s: Socket): Promise<string> {
  let out = '';
  s.on('data', (d) => (out += d.toString('latin1')));
  s.on('error', () => {});
  return new Promise((resolve) => {
    if (s.destroyed) resolve(out);
    s.once('close', () => resolve(out));
  });
}

/** The value of one sample line of the gateway's /metrics (0 when absent). */
async function metric(g: TestGateway, sample: string): Promise<number> {
  const text = await (await fetch(`${g.gw.metricsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/** A request on an already open socket: proves the connection is still served. */
function ask(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString('latin1');
      if (/\r\n\r\n[\s\S]*\}$/.test(out)) {
        s.off('data', onData);
        resolve(out);
      }
    };
    s.on('data', onData);
    s.once('close', () => resolve(out));
    s.write('GET /nope HTTP/1.1\r\nhost: x\r\n\r\n');
  });
}

const demo = (u: string) => [
  { alias: 'demo', upstream: { provider: 'openai' as const, url: u, model: 'demo-model-1' } },
];

beforeAll(async () => {
  t = await startTestGateway({
    config: (u) => ({
      server: {
        headersTimeoutMs: 1_000,
        maxConnections: 2_050,
        maxConnectionsPerIp: 2_010,
        maxRequestsPerSocket: 3,
      },
      routes: demo(u),
    }),
  });
  // Caps are tested with timers long enough that nothing closes on its own meanwhile.
  c = await startTestGateway({
    config: (u) => ({
      server: {
        headersTimeoutMs: 60_000,
        keepAliveTimeoutMs: 60_000,
        maxConnections: 80,
        maxConnectionsPerIp: 50,
      },
      routes: demo(u),
    }),
  });
});
afterAll(async () => {
  await t.close();
  await c.close();
});

describe('connections that never send a request', () => {
  it('2,000 idle connections are all closed after the headers timeout', async () => {
    const sockets: Socket[] = [];
    for (let i = 0; i < 2_000; i++) sockets.push(await open(t));
    const closed = await Promise.all(sockets.map(whenClosed));
    expect(closed).toHaveLength(2_000);
    for (const s of sockets) expect(s.destroyed).toBe(true);
  }, 20_000);

  it('headers dribbled one line at a time are cut at the timeout with a 408 in the documented shape', async () => {
    const s = await open(t);
    const done = whenClosed(s);
    s.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n');
    // One header line every 200 ms: each keeps the socket busy, none completes the headers.
    let i = 0;
    const drip = setInterval(() => {
      if (!s.destroyed) s.write(`x-drip-${i++}: secret-marker\r\n`);
    }, 200);
    const out = await done;
    clearInterval(drip);
    expect(out).toMatch(/^HTTP\/1\.1 408 /);
    const [head, body] = out.split('\r\n\r\n') as [string, string];
    const err = JSON.parse(body).error;
    expect(err.code).toBe('GH_ERR_HEADERS_TIMEOUT');
    expect(err.request_id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(head).toContain(`x-request-id: ${err.request_id}`);
    expect(head).toContain('connection: close');
    expect(out).not.toContain('secret-marker');
    // Far fewer drips than Node's 30 s sweep would have allowed (150).
    expect(i).toBeLessThan(40);
    expect(
      await metric(t, 'gatehouse_protocol_errors_total{listener="data",code="GH_ERR_HEADERS_TIMEOUT"}'),
    ).toBeGreaterThanOrEqual(1);
  }, 10_000);
});

describe('keep-alive limits', () => {
  it('a connection is closed after maxRequestsPerSocket requests', async () => {
    const s = await open(t);
    const closed = whenClosed(s);
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        await new Promise<string>((resolve) => {
          let out = '';
          const onData = (d: Buffer) => {
            out += d.toString('latin1');
            if (/\r\n\r\n[\s\S]*\}$/.test(out)) {
              s.off('data', onData);
              resolve(out);
            }
          };
          s.on('data', onData);
          s.write(
            `GET /v1/models HTTP/1.1\r\nhost: x\r\nauthorization: ${t.authHeaders.authorization}\r\n\r\n`,
          );
        }),
      );
    }
    for (const a of answers) expect(a).toMatch(/^HTTP\/1\.1 200 /);
    expect(answers[0]).toMatch(/connection: keep-alive/i);
    expect(answers[1]).toMatch(/connection: keep-alive/i);
    expect(answers[2]).toMatch(/connection: close/i);
    await closed;
    expect(s.destroyed).toBe(true);
  });
});

describe('connection caps', () => {
  it('refuses connections beyond the per-IP cap, then beyond the listener cap', async () => {
    const ipCap = 'gatehouse_connections_refused_total{listener="data",reason="source_ip_cap"}';
    const listenerCap = 'gatehouse_connections_refused_total{listener="data",reason="listener_cap"}';
    const held: Socket[] = [];
    for (let i = 0; i < 50; i++) held.push(await open(c));
    // The 51st from 127.0.0.1 is closed on accept, without a byte.
    const extra = await open(c);
    expect(await whenClosed(extra)).toBe('');
    expect(await metric(c, ipCap)).toBe(1);
    const open_ = 'gatehouse_open_connections{listener="data"}';
    // Another source address is under its own cap (and under the listener's), and is served.
    const other = await open(c, '127.0.0.2');
    await eventually(async () => expect(await metric(c, open_)).toBe(51));
    expect(await ask(other)).toMatch(/^HTTP\/1\.1 404 /);
    other.destroy();
    // Closing one frees its slot for the same address.
    held.pop()?.destroy();
    await eventually(async () => expect(await metric(c, open_)).toBe(49));
    held.push(await open(c));
    await eventually(async () => expect(await metric(c, open_)).toBe(50));
    expect(await metric(c, ipCap)).toBe(1);
    // 30 more from a third address reach the listener cap of 80: the next is refused.
    const more: Socket[] = [];
    for (let i = 0; i < 30; i++) more.push(await open(c, '127.0.0.3'));
    const over = await open(c, '127.0.0.4');
    expect(await whenClosed(over)).toBe('');
    expect(await metric(c, listenerCap)).toBe(1);
    expect(await metric(c, open_)).toBe(80);
    for (const s of [...held, ...more]) s.destroy();
  }, 20_000);
});
