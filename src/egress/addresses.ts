import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * What an egress destination address may be. Only global unicast passes by default: loopback,
 * link-local (169.254.169.254, the cloud metadata service, is link-local), private, carrier-grade
 * NAT, multicast, reserved and unspecified ranges are refused, on IPv4 and IPv6 alike. IPv6 forms
 * that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4, Teredo)
 * are judged by the IPv4 address they lead to, so `::ffff:127.0.0.1` is loopback.
 */
export type AddressVerdict =
  | { readonly ok: true; readonly address: string }
  | { readonly ok: false; readonly address: string; readonly range: string };

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses the operator's `allowNetworks` once; a bad CIDR throws (config time, not request time). */
export function parseNetworks(cidrs: readonly string[]): readonly Cidr[] {
  return cidrs.map((c) => {
    try {
      return c.includes('/') ? ipaddr.parseCIDR(c) : toHostCidr(ipaddr.parse(c));
    } catch {
      throw new Error(`"${c}" is not an IP address or CIDR`);
    }
  });
}

function toHostCidr(a: ipaddr.IPv4 | ipaddr.IPv6): Cidr {
  return [a, a.kind() === 'ipv4' ? 32 : 128];
}

function within(a: ipaddr.IPv4 | ipaddr.IPv6, nets: readonly Cidr[]): boolean {
  return nets.some(([net, bits]) => a.kind() === net.kind() && a.match(net, bits));
}

/** The IPv4 address an IPv6 form embeds, when it is one of the forms that route to IPv4. */
function embeddedV4(a: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = a.range();
  if (range === 'ipv4Mapped') return a.toIPv4Address();
  const bytes = a.toByteArray();
  const v4 = (o: number) => new ipaddr.IPv4(bytes.slice(o, o + 4));
  if (range === 'rfc6052' || range === 'rfc6145') return v4(12);
  if (range === '6to4') return v4(2);
  if (range === 'teredo') {
    // Teredo carries the client address inverted in the last 32 bits.
    return new ipaddr.IPv4(bytes.slice(12, 16).map((b) => b ^ 0xff));
  }
  return null;
}

export function checkAddress(raw: string, allowed: readonly Cidr[]): AddressVerdict {
  if (isIP(raw) === 0) return { ok: false, address: raw, range: 'invalid' };
  const parsed = ipaddr.parse(raw);
  if (within(parsed, allowed)) return { ok: true, address: raw };
  let a: ipaddr.IPv4 | ipaddr.IPv6 = parsed;
  if (a.kind() === 'ipv6') {
    const v4 = embeddedV4(a as ipaddr.IPv6);
    if (v4) {
      if (within(v4, allowed)) return { ok: true, address: raw };
      a = v4;
    }
  }
  const range = a.range();
  return range === 'unicast' ? { ok: true, address: raw } : { ok: false, address: raw, range };
}

/**
 * True for a host written as an address rather than a name, including the numeric shapes that
 * `getaddrinfo` accepts (`2130706433`, `0x7f.1`, `127.1`) and would quietly turn into one.
 */
export function isAddressLiteral(host: string): boolean {
  if (isIP(host) !== 0) return true;
  return /^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$/i.test(host);
}
