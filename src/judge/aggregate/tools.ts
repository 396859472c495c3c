import type { JudgeConfig } from '../../config/schema/judge.js';
import { Lru } from './lru.js';

/** Distinct tool-call pairs kept per agent: beyond it, new pairs are no longer learned (nor reported twice). */
const MAX_PAIRS = 512;

interface AgentTools {
  requests: number;
  readonly pairs: Set<string>;
}

export interface ToolAnomaly {
  readonly agent: string;
  readonly pair: string;
  readonly requests: number;
}

/**
 * Unusual tool-call sequences per agent, with no model: during its first `toolWarmup` requests an
 * agent's consecutive tool-call pairs (`start→a`, `a→b`) are its baseline; afterwards a pair it has
 * never made is reported once (then learned). Bounded by `maxSubjects` agents × MAX_PAIRS pairs.
 */
export function createToolJudge(cfg: JudgeConfig['aggregate']) {
  const agents = new Lru<AgentTools>(cfg.maxSubjects);
  return {
    observe(agent: string, calls: readonly string[]): ToolAnomaly[] {
      const a = agents.get(agent, () => ({ requests: 0, pairs: new Set<string>() }));
      a.requests += 1;
      if (calls.length === 0) return [];
      const warm = a.requests > cfg.toolWarmup;
      const out: ToolAnomaly[] = [];
      let prev = 'start';
      for (const name of calls) {
        const pair = `${prev}→${name}`;
        prev = name;
        if (a.pairs.has(pair) || a.pairs.size >= MAX_PAIRS) continue;
        a.pairs.add(pair);
        if (warm) out.push({ agent, pair, requests: a.requests });
      }
      return out;
    },
  };
}
