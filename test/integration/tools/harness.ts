import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, ProtocolError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pino from 'pino';
import { type Gateway, startGateway } from '../../../src/boot/gateway.js';
import { parseConfig } from '../../../src/config/load.js';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import { generateApiKey, hashApiKey } from '../../../src/formats/api-key.js';
import { LogCapture } from '../../helpers/gateway.js';

/** A consumer with a fresh API key (only its hash goes into the config). */
export function consumerKey(name: string) {
  const { key, id } = generateApiKey('ghk_');
  return {
    name,
    key,
    entry: { name, tier: 3 as const, apiKeys: [{ id, hash: hashApiKey(key, undefined) }] },
  };
}

export interface ToolGateway {
  readonly gw: Gateway;
  readonly logs: LogCapture;
  readonly mcpUrl: string;
  /** Tool audit events (`tool.call`, `tool.blocked`) the gateway wrote. */
  auditEvents(action?: string): Array<Record<string, unknown>>;
  /** An MCP client (the official SDK) connected to the gateway with this bearer token. */
  client(token: string): Promise<Client>;
  close(): Promise<void>;
}

export async function startToolGateway(raw: GatehouseConfigInput): Promise<ToolGateway> {
  const file = join(mkdtempSync(join(tmpdir(), 'gh-tools-audit-')), 'audit.ndjson');
  const config = parseConfig({
    telemetry: { audit: { sinks: [{ kind: 'file', path: file }] } },
    ...raw,
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true, ...(raw.server ?? {}) },
    health: { port: 0 },
    metrics: { port: 0 },
  });
  const logs = new LogCapture();
  const gw = await startGateway(config, { logger: pino({ level: 'info' }, logs), drainMs: 200 });
  const clients: Client[] = [];
  const auditEvents = (action?: string) =>
    (existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [])
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => {
        const ev = l.event as { action?: unknown } | undefined;
        const a = ev?.action;
        return typeof a === 'string' && a.startsWith('tool.') && (action === undefined || a === action);
      });
  return {
    gw,
    logs,
    mcpUrl: `${gw.url}/mcp`,
    auditEvents,
    async client(token) {
      const c = new Client({ name: 'agent', version: '1.0.0' });
      await c.connect(
        new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await gw.close();
    },
  };
}

/** The GH_ERR_* code a tool call was refused with (from the JSON-RPC error's data), or 'ok'. */
export async function toolError(
  p: Promise<unknown>,
): Promise<{ code: string; data: Record<string, unknown> }> {
  try {
    await p;
    return { code: 'ok', data: {} };
  } catch (err) {
    if (err instanceof ProtocolError) {
      const data = (err.data ?? {}) as Record<string, unknown>;
      return { code: String(data.code ?? err.code), data };
    }
    throw err;
  }
}

export const textOf = (r: unknown): string =>
  ((r as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? '').join('\n');
