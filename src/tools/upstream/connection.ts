import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { Logger } from 'pino';
import type { ToolServerConfig } from '../../config/schema/tools.js';
import { resolveSecret } from '../../config/secrets.js';
import type { GatehouseError } from '../../errors/gatehouse-error.js';
import type { CredentialSource } from '../credentials/types.js';
import type { ToolResult } from '../output/sanitise.js';
import type { EgressRoute } from './egress.js';

/** One tool as the upstream lists it (the MCP `Tool` object, untrusted). */
export type UpstreamTool = Record<string, unknown> & { readonly name: string };

export interface UpstreamServer {
  readonly name: string;
  /** Every tool the server lists (pages followed, bounded). */
  listTools(signal: AbortSignal): Promise<UpstreamTool[]>;
  /** Aborting `signal` cancels the call upstream (MCP cancellation). */
  callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult>;
  /**
   * A check of the arguments only this kind of upstream needs, after the schema and before any
   * control that counts the call (a plain HTTP tool refuses a path segment such as `..`).
   */
  checkArgs?(tool: string, args: Record<string, unknown>): GatehouseError | null;
  /** False once a stdio server exhausted its restarts. */
  available(): boolean;
  close(): Promise<void>;
}

/** A server listing more tools than this is refused: the catalog stays bounded. */
const MAX_TOOLS = 1_000;
const MAX_PAGES = 20;
const CLIENT_INFO = { name: 'gatehouse', version: '0.1.0' };

/**
 * A connected SDK client to one upstream, connected lazily and reconnected after a failure. HTTP
 * upstreams get the gateway's credential on every request through the transport's `fetch`, and
 * nothing else of the agent's request; stdio upstreams are spawned with a minimal environment
 * (PATH, HOME ... plus the configured variables) and restarted with backoff when they exit.
 */
export function createMcpUpstream(
  cfg: ToolServerConfig,
  creds: CredentialSource,
  log: Logger,
  egress: EgressRoute | null,
): UpstreamServer {
  let client: Promise<Client> | null = null;
  let closing = false;
  let restarts = 0;
  let down = false;
  const l = log.child({ component: 'tools', server: cfg.name });

  const transportOf = () => {
    const t = cfg.transport;
    if (t.kind === 'http') {
      const authFetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
        const headers = new Headers(init?.headers);
        const signal = init?.signal ?? AbortSignal.timeout(cfg.timeoutMs);
        for (const [k, v] of Object.entries(await creds.headers(signal))) headers.set(k, v);
        if (egress === null) return fetch(url, { ...init, headers });
        // Through the egress proxy (undici's fetch, whose dispatcher option the proxy agent is).
        return egress.fetch(url, { ...init, headers });
      };
      return new StreamableHTTPClientTransport(new URL(t.url), { fetch: authFetch });
    }
    if (t.kind !== 'stdio') throw new Error(`tool server ${cfg.name} is not an MCP server`);
    const env: Record<string, string> = { ...getDefaultEnvironment() };
    for (const [k, v] of Object.entries(t.env)) env[k] = resolveSecret(v);
    return new StdioClientTransport({ command: t.command, args: t.args, env, cwd: t.cwd, stderr: 'ignore' });
  };

  const connect = async (): Promise<Client> => {
    const c = new Client(CLIENT_INFO);
    c.onclose = () => {
      client = null;
      if (closing || cfg.transport.kind !== 'stdio') return;
      // Supervision: a stdio server that exits is restarted on next use, up to maxRestarts.
      restarts += 1;
      if (restarts > cfg.transport.maxRestarts) {
        down = true;
        l.error({ restarts }, 'tool server exited too often: declared down');
      } else l.warn({ restarts }, 'tool server exited: restarting on next use');
    };
    await c.connect(transportOf());
    return c;
  };

  const get = async (): Promise<Client> => {
    if (down) throw new Error(`tool server ${cfg.name} is down`);
    if (client === null) {
      // Backoff grows with consecutive restarts (stdio), so a crash loop does not spin.
      if (restarts > 0) await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** restarts)));
      client = connect().catch((err: unknown) => {
        client = null;
        throw err;
      });
    }
    return client;
  };

  return {
    name: cfg.name,
    async listTools(signal) {
      const c = await get();
      const out: UpstreamTool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const r = await c.listTools(cursor === undefined ? {} : { cursor }, {
          signal,
          timeout: cfg.timeoutMs,
        });
        for (const t of r.tools) out.push(t as unknown as UpstreamTool);
        if (out.length > MAX_TOOLS)
          throw new Error(`tool server ${cfg.name} lists more than ${MAX_TOOLS} tools`);
        cursor = r.nextCursor;
        if (cursor === undefined) break;
      }
      return out;
    },
    async callTool(name, args, signal) {
      const c = await get();
      // The gateway's own timer is in `signal`; the SDK's must not fire first.
      const r = await c.callTool({ name, arguments: args }, { signal, timeout: 24 * 3600_000 });
      return r as unknown as ToolResult;
    },
    available: () => !down,
    async close() {
      closing = true;
      const c = client;
      client = null;
      if (c !== null) await (await c.catch(() => null))?.close();
    },
  };
}
