import { Gauge } from 'prom-client';
import type { IntrospectSettings } from '../../config/schema/provider-settings.js';
import { overlayReader } from '../../pipeline/overrides.js';
import type { Runtime, RuntimeRoute } from '../../pipeline/runtime.js';
import { defineService } from '../../pipeline/slot.js';
import { fetchText } from './fetch.js';
import {
  type BackendFacts,
  type GaugeName,
  INTROSPECTORS,
  type Introspector,
  isIntrospectKind,
} from './probes.js';
import { readSamples } from './prom-text.js';

/**
 * What the gateway last learnt from a self-hosted server about itself. `verified`: it serves the
 * pinned model (and revision); `mismatch`: it answered and serves something else; `unreachable`: the
 * last probe failed (a route verified before keeps serving: the data path has its own breaker);
 * `pending`: never answered.
 */
export type BackendState = 'pending' | 'verified' | 'mismatch' | 'unreachable';

export interface BackendStatus {
  readonly route: string;
  readonly provider: string;
  readonly state: BackendState;
  readonly pinnedModel: string;
  readonly servedModels: readonly string[];
  readonly revision: string | null;
  /** The server's context (vLLM) or input (TGI) limit for the pinned model, when it reports one. */
  readonly contextLimit: number | null;
  /** The route's `caps.maxInputTokens` is above what the server accepts. */
  readonly capsExceedServer: boolean;
  readonly gauges: Readonly<Record<GaugeName, number | null>>;
  readonly checkedAt: string | null;
  readonly error: string | null;
}

export interface BackendsService {
  /** True when the route's server was last seen serving `model` (and the pinned revision). */
  serves(alias: string, model: string): boolean;
  status(): readonly BackendStatus[];
  /** Probes every introspected route now (the admin "refresh"; tests). */
  probeAll(): Promise<void>;
}

export const BACKENDS = defineService<BackendsService>('upstream.backends');

const MAX_BODY = 1_048_576;
const NO_GAUGES: Record<GaugeName, number | null> = { waiting: null, running: null, kvCacheUsage: null };

interface Entry {
  readonly route: RuntimeRoute;
  readonly cfg: IntrospectSettings;
  readonly intro: Introspector;
  /** Every Prometheus name its gauges may read, built once. */
  readonly metricNames: ReadonlySet<string>;
  status: BackendStatus;
  /** Served ids of the last answer, null before any; the stage's check reads only this. */
  served: ReadonlySet<string> | null;
  revisionOk: boolean;
}

function gauges(rt: Runtime) {
  const mk = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['route'], registers: [rt.metrics] });
  return {
    verified: mk('gatehouse_backend_model_verified', '1 when the self-hosted server serves the pinned model'),
    waiting: mk(
      'gatehouse_backend_requests_waiting',
      'Requests queued in the self-hosted server (its /metrics)',
    ),
    running: mk(
      'gatehouse_backend_requests_running',
      'Requests the self-hosted server is running (its /metrics)',
    ),
    kvCacheUsage: mk('gatehouse_backend_kv_cache_usage_ratio', "The server's KV-cache usage, 0-1 (vLLM)"),
    context: mk(
      'gatehouse_backend_context_tokens',
      "The server's context or input-token limit for the pinned model",
    ),
  };
}

/** Builds the poller of every route with `upstream.introspect`; null when no route has one. */
export async function buildBackendsService(rt: Runtime): Promise<BackendsService | null> {
  const entries: Entry[] = [];
  for (const route of rt.routes.values()) {
    const cfg = route.config.upstream.introspect;
    const kind = route.config.upstream.provider;
    if (cfg === undefined || !isIntrospectKind(kind)) continue;
    entries.push({
      route,
      cfg,
      intro: INTROSPECTORS[kind],
      metricNames: new Set(Object.values(INTROSPECTORS[kind].gauges).flat()),
      served: null,
      revisionOk: false,
      status: {
        route: route.alias,
        provider: kind,
        state: 'pending',
        pinnedModel: route.config.upstream.model,
        servedModels: [],
        revision: null,
        contextLimit: null,
        capsExceedServer: false,
        gauges: NO_GAUGES,
        checkedAt: null,
        error: null,
      },
    });
  }
  if (entries.length === 0) return null;
  const g = gauges(rt);
  const overrides = overlayReader(rt);
  const pinnedOf = (e: Entry) => overrides().routes[e.route.alias]?.model ?? e.route.config.upstream.model;
  const log = rt.logger.child({ component: 'backends' });

  const transition = (e: Entry, next: BackendStatus) => {
    const was = e.status.state;
    e.status = next;
    g.verified.set({ route: e.route.alias }, next.state === 'verified' ? 1 : 0);
    if (was === next.state) return;
    const fields = { route: e.route.alias, from: was, to: next.state, pinned: next.pinnedModel };
    if (next.state === 'mismatch')
      log.error(
        { ...fields, served: next.servedModels, revision: next.revision },
        'backend does not serve the pinned model',
      );
    else if (next.state === 'unreachable')
      log.warn({ ...fields, error: next.error }, 'backend introspection failed');
    else log.info(fields, 'backend serves the pinned model');
  };

  const readFacts = (e: Entry, facts: BackendFacts) => {
    const pinned = pinnedOf(e);
    const served = new Set(facts.models.map((m) => m.id));
    const want = e.cfg.revision;
    // A short pinned sha names the full one it prefixes (git's convention).
    e.revisionOk = want === undefined || (facts.revision ?? '').startsWith(want);
    e.served = served;
    const limit = facts.models.find((m) => m.id === pinned)?.contextLimit ?? null;
    const capsExceedServer = limit !== null && e.route.config.caps.maxInputTokens > limit;
    if (capsExceedServer && !e.status.capsExceedServer)
      log.warn(
        { route: e.route.alias, maxInputTokens: e.route.config.caps.maxInputTokens, serverLimit: limit },
        "route caps.maxInputTokens is above the server's limit: the server, not the gateway, will refuse long prompts",
      );
    if (limit !== null) g.context.set({ route: e.route.alias }, limit);
    return {
      state: served.has(pinned) && e.revisionOk ? ('verified' as const) : ('mismatch' as const),
      pinnedModel: pinned,
      servedModels: [...served].slice(0, 32),
      revision: facts.revision,
      contextLimit: limit,
      capsExceedServer,
    };
  };

  const readGauges = async (e: Entry): Promise<Record<GaugeName, number | null>> => {
    if (!e.cfg.metrics) return NO_GAUGES;
    const text = await fetchText(e.route, e.cfg.metricsPath, e.cfg.timeoutMs, MAX_BODY);
    const samples = readSamples(text, e.metricNames);
    const out = { ...NO_GAUGES };
    for (const [gauge, candidates] of Object.entries(e.intro.gauges) as Array<
      [GaugeName, readonly string[]]
    >) {
      const name = candidates.find((n) => samples.has(n));
      out[gauge] = name === undefined ? null : (samples.get(name) ?? null);
      if (out[gauge] !== null) g[gauge].set({ route: e.route.alias }, out[gauge]);
    }
    return out;
  };

  const probe = async (e: Entry) => {
    const checkedAt = new Date().toISOString();
    const get = async (path: string) =>
      JSON.parse(await fetchText(e.route, path, e.cfg.timeoutMs, MAX_BODY)) as unknown;
    try {
      const facts = readFacts(e, await e.intro.facts(get, e.route.basePath));
      // Gauges are best effort: a server without /metrics still gets its model verified.
      const gaugeValues = await readGauges(e).catch((err: unknown) => {
        log.debug({ route: e.route.alias, err: String(err) }, 'backend metrics not read');
        return NO_GAUGES;
      });
      transition(e, { ...e.status, ...facts, gauges: gaugeValues, checkedAt, error: null });
    } catch (err) {
      // Keeps what was served last: a verified route keeps serving through a failed probe.
      const error = err instanceof Error ? err.message.slice(0, 200) : 'probe failed';
      transition(e, { ...e.status, state: 'unreachable', pinnedModel: pinnedOf(e), checkedAt, error });
    }
  };

  let running: Promise<void> | null = null;
  const probeAll = () => {
    running ??= Promise.all(entries.map(probe)).then(() => {
      running = null;
    });
    return running;
  };
  // The first probe is awaited (bounded by each route's timeout): a healthy server is verified
  // before the first request arrives.
  await probeAll();
  const timers = entries.map((e) => setInterval(() => void probe(e), e.cfg.intervalMs).unref());
  rt.closers.push(() => {
    for (const t of timers) clearInterval(t);
  });
  const byAlias = new Map(entries.map((e) => [e.route.alias, e]));
  return {
    serves: (alias, model) => {
      const e = byAlias.get(alias);
      return e?.revisionOk === true && e.served !== null && e.served.has(model);
    },
    status: () => entries.map((e) => e.status),
    probeAll,
  };
}
