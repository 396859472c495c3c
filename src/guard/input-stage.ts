/**
 * inspectInput: the input guardrail stage. For each text of the body the route's field map marks for
 * inspection (segments.ts: message texts and names, tool definitions and schemas, tool-call arguments,
 * tool results, response_format, stop, prompts, inputs, allowed extra fields) it normalises, decodes
 * and runs the route's detectors for the text's kind, then applies the route's actions:
 * - block: 400 with the family's code (GH_ERR_GUARD_*); the request never reaches the upstream;
 * - redact: the value becomes a typed placeholder (`[EMAIL_1]`) where it was found (inside a JSON
 *   value or a JSON string too, which stays valid JSON); the map stays in the `REDACTIONS` slot (slots.ts) so the
 *   output side can restore it for the consumer;
 * - flag: passes, with a reason on `ctx.flags` for the Judge;
 * - allow: nothing.
 * Every decision other than allow is recorded on `ctx.verdicts` (detector, type, score), never the text.
 * An attack split over several messages is caught by also scanning the user texts joined together.
 */

import { GatehouseError } from '../errors/gatehouse-error.js';
import { mapsFor, type RouteMaps } from '../formats/fields/maps.js';
import { deploymentSlot } from '../pipeline/canary.js';
import type { RequestContext, Stage } from '../pipeline/context.js';
import { derived, overlayReader, type RouteOverride } from '../pipeline/overrides.js';
import { degradationKey } from '../pipeline/pace.js';
import type { StageDef } from '../pipeline/registry.js';
import { internalError } from '../pipeline/require.js';
import { blockCode, type Decision, decide, firstBlock } from './decide.js';
import { createScanBudget, scanText } from './engine.js';
import { sanitise, stripInvisible } from './normalise.js';
import { onnxDecision } from './onnx/decide.js';
import { type GuardPolicy, resolvePolicy, withToggles } from './policy-defaults.js';
import { createRedactionMap, type Redaction, type RedactionMap, redactSpans } from './redact.js';
import { DETECTORS } from './registry.js';
import { chatShape, type Segment, segmentsOf } from './segments.js';
import type { GuardService } from './service.js';
import { GUARD, REDACTIONS } from './slots.js';
import type { Detector, SegmentKind } from './types.js';

interface Compiled {
  readonly svc: GuardService;
  readonly policy: GuardPolicy;
  readonly byKind: Readonly<Record<SegmentKind, readonly Detector[]>>;
  /** Detectors for the joined user texts: the ones without spans (injection, policy). */
  readonly joined: readonly Detector[];
  readonly allowedRoles: ReadonlySet<string>;
  readonly maps: RouteMaps;
  /** Reports each external-classifier outcome (and any detector that threw) to PACE: `guard_degraded`. */
  readonly degraded?: (failed: boolean, detail: string) => void;
}

function compile(
  svc: GuardService,
  alias: string,
  allowFields: readonly string[] | undefined,
  toggles: RouteOverride['guard'] = undefined,
): Compiled {
  const policy = withToggles(resolvePolicy(svc.config, alias), toggles);
  const pick = (...names: Array<'injection' | 'pii' | 'secrets'>): Detector[] =>
    names.filter((n) => policy[n].enabled).flatMap((n) => svc.shared.get(n) ?? []);
  const route =
    DETECTORS.policy.scope === 'route' && policy.policy.enabled
      ? DETECTORS.policy.create(svc.config, policy)
      : null;
  const withPolicy = (ds: Detector[]): Detector[] => (route === null ? ds : [...ds, route]);
  return {
    svc,
    policy,
    byKind: {
      user: withPolicy(pick('injection', 'pii', 'secrets')),
      indirect: withPolicy(pick('injection', 'pii', 'secrets')),
      // The operator's system prompt is trusted: only data leaks are looked for there.
      system: pick('pii', 'secrets'),
    },
    joined: withPolicy(pick('injection')),
    allowedRoles: new Set(policy.policy.allowedRoles),
    maps: mapsFor(allowFields),
  };
}

function record(ctx: RequestContext, decisions: readonly Decision[]): void {
  const seen = new Set<string>();
  for (const d of decisions) {
    const key = `${d.detector}|${d.type}|${d.action}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ctx.verdicts.push({
      phase: 'input',
      detector: d.detector,
      type: d.type,
      action: d.action,
      score: Number(d.score.toFixed(3)),
    });
    if (d.action === 'flag') {
      const reason = `guard.input:${d.detector}:${d.type}`;
      if (!ctx.flags.includes(reason)) ctx.flags.push(reason);
    }
  }
}

/** Requests whose degradation was already reported (an external classifier failed), so each counts once. */
const reported = new WeakSet<RequestContext>();

function refuse(
  ctx: RequestContext,
  code: 'GH_ERR_GUARD_ROLE' | 'GH_ERR_GUARD_TOO_MANY_MESSAGES',
  type: string,
): never {
  record(ctx, [
    { detector: 'policy', type, score: 1, action: 'block', kind: 'user', span: null, segment: -1 },
  ]);
  throw new GatehouseError(code);
}

async function external(c: Compiled, ctx: RequestContext, text: string): Promise<Decision | null> {
  const ext = c.svc.external;
  if (ext === null || text === '' || !c.policy.injection.enabled) return null;
  try {
    const score = await ext.classifier.classify(text, ctx.abort.signal);
    if (score < ext.threshold) return null;
    return {
      detector: 'injection',
      type: `external:${ext.classifier.name}`,
      score,
      action: c.policy.injection.action,
      kind: 'user',
      span: null,
      segment: -1,
    };
  } catch (err) {
    // A client that left is not the classifier's failure.
    if (!ctx.abort.signal.aborted) {
      c.degraded?.(true, `external classifier ${ext.classifier.name} failed`);
      reported.add(ctx);
    }
    if (ext.onError === 'allow') return null;
    throw new GatehouseError('GH_ERR_GUARD_UNAVAILABLE', { cause: err });
  }
}

async function inspect(c: Compiled, ctx: RequestContext): Promise<void> {
  const body = ctx.body;
  if (body === null || ctx.endpoint === 'models' || ctx.endpoint === 'sessions' || ctx.endpoint === 'tools')
    return;
  const { policy, svc } = c;
  if (ctx.endpoint === 'chat') {
    const shape = chatShape(body);
    if (shape.count > policy.policy.maxMessages)
      refuse(ctx, 'GH_ERR_GUARD_TOO_MANY_MESSAGES', 'MAX_MESSAGES');
    for (const role of shape.roles)
      if (!c.allowedRoles.has(role))
        refuse(ctx, 'GH_ERR_GUARD_ROLE', `ROLE_${role.toUpperCase() || 'MISSING'}`);
  }
  const segments: Segment[] = segmentsOf(c.maps[ctx.endpoint], body);
  const decisions: Decision[] = [];
  const texts: string[] = [];
  // One budget for the request: the phone-validation cap holds per request, not per message.
  const budget = createScanBudget();
  // Data segments (tool results, documents) are judged against what the user asked for.
  const task = segments.flatMap((s) => (s.kind === 'user' ? [s.text] : [])).join('\n');
  segments.forEach((seg, i) => {
    const scan = scanText(
      seg.text,
      seg.kind,
      c.byKind[seg.kind],
      svc.limits,
      budget,
      seg.kind === 'indirect' ? task : undefined,
    );
    texts.push(scan.text);
    decisions.push(...decide(policy, scan.findings, seg.kind, i));
  });
  const userTexts = segments.flatMap((s, i) => (s.kind === 'user' ? [texts[i] ?? s.text] : []));
  if (userTexts.length > 1) {
    const joined = scanText(userTexts.join('\n'), 'user', c.joined, svc.limits, budget);
    decisions.push(...decide(policy, joined.findings, 'user', -1));
  }
  const joinedUser = userTexts.join('\n');
  const [ext, onnx] = await Promise.all([
    external(c, ctx, joinedUser),
    // A request the built-ins already refuse does not wait for the model.
    onnxDecision(svc.onnx, policy, firstBlock(decisions) === null ? joinedUser : ''),
  ]);
  if (ext !== null) decisions.push(ext);
  if (onnx !== null) decisions.push(onnx);

  record(ctx, decisions);
  const block = firstBlock(decisions);
  if (block !== null) throw new GatehouseError(blockCode(block));

  // Grouped by segment once: filtering the whole list per segment was O(segments × redactions).
  const redact: Decision[][] = segments.map(() => []);
  for (const d of decisions)
    if (d.action === 'redact' && d.span !== null && d.segment >= 0) redact[d.segment]?.push(d);
  if (redact.some((mine) => mine.length > 0)) REDACTIONS.getOrInit(ctx, createRedactionMap);
  const map = REDACTIONS.get(ctx);
  const plans = segments.map((seg, i) =>
    rewrite(seg, texts[i] ?? seg.text, redact[i] ?? [], map, svc.config.rewriteNormalised),
  );
  if (plans.every((p) => p.length === 0)) return;
  // The parse stage froze the body's nested values (the upstream call reuses unchanged fields'
  // original text): the fields are copied, and the same walk over the copies gives the leaves to set.
  const target = thaw(body) ? segmentsOf(c.maps[ctx.endpoint], body) : segments;
  if (target.length !== segments.length) throw internalError('guard: segments differ after copying the body');
  plans.forEach((plan, i) => {
    const seg = target[i];
    if (plan.length === 0 || seg === undefined) return;
    for (const [leaf, out] of plan) {
      const l = seg.leaves[leaf];
      if (l === undefined || l.raw !== segments[i]?.leaves[leaf]?.raw)
        throw internalError('guard: leaves differ after copying the body');
      l.set(out);
    }
    seg.commit();
  });
}

/** Replaces each frozen top-level value by a mutable deep copy; whether there was one. */
function thaw(body: Record<string, unknown>): boolean {
  let any = false;
  for (const k of Object.keys(body)) {
    const v = body[k];
    if (v !== null && typeof v === 'object' && Object.isFrozen(v)) {
      body[k] = structuredClone(v);
      any = true;
    }
  }
  return any;
}

/**
 * What to write back into a segment (leaf index and text; the caller sets them): each leaf gets the placeholders of the spans that fall in it. Spans point
 * into the sanitised (NFKC) text, so a redacted leaf is forwarded in that form; otherwise only
 * invisible characters go (NFKC would change x² into x2). A span over several leaves of a JSON value
 * is cut at the leaf boundaries; if the offsets cannot be trusted (the sanitised text is not the join
 * of the sanitised strings), every string of the segment is redacted whole.
 */
function rewrite(
  seg: Segment,
  scanned: string,
  mine: readonly Decision[],
  map: RedactionMap | undefined,
  rewriteNormalised: boolean,
): Array<[leaf: number, text: string]> {
  const plan: Array<[number, string]> = [];
  const plain = seg.expected === undefined;
  // Leaf offsets hold when the scanned (sanitised) text is the join of the sanitised leaves.
  const exact = plain || scanned === seg.expected;
  for (const [index, leaf] of seg.leaves.entries()) {
    const end = plain ? scanned.length : leaf.end;
    const local: Redaction[] = [];
    for (const d of mine) {
      const span = d.span;
      if (span === null || span.end <= leaf.start || span.start >= end) continue;
      local.push({
        type: d.type,
        span: {
          start: Math.max(span.start, leaf.start) - leaf.start,
          end: Math.min(span.end, end) - leaf.start,
        },
      });
    }
    let out = rewriteNormalised ? stripInvisible(leaf.raw) : leaf.raw;
    const [first] = mine;
    if (map !== undefined && first !== undefined && !exact) {
      // Which leaf a span falls in is unknown: every leaf of the segment goes, whole (fail closed).
      const clean = sanitise(leaf.raw);
      out = redactSpans(clean, [{ type: first.type, span: { start: 0, end: clean.length } }], map);
    } else if (map !== undefined && local.length > 0) {
      out = redactSpans(scanned.slice(leaf.start, end), local, map);
    }
    if (out !== leaf.raw) plan.push([index, out]);
  }
  return plan;
}

export const inspectInputStage: StageDef = {
  name: 'guard.input',
  phase: 'inspectInput',
  scope: 'route',
  create: (rt, route): Stage | null => {
    const svc = GUARD.get(rt);
    if (svc === undefined) return null;
    // Stage-level tests build a bare route (alias only): no config means the strict default map.
    const signals = degradationKey.get(rt);
    const degraded =
      signals === undefined
        ? undefined
        : (failed: boolean, detail: string) => signals.set('guard_degraded', route.alias, failed, detail);
    const withSignal = (c: Compiled): Compiled => (degraded === undefined ? c : { ...c, degraded });
    // An operator's action toggles for the route (src/pipeline/overrides.ts) recompile the policy
    // when the overlay changes; otherwise every request reuses the boot-time compilation.
    const read = overlayReader(rt);
    // The policy is the one of the deployment that serves the request: the route's own, or on a
    // canary's side the canary deployment's (`guard.routes.<deployment>`: a guard-policy canary,
    // docs/canary.md). The field map stays the route's, which validation already applied.
    const policyOf = (alias: string) => {
      const base = withSignal(compile(svc, alias, route.config?.allowFields));
      return derived(read, (ov) => {
        const toggles = ov.routes[alias]?.guard;
        return toggles === undefined
          ? base
          : withSignal(compile(svc, alias, route.config?.allowFields, toggles));
      });
    };
    const own = policyOf(route.alias);
    // Compiled on first use, one per deployment a canary sends this route's requests to (a handful).
    const others = new Map<string, () => Compiled>();
    const current = (ctx: RequestContext): Compiled => {
      const dep = deploymentSlot.get(ctx);
      if (dep === undefined || dep.alias === route.alias) return own();
      let c = others.get(dep.alias);
      if (c === undefined) {
        c = policyOf(dep.alias);
        others.set(dep.alias, c);
      }
      return c();
    };
    if (degraded === undefined) return (ctx) => inspect(current(ctx), ctx);
    return async (ctx) => {
      try {
        await inspect(current(ctx), ctx);
        // One observation per request: a healthy inspection counts toward leaving the degraded state.
        if (!reported.has(ctx)) degraded(false, '');
      } catch (err) {
        // A detector that threw (not a verdict): the request fails closed, and PACE hears of it.
        if (!(err instanceof GatehouseError) && !reported.has(ctx)) degraded(true, 'a detector threw');
        throw err;
      }
    };
  },
};
