/**
 * Per-request output-guard state, built by the prepare stage before the upstream call: the canary
 * placed in the system prompt, the request's system prompt index, the format check, the offered
 * tools, and the scanner that combines them with the route's detectors.
 */

import type { RequestContext } from '../../pipeline/context.js';
import { bodyOf } from '../../pipeline/require.js';
import { createCanaryDetector, newCanary } from './canary.js';
import type { RuleIndex } from './echo.js';
import { type FormatCheck, formatCheckOf } from './format.js';
import { inputPlaceholders } from './placeholders.js';
import { createRequestScanner, type RequestScanner } from './scanner.js';
import type { RouteOutputGuard } from './service.js';
import { createSimilarityDetector, type PromptIndex } from './similarity.js';
import { type OfferedTools, offeredTools } from './tools.js';
import type { TextDetector } from './types.js';

export interface OutputGuardRequest {
  readonly guard: RouteOutputGuard;
  /** The marker added to the system prompt (never sent to the consumer), or null. */
  readonly canary: string | null;
  readonly detectors: readonly TextDetector[];
  readonly format: FormatCheck | null;
  readonly tools: OfferedTools;
  /** Route and request system prompts together, for the coverage check. */
  readonly prompt: PromptIndex | null;
  /** Route and request system prompts' rule sentences, for the instruction-echo check. */
  readonly rules: RuleIndex | null;
  /** Whether the injection detector runs on this answer (it goes back into an agent). */
  readonly injection: boolean;
  /** The scanner; built on first use, after the input stage filled its placeholder map. */
  scanner(): RequestScanner;
}

type Message = { role?: unknown; content?: unknown };

function systemTexts(messages: readonly Message[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m.role !== 'system' && m.role !== 'developer') continue;
    if (typeof m.content === 'string') out.push(m.content);
    else if (Array.isArray(m.content))
      for (const p of m.content as Array<{ text?: unknown }>)
        if (typeof p?.text === 'string') out.push(p.text);
  }
  return out;
}

/**
 * Adds the canary sentence to the first system (or developer) message, or a system message of its
 * own. Copies rather than edits: the parse stage froze the request's nested values, and a new
 * `messages` array is what tells the upstream call that this field changed.
 */
function placeCanary(
  body: Record<string, unknown>,
  messages: readonly Message[],
  sentence: string,
  position: 'start' | 'end',
): void {
  const at = messages.findIndex((m) => m.role === 'system' || m.role === 'developer');
  const sys = messages[at];
  if (sys === undefined) {
    body.messages = [{ role: 'system', content: sentence }, ...messages];
    return;
  }
  let content: unknown;
  if (typeof sys.content === 'string')
    content = position === 'start' ? `${sentence}\n\n${sys.content}` : `${sys.content}\n\n${sentence}`;
  else if (Array.isArray(sys.content)) {
    const part = { type: 'text', text: sentence };
    content = position === 'start' ? [part, ...sys.content] : [...sys.content, part];
  } else content = sentence;
  const next = messages.slice();
  next[at] = { ...sys, content };
  body.messages = next;
}

export function prepareRequest(ctx: RequestContext, guard: RouteOutputGuard): OutputGuardRequest {
  const { policy } = guard;
  const body = bodyOf(ctx);
  const messages = Array.isArray(body.messages) ? (body.messages as Message[]) : null;
  const detectors: TextDetector[] = [...guard.engine.spans];
  const sim = policy.detectors.similarity;
  let prompt: PromptIndex | null = null;
  let rules: RuleIndex | null = null;
  if (sim.enabled) {
    // Indexed before the canary sentence is added below: it is not one of the operator's rules.
    if (messages !== null && sim.source !== 'route') {
      // Both indexes of the request's system messages come from the per-prompt cache.
      const both = guard.prompts.both(ctx.identity?.consumer ?? '', systemTexts(messages), sim.echo);
      prompt = both.index;
      rules = both.rules;
    } else {
      prompt = guard.routePrompt;
      rules = sim.echo ? guard.routeRules : null;
    }
    if (prompt !== null) detectors.push(createSimilarityDetector(prompt, sim));
  }
  // The route's own system prompt goes first (after the request's prompts were indexed: it is
  // compared through the route's index, once). The canary marker then lands in it.
  // A new array, never an in-place edit: the parse stage froze the request's nested values.
  let sent = messages;
  if (guard.sendPrompt !== null && messages !== null) {
    sent = [{ role: 'system', content: guard.sendPrompt }, ...messages];
    body.messages = sent;
  }
  let canary: string | null = null;
  const c = policy.detectors.canary;
  if (c.enabled && sent !== null) {
    canary = newCanary(c.bytes);
    placeCanary(body, sent, c.template.replace('{canary}', canary), c.position);
    detectors.push(createCanaryDetector(canary, { ...c, gate: guard.canaryGate }));
  }
  const inj = policy.detectors.injection.when;
  const injection = inj === 'always' || (inj === 'agents' && (ctx.identity?.agent ?? null) !== null);
  if (injection) detectors.push(guard.engine.injection);
  let scanner: RequestScanner | null = null;
  return {
    guard,
    canary,
    detectors,
    format: policy.format.enabled ? formatCheckOf(body, guard.validators) : null,
    tools: offeredTools(body),
    prompt: sim.enabled ? prompt : null,
    rules,
    injection,
    scanner: () => {
      scanner ??= createRequestScanner(
        policy,
        detectors,
        policy.restorePlaceholders ? inputPlaceholders(ctx) : null,
        guard.engine.gate,
      );
      return scanner;
    },
  };
}
