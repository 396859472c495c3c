import { randomUUID } from 'node:crypto';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { AUDIT_SINK } from '../pipeline/audit-sink.js';
import type { CanarySide } from '../pipeline/canary.js';
import { judgeViewKey } from '../pipeline/judge.js';
import type { Runtime } from '../pipeline/runtime.js';
import { defineService } from '../pipeline/slot.js';
import { transitionLine } from './audit.js';
import { type Comparison, compare } from './compare.js';
import { type CanaryMetrics, canaryMetrics } from './metrics.js';
import { type CanaryControl, type CanaryState, CHANNEL, createControl } from './state.js';
import { createStatsBackend, type Fields, type StatsBackend } from './stats.js';

export interface CanaryReport {
  readonly route: string;
  readonly baseline: { readonly deployment: string; readonly model: string };
  readonly canary: { readonly deployment: string; readonly model: string };
  readonly state: CanaryState;
  readonly comparison: Comparison;
}

export interface CanaryService {
  readonly controls: ReadonlyMap<string, CanaryControl>;
  readonly metrics: CanaryMetrics;
  record(route: string, side: CanarySide, fields: Fields): Promise<void>;
  report(route: string): Promise<CanaryReport>;
  /** Evaluates the gates; a failing gate on a running canary rolls it back. */
  evaluate(route: string): Promise<CanaryReport>;
  rollback(route: string, by: string, reason: string): Promise<CanaryState>;
  /** Advances one stage; refused unless every gate passes. */
  promote(route: string, by: string, reason: string): Promise<CanaryState>;
  /** Sets the weight of a running canary, or restarts a rolled-back one (new generation, fresh counts). */
  setWeight(route: string, weight: number, by: string, reason: string): Promise<CanaryState>;
}

export const CANARY = defineService<CanaryService>('canary');

/** The next stage above the current weight (a restart may have set one between stages). */
function nextStage(stages: readonly number[], s: CanaryState): number {
  const i = stages.findIndex((w, idx) => idx > s.stage && w > s.weight);
  return i === -1 ? stages.length - 1 : i;
}

/** The weight a promotion from `s` moves to. */
export function nextStageWeight(stages: readonly number[], s: CanaryState): number {
  return stages[nextStage(stages, s)] ?? 100;
}

export function buildCanaryService(rt: Runtime): CanaryService | null {
  const cfg = rt.config.canary;
  if (cfg.routes.length === 0) return null;
  const log = rt.logger.child({ component: 'canary' });
  const metrics = canaryMetrics(rt.metrics);
  const backend: StatsBackend = createStatsBackend(rt.store);
  const replica = randomUUID().slice(0, 8);
  const controls = new Map<string, CanaryControl>();
  const deploymentOf = (c: CanaryControl) => {
    const base = rt.routes.get(c.route);
    const dep = rt.routes.get(c.cfg.deployment);
    if (base === undefined || dep === undefined) throw new GatehouseError('GH_ERR_CANARY_UNKNOWN');
    return { base, dep };
  };
  for (const rc of cfg.routes) {
    const control = createControl(rt.store, rc, log, (s, prev) => {
      metrics.weight.set({ route: rc.route }, s.status === 'promoted' ? 100 : s.weight);
      if (s.status === 'rolled_back' && prev.status !== 'rolled_back')
        metrics.rollbacks.inc({ route: rc.route, trigger: s.by === 'auto' ? 'gate' : 'operator' });
      log.info(
        { route: rc.route, status: s.status, weight: s.weight, generation: s.generation },
        'canary state',
      );
    });
    controls.set(rc.route, control);
    metrics.weight.set({ route: rc.route }, rc.weight);
  }
  const need = (route: string): CanaryControl => {
    const c = controls.get(route);
    if (c === undefined) throw new GatehouseError('GH_ERR_CANARY_UNKNOWN');
    return c;
  };

  // Judge counts are per process since boot: each replica writes its own delta since it first saw
  // this generation, under its own field; the comparison sums the fields.
  const judgeOffsets = new Map<string, { evaluated: number; flagged: number }>();
  // Judge records name the deployment that served them, so the Judge gate works for a model
  // version and for a guard-policy or system-prompt canary of the same model alike.
  const judgeOn = () => judgeViewKey.get(rt) !== undefined;
  const pushJudge = async (c: CanaryControl, gen: number) => {
    const view = judgeViewKey.get(rt);
    if (view === undefined) return;
    const { base, dep } = deploymentOf(c);
    const sides: Array<[CanarySide, string]> = [
      ['baseline', base.alias],
      ['canary', dep.alias],
    ];
    for (const [side, served] of sides) {
      const now = view.flagCounts(c.route, served);
      const k = `${c.route}\n${gen}\n${side}`;
      let off = judgeOffsets.get(k);
      if (off === undefined) {
        off = now;
        judgeOffsets.set(k, off);
      }
      await backend.put(c.route, gen, side, {
        [`j:${replica}:e`]: now.evaluated - off.evaluated,
        [`j:${replica}:f`]: now.flagged - off.flagged,
      });
    }
  };

  const report = async (route: string): Promise<CanaryReport> => {
    const c = need(route);
    const s = c.current();
    const { base, dep } = deploymentOf(c);
    const [b, k] = await Promise.all([
      backend.read(route, s.generation, 'baseline'),
      backend.read(route, s.generation, 'canary'),
    ]);
    return {
      route,
      baseline: { deployment: base.alias, model: base.config.upstream.model },
      canary: { deployment: dep.alias, model: dep.config.upstream.model },
      state: s,
      comparison: compare(b, k, c.cfg.gates, judgeOn()),
    };
  };

  const emit = (
    action: 'canary.rollback' | 'canary.promote' | 'canary.weight',
    c: CanaryControl,
    s: CanaryState,
    failing: readonly string[],
  ) => {
    const sink = AUDIT_SINK.get(rt);
    if (sink !== undefined)
      sink.emitLine(transitionLine(sink, action, c.route, c.cfg.deployment, s, failing));
  };

  const rollbackTo = async (c: CanaryControl, by: string, reason: string, failing: readonly string[]) => {
    const s = c.current();
    const next: CanaryState = { ...s, status: 'rolled_back', weight: 0, reason, by, at: Date.now() };
    await c.write(next);
    emit('canary.rollback', c, next, failing);
    // The alert: an error-level line operators route to paging, plus gatehouse_canary_rollbacks_total.
    log.error(
      { alert: 'canary.rollback', route: c.route, deployment: c.cfg.deployment, by, reason, failing },
      'canary rolled back',
    );
    return next;
  };

  const svc: CanaryService = {
    controls,
    metrics,
    async record(route, side, fields) {
      const c = controls.get(route);
      if (c === undefined) return;
      await backend.add(route, c.current().generation, side, fields);
    },
    report,
    async evaluate(route) {
      const c = need(route);
      await pushJudge(c, c.current().generation);
      const r = await report(route);
      for (const row of r.comparison.rows)
        metrics.gate.set({ route, metric: row.metric }, row.verdict === 'fail' ? 1 : 0);
      const s = c.current();
      if (r.comparison.verdict === 'fail' && s.status === 'running' && s.weight > 0) {
        const failing = r.comparison.rows.filter((x) => x.verdict === 'fail').map((x) => x.metric);
        const next = await rollbackTo(c, 'auto', `gate failed: ${failing.join(', ')}`, failing);
        return { ...r, state: next };
      }
      return r;
    },
    async rollback(route, by, reason) {
      const c = need(route);
      const s = c.current();
      if (s.status === 'rolled_back') throw new GatehouseError('GH_ERR_CANARY_NOT_RUNNING');
      if (s.status === 'promoted' && (s.standbyUntil ?? 0) < Date.now())
        throw new GatehouseError('GH_ERR_CANARY_STANDBY_EXPIRED');
      return rollbackTo(c, by, reason, []);
    },
    async promote(route, by, reason) {
      const c = need(route);
      const s = c.current();
      if (s.status !== 'running' || s.weight <= 0) throw new GatehouseError('GH_ERR_CANARY_NOT_RUNNING');
      const r = await svc.evaluate(route);
      if (r.comparison.verdict !== 'pass') throw new GatehouseError('GH_ERR_CANARY_GATES_NOT_MET');
      const stage = nextStage(c.cfg.stages, s);
      const weight = c.cfg.stages[stage] ?? 100;
      const now = Date.now();
      const next: CanaryState =
        weight >= 100
          ? {
              ...s,
              status: 'promoted',
              weight: 100,
              stage,
              reason,
              by,
              at: now,
              standbyUntil: now + c.cfg.standbyMs,
            }
          : { ...s, weight, stage, reason, by, at: now };
      await c.write(next);
      emit('canary.promote', c, next, []);
      return next;
    },
    async setWeight(route, weight, by, reason) {
      const c = need(route);
      if (!(weight > 0 && weight <= cfg.maxWeight)) throw new GatehouseError('GH_ERR_CANARY_WEIGHT');
      const s = c.current();
      if (s.status === 'promoted') throw new GatehouseError('GH_ERR_CANARY_NOT_RUNNING');
      const restart = s.status === 'rolled_back';
      const next: CanaryState = {
        generation: restart ? s.generation + 1 : s.generation,
        status: 'running',
        weight,
        stage: restart ? -1 : s.stage,
        reason,
        by,
        at: Date.now(),
        standbyUntil: null,
      };
      await c.write(next);
      emit('canary.weight', c, next, []);
      return next;
    },
  };
  return svc;
}

/** Keeps every replica on the store's state (pub/sub, then polling) and runs the gates on a timer. */
export async function startCanaryLoops(rt: Runtime, svc: CanaryService): Promise<void> {
  const cfg = rt.config.canary;
  const log = rt.logger.child({ component: 'canary' });
  await Promise.all([...svc.controls.values()].map((c) => c.refresh()));
  const unsubscribe = await rt.store
    .subscribe(CHANNEL, (route) => {
      void svc.controls.get(route)?.refresh();
    })
    .catch((err) => {
      log.warn({ err: String(err) }, 'canary subscription failed; polling only');
      return null;
    });
  const poll = setInterval(() => {
    for (const c of svc.controls.values()) void c.refresh();
  }, cfg.pollMs);
  poll.unref();
  let busy = false;
  const evaluate = setInterval(() => {
    if (busy) return;
    busy = true;
    void Promise.all(
      [...svc.controls.keys()].map((r) =>
        svc.evaluate(r).catch((err) => log.warn({ route: r, err: String(err) }, 'canary evaluation failed')),
      ),
    ).finally(() => {
      busy = false;
    });
  }, cfg.evaluateMs);
  evaluate.unref();
  rt.closers.push(async () => {
    clearInterval(poll);
    clearInterval(evaluate);
    if (unsubscribe !== null) await unsubscribe();
  });
}
