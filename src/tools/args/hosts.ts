/** Every http(s) URL inside a string argument (a bounded scan: the argument is length-capped upstream). */
const URL_RE = /\bhttps?:\/\/[^\s"'<>]+/gi;

function hostMatches(host: string, allowed: string): boolean {
  const a = allowed.toLowerCase();
  if (a.startsWith('*.')) return host.endsWith(a.slice(1)) && host.length > a.length - 1;
  return host === a;
}

/**
 * Whether every URL in the string names an allowed host. A string that is itself a bare host
 * (`api.example.com`) counts as one. Userinfo tricks (`https://allowed@evil`) are parsed by WHATWG URL,
 * so the host checked is the one a client would connect to.
 */
export function hostsAllowed(value: string, allowed: readonly string[]): boolean {
  const urls = value.match(URL_RE);
  if (urls === null) {
    if (/^[A-Za-z0-9.-]+(:\d+)?$/.test(value)) {
      const host = value.split(':')[0]?.toLowerCase() ?? '';
      return allowed.some((a) => hostMatches(host, a));
    }
    return true;
  }
  for (const u of urls) {
    let host: string;
    try {
      host = new URL(u).hostname.toLowerCase();
    } catch {
      return false;
    }
    if (!allowed.some((a) => hostMatches(host, a))) return false;
  }
  return true;
}
