/**
 * Egress proxy and sandbox latency (issue 20):
 *   node --import tsx bench/egress.ts [--n 400] [--sandbox-n 30]
 *
 * 1. CONNECT set-up overhead on loopback: the time from opening a TCP connection to reading the
 *    first echoed byte, through the proxy (CONNECT, Basic credentials, allowlist, DNS via a local
 *    stub, SSRF check, connect to the checked address) minus the same directly to the echo server,
 *    each the median of N sequential attempts, alternating.
 * 2. Sandbox start-to-first-output: `print(1)` in Python through the full bubblewrap runner
 *    (namespaces, seccomp, prlimit), sequential runs, p50 and p95.
 */
import { type AddressInfo, connect, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { startEgress } from '../src/boot/egress.js';
import { parseConfig } from '../src/config/load.js';
import { runSandboxed } from '../src/sandbox/runner.js';
import { startDnsStub } from '../test/helpers/dns-stub.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
};
const N = arg('n', 400);
const SANDBOX_N = arg('sandbox-n', 30);

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};

const echo = createServer((s) => s.pipe(s));
await new Promise<void>((r) => echo.listen(0, '127.0.0.2', () => r()));
const echoPort = (echo.address() as AddressInfo).port;
const dns = await startDnsStub({ 'echo.bench': { A: ['127.0.0.2'] } });
process.env.GH_BENCH_EGRESS = 'bench-secret-0123456789';
const proxy = await startEgress(
  parseConfig({
    egress: {
      port: 0,
      dnsServers: [dns.server],
      identities: [
        {
          id: 'bench',
          credential: '${GH_BENCH_EGRESS}',
          allowNetworks: ['127.0.0.2/32'],
          allow: [{ host: 'echo.bench', ports: [echoPort] }],
          limits: { connectionsPerMinute: 1_000_000 },
        },
      ],
    },
  }),
  { logger: pino({ level: 'silent' }) },
);
const auth = `Basic ${Buffer.from('bench:bench-secret-0123456789').toString('base64')}`;

function direct(): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = connect({ host: '127.0.0.2', port: echoPort }, () => s.write('x'));
    s.once('data', () => {
      resolve(performance.now() - t0);
      s.destroy();
    });
  });
}

function viaProxy(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = connect({ host: '127.0.0.1', port: proxy.address.port }, () =>
      s.write(
        `CONNECT echo.bench:${echoPort} HTTP/1.1\r\nhost: echo.bench\r\nproxy-authorization: ${auth}\r\n\r\n`,
      ),
    );
    let head = '';
    const onData = (c: Buffer) => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(head));
      s.off('data', onData);
      s.once('data', () => {
        resolve(performance.now() - t0);
        s.destroy();
      });
      s.write('x');
    };
    s.on('data', onData);
  });
}

const d: number[] = [];
const p: number[] = [];
for (let i = 0; i < 50; i++) {
  await direct();
  await viaProxy();
}
for (let i = 0; i < N; i++) {
  d.push(await direct());
  p.push(await viaProxy());
}
const overhead = p.map((v, i) => v - (d[i] ?? 0));
console.log(
  JSON.stringify({
    connect: {
      n: N,
      directP50Ms: +q(d, 0.5).toFixed(3),
      proxyP50Ms: +q(p, 0.5).toFixed(3),
      overheadP50Ms: +q(overhead, 0.5).toFixed(3),
      overheadP99Ms: +q(overhead, 0.99).toFixed(3),
    },
  }),
);
await proxy.close();
await dns.close();
echo.close();

const cfg = parseConfig({}).sandbox;
const firstOutput: number[] = [];
for (let i = 0; i < SANDBOX_N; i++) {
  const t0 = performance.now();
  const r = await runSandboxed(cfg, { language: 'python', code: 'print(1)' });
  if (r.stdout !== '1\n') throw new Error(`unexpected sandbox output ${JSON.stringify(r)}`);
  firstOutput.push(performance.now() - t0);
}
console.log(
  JSON.stringify({
    sandbox: {
      n: SANDBOX_N,
      pythonPrintP50Ms: +q(firstOutput, 0.5).toFixed(1),
      pythonPrintP95Ms: +q(firstOutput, 0.95).toFixed(1),
    },
  }),
);
