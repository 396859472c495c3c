import { BlockList, isIP } from 'node:net';

/**
 * The client's address behind trusted proxies. The TCP peer is the client unless it is a trusted
 * proxy; then X-Forwarded-For is read right to left (each proxy appends the address it saw),
 * skipping trusted hops, and the first address that is not a trusted proxy is the client. An entry
 * that is not an IP address ends the walk at the last trusted hop: what lies left of it was written
 * by someone no trusted proxy vouches for. Compiled once at boot; per request it is a split and a
 * few BlockList lookups, bounded by `maxHops`.
 */
export interface ClientAddress {
  /** The client: what identity, per-IP signals and blocks use (`source.ip`). */
  readonly client: string;
  /** The TCP peer (a trusted proxy when `forwarded`). */
  readonly peer: string;
  readonly forwarded: boolean;
}

/**
 * `proxied`: the client a PROXY protocol header named on this connection (read only from a trusted
 * peer by the listener, src/http/proxy-protocol.ts); X-Forwarded-For is then walked from it.
 */
export type ClientAddressResolver = (
  peer: string,
  xff: string | string[] | undefined,
  proxied?: string | null,
) => ClientAddress;

/** `::ffff:10.0.0.1` (a dual-stack socket's IPv4 peer) is 10.0.0.1. */
export function normaliseIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m?.[1] ?? ip;
}

/** An X-Forwarded-For entry: an address, possibly `[v6]:port` or `v4:port`; null when it is not one. */
function entryIp(raw: string): string | null {
  let s = raw.trim();
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracket?.[1] !== undefined) s = bracket[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  s = normaliseIp(s);
  return isIP(s) === 0 ? null : s;
}

export function compileClientAddress(cfg: {
  trusted: readonly string[];
  maxHops: number;
}): ClientAddressResolver {
  if (cfg.trusted.length === 0)
    return (peer) => {
      const p = normaliseIp(peer);
      return { client: p, peer: p, forwarded: false };
    };
  const trusted = compileTrusted(cfg.trusted);
  return (rawPeer, xff, proxied) => {
    const peer = normaliseIp(rawPeer);
    // The PROXY header's client stands where the TCP peer would: X-Forwarded-For is read from it on.
    const first = proxied == null ? peer : normaliseIp(proxied);
    if (xff === undefined || !isIP(first) || !trusted(first))
      return { client: first, peer, forwarded: first !== peer };
    const entries = (Array.isArray(xff) ? xff.join(',') : xff).split(',');
    let client = first;
    for (let i = entries.length - 1, hops = 0; i >= 0 && hops < cfg.maxHops; i--, hops++) {
      const ip = entryIp(entries[i] ?? '');
      if (ip === null) break;
      client = ip;
      if (!trusted(ip)) break;
    }
    return { client, peer, forwarded: client !== peer };
  };
}

/** Membership in the trusted proxies' addresses and CIDRs, compiled once. */
export function compileTrusted(list: readonly string[]): (ip: string) => boolean {
  const bl = new BlockList();
  for (const t of list) {
    const [addr = '', bits] = t.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) bl.addAddress(addr, type);
    else bl.addSubnet(addr, Number(bits), type);
  }
  return (ip) => {
    const v = isIP(ip);
    return v !== 0 && bl.check(ip, v === 6 ? 'ipv6' : 'ipv4');
  };
}
