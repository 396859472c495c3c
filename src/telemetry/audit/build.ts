import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ERRORS } from '../../errors/catalog.js';
import type { OperatorAuditRecord } from '../../pipeline/admin.js';
import { AUDIT_REDACTOR } from '../../pipeline/audit-redactor.js';
import { canaryStampSlot } from '../../pipeline/canary.js';
import type { RequestContext } from '../../pipeline/context.js';
import { paceStampSlot } from '../../pipeline/pace.js';
import type { Runtime } from '../../pipeline/runtime.js';
import {
  type OwaspRow,
  owaspForAlert,
  owaspForAuth,
  owaspForControl,
  owaspForLimit,
  owaspForVerdict,
} from '../owasp.js';
import { TELEMETRY } from '../slots.js';
import { clip, OPERATION, round3, UA_MAX } from './fields.js';
import { type OwaspStamp, stampOf, threatOf, verdictStamp } from './owasp-fields.js';
import { createRequestLineWriter } from './request-line.js';
import {
  AUDIT_SCHEMA_VERSION,
  type AuditEvent,
  ECS_VERSION,
  type EventCategory,
  type EventOutcome,
  SEVERITY_NUMBER,
} from './schema.js';
import type { AlertRecord, EventSubject, SecurityEventInput } from './security.js';
import { extractInputText, extractOutputText } from './text.js';

export type Redactor = (text: string) => string;

export interface EventFactoryOptions {
  readonly version: string;
  readonly environment?: string | undefined;
  readonly node?: string;
  readonly includeText: boolean;
  readonly maxTextChars: number;
  /** The detectors' redaction; required when includeText is on (no unredacted text, ever). */
  readonly redact?: Redactor | undefined;
  readonly now?: () => number;
}

export interface EventFactory {
  /** `latencyMs` defaults to now − arrival. */
  request(ctx: RequestContext, latencyMs?: number): AuditEvent;
  /** The same event, serialised directly (no intermediate objects): the record stage's hot path. */
  requestLine(ctx: RequestContext, latencyMs: number): string;
  security(input: SecurityEventInput, subject: EventSubject | RequestContext): AuditEvent;
  alert(a: AlertRecord): AuditEvent;
  /** An operator's call on the admin listener (docs/control-plane.md). */
  operator(r: OperatorAuditRecord): AuditEvent;
}

interface SecurityShape {
  readonly category: EventCategory[];
  readonly type: (i: SecurityEventInput) => string[];
  readonly outcome: (i: SecurityEventInput) => EventOutcome;
  readonly fields: (i: SecurityEventInput) => Partial<AuditEvent['gatehouse']>;
  readonly reason: (i: SecurityEventInput) => string | undefined;
  /** The OWASP row of the event (docs/owasp.md), or null for events that map to no risk. */
  readonly owasp: (i: SecurityEventInput) => OwaspRow | null;
}

const fixed =
  <T>(v: T) =>
  () =>
    v;

/** One row per security action: ECS classification and the action's own `gatehouse.*` fields. */
const SECURITY: { readonly [A in SecurityEventInput['action']]: SecurityShape } = {
  'auth.failure': {
    category: ['authentication'],
    type: fixed(['start']),
    outcome: fixed('failure'),
    fields: (i) => (i.action === 'auth.failure' ? { auth: { method: i.method ?? null, tier: null } } : {}),
    reason: (i) => (i.action === 'auth.failure' ? i.reason : undefined),
    owasp: () => owaspForAuth('failure'),
  },
  'consumer.unknown': {
    category: ['authentication'],
    type: fixed(['denied']),
    outcome: fixed('failure'),
    fields: (i) =>
      i.action === 'consumer.unknown' ? { auth: { method: i.method ?? null, tier: null } } : {},
    reason: (i) => (i.action === 'consumer.unknown' ? i.reason : undefined),
    owasp: () => owaspForAuth('unknown_consumer'),
  },
  'limit.hit': {
    category: ['web'],
    type: fixed(['denied']),
    outcome: fixed('failure'),
    fields: (i) =>
      i.action === 'limit.hit'
        ? {
            limit: {
              dimension: i.dimension,
              ...(i.limit !== undefined && { limit: i.limit }),
              ...(i.used !== undefined && { used: i.used }),
            },
          }
        : {},
    reason: (i) => (i.action === 'limit.hit' ? `limit ${i.dimension}` : undefined),
    owasp: (i) => (i.action === 'limit.hit' ? owaspForLimit(i.dimension) : null),
  },
  'budget.threshold': {
    category: ['web'],
    type: fixed(['info']),
    outcome: fixed('success'),
    fields: (i) =>
      i.action === 'budget.threshold'
        ? {
            budget: {
              dimension: i.dimension,
              ...(i.window !== undefined && { window: i.window }),
              used: i.used,
              limit: i.limit,
              ratio: i.limit > 0 ? i.used / i.limit : 0,
              threshold: i.threshold ?? 0.8,
            },
          }
        : {},
    reason: fixed(undefined),
    owasp: (i) => (i.action === 'budget.threshold' ? owaspForLimit(i.dimension) : null),
  },
  'guardrail.verdict': {
    category: ['intrusion_detection'],
    type: (i) => (i.action === 'guardrail.verdict' && i.verdict.action === 'block' ? ['denied'] : ['info']),
    outcome: (i) =>
      i.action === 'guardrail.verdict' && i.verdict.action === 'block' ? 'failure' : 'success',
    fields: (i) => (i.action === 'guardrail.verdict' ? { verdict: { ...i.verdict } } : {}),
    reason: (i) => (i.action === 'guardrail.verdict' ? `${i.verdict.detector}:${i.verdict.type}` : undefined),
    owasp: (i) =>
      i.action === 'guardrail.verdict' ? owaspForVerdict(i.verdict.phase, i.verdict.detector) : null,
  },
  'mode.change': {
    category: ['configuration'],
    type: fixed(['change']),
    outcome: fixed('success'),
    fields: (i) =>
      i.action === 'mode.change'
        ? { mode: { from: i.from, to: i.to, ...(i.reason !== undefined && { reason: i.reason }) } }
        : {},
    reason: (i) => (i.action === 'mode.change' ? i.reason : undefined),
    owasp: fixed(null),
  },
  'config.reload': {
    category: ['configuration'],
    type: fixed(['change']),
    outcome: (i) => (i.action === 'config.reload' ? i.outcome : 'unknown'),
    fields: (i) =>
      i.action === 'config.reload'
        ? {
            config: {
              outcome: i.outcome,
              ...(i.version !== undefined && { version: i.version }),
              ...(i.changes !== undefined && { changes: [...i.changes] }),
            },
          }
        : {},
    reason: fixed(undefined),
    owasp: fixed(null),
  },
  'admin.login_throttled': {
    category: ['authentication'],
    type: fixed(['denied']),
    outcome: fixed('failure'),
    fields: (i) =>
      i.action === 'admin.login_throttled'
        ? { throttle: { scope: i.scope, failures: i.failures, lock_sec: i.lockSec } }
        : {},
    reason: fixed('GH_ERR_ADMIN_LOGIN_THROTTLED'),
    owasp: () => owaspForAuth('failure'),
  },
  'egress.connection': {
    category: ['network'],
    type: (i) =>
      i.action === 'egress.connection' && i.verdict === 'deny'
        ? ['denied', 'connection']
        : ['allowed', 'connection'],
    outcome: (i) => (i.action === 'egress.connection' && i.verdict === 'deny' ? 'failure' : 'success'),
    fields: (i) =>
      i.action === 'egress.connection'
        ? {
            egress: {
              verdict: i.verdict,
              reason: i.reason,
              method: i.method,
              destination: { host: i.host, port: i.port, address: i.address },
              bytes: { up: i.bytesUp, down: i.bytesDown },
              duration_ms: i.durationMs,
            },
          }
        : {},
    reason: (i) => (i.action === 'egress.connection' && i.reason !== null ? `egress ${i.reason}` : undefined),
    owasp: () => owaspForControl('egress-proxy'),
  },
};

function stamp(ev: AuditEvent, s: OwaspStamp): void {
  ev.gatehouse.owasp = { controls: s.controls, llm: s.llm, asi: s.asi };
  const t = threatOf(s);
  if (t !== null) ev.threat = t;
}

function isContext(s: EventSubject | RequestContext): s is RequestContext {
  return 'requestId' in s && 'req' in s;
}

export function createEventFactory(opts: EventFactoryOptions): EventFactory {
  const redact = opts.redact;
  if (opts.includeText && redact === undefined)
    throw new Error(
      'telemetry.audit.includeText needs the detectors redaction function (none is registered)',
    );
  const now = opts.now ?? Date.now;
  const service: AuditEvent['service'] = {
    name: 'gatehouse',
    version: opts.version,
    ...(opts.environment !== undefined && { environment: opts.environment }),
    node: { name: opts.node ?? hostname() },
  };
  // Redact before truncating: a cut through a secret could hide it from the detectors.
  const redactText = (t: string): string => {
    // Only called with includeText, which the check above tied to a redactor.
    if (redact === undefined) throw new Error('audit text without a redactor');
    const r = redact(t);
    return r.length > opts.maxTextChars ? r.slice(0, opts.maxTextChars) : r;
  };

  const requestLine = createRequestLineWriter({
    service,
    includeText: opts.includeText,
    redact: redactText,
  });

  const envelope = (
    ts: number,
    kind: 'event' | 'alert',
    category: EventCategory[],
    type: string[],
    action: AuditEvent['event']['action'],
    outcome: EventOutcome,
    severity: number,
  ): AuditEvent => ({
    '@timestamp': new Date(ts).toISOString(),
    event: {
      id: randomUUID(),
      kind,
      category,
      type,
      action,
      outcome,
      dataset: 'gatehouse.audit',
      module: 'gatehouse',
      severity,
    },
    ecs: { version: ECS_VERSION },
    service,
    source: { ip: null },
    user_agent: { original: null },
    user: { id: null },
    gatehouse: { schema_version: AUDIT_SCHEMA_VERSION },
  });

  /** Identity and correlation shared by the request event and the security events of a request. */
  const fromContext = (ev: AuditEvent, ctx: RequestContext): void => {
    const id = ctx.identity;
    ev.source.ip = clip(ctx.sourceIp, 64);
    ev.user_agent.original = clip(ctx.userAgent, UA_MAX);
    ev.user.id = id?.consumer ?? null;
    ev.session = { id: id?.session ?? null };
    ev.http = {
      request: { id: ctx.requestId, method: ctx.req.method ?? null },
      response: { status_code: ctx.status },
    };
    ev.url = { path: clip(ctx.req.url?.split('?', 1)[0], 256) };
    ev.trace = { id: ctx.trace.traceId };
    ev.span = { id: ctx.trace.spanId };
    ev.gatehouse.request_id = ctx.requestId;
    ev.gatehouse.peer = { ip: clip(ctx.peerIp ?? ctx.sourceIp, 64) };
    ev.gatehouse.auth = { method: id?.method ?? null, tier: id?.tier ?? null };
    ev.gatehouse.agent = { id: id?.agent ?? null };
    ev.gatehouse.trace = { parent_span_id: ctx.trace.parentSpanId };
    ev.gatehouse.route = {
      alias: ctx.route?.alias ?? null,
      requested_alias: clip(ctx.alias, 128),
      pinned_model: ctx.route?.config.upstream.model ?? null,
      tier: ctx.route?.tier ?? null,
    };
  };

  const fromSubject = (ev: AuditEvent, s: EventSubject): void => {
    ev.source.ip = clip(s.sourceIp, 64);
    ev.user_agent.original = clip(s.userAgent, UA_MAX);
    ev.user.id = s.consumer ?? null;
    if (s.session !== undefined) ev.session = { id: s.session };
    if (s.traceId !== undefined) ev.trace = { id: s.traceId };
    if (s.spanId !== undefined) ev.span = { id: s.spanId };
    if (s.requestId !== undefined) ev.gatehouse.request_id = s.requestId;
    if (s.method !== undefined) ev.gatehouse.auth = { method: s.method, tier: null };
    if (s.agent !== undefined) ev.gatehouse.agent = { id: s.agent };
  };

  return {
    requestLine,

    request(ctx, latency) {
      const failed = ctx.error !== null || ctx.status >= 400;
      const latencyMs = latency ?? Math.max(0, performance.now() - ctx.start);
      const ev = envelope(
        ctx.startedAt,
        'event',
        ['web'],
        failed ? ['error'] : ['access'],
        'gen_ai.request',
        failed ? 'failure' : 'success',
        0,
      );
      ev.event.duration = Math.round(latencyMs * 1e6);
      fromContext(ev, ctx);
      const json = ctx.upstream?.json ?? null;
      const respModel = typeof json?.model === 'string' ? json.model : null;
      const respId = typeof json?.id === 'string' ? json.id : undefined;
      const provider = ctx.route?.provider.kind ?? null;
      const usage = ctx.usage ?? { inputTokens: ctx.inputTokens, outputTokens: 0 };
      ev.gen_ai = {
        operation: { name: OPERATION[ctx.endpoint] },
        system: provider,
        provider: { name: provider },
        request: { model: clip(ctx.alias, 128), stream: ctx.stream },
        // The consumer-facing answer names the alias; the audit names the deployment that served it.
        response: { model: ctx.route?.config.upstream.model ?? respModel },
        usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
      };
      if (ctx.maxOutputTokens > 0) ev.gen_ai.request.max_tokens = ctx.maxOutputTokens;
      if (respId !== undefined) ev.gen_ai.response.id = clip(respId, 128) ?? undefined;
      if (ctx.identity?.agent) ev.gen_ai.agent = { id: ctx.identity.agent };
      if (opts.includeText) {
        const input = extractInputText(ctx.body, redactText);
        if (input !== null) ev.gen_ai.input = { messages: input };
        const output = extractOutputText(json, ctx.streamedText, redactText);
        if (output !== null) ev.gen_ai.output = { messages: output };
      }
      if (ctx.error !== null) ev.error = { code: ctx.error.code, type: ERRORS[ctx.error.code].type };
      const g = ev.gatehouse;
      g.endpoint = ctx.endpoint;
      g.tokens = { input: usage.inputTokens, output: usage.outputTokens, source: ctx.usageSource };
      g.cost = { usd: ctx.cost };
      g.latency_ms = round3(latencyMs);
      g.ttft_ms = ctx.ttftMs === null ? null : round3(ctx.ttftMs);
      g.verdicts = ctx.verdicts.map((v) => ({ ...v }));
      g.flags = [...ctx.flags];
      g.client_aborted = ctx.clientAborted;
      const pace = paceStampSlot.get(ctx);
      if (pace !== undefined) g.pace = { ...pace };
      const canary = canaryStampSlot.get(ctx);
      if (canary !== undefined) g.canary = { ...canary };
      const vs = verdictStamp(ctx.verdicts);
      if (vs !== null) stamp(ev, vs);
      return ev;
    },

    security(input, subject) {
      const shape = SECURITY[input.action];
      const ev = envelope(
        now(),
        'event',
        [...shape.category],
        shape.type(input),
        input.action,
        shape.outcome(input),
        0,
      );
      if (isContext(subject)) fromContext(ev, subject);
      else fromSubject(ev, subject);
      const reason = shape.reason(input);
      if (reason !== undefined) ev.event.reason = reason;
      Object.assign(ev.gatehouse, shape.fields(input));
      const row = shape.owasp(input);
      if (row !== null) stamp(ev, stampOf([row]));
      return ev;
    },

    operator(r) {
      const ok = r.outcome !== 'denied' && r.outcome !== 'failed';
      const ev = envelope(
        now(),
        'event',
        r.outcome === 'denied' ? ['authentication', 'configuration'] : ['configuration'],
        [r.outcome === 'denied' ? 'denied' : r.method === 'GET' ? 'access' : 'change'],
        'admin.action',
        ok ? 'success' : 'failure',
        0,
      );
      ev.user.id = r.operator;
      ev.source.ip = r.sourceIp === null ? null : clip(r.sourceIp, 64);
      ev.user_agent.original = r.userAgent === null ? null : clip(r.userAgent, UA_MAX);
      if (r.reason !== null) ev.event.reason = r.reason;
      ev.http = { request: { id: r.requestId, method: r.method }, response: { status_code: 0 } };
      ev.url = { path: clip(r.path, 256) };
      ev.gatehouse.request_id = r.requestId;
      ev.gatehouse.admin = {
        operator: r.operator,
        via: r.via,
        roles: [...r.roles],
        required_role: r.requiredRole,
        action: r.action,
        method: r.method,
        path: r.path,
        target: r.target,
        ...(r.before !== undefined && { before: r.before }),
        ...(r.after !== undefined && { after: r.after }),
        reason: r.reason,
        outcome: r.outcome,
        ...(r.errorCode !== undefined && { error_code: r.errorCode }),
        ...(r.proposal !== undefined && { proposal: { ...r.proposal } }),
      };
      return ev;
    },

    alert(a) {
      const ev = envelope(
        now(),
        'alert',
        ['intrusion_detection'],
        ['indicator'],
        a.status === 'firing' ? 'alert.firing' : 'alert.resolved',
        'unknown',
        SEVERITY_NUMBER[a.severity],
      );
      ev.event.reason = a.summary;
      if (a.labels.source_ip !== undefined) ev.source.ip = a.labels.source_ip;
      if (a.labels.consumer !== undefined) ev.user.id = a.labels.consumer;
      // An egress identity (a tool server, an agent) is who the denial burst is about.
      else if (a.labels.identity !== undefined) ev.user.id = a.labels.identity;
      ev.gatehouse.alert = {
        signal: a.signal,
        fingerprint: a.fingerprint,
        severity: a.severity,
        status: a.status,
        value: a.value,
        threshold: a.threshold,
        baseline: a.baseline,
        starts_at: new Date(a.startsAt).toISOString(),
        ends_at: a.endsAt === null ? null : new Date(a.endsAt).toISOString(),
        summary: a.summary,
        labels: { ...a.labels },
      };
      const row = owaspForAlert(a.signal);
      if (row !== null) stamp(ev, stampOf([row]));
      return ev;
    },
  };
}

const factories = new WeakMap<Runtime, EventFactory>();

/** The event factory of a runtime: the telemetry service's when built, else one from the config. */
export function eventFactoryOf(rt: Runtime): EventFactory {
  const svc = TELEMETRY.get(rt);
  if (svc !== undefined) return svc.events;
  let f = factories.get(rt);
  if (f === undefined) {
    const a = rt.config.telemetry.audit;
    f = createEventFactory({
      version: GATEHOUSE_VERSION,
      environment: a.environment,
      includeText: a.includeText,
      maxTextChars: a.maxTextChars,
      redact: AUDIT_REDACTOR.get(rt),
    });
    factories.set(rt, f);
  }
  return f;
}

/** The per-request audit event (schema v1, docs/audit-events.md) of a finished request. */
export function buildRequestEvent(ctx: RequestContext, rt: Runtime): AuditEvent {
  return eventFactoryOf(rt).request(ctx);
}

export const GATEHOUSE_VERSION = '0.1.0';
