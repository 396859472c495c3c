import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { normaliseIp } from '../formats/client-address.js';

/**
 * PROXY protocol v2 (haproxy.org/download/2.9/doc/proxy-protocol.txt) on the data-plane listener: a
 * load balancer that terminates nothing (TCP mode, TLS passthrough) prepends a binary header naming
 * the client. It is read only from a trusted proxy, where it is required (a trusted peer that sends
 * none is misconfigured and would otherwise count every client as itself); from any other peer no
 * header is read, so a client cannot name its own address. The header is parsed before TLS, so TLS
 * passthrough keeps end-to-end encryption and client certificates.
 */

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
const FIXED = 16;
/** Addresses plus TLVs; the spec allows 64 KiB, load balancers send well under 1 KiB. */
const MAX_PAYLOAD = 2_048;

export type ProxyHeader =
  | { readonly kind: 'proxy'; readonly address: string; readonly port: number }
  /** LOCAL (the balancer's own health check) or an address family that carries no IP: the peer is the client. */
  | { readonly kind: 'local' };

export type ProxyHeaderError = 'signature' | 'version' | 'command' | 'family' | 'length';

/** Parses a complete header (`FIXED` + its length); throws the reason on anything else. */
export function parseProxyHeader(buf: Buffer): ProxyHeader {
  if (!buf.subarray(0, 12).equals(SIGNATURE)) throw reason('signature');
  const verCmd = buf[12] ?? 0;
  if (verCmd >> 4 !== 2) throw reason('version');
  const cmd = verCmd & 0x0f;
  if (cmd === 0) return { kind: 'local' };
  if (cmd !== 1) throw reason('command');
  const famProto = buf[13] ?? 0;
  const len = buf.readUInt16BE(14);
  const body = buf.subarray(FIXED, FIXED + len);
  switch (famProto) {
    case 0x11: // TCP over IPv4
      if (len < 12) throw reason('length');
      return { kind: 'proxy', address: [...body.subarray(0, 4)].join('.'), port: body.readUInt16BE(8) };
    case 0x21: {
      // TCP over IPv6
      if (len < 36) throw reason('length');
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(body.readUInt16BE(i).toString(16));
      return { kind: 'proxy', address: normaliseIp(compressV6(groups)), port: body.readUInt16BE(32) };
    }
    case 0x00: // UNSPEC
    case 0x31: // Unix stream socket: no IP to report
      return { kind: 'local' };
    default:
      // UDP and unknown families: this listener speaks HTTP over TCP only.
      throw reason('family');
  }
}

/** `0:0:0:0:0:ffff:a00:1` → `::ffff:a00:1`, the shape Node reports for peers (one longest zero run). */
function compressV6(groups: readonly string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  const v4mapped = best === 0 && bestLen === 5 && groups[5] === 'ffff';
  if (v4mapped) {
    const a = Number.parseInt(groups[6] ?? '0', 16);
    const b = Number.parseInt(groups[7] ?? '0', 16);
    return `::ffff:${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
  }
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

const reason = (r: ProxyHeaderError) => Object.assign(new Error(`PROXY header: ${r}`), { reason: r });

/** The client a PROXY header named for a live connection, looked up by its TCP four-tuple. */
export interface ProxySources {
  /** The named client address, or null when the connection carried no PROXY header. */
  of(socket: Socket): string | null;
}

export interface ProxyProtocolOptions {
  /** A trusted proxy: only its connections are read for a header (and must carry one). */
  readonly trusted: (ip: string) => boolean;
  /** How long a trusted peer may take to send the whole header. */
  readonly timeoutMs: number;
  readonly onRefused: (why: ProxyHeaderError | 'missing' | 'timeout') => void;
}

const tuple = (s: Socket) => `${s.remoteAddress}|${s.remotePort}|${s.localPort}`;

/**
 * Puts a PROXY v2 reader in front of the server's own connection handling. The header is consumed;
 * bytes after it are handed back to the HTTP or TLS layer unchanged.
 */
export function acceptProxyProtocol(server: Server, o: ProxyProtocolOptions): ProxySources {
  const sources = new Map<string, string>();
  const downstream = server.listeners('connection') as Array<(s: Socket) => void>;
  server.removeAllListeners('connection');
  const handOver = (socket: Socket, rest: Buffer) => {
    // The TLS layer reads bytes put back on the stream; Node's HTTP parser reads the socket's handle
    // directly, so for plain HTTP the rest is replayed as the 'data' event it listens to.
    const tls = 'setSecureContext' in server;
    if (tls && rest.length > 0) socket.unshift(rest);
    for (const l of downstream) l.call(server, socket);
    if (!tls && rest.length > 0) socket.emit('data', rest);
  };
  server.on('connection', (socket: Socket) => {
    const peer = normaliseIp(socket.remoteAddress ?? '');
    if (!o.trusted(peer)) {
      handOver(socket, Buffer.alloc(0));
      return;
    }
    const key = tuple(socket);
    let got: Buffer = Buffer.alloc(0);
    const refuse = (why: ProxyHeaderError | 'missing' | 'timeout') => {
      clearTimeout(timer);
      socket.off('data', onData);
      o.onRefused(why);
      socket.destroy();
    };
    const timer = setTimeout(() => refuse('timeout'), o.timeoutMs);
    const onData = (chunk: Buffer) => {
      got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
      if (got.length < FIXED) {
        if (!SIGNATURE.subarray(0, got.length).equals(got.subarray(0, SIGNATURE.length))) refuse('missing');
        return;
      }
      if (!got.subarray(0, 12).equals(SIGNATURE)) return refuse('missing');
      const len = got.readUInt16BE(14);
      if (len > MAX_PAYLOAD) return refuse('length');
      if (got.length < FIXED + len) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      let header: ProxyHeader;
      try {
        header = parseProxyHeader(got.subarray(0, FIXED + len));
      } catch (err) {
        return refuse((err as { reason: ProxyHeaderError }).reason);
      }
      if (header.kind === 'proxy') {
        sources.set(key, header.address);
        socket.once('close', () => sources.delete(key));
      }
      handOver(socket, got.subarray(FIXED + len));
    };
    socket.on('data', onData);
    socket.on('error', () => clearTimeout(timer));
  });
  return { of: (socket) => (sources.size === 0 ? null : (sources.get(tuple(socket)) ?? null)) };
}
