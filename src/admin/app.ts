import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AdminConfig } from '../config/schema/admin.js';
import { errorBody, GatehouseError, toGatehouseError } from '../errors/gatehouse-error.js';
import {
  type AdminChange,
  type AdminRequest,
  type AdminResult,
  type Operator,
  type OperatorAuditRecord,
  roleAllows,
} from '../pipeline/admin.js';
import { AUDIT_REDACTOR } from '../pipeline/audit-redactor.js';
import type { Runtime } from '../pipeline/runtime.js';
import type { ConsoleHandler } from './console.js';
import type { AdminHost } from './host.js';
import type { LoginThrottle } from './login-throttle.js';
import { maskSecrets } from './mask.js';
import type { Authenticated, OperatorAuthenticator } from './operator-auth.js';
import type { Proposal, ProposalBook } from './proposals.js';
import type { AdminRouter, MountedRoute } from './router.js';
import type { TwoPersonRule } from './two-person.js';

export const API_BASE = '/admin/v1';
const REASON_MIN = 3;
const REASON_MAX = 500;

/** Strict headers on every admin response: no caching, no framing, no sniffing, no inline code. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export interface AdminAppDeps {
  readonly rt: Runtime;
  readonly cfg: AdminConfig;
  readonly host: AdminHost;
  readonly router: AdminRouter;
  readonly authenticate: OperatorAuthenticator;
  readonly throttle: LoginThrottle;
  readonly proposals: ProposalBook;
  readonly twoPerson: TwoPersonRule;
  readonly console: ConsoleHandler | null;
  readonly hsts: string | null;
}

/** Runs an approved proposal: the approve route calls it (the dispatcher owns the handlers). */
export type ProposalRunner = (p: Proposal, approver: Operator, reason: string) => Promise<AdminResult>;

export interface AdminApp {
  readonly handle: RequestListener;
  readonly applyProposal: ProposalRunner;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: GatehouseError, requestId: string, hsts: string | null): void {
  const text = errorBody(err, requestId);
  res.writeHead(err.status, {
    ...SECURITY_HEADERS,
    ...(hsts === null ? {} : { 'strict-transport-security': hsts }),
    ...(err.headers ?? {}),
    'content-type': 'application/json; charset=utf-8',
    'x-request-id': requestId,
  });
  res.end(text);
}

async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new GatehouseError('GH_ERR_ADMIN_INVALID', { message: 'The body is too large.' });
    chunks.push(chunk);
  }
  if (size === 0) return {};
  if (!type.toLowerCase().startsWith('application/json'))
    throw new GatehouseError('GH_ERR_ADMIN_INVALID', { message: 'The body must be application/json.' });
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new GatehouseError('GH_ERR_ADMIN_INVALID', { message: 'The body is not valid JSON.' });
  }
}

/** The reason from the header (URL-encoded allowed) or the body's `reason`, which is then removed. */
function takeReason(req: IncomingMessage, body: unknown): { reason: string | null; body: unknown } {
  let reason: string | null = null;
  let rest = body;
  const header = req.headers['x-gatehouse-reason'];
  if (typeof header === 'string') {
    try {
      reason = decodeURIComponent(header);
    } catch {
      reason = header;
    }
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'reason' in body) {
    const { reason: r, ...others } = body as Record<string, unknown>;
    if (typeof r === 'string' && reason === null) reason = r;
    rest = others;
  }
  reason = reason?.trim() ?? null;
  return {
    reason: reason !== null && reason.length >= REASON_MIN && reason.length <= REASON_MAX ? reason : null,
    body: rest,
  };
}

const sameToken = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function createAdminApp(d: AdminAppDeps): AdminApp {
  const { rt, cfg, host, router } = d;
  const redactor = AUDIT_REDACTOR.get(rt) ?? null;
  const log = rt.logger.child({ component: 'admin' });

  const audit = (r: Omit<OperatorAuditRecord, 'sourceIp' | 'userAgent'>, req: IncomingMessage): void => {
    const record: OperatorAuditRecord = {
      ...r,
      ...(r.before !== undefined && { before: maskSecrets(r.before, redactor) }),
      ...(r.after !== undefined && { after: maskSecrets(r.after, redactor) }),
      reason: r.reason === null ? null : (maskSecrets(r.reason, redactor) as string),
      sourceIp: req.socket.remoteAddress ?? null,
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    };
    host.audit(record);
    log.info(
      {
        event: 'admin_action',
        request_id: r.requestId,
        operator: r.operator,
        action: r.action,
        target: r.target,
        outcome: r.outcome,
        code: r.errorCode,
      },
      'operator action',
    );
  };

  const execute = async (route: MountedRoute, req: AdminRequest): Promise<AdminResult> => route.handler(req);

  const applyProposal: ProposalRunner = async (p, approver, reason) => {
    const route = router.byKey(p.method, p.route);
    if (route === undefined)
      throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND', {
        message: 'The proposal names a route that is not mounted.',
      });
    // The approver must also hold the role the change itself needs (an admin-only action).
    if (!roleAllows(approver.roles, route.def.role)) throw new GatehouseError('GH_ERR_ADMIN_FORBIDDEN');
    // The change runs as the proposer asked for it, with the approver recorded beside them.
    const request: AdminRequest = {
      params: p.params,
      query: new URLSearchParams(p.query),
      body: p.body,
      operator: { id: p.proposer.id, roles: p.proposer.roles, via: p.proposer.via },
      reason: `${p.reason} (approved by ${approver.id}: ${reason})`,
      requestId: `${p.id}`,
    };
    return execute(route, request);
  };

  const api = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
  ): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = url.pathname.slice(API_BASE.length) || '/';
    let who: Authenticated | null = null;
    let route: MountedRoute | null = null;
    let reason: string | null = null;
    const base = () => ({
      requestId,
      operator: who?.operator.id ?? null,
      via: who?.operator.via ?? null,
      roles: who?.operator.roles ?? [],
      requiredRole: route?.def.role ?? null,
      action: route?.def.action ?? null,
      method,
      path: url.pathname,
      target: null,
      reason,
    });
    try {
      await d.throttle.check(req);
      try {
        who = await d.authenticate(req);
      } catch (err) {
        if (err instanceof GatehouseError && err.code === 'GH_ERR_ADMIN_AUTH_INVALID')
          await d.throttle.failed(req);
        throw err;
      }
      await d.throttle.succeeded(req);
      const m = router.match(method, path);
      if (m === null) throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND');
      route = m.route;
      const def = route.def;
      if (!roleAllows(who.operator.roles, def.role)) throw new GatehouseError('GH_ERR_ADMIN_FORBIDDEN');
      const mutating = method !== 'GET';
      let body: unknown = null;
      if (mutating) {
        // A console (cookie) caller must echo its session's CSRF token; bearer and certificate
        // callers cannot be driven by another site, so they need none.
        if (who.session !== null) {
          const token = req.headers['x-csrf-token'];
          if (typeof token !== 'string' || !sameToken(token, who.session.csrf))
            throw new GatehouseError('GH_ERR_ADMIN_CSRF');
        }
        const taken = takeReason(req, await readJson(req, cfg.maxBodyBytes));
        reason = taken.reason;
        body = taken.body;
        if (reason === null) throw new GatehouseError('GH_ERR_ADMIN_REASON_REQUIRED');
      }
      const request: AdminRequest = {
        params: m.params,
        query: url.searchParams,
        body,
        operator: who.operator,
        reason: reason ?? '',
        requestId,
      };
      if (!mutating) {
        const r = await execute(route, request);
        return sendJson(res, r.status ?? 200, r.body, { 'x-request-id': requestId });
      }
      if (d.twoPerson(def, request)) {
        const change: AdminChange =
          def.preview === undefined ? { target: url.pathname, after: body } : await def.preview(rt)(request);
        const p = await d.proposals.create(
          {
            action: def.action ?? 'unknown',
            method: def.method,
            route: def.path,
            path: url.pathname,
            params: { ...m.params },
            query: url.searchParams.toString(),
            body,
            reason: reason ?? '',
            proposer: { id: who.operator.id, via: who.operator.via, roles: [...who.operator.roles] },
            change: {
              target: change.target,
              before: maskSecrets(change.before, redactor),
              after: maskSecrets(change.after, redactor),
            },
          },
          cfg.twoPerson.proposalTtlSec,
        );
        audit(
          {
            ...base(),
            target: change.target,
            before: change.before,
            after: change.after,
            outcome: 'proposed',
            proposal: { id: p.id, state: p.state },
          },
          req,
        );
        return sendJson(res, 202, { proposal: p }, { 'x-request-id': requestId });
      }
      const r = await execute(route, request);
      audit(
        {
          ...base(),
          target: r.change?.target ?? url.pathname,
          before: r.change?.before,
          after: r.change?.after,
          outcome:
            def.action === 'proposal.reject'
              ? 'rejected'
              : def.action === 'proposal.approve'
                ? 'approved'
                : 'applied',
          ...(isProposalBody(r.body) && {
            proposal: {
              id: r.body.proposal.id,
              state: r.body.proposal.state,
              proposer: r.body.proposal.proposer.id,
            },
          }),
        },
        req,
      );
      return sendJson(res, r.status ?? 200, r.body, { 'x-request-id': requestId });
    } catch (thrown) {
      const err = toGatehouseError(thrown);
      if (err.code === 'GH_ERR_INTERNAL')
        log.error({ err: thrown, request_id: requestId }, 'admin call failed');
      const denied = err.status === 401 || err.status === 403 || err.code === 'GH_ERR_ADMIN_LOGIN_THROTTLED';
      // Every denial is audited, reads included; a failed mutation too (what was tried, and why not).
      if (denied || (method !== 'GET' && route !== null))
        audit({ ...base(), outcome: denied ? 'denied' : 'failed', errorCode: err.code }, req);
      sendError(res, err, requestId, d.hsts);
    }
  };

  const handle: RequestListener = (req, res) => {
    const requestId = `adm_${randomBytes(12).toString('base64url')}`;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://admin.invalid');
    } catch {
      return sendError(res, new GatehouseError('GH_ERR_ADMIN_NOT_FOUND'), requestId, d.hsts);
    }
    if (d.hsts !== null) res.setHeader('strict-transport-security', d.hsts);
    const done = (p: Promise<void>) =>
      p.catch((err: unknown) => {
        log.error({ err, request_id: requestId }, 'admin handler failed');
        if (!res.headersSent) sendError(res, toGatehouseError(err), requestId, d.hsts);
        else res.destroy();
      });
    if (url.pathname === API_BASE || url.pathname.startsWith(`${API_BASE}/`))
      return void done(api(req, res, url, requestId));
    if (d.console?.handles(url.pathname)) return void done(d.console.handle(req, res, url));
    sendError(res, new GatehouseError('GH_ERR_ADMIN_NOT_FOUND'), requestId, d.hsts);
  };

  return { handle, applyProposal };
}

function isProposalBody(b: unknown): b is { proposal: Proposal } {
  return (
    b !== null &&
    typeof b === 'object' &&
    'proposal' in b &&
    typeof (b as { proposal: unknown }).proposal === 'object'
  );
}
