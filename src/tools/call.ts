import type { ErrorCode } from '../errors/catalog.js';
import { GatehouseError, toGatehouseError } from '../errors/gatehouse-error.js';
import type { Identity, Tier } from '../identity.js';
import type { TextScanner } from '../pipeline/text-scanner.js';
import type { Allowlist } from './allowlist.js';
import { ApprovalPending, type Approvals } from './approvals/approvals.js';
import { type ToolCallRecord, toolCallLine } from './audit.js';
import { canonicalJson, hashOf } from './canonical.js';
import type { Catalog, CatalogEntry, ToolStatus } from './catalog.js';
import { type Idempotency, type IdempotencyOutcome, idempotencyKeyOf } from './idempotency.js';
import type { ToolLimits } from './limits.js';
import type { ToolMetrics } from './metrics.js';
import type { OutputVerdict, ToolResult } from './output/sanitise.js';

/** The `_meta` key a client may set to name its own idempotency key for a write call. */
export const IDEMPOTENCY_META_KEY = 'io.gatehouse/idempotency-key';
const MAX_CLIENT_KEY = 128;
const PREVIEW_CHARS = 4_096;

export interface CallDeps {
  readonly catalog: Catalog;
  readonly allowlist: Allowlist;
  readonly approvals: Approvals;
  readonly idempotency: Idempotency;
  readonly limits: ToolLimits;
  readonly metrics: ToolMetrics;
  readonly scanner: TextScanner;
  readonly emit: (line: string) => void;
  readonly version: string;
  /** The kill switch's `tool` scope: engaged for this server (`crm`) or this tool (`crm.refund`). */
  readonly killed: (server: string, tool: string) => boolean;
}

export interface CallInput {
  readonly identity: Identity;
  readonly requestId: string;
  readonly traceId: string;
  readonly name: string;
  readonly args: unknown;
  readonly meta: unknown;
  /** The client's request: aborted when it goes away. */
  readonly signal: AbortSignal;
}

const STATUS_ERROR: { readonly [S in Exclude<ToolStatus, 'ok'>]: ErrorCode } = {
  missing: 'GH_ERR_TOOL_UNKNOWN',
  unavailable: 'GH_ERR_TOOL_UNAVAILABLE',
  drift: 'GH_ERR_TOOL_DEFINITION_DRIFT',
  unsigned: 'GH_ERR_TOOL_UNSIGNED',
  poisoned: 'GH_ERR_TOOL_POISONED',
  bad_schema: 'GH_ERR_TOOL_UPSTREAM',
};

function clientKeyOf(meta: unknown): string | null {
  if (meta === null || typeof meta !== 'object') return null;
  const k = (meta as Record<string, unknown>)[IDEMPOTENCY_META_KEY];
  if (k === undefined) return null;
  if (typeof k !== 'string' || k.length === 0 || k.length > MAX_CLIENT_KEY)
    throw new GatehouseError('GH_ERR_TOOL_ARGS_SCHEMA', {
      message: `_meta["${IDEMPOTENCY_META_KEY}"] must be a string of 1 to ${MAX_CLIENT_KEY} characters.`,
    });
  return k;
}

/** Argument checks, in order: the tool's schema, then the operator's constraints. */
function checkArgs(e: CatalogEntry, raw: unknown): Record<string, unknown> {
  const args = raw === undefined ? {} : raw;
  if (args === null || typeof args !== 'object' || Array.isArray(args))
    throw new GatehouseError('GH_ERR_TOOL_ARGS_SCHEMA');
  const a = args as Record<string, unknown>;
  const schemaFail = e.schema === null ? 'no schema' : e.schema(a);
  // The upstream's own check after the schema (a plain HTTP tool's path segments).
  const upstreamFail = schemaFail === null ? (e.upstream.checkArgs?.(e.tool.name, a) ?? null) : null;
  if (upstreamFail !== null) throw upstreamFail;
  if (schemaFail !== null)
    throw new GatehouseError('GH_ERR_TOOL_ARGS_SCHEMA', {
      message: `The tool arguments do not match the tool's input schema (${schemaFail}).`,
    });
  const bad = e.constraints(a);
  if (bad !== null)
    throw new GatehouseError(bad.code, {
      message: `${new GatehouseError(bad.code).message} (${bad.detail})`,
    });
  return a;
}

/**
 * One `tools/call` through every control, in order: allowlist and tool status (pinning, signature,
 * poisoning), arguments, per-tool limits, idempotency (write tools), approval (write tools at tier
 * 2+), the upstream call under its timeout, output sanitising. Whatever happens, one audit event.
 */
export function createCaller(d: CallDeps) {
  return async (input: CallInput): Promise<ToolResult> => {
    const t0 = performance.now();
    const e = d.catalog.entries.get(input.name);
    const verdicts: OutputVerdict[] = [];
    let argsHash: string | null = null;
    let approvalId: string | null = null;
    let idemKey: string | null = null;
    let upstreamCalled = false;
    let outcome: ToolCallRecord['outcome'] = 'success';
    let errorCode: string | null = null;
    let release: () => void = () => {};
    let idem: IdempotencyOutcome | null = null;
    try {
      if (e === undefined || !d.allowlist(input.identity).has(input.name))
        throw new GatehouseError('GH_ERR_TOOL_UNKNOWN');
      if (e.status !== 'ok') throw new GatehouseError(STATUS_ERROR[e.status]);
      if (d.killed(e.server.name, e.name)) throw new GatehouseError('GH_ERR_MAINTENANCE');
      if (!e.upstream.available()) throw new GatehouseError('GH_ERR_TOOL_UNAVAILABLE');
      const args = checkArgs(e, input.args);
      argsHash = hashOf(args);
      const clientKey = clientKeyOf(input.meta);
      // The stricter of the caller's and the server's tier picks the store-down posture.
      const tier = Math.max(input.identity.tier, e.server.tier) as Tier;
      release = await d.limits.acquire(e.name, input.identity.consumer, tier, input.requestId);
      const write = e.tool.access === 'write';
      const timeoutMs = e.tool.timeoutMs ?? e.server.timeoutMs;
      if (write) {
        const id = input.identity;
        idemKey = idempotencyKeyOf({
          principal: `${id.consumer}/${id.agent ?? ''}`,
          tool: e.name,
          argsHash,
          clientKey,
        });
        idem = await d.idempotency.begin(idemKey, argsHash, e.tool.idempotencyWindowMs, timeoutMs + 60_000);
        if (idem.kind === 'replay') {
          outcome = 'replayed';
          return idem.result;
        }
        if (e.server.tier >= 2) {
          const hash = argsHash;
          approvalId = await d.approvals.require(
            {
              consumer: id.consumer,
              agent: id.agent,
              session: id.session,
              tool: e.name,
              argsHash: hash,
              definitionHash: e.definitionHash ?? '',
            },
            () => preview(d.scanner, args),
          );
        }
      }
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([input.signal, timeout]);
      let raw: ToolResult;
      upstreamCalled = true;
      try {
        raw = await e.upstream.callTool(e.tool.name, args, signal);
      } catch (err) {
        if (timeout.aborted) throw new GatehouseError('GH_ERR_TOOL_TIMEOUT', { cause: err });
        // A coded refusal of the upstream adapter itself (an oversized plain HTTP answer).
        if (err instanceof GatehouseError) throw err;
        throw new GatehouseError(input.signal.aborted ? 'GH_ERR_CLIENT_CLOSED' : 'GH_ERR_TOOL_UPSTREAM', {
          cause: err,
        });
      }
      const clean = e.sanitise(raw, verdicts);
      if (idem?.kind === 'claimed') await idem.complete(clean);
      return clean;
    } catch (err) {
      const ge = toGatehouseError(err);
      errorCode = ge.code;
      outcome = err instanceof ApprovalPending ? 'parked' : 'failure';
      if (err instanceof ApprovalPending) approvalId = err.approvalId;
      if (idem?.kind === 'claimed') await idem.release();
      throw ge;
    } finally {
      release();
      const latencyMs = performance.now() - t0;
      const server = e?.server.name ?? '(unknown)';
      const tool = e?.tool.name ?? '(unknown)';
      d.metrics.calls.labels(server, tool, outcome, errorCode ?? '').inc();
      d.metrics.latency.labels(server, tool).observe(latencyMs / 1000);
      d.emit(
        toolCallLine(
          {
            requestId: input.requestId,
            traceId: input.traceId,
            identity: input.identity,
            server,
            tool,
            access: e?.tool.access ?? 'write',
            argsHash,
            definitionHash: e?.definitionHash ?? null,
            verdicts,
            approvalId,
            idempotencyKey: idemKey,
            outcome,
            errorCode,
            upstreamCalled,
            latencyMs,
          },
          d.version,
        ),
      );
    }
  };
}

/** What an approver reads: the canonical arguments, secrets and personal data redacted, capped. */
function preview(scanner: TextScanner, args: Record<string, unknown>): string {
  const text = canonicalJson(args).slice(0, PREVIEW_CHARS);
  return scanner.scan(text, { kind: 'user', redact: ['secrets', 'pii'], injectionThreshold: 1 }).redacted;
}

export type Caller = ReturnType<typeof createCaller>;
