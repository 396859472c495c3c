import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { EgressConfig } from '../config/schema/egress.js';

/** One line of `gatehouse egress test`: what the proxy did with a destination tried from an identity. */
export interface ProbeResult {
  readonly identity: string;
  readonly target: string;
  readonly expect: 'allow' | 'deny';
  /** `allow`: the tunnel opened or the request was forwarded; `deny`: the proxy refused with a code. */
  readonly got: 'allow' | 'deny' | 'error';
  /** The proxy's GH_ERR_EGRESS_* code, or the transport error. */
  readonly detail: string;
  readonly pass: boolean;
}

const TIMEOUT_MS = 10_000;

function basic(identity: string, secret: string): string {
  return `Basic ${Buffer.from(`${identity}:${secret}`).toString('base64')}`;
}

/** CONNECT host:port through the proxy; reads only the proxy's answer, then closes. */
function probeConnect(
  proxy: URL,
  target: string,
  auth: string,
): Promise<Pick<ProbeResult, 'got' | 'detail'>> {
  return new Promise((resolve) => {
    const s = netConnect({ host: proxy.hostname, port: Number(proxy.port) });
    const done = (r: Pick<ProbeResult, 'got' | 'detail'>) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(TIMEOUT_MS, () => done({ got: 'error', detail: 'timeout' }));
    s.once('error', (e) => done({ got: 'error', detail: e.message }));
    s.once('connect', () =>
      s.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\nproxy-authorization: ${auth}\r\n\r\n`),
    );
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      const line = /^HTTP\/1\.1 (\d{3}) ?([^\r\n]*)\r\n/.exec(buf);
      // A status line is short: a peer that sends more without one is not an HTTP proxy.
      if (!line && buf.length > 8_192) return done({ got: 'error', detail: 'no HTTP status line' });
      if (!line) return;
      if (line[1] === '200') return done({ got: 'allow', detail: 'tunnel opened' });
      done({ got: 'deny', detail: line[2] || `status ${line[1]}` });
    });
  });
}

function probeHttp(proxy: URL, target: string, auth: string): Promise<Pick<ProbeResult, 'got' | 'detail'>> {
  return new Promise((resolve) => {
    const req = httpRequest({
      host: proxy.hostname,
      port: Number(proxy.port),
      method: 'GET',
      path: target,
      headers: { 'proxy-authorization': auth, host: new URL(target).host },
      timeout: TIMEOUT_MS,
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', (e) => resolve({ got: 'error', detail: e.message }));
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 4_096) body += c;
      });
      res.once('end', () => {
        const m = /"code":"(GH_ERR_EGRESS_[A-Z_]+)"/.exec(body);
        if (m?.[1]) resolve({ got: 'deny', detail: m[1] });
        else resolve({ got: 'allow', detail: `status ${res.statusCode}` });
      });
    });
    req.end();
  });
}

/**
 * Tries every configured probe through the running proxy at `proxyUrl`, as its identity (the
 * identity's credential, resolved by `secret`). An allowed destination that the proxy could not
 * reach counts as a failure: the policy test is about what works, not only what is refused.
 */
export async function runProbes(
  cfg: EgressConfig,
  proxyUrl: string,
  secret: (ref: string) => string,
): Promise<ProbeResult[]> {
  const proxy = new URL(proxyUrl);
  const results: ProbeResult[] = [];
  for (const p of cfg.probes) {
    const identity = cfg.identities.find((i) => i.id === p.identity);
    if (identity?.credential === undefined) {
      results.push({
        ...p,
        got: 'error',
        detail: 'identity has no proxy credential to probe with',
        pass: false,
      });
      continue;
    }
    const auth = basic(identity.id, secret(identity.credential));
    const r = p.target.startsWith('http://')
      ? await probeHttp(proxy, p.target, auth)
      : await probeConnect(proxy, p.target, auth);
    const upstreamFailed = r.detail.includes('GH_ERR_EGRESS_UPSTREAM_FAILED');
    const got = upstreamFailed ? 'error' : r.got;
    results.push({
      identity: p.identity,
      target: p.target,
      expect: p.expect,
      got,
      detail: r.detail,
      pass: got === p.expect,
    });
  }
  return results;
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function probesToJUnit(results: readonly ProbeResult[]): string {
  const failures = results.filter((r) => !r.pass).length;
  const cases = results.map((r) => {
    const name = xml(`${r.identity} -> ${r.target} (expect ${r.expect})`);
    const body = r.pass ? '' : `<failure message="${xml(`got ${r.got}: ${r.detail}`)}"/>`;
    return `    <testcase classname="gatehouse.egress" name="${name}">${body}</testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${results.length}" failures="${failures}">\n  <testsuite name="gatehouse egress test" tests="${results.length}" failures="${failures}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

export function probesToTable(results: readonly ProbeResult[]): string {
  const rows = results.map((r) => [
    r.pass ? 'PASS' : 'FAIL',
    r.identity,
    r.target,
    r.expect,
    r.got,
    r.detail,
  ]);
  const head = ['result', 'identity', 'target', 'expect', 'got', 'detail'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return `${[fmt(head), ...rows.map(fmt)].join('\n')}\n`;
}
