/**
 * Compiles each route's output policy once at boot: the merged policy, the engine's detectors, the
 * index of the route's system prompt, the bounded validator cache. The two output stages read it.
 */

import { mergePolicy, type OutputPolicy, outputPolicySchema } from '../../config/schema/output-guard.js';
import { resolveSecret } from '../../config/secrets.js';
import type { ServiceDef } from '../../pipeline/feature.js';
import type { Runtime, RuntimeRoute } from '../../pipeline/runtime.js';
import { createInjectionDetector } from '../detectors/injection.js';
import { GUARD } from '../slots.js';
import type { Detector } from '../types.js';
import { canaryGate } from './canary.js';
import type { ChannelOptions } from './channel.js';
import { indexRules, type RuleIndex } from './echo.js';
import { createEngineDetectors, type EngineDetectors } from './engine.js';
import { ValidatorCache } from './format.js';
import { createPromptIndexCache, type PromptIndexCache } from './prompt-cache.js';
import { indexPrompt, type PromptIndex } from './similarity.js';
import { OUTPUT_GUARDS } from './slots.js';

export interface RouteOutputGuard {
  readonly policy: OutputPolicy;
  readonly engine: EngineDetectors;
  /** The route's configured system prompt, indexed (null when none or too short). */
  readonly routePrompt: PromptIndex | null;
  /** The route's system prompt when the gateway sends it (`sendSystemPrompt`), else null. */
  readonly sendPrompt: string | null;
  /** The same prompt's rule sentences, for the instruction-echo check (null when none or off). */
  readonly routeRules: RuleIndex | null;
  /** The route's index merged with a request's system messages, per distinct prompt. */
  readonly prompts: PromptIndexCache;
  readonly validators: ValidatorCache;
  readonly channel: ChannelOptions;
  readonly canaryGate: RegExp;
}

export function compileRouteGuard(
  policy: OutputPolicy,
  systemPrompt: string | null,
  injection?: Detector,
  send = false,
): RouteOutputGuard {
  const s = policy.stream;
  const sim = policy.detectors.similarity;
  // Names and addresses span words without digits: they need a real window.
  const multiWord = policy.detectors.pii.entities.some((e) => e === 'PERSON' || e === 'ADDRESS');
  const windowChars = multiWord ? Math.max(32, s.windowChars) : s.windowChars;
  const routePrompt =
    systemPrompt !== null && sim.enabled && sim.source !== 'request'
      ? indexPrompt([systemPrompt], sim)
      : null;
  const routeRules =
    systemPrompt !== null && sim.enabled && sim.echo && sim.source !== 'request'
      ? indexRules([systemPrompt])
      : null;
  return {
    policy,
    engine: createEngineDetectors(policy, injection),
    routePrompt,
    prompts: createPromptIndexCache(routePrompt, sim, undefined, routeRules),
    sendPrompt: send ? systemPrompt : null,
    routeRules,
    validators: new ValidatorCache(policy.format.cacheSize, policy.format.maxSchemaBytes),
    canaryGate: canaryGate(policy.detectors.canary.minFragment),
    channel: {
      windowChars,
      // The hold must at least cover the window, or every scan would overflow.
      maxHoldChars: Math.max(s.maxHoldChars, windowChars + s.scanStepChars + 64),
      onOverflow: s.onOverflow,
      scanStepChars: s.scanStepChars,
      // Lookbehind of the engine's context rules (phone and SSN cues look 40 characters back).
      contextChars: Math.max(64, windowChars),
    },
  };
}

export const outputGuardService: ServiceDef = {
  name: 'outputGuard',
  build: (rt) => {
    const cfg = rt.config.outputGuard;
    const { routes: overrides, ...base } = cfg;
    const out = new Map<string, RouteOutputGuard>();
    // One injection detector for both directions, configured by `guard.injection` (model file,
    // classifier on/off): the input guard's when it is on, else built the same way here.
    const inj = rt.config.guard.injection;
    let injection: Detector | undefined;
    const sharedInjection = () =>
      (injection ??=
        GUARD.get(rt)?.shared.get('injection') ??
        createInjectionDetector({ modelPath: inj.modelPath, classifier: inj.classifier }));
    for (const route of rt.routes.values()) {
      const o = overrides[route.alias];
      const policy = outputPolicySchema.parse(mergePolicy(base, o?.policy ?? {}));
      if (!policy.enabled) {
        rt.logger.warn({ route: route.alias }, 'output guardrails are off for this route');
        continue;
      }
      const prompt = o?.systemPrompt === undefined ? null : resolveSecret(o.systemPrompt);
      out.set(
        route.alias,
        compileRouteGuard(policy, prompt, sharedInjection(), o?.sendSystemPrompt === true),
      );
    }
    OUTPUT_GUARDS.set(rt, out);
  },
};

/**
 * Whether a canary sends some of this route's requests to a deployment with output guardrails of its
 * own: the stages then run for the route even when its own output guardrails are off.
 */
export function canaryTargets(rt: Pick<Runtime, 'services' | 'config'>, route: RuntimeRoute): boolean {
  const guards = OUTPUT_GUARDS.get(rt);
  return rt.config.canary.routes.some(
    (c) => c.route === route.alias && guards?.get(c.deployment) !== undefined,
  );
}

export function routeGuard(rt: Pick<Runtime, 'services'>, route: RuntimeRoute) {
  return OUTPUT_GUARDS.get(rt)?.get(route.alias) ?? null;
}
