import type { Logger } from 'pino';
import { request } from 'undici';
import type { HttpToolConfig, ToolConfig, ToolServerConfig } from '../../config/schema/tools.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { CredentialSource } from '../credentials/types.js';
import type { ToolResult } from '../output/sanitise.js';
import type { UpstreamServer, UpstreamTool } from './connection.js';
import type { EgressRoute } from './egress.js';
import { httpFromOpenApi } from './openapi.js';

const PLACEHOLDER = /\{([A-Za-z0-9_-]+)\}/g;
/** Methods whose arguments not in the path travel as the query string (no request body). */
const NO_BODY = new Set(['GET', 'DELETE']);
/** The answer of an upstream is read up to the tool's `output.maxBytes` plus this, then refused. */
const READ_SLACK = 1_024;
/** What an error answer (4xx) shows the agent of the upstream's body, at most. */
const ERROR_BODY_CHARS = 2_048;

interface Operation {
  readonly def: UpstreamTool;
  readonly method: HttpToolConfig['method'];
  /** The path split at its placeholders: literal, name, literal, name, ..., literal. */
  readonly parts: readonly string[];
  readonly inPath: ReadonlySet<string>;
  readonly inQuery: ReadonlySet<string>;
  readonly headers: Readonly<Record<string, string>>;
  readonly maxBytes: number;
}

function compileOperation(server: ToolServerConfig, t: ToolConfig, http: HttpToolConfig): Operation {
  const parts = http.path.split(PLACEHOLDER);
  const inPath = new Set(parts.filter((_, i) => i % 2 === 1));
  const props = (http.inputSchema.properties ?? {}) as Record<string, unknown>;
  for (const p of inPath)
    if (!(p in props))
      throw new Error(
        `tools.servers.${server.name}.tools.${t.name}: path argument {${p}} is not in inputSchema`,
      );
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [k, v] of Object.entries(http.headers)) headers[k.toLowerCase()] = v;
  return {
    // What the catalog hashes, pins and lists: the operator's declaration is the tool definition.
    def: { name: t.name, description: http.description, inputSchema: http.inputSchema },
    method: http.method,
    parts,
    inPath,
    inQuery: new Set(http.query),
    headers,
    maxBytes: t.output.maxBytes + READ_SLACK,
  };
}

const scalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A path argument must be one non-empty segment that no URL parser reads as `.` or `..`. */
function segmentProblem(v: unknown): string | null {
  if (!scalar(v)) return 'must be a string, number or boolean';
  const s = String(v);
  if (s === '' || /^(\.|%2e){1,2}$/i.test(s)) return 'must not be empty, "." or ".."';
  return null;
}

function urlOf(base: string, op: Operation, args: Record<string, unknown>): URL {
  let path = '';
  op.parts.forEach((p, i) => {
    path += i % 2 === 0 ? p : encodeURIComponent(String(args[p]));
  });
  const url = new URL(base.replace(/\/$/, '') + path);
  const toQuery = (k: string) => !op.inPath.has(k) && (NO_BODY.has(op.method) || op.inQuery.has(k));
  for (const [k, v] of Object.entries(args)) {
    if (!toQuery(k) || v === undefined || v === null) continue;
    if (Array.isArray(v))
      for (const x of v) url.searchParams.append(k, scalar(x) ? String(x) : JSON.stringify(x));
    else url.searchParams.append(k, scalar(v) ? String(v) : JSON.stringify(v));
  }
  return url;
}

function bodyOf(op: Operation, args: Record<string, unknown>): string | undefined {
  if (NO_BODY.has(op.method)) return undefined;
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) if (!op.inPath.has(k) && !op.inQuery.has(k)) body[k] = v;
  return JSON.stringify(body);
}

/** Reads at most `max` bytes of a body; a larger answer is refused, never truncated silently. */
async function readCapped(body: AsyncIterable<Buffer>, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += c.length;
    if (n > max) throw new GatehouseError('GH_ERR_TOOL_OUTPUT_TOO_LARGE');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** A JSON answer as an MCP tool result: text for every client, the object as structuredContent. */
function resultOf(status: number, contentType: string, raw: Buffer): ToolResult {
  const text = raw.toString('utf8');
  if (status >= 400)
    return {
      isError: true,
      content: [{ type: 'text', text: `HTTP ${status}: ${text.slice(0, ERROR_BODY_CHARS)}` }],
    };
  if (text === '') return { content: [] };
  if (/^application\/([a-z0-9.+-]*\+)?json\b/i.test(contentType)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`the tool answered malformed JSON (HTTP ${status})`);
    }
    const out: ToolResult = { content: [{ type: 'text', text: JSON.stringify(json) }] };
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) out.structuredContent = json;
    return out;
  }
  return { content: [{ type: 'text', text }] };
}

/**
 * Plain HTTP/JSON tools as an upstream of the tool gateway: the operator declares each tool (method,
 * path template, argument schema), so it is listed, pinned and checked like an MCP server's, and
 * every control of `call.ts` applies unchanged. A call is one HTTP request with the gateway's
 * credential (never the agent's), through the server's egress route, no redirects followed, the
 * answer read up to the tool's size cap. 4xx answers are tool errors (`isError`) the agent reads;
 * 5xx and transport failures are `GH_ERR_TOOL_UPSTREAM`.
 */
export function createRestUpstream(
  cfg: ToolServerConfig,
  creds: CredentialSource,
  egress: EgressRoute,
  log: Logger,
): UpstreamServer {
  if (cfg.transport.kind !== 'rest') throw new Error(`tool server ${cfg.name} is not a rest server`);
  const base = cfg.transport.baseUrl;
  const ops = new Map<string, Operation>();
  for (const t of cfg.tools) {
    const http =
      t.http ??
      (t.openapi === undefined ? undefined : httpFromOpenApi(t.openapi.spec, t.openapi.operationId));
    if (http !== undefined) ops.set(t.name, compileOperation(cfg, t, http));
  }
  const l = log.child({ component: 'tools', server: cfg.name });
  return {
    name: cfg.name,
    listTools: async () => [...ops.values()].map((o) => o.def),
    checkArgs(tool, args) {
      const op = ops.get(tool);
      if (op === undefined) return null;
      for (const p of op.inPath) {
        const problem = segmentProblem(args[p]);
        if (problem !== null)
          return new GatehouseError('GH_ERR_TOOL_ARGS_CONSTRAINT', {
            message: `${new GatehouseError('GH_ERR_TOOL_ARGS_CONSTRAINT').message} (${p}: a path segment that ${problem})`,
          });
      }
      return null;
    },
    async callTool(tool, args, signal) {
      const op = ops.get(tool);
      if (op === undefined) throw new Error(`tool ${tool} is not declared on ${cfg.name}`);
      const headers: Record<string, string> = { ...op.headers, ...(await creds.headers(signal)) };
      const body = bodyOf(op, args);
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await request(urlOf(base, op, args), {
        method: op.method,
        headers,
        body,
        signal,
        dispatcher: egress.dispatcher,
      });
      if (res.statusCode >= 500) {
        await res.body.dump();
        l.warn({ tool, status: res.statusCode }, 'plain HTTP tool answered a server error');
        throw new Error(`the tool answered HTTP ${res.statusCode}`);
      }
      if (res.statusCode >= 300 && res.statusCode < 400) {
        await res.body.dump();
        throw new Error(`the tool answered a redirect (HTTP ${res.statusCode}); redirects are not followed`);
      }
      const ct = res.headers['content-type'];
      return resultOf(
        res.statusCode,
        typeof ct === 'string' ? ct : '',
        await readCapped(res.body, op.maxBytes),
      );
    },
    available: () => true,
    close: () => egress.close(),
  };
}
