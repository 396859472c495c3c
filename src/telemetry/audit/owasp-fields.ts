import {
  ASI_FRAMEWORK,
  type AsiId,
  LLM_FRAMEWORK,
  type LlmId,
  OWASP_ASI,
  OWASP_LLM,
  type OwaspRow,
  owaspForVerdict,
  owaspReference,
} from '../owasp.js';

/**
 * The OWASP stamp of an audit event (docs/owasp.md): `gatehouse.owasp` with every control that
 * applied and both frameworks' ids, and ECS `threat.*` for the primary framework — the LLM Top 10
 * when the event maps to it, else the Agentic Top 10 (ECS has one framework per event; the Agentic
 * ids are always in `gatehouse.owasp.asi`). Events that map to neither carry no `threat`.
 */
export interface OwaspStamp {
  readonly controls: string[];
  readonly llm: LlmId[];
  readonly asi: AsiId[];
}

export interface ThreatFields {
  readonly framework: string;
  readonly technique: { readonly id: string[]; readonly name: string[]; readonly reference: string[] };
}

export function stampOf(rows: readonly OwaspRow[]): OwaspStamp {
  const llm = new Set<LlmId>();
  const asi = new Set<AsiId>();
  for (const r of rows) {
    for (const id of r.llm) llm.add(id);
    for (const id of r.asi) asi.add(id);
  }
  return { controls: [...new Set(rows.map((r) => r.key))], llm: [...llm].sort(), asi: [...asi].sort() };
}

export function threatOf(s: OwaspStamp): ThreatFields | null {
  if (s.llm.length > 0)
    return {
      framework: LLM_FRAMEWORK,
      technique: {
        id: [...s.llm],
        name: s.llm.map((i) => OWASP_LLM[i]),
        reference: s.llm.map(owaspReference),
      },
    };
  if (s.asi.length > 0)
    return {
      framework: ASI_FRAMEWORK,
      technique: {
        id: [...s.asi],
        name: s.asi.map((i) => OWASP_ASI[i]),
        reference: s.asi.map(owaspReference),
      },
    };
  return null;
}

/** The stamp of a request's verdicts: those that did something (flag, redact, block); null when none. */
export function verdictStamp(
  verdicts: ReadonlyArray<{
    readonly phase: 'input' | 'output';
    readonly detector: string;
    readonly action: string;
  }>,
): OwaspStamp | null {
  const rows: OwaspRow[] = [];
  for (const v of verdicts) if (v.action !== 'allow') rows.push(owaspForVerdict(v.phase, v.detector));
  return rows.length === 0 ? null : stampOf(rows);
}
