import { Agent, type Dispatcher, ProxyAgent, fetch as undiciFetch } from 'undici';
import type { ToolServerConfig } from '../../config/schema/tools.js';
import { resolveSecret } from '../../config/secrets.js';

/** How the gateway's outbound calls to one HTTP upstream leave the process. */
export interface EgressRoute {
  readonly dispatcher: Dispatcher;
  /** `fetch` through that dispatcher (the MCP SDK's transport takes a fetch function). */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The server's `egress` block as an undici dispatcher: a proxy agent that opens every connection
 * through the egress proxy (`CONNECT`, as the proxy's identity with its credential), so the proxy's
 * per-identity allowlist, SSRF checks, limits, kill switch and audit apply to tool traffic. Without
 * the block: a plain agent of its own (connections not shared with other upstreams).
 */
export function createEgressRoute(cfg: ToolServerConfig): EgressRoute {
  const e = cfg.egress;
  const dispatcher: Dispatcher =
    e === undefined
      ? new Agent({ connect: { timeout: cfg.timeoutMs } })
      : new ProxyAgent({
          uri: e.proxy,
          token: `Basic ${Buffer.from(`${e.identity}:${resolveSecret(e.credential)}`).toString('base64')}`,
          proxyTunnel: true,
          connect: { timeout: cfg.timeoutMs },
        });
  return {
    dispatcher,
    fetch: (url, init) =>
      undiciFetch(url, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        dispatcher,
      }) as unknown as Promise<Response>,
    close: () => dispatcher.close(),
  };
}
