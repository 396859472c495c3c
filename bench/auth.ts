import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import pino from 'pino';
import { Registry } from 'prom-client';
import { authSchema } from '../src/config/schema/auth.js';
import type { AuthRequest } from '../src/edge/auth/authenticator.js';
import { createAuthService } from '../src/edge/auth/service.js';
import { generateApiKey, hashApiKey } from '../src/formats/api-key.js';
import { createMemoryStore } from '../src/store/memory.js';
import { createPki } from '../test/helpers/pki.js';
import { percentile } from './lib/load.js';
import { killStarted, type Proc, startNode } from './lib/procs.js';

/**
 * Issue 3's benchmark:
 *  1. the authenticator alone, in process: the cost of one verification per method (API key with
 *     SHA-256 or a peppered HMAC, cached-JWKS JWT verification per algorithm, gateway session token,
 *     mTLS mapping), including the revocation check and the signed downstream identity header;
 *  2. the gateway with a 50 ms upstream, auth off vs API key vs JWT, interleaved round by round:
 *     latency added at p50 and p99 (the core issue's budget: ≤ 1 ms at p50, ≤ 5 ms at p99).
 *
 *   node --import tsx bench/auth.ts [--ops 20000] [--duration 5] [--rounds 3] [--connections 32]
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const opt = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
};
const OPS = Number(opt('ops', '20000'));
const DURATION = Number(opt('duration', '5'));
const ROUNDS = Number(opt('rounds', '3'));
const CONNECTIONS = Number(opt('connections', '32'));

const lines: string[] = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const nowSec = () => Math.floor(Date.now() / 1000);

/** A local OIDC issuer publishing one key per algorithm. */
async function issuer() {
  const algs = ['RS256', 'ES256', 'EdDSA'] as const;
  const keys = await Promise.all(
    algs.map(async (alg) => {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      return { alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid: alg, alg } as JWK };
    }),
  );
  let base = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
    else res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (alg: (typeof algs)[number]) => {
    const k = keys.find((x) => x.alg === alg)!;
    return new SignJWT({ scope: 'infer' })
      .setProtectedHeader({ alg, kid: alg })
      .setIssuer(base)
      .setAudience('gatehouse')
      .setSubject('bench')
      .setIssuedAt()
      .setExpirationTime(nowSec() + 3600)
      .sign(k.privateKey);
  };
  return { url: base, sign, close: () => new Promise((r) => server.close(r)) };
}

async function timeIt(fn: () => Promise<unknown>): Promise<Float64Array> {
  for (let i = 0; i < 2_000; i++) await fn();
  const out = new Float64Array(OPS);
  for (let i = 0; i < OPS; i++) {
    const t = performance.now();
    await fn();
    out[i] = performance.now() - t;
  }
  return out.sort();
}

const iss = await issuer();
const key = generateApiKey('ghk_');
const peppered = generateApiKey('ghk_');
const pki = createPki();
const cert = pki.issueClient('bench-svc', { uri: 'spiffe://bench/ns/a/sa/b' });
const x509 = new X509Certificate(cert.certPem);
// The fields the mapper reads, as node's TLSSocket.getPeerCertificate() presents them.
const peer = {
  subject: { CN: 'bench-svc' },
  subjectaltname: x509.subjectAltName,
  fingerprint256: x509.fingerprint256,
} as PeerCertificate;

const sessionPem = (await import('node:crypto'))
  .generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
process.env.GH_BENCH_SESSION_KEY = sessionPem;
process.env.GH_BENCH_PEPPER = 'bench-pepper';
const base = {
  consumers: [
    {
      name: 'bench',
      apiKeys: [{ id: key.id, hash: hashApiKey(key.key, undefined) }],
      mtls: { sans: ['URI:spiffe://bench/ns/a/sa/b'], fingerprints: [x509.fingerprint256] },
    },
  ],
  jwt: { issuers: [{ issuer: iss.url, audience: 'gatehouse', algorithms: ['RS256', 'ES256', 'EdDSA'] }] },
  sessions: { enabled: true, signingKey: '${GH_BENCH_SESSION_KEY}' },
};
const deps = { store: createMemoryStore(), logger: pino({ level: 'silent' }), metrics: new Registry() };
const svc = await createAuthService(authSchema.parse(base), deps);
await svc.warm();
// The same, with the verified-token cache off: every request pays the signature check.
const uncached = await createAuthService(
  authSchema.parse({ ...base, jwt: { ...base.jwt, verifiedCache: { maxEntries: 0 } } }),
  { ...deps, metrics: new Registry() },
);
await uncached.warm();
const pepperSvc = await createAuthService(
  authSchema.parse({
    consumers: [
      { name: 'bench', apiKeys: [{ id: peppered.id, hash: hashApiKey(peppered.key, 'bench-pepper') }] },
    ],
    apiKeys: { pepper: '${GH_BENCH_PEPPER}' },
  }),
  { ...deps, metrics: new Registry() },
);

const reqOf = (
  headers: Record<string, string>,
  peerCertificate: PeerCertificate | null = null,
): AuthRequest => ({
  headers,
  peerCertificate,
  sourceIp: '127.0.0.1',
  userAgent: 'bench',
  events: [],
});
const bearer = (token: string) => reqOf({ authorization: `Bearer ${token}` });
const api = (s: typeof svc, r: AuthRequest) => async () => {
  const { identity } = await s.authenticate(r);
  await s.downstream!.value(identity);
};

const root0 = await uncached.authenticate(reqOf({ authorization: `Bearer ${key.key}` }));
const grant0 = await uncached.sessions!.mint(root0.identity, root0.root, { agent: 'bench-agent' });
const root = await svc.authenticate(reqOf({ authorization: `Bearer ${key.key}` }));
const grant = await svc.sessions!.mint(root.identity, root.root, { agent: 'bench-agent' });

say('## Authentication (issue 3)');
say();
say(
  `\`node --import tsx bench/auth.ts --ops ${OPS} --duration ${DURATION} --rounds ${ROUNDS} --connections ${CONNECTIONS}\``,
);
say();
say(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; load average at start ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')} (other work shares these cores: compare rows within one run, not across runs).`,
);
say();
say('### One verification, in process (authenticate + revocation check + downstream identity header)');
say();
say(
  `Sequential calls on one core, ${OPS} measured after 2,000 warm-up; JWKS cached (\`signature verified\`: verified-token cache off, every call checks the signature), revocation answers cached (memory store).`,
);
say();
say('| method | p50 | p99 | mean | per core |');
say('|---|---|---|---|---|');
const cases: Array<[string, () => Promise<unknown>]> = [
  ['API key (SHA-256)', api(svc, reqOf({ authorization: `Bearer ${key.key}` }))],
  [
    'API key (HMAC-SHA-256 with pepper)',
    async () => pepperSvc.authenticate(reqOf({ authorization: `Bearer ${peppered.key}` })),
  ],
  ['JWT RS256 (2048-bit), signature verified', api(uncached, bearer(await iss.sign('RS256')))],
  ['JWT ES256, signature verified', api(uncached, bearer(await iss.sign('ES256')))],
  ['JWT EdDSA, signature verified', api(uncached, bearer(await iss.sign('EdDSA')))],
  ['JWT RS256, reused token (verified-token cache hit)', api(svc, bearer(await iss.sign('RS256')))],
  ['session token (EdDSA), signature verified', api(uncached, bearer(grant0.token))],
  ['session token, reused (cache hit)', api(svc, bearer(grant.token))],
  ['mTLS identity (SAN + pin)', api(svc, reqOf({}, peer))],
];
for (const [name, fn] of cases) {
  const t = await timeIt(fn);
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  say(
    `| ${name} | ${us(percentile(t, 50))} | ${us(percentile(t, 99))} | ${us(mean)} | ${Math.round(1000 / mean).toLocaleString('en-US')}/s |`,
  );
}
say();
await Promise.all([svc.close(), uncached.close(), pepperSvc.close()]);

// 2. Through the gateway, 50 ms upstream.
const upstream = await startNode(
  join(HERE, 'targets/mock-upstream.ts'),
  ['--delay', '50'],
  ['--import', 'tsx'],
);
const gwArgs = [
  '--upstream',
  upstream.url,
  '--issuer',
  iss.url,
  '--key-id',
  key.id,
  '--key-hash',
  hashApiKey(key.key, undefined),
];
const variants: Array<{ name: string; args: string[]; headers: Record<string, string> }> = [
  { name: 'auth off', args: ['--auth', 'off'], headers: {} },
  { name: 'API key', args: ['--auth', 'on'], headers: { authorization: `Bearer ${key.key}` } },
  {
    name: 'JWT RS256',
    args: ['--auth', 'on'],
    headers: { authorization: `Bearer ${await iss.sign('RS256')}` },
  },
  {
    name: 'JWT RS256, token cache off',
    args: ['--auth', 'on', '--verified-cache', '0'],
    headers: { authorization: `Bearer ${await iss.sign('RS256')}` },
  },
  {
    name: 'JWT ES256, token cache off',
    args: ['--auth', 'on', '--verified-cache', '0'],
    headers: { authorization: `Bearer ${await iss.sign('ES256')}` },
  },
];
const procs: Proc[] = [];
for (const v of variants)
  procs.push(
    await startNode(join(HERE, 'targets/auth-gateway.ts'), [...gwArgs, ...v.args], ['--import', 'tsx']),
  );
const body = JSON.stringify({
  model: 'bench',
  messages: [{ role: 'user', content: 'Write one sentence about gateways.' }],
  max_tokens: 64,
});

async function drive(url: string, headers: Record<string, string>, seconds: number) {
  let lat: number[] = [];
  let bad = 0;
  const inst = autocannon({
    url: `${url}/v1/chat/completions`,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    timeout: 10,
  });
  inst.on('response', (_c, status, _b, ms) => {
    if (status >= 200 && status < 300) lat.push(ms);
    else bad++;
  });
  const r = await inst;
  lat = lat.sort((a, b) => a - b);
  return { rps: lat.length / r.duration, lat: Float64Array.from(lat), bad: bad + r.errors + r.timeouts };
}

for (let i = 0; i < variants.length; i++) await drive(procs[i]!.url, variants[i]!.headers, 2);
const p50: number[][] = variants.map(() => []);
const p99: number[][] = variants.map(() => []);
const rps: number[][] = variants.map(() => []);
const bad = variants.map(() => 0);
// CPU time per request, read from /proc: robust to other work on the machine, unlike latency.
const cpu: number[][] = variants.map(() => []);
for (let round = 0; round < ROUNDS; round++)
  for (let i = 0; i < variants.length; i++) {
    const before = procs[i]!.cpuMicros();
    const r = await drive(procs[i]!.url, variants[i]!.headers, DURATION);
    cpu[i]!.push((procs[i]!.cpuMicros() - before) / Math.max(1, r.lat.length));
    p50[i]!.push(percentile(r.lat, 50));
    p99[i]!.push(percentile(r.lat, 99));
    rps[i]!.push(r.rps);
    bad[i]! += r.bad;
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
say(
  `### Through the gateway, 50 ms upstream (core pipeline ± auth stages, ${CONNECTIONS} connections, median of ${ROUNDS} rounds)`,
);
say();
say('| variant | req/s | p50 | p99 | added p50 | added p99 | gateway CPU / request | added CPU | non-2xx |');
say('|---|---|---|---|---|---|---|---|---|');
for (let i = 0; i < variants.length; i++) {
  const d50 = median(p50[i]!) - median(p50[0]!);
  const d99 = median(p99[i]!) - median(p99[0]!);
  const dc = median(cpu[i]!) - median(cpu[0]!);
  const first = i === 0;
  say(
    `| ${variants[i]!.name} | ${Math.round(median(rps[i]!))} | ${median(p50[i]!).toFixed(2)} ms | ${median(p99[i]!).toFixed(2)} ms | ${first ? '—' : `${d50.toFixed(2)} ms`} | ${first ? '—' : `${d99.toFixed(2)} ms`} | ${median(cpu[i]!).toFixed(0)} µs | ${first ? '—' : `${dc.toFixed(0)} µs`} | ${bad[i]} |`,
  );
}
say(
  `Load average at the end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')}.`,
);
say();
killStarted();
await iss.close();
process.stdout.write(`\n${lines.length} lines\n`);
process.exit(0);
