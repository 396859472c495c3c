import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EgressConfig } from '../config/schema/egress.js';
import { ERRORS } from '../errors/catalog.js';
import type { EgressEvent } from './events.js';
import { identify } from './identify.js';
import type { EgressMeter } from './meter.js';
import { checkDestination, type DenyReason, type EgressIdentity } from './policy.js';
import { type ResolveAll, resolveChecked } from './resolve.js';

type EgressCode = keyof typeof ERRORS & `GH_ERR_EGRESS_${string}`;

const CODE_OF: Readonly<Record<DenyReason, EgressCode>> = {
  no_credentials: 'GH_ERR_EGRESS_AUTH_REQUIRED',
  bad_credentials: 'GH_ERR_EGRESS_AUTH_REQUIRED',
  host_not_allowed: 'GH_ERR_EGRESS_DENIED',
  port_not_allowed: 'GH_ERR_EGRESS_DENIED',
  path_not_allowed: 'GH_ERR_EGRESS_DENIED',
  ip_literal: 'GH_ERR_EGRESS_DENIED',
  denied_address: 'GH_ERR_EGRESS_DENIED',
  dns_failure: 'GH_ERR_EGRESS_UPSTREAM_FAILED',
  rate_limited: 'GH_ERR_EGRESS_RATE_LIMITED',
  kill_switch: 'GH_ERR_EGRESS_KILLED',
  bad_request: 'GH_ERR_EGRESS_BAD_REQUEST',
};

/** Request headers that belong to the hop to the proxy, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** A CONNECT target is `host:port`; bracketed IPv6 allowed. Nothing else (no userinfo, no path). */
const CONNECT_TARGET = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):([0-9]{1,5})$/;

export interface EgressProxyDeps {
  readonly config: EgressConfig;
  readonly identities: ReadonlyMap<string, EgressIdentity>;
  readonly resolve: ResolveAll;
  readonly meter: EgressMeter;
  /** One audit event per connection attempt, allowed or denied. */
  readonly record: (ev: EgressEvent) => void;
  /** True while the kill switch stops this identity's egress (`all`, `egress:*` or `egress:<identity>`). */
  readonly killed: (identity: string) => boolean;
  readonly tls?: {
    cert: Buffer;
    key: Buffer | string;
    ca?: Buffer;
    requestCert: boolean;
    minVersion: 'TLSv1.2' | 'TLSv1.3';
    ciphers: string;
  };
}

interface Attempt {
  readonly id: string;
  readonly started: number;
  readonly method: string;
  readonly sourceIp: string | null;
  identity: EgressIdentity | null;
  host: string;
  port: number;
  address: string | null;
}

function refusalBody(code: EgressCode, requestId: string, detail?: string): string {
  const def = ERRORS[code];
  return JSON.stringify({
    error: {
      message: detail ? `${def.message} (${detail})` : def.message,
      type: def.type,
      param: null,
      code,
      request_id: requestId,
    },
  });
}

function extraHeaders(code: EgressCode): Record<string, string> {
  if (code === 'GH_ERR_EGRESS_AUTH_REQUIRED')
    return { 'proxy-authenticate': 'Basic realm="gatehouse-egress"' };
  if (code === 'GH_ERR_EGRESS_RATE_LIMITED' || code === 'GH_ERR_EGRESS_KILLED')
    return { 'retry-after': '60' };
  return {};
}

export interface EgressProxy {
  readonly server: Server;
  /** Cuts every open tunnel (they left the HTTP server's bookkeeping when CONNECT succeeded). */
  closeTunnels(): void;
}

export function createEgressProxy(deps: EgressProxyDeps): EgressProxy {
  const tunnels = new Set<Duplex>();
  const bySubject = new Map(
    [...deps.identities.values()].flatMap((i) =>
      i.mtlsSubject === null ? [] : [[i.mtlsSubject, i] as const],
    ),
  );

  const finish = (
    a: Attempt,
    verdict: 'allow' | 'deny',
    reason: DenyReason | null,
    up: number,
    down: number,
    detail?: string,
  ) =>
    deps.record({
      id: a.id,
      identity: a.identity?.id ?? null,
      method: a.method,
      host: a.host,
      port: a.port,
      address: a.address,
      sourceIp: a.sourceIp,
      verdict,
      reason,
      ...(detail !== undefined && { detail }),
      bytesUp: up,
      bytesDown: down,
      durationMs: Date.now() - a.started,
    });

  /** The checks shared by CONNECT and plain HTTP; the address to connect to, or a refusal. */
  async function admit(
    req: IncomingMessage,
    a: Attempt,
    path: string | null,
  ): Promise<{ ok: true; address: string } | { ok: false; reason: DenyReason; detail?: string }> {
    if (deps.killed('*')) return { ok: false, reason: 'kill_switch' };
    a.identity = identify(req, deps.identities, bySubject);
    if (!a.identity)
      return { ok: false, reason: req.headers['proxy-authorization'] ? 'bad_credentials' : 'no_credentials' };
    if (deps.killed(a.identity.id)) return { ok: false, reason: 'kill_switch' };
    const denied = checkDestination(a.identity, a.host, a.port, path);
    if (denied) return { ok: false, reason: denied };
    if (!(await deps.meter.admitConnection(a.identity))) return { ok: false, reason: 'rate_limited' };
    const r = await resolveChecked(deps.resolve, a.host.replace(/^\[|\]$/g, ''), a.identity.networks);
    if (!r.ok) return { ok: false, reason: r.reason, detail: r.detail };
    a.address = r.address;
    return { ok: true, address: r.address };
  }

  const attempt = (req: IncomingMessage, host: string, port: number): Attempt => ({
    id: randomUUID(),
    started: Date.now(),
    method: req.method ?? 'GET',
    sourceIp: req.socket.remoteAddress ?? null,
    identity: null,
    host: host.toLowerCase(),
    port,
    address: null,
  });

  function refuseRaw(socket: Duplex, a: Attempt, reason: DenyReason, detail?: string) {
    const code = CODE_OF[reason];
    const body = refusalBody(code, a.id, detail);
    const head = [
      `HTTP/1.1 ${ERRORS[code].status} ${code}`,
      'content-type: application/json',
      `content-length: ${Buffer.byteLength(body)}`,
      `x-request-id: ${a.id}`,
      ...Object.entries(extraHeaders(code)).map(([k, v]) => `${k}: ${v}`),
      'connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
    finish(a, 'deny', reason, 0, 0, detail);
  }

  function onConnect(req: IncomingMessage, client: Duplex, head: Buffer) {
    client.on('error', () => client.destroy());
    const m = CONNECT_TARGET.exec(req.url ?? '');
    const port = Number(m?.[2]);
    const a = attempt(req, m?.[1] ?? String(req.url ?? '').slice(0, 260), Number.isInteger(port) ? port : 0);
    if (!m?.[1] || port < 1 || port > 65535) return refuseRaw(client, a, 'bad_request');
    void admit(req, a, null).then(
      (v) => (v.ok ? tunnel(client, head, a, v.address) : refuseRaw(client, a, v.reason, v.detail)),
      () => refuseRaw(client, a, 'bad_request'),
    );
  }

  function tunnel(client: Duplex, head: Buffer, a: Attempt, address: string) {
    const identity = a.identity;
    if (!identity) return;
    let up = head.length;
    let down = 0;
    let open = false;
    const upstream: Socket = connect({ host: address, port: a.port, timeout: deps.config.connectTimeoutMs });
    const over = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.once('timeout', () => {
      if (!open) upstream.destroy(new Error('connect timeout'));
      else over();
    });
    upstream.once('connect', () => {
      open = true;
      upstream.setTimeout(deps.config.idleTimeoutMs);
      // Counted from here: a listener attached earlier would start the client flowing before
      // there is anywhere to send its bytes.
      client.on('data', (c: Buffer) => {
        up += c.length;
        if (!deps.meter.addBytes(identity, c.length)) over();
      });
      upstream.on('data', (c: Buffer) => {
        down += c.length;
        if (!deps.meter.addBytes(identity, c.length)) over();
      });
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.once('error', () => {
      if (!open) refuseRaw(client, a, 'dns_failure', 'connect failed');
    });
    tunnels.add(client);
    let done = false;
    const close = () => {
      tunnels.delete(client);
      if (done || !open) return;
      done = true;
      over();
      finish(a, 'allow', null, up, down);
    };
    upstream.once('close', close);
    client.once('close', close);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse) {
    let url: URL | null = null;
    try {
      url = req.url?.startsWith('http://') ? new URL(req.url) : null;
    } catch {
      url = null;
    }
    const port = url ? Number(url.port || 80) : 0;
    const a = attempt(req, url?.hostname ?? '', port);
    const refuse = (reason: DenyReason, detail?: string) => {
      const code = CODE_OF[reason];
      res.writeHead(ERRORS[code].status, {
        'content-type': 'application/json',
        'x-request-id': a.id,
        connection: 'close',
        ...extraHeaders(code),
      });
      res.end(refusalBody(code, a.id, detail));
      finish(a, 'deny', reason, 0, 0, detail);
    };
    if (url?.username !== '' || url.password !== '') return refuse('bad_request');
    const v = await admit(req, a, url.pathname).catch(() => null);
    if (!v) return refuse('bad_request');
    if (!v.ok) return refuse(v.reason, v.detail);
    forward(req, res, a, url, v.address);
  }

  function forward(req: IncomingMessage, res: ServerResponse, a: Attempt, url: URL, address: string) {
    const identity = a.identity;
    if (!identity) return;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    headers.host = url.host;
    let up = 0;
    let down = 0;
    const out = httpRequest({
      host: address,
      port: a.port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      timeout: deps.config.connectTimeoutMs,
    });
    out.once('timeout', () => out.destroy(new Error('timeout')));
    out.once('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json', 'x-request-id': a.id });
        res.end(refusalBody('GH_ERR_EGRESS_UPSTREAM_FAILED', a.id));
      } else res.destroy();
      finish(a, 'deny', 'dns_failure', up, down, 'upstream failed');
    });
    out.once('response', (upRes) => {
      const h: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) h[k] = v;
      res.writeHead(upRes.statusCode ?? 502, h);
      upRes.on('data', (c: Buffer) => {
        down += c.length;
        if (!deps.meter.addBytes(identity, c.length)) upRes.destroy();
      });
      upRes.pipe(res);
      upRes.once('end', () => finish(a, 'allow', null, up, down));
    });
    req.on('data', (c: Buffer) => {
      up += c.length;
      if (!deps.meter.addBytes(identity, c.length)) out.destroy();
    });
    req.pipe(out);
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => void onRequest(req, res);
  const server = deps.tls
    ? createHttpsServer(
        {
          cert: deps.tls.cert,
          key: deps.tls.key,
          ...(deps.tls.ca !== undefined && { ca: deps.tls.ca }),
          requestCert: deps.tls.requestCert,
          rejectUnauthorized: false,
          minVersion: deps.tls.minVersion,
          ciphers: deps.tls.ciphers,
        },
        handler,
      )
    : createHttpServer(handler);
  server.headersTimeout = 10_000;
  server.requestTimeout = 0;
  server.on('connect', onConnect);
  server.on('clientError', (_e, socket) => socket.destroy());
  return {
    server,
    closeTunnels: () => {
      for (const t of tunnels) t.destroy();
      tunnels.clear();
    },
  };
}
