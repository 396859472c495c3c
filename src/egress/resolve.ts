import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type AddressVerdict, checkAddress, type parseNetworks } from './addresses.js';

/** Every address a name resolves to; the order the resolver gave. */
export type ResolveAll = (host: string) => Promise<readonly string[]>;

/** More answers than this is not a normal destination; the rest are not even looked at. */
const MAX_ADDRESSES = 32;

/**
 * The system resolver (getaddrinfo, so /etc/hosts counts), or the configured DNS servers asked
 * directly for A and AAAA records. Either way the proxy resolves once and connects to an address
 * it checked, so a second, different answer (DNS rebinding) never reaches a socket.
 */
export function createResolver(servers: readonly string[], timeoutMs: number): ResolveAll {
  if (servers.length === 0) {
    return async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  }
  const r = new Resolver({ timeout: timeoutMs, tries: 2 });
  r.setServers([...servers]);
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([r.resolve4(host), r.resolve6(host)]);
    const out = [
      ...(v4.status === 'fulfilled' ? v4.value : []),
      ...(v6.status === 'fulfilled' ? v6.value : []),
    ];
    if (out.length === 0) throw new Error(`no address for ${host}`);
    return out;
  };
}

export type Resolution =
  | { readonly ok: true; readonly address: string }
  | { readonly ok: false; readonly reason: 'dns_failure' | 'denied_address'; readonly detail: string };

/**
 * Resolves and checks every answer: one denied address refuses the destination (a name that
 * answers with both a public and an internal address is an attack, not a choice to make).
 */
export async function resolveChecked(
  resolve: ResolveAll,
  host: string,
  networks: ReturnType<typeof parseNetworks>,
): Promise<Resolution> {
  let addresses: readonly string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = (await resolve(host)).slice(0, MAX_ADDRESSES);
    } catch {
      return { ok: false, reason: 'dns_failure', detail: 'the name did not resolve' };
    }
  }
  const verdicts: AddressVerdict[] = addresses.map((a) => checkAddress(a, networks));
  const denied = verdicts.find((v) => !v.ok);
  if (denied && !denied.ok)
    return { ok: false, reason: 'denied_address', detail: `${denied.address} is ${denied.range}` };
  const first = verdicts[0];
  if (first === undefined) return { ok: false, reason: 'dns_failure', detail: 'no address' };
  return { ok: true, address: first.address };
}
