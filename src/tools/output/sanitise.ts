import type { ToolConfig } from '../../config/schema/tools.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { ScanFamily, TextScanner } from '../../pipeline/text-scanner.js';
import { compileProjection, type Projection } from './projection.js';

/** One detector decision on a tool result, for the audit event (never the matched text). */
export interface OutputVerdict {
  readonly family: ScanFamily;
  readonly type: string;
  readonly action: 'flag' | 'redact' | 'block';
}

export interface ToolResult {
  content?: unknown[];
  structuredContent?: unknown;
  isError?: boolean;
  [k: string]: unknown;
}

export type Sanitiser = (result: ToolResult, verdicts: OutputVerdict[]) => ToolResult;

/** More strings than this in one result are refused rather than scanned one by one. */
const MAX_STRINGS = 10_000;

/**
 * A tool's output controls, compiled once: size cap, projection, then the secrets and PII detectors
 * (redact or block per tool) and the injection detector in tool-output mode (block or flag) over
 * every string of the result. `_meta` (the upstream's internal metadata) never reaches the agent.
 */
export function compileSanitiser(out: ToolConfig['output'], scanner: TextScanner): Sanitiser {
  const project: Projection | null = out.fields === undefined ? null : compileProjection(out.fields);
  const redact: ScanFamily[] = [];
  if (out.secrets === 'redact') redact.push('secrets');
  if (out.pii === 'redact') redact.push('pii');
  const actionOf: Readonly<Record<ScanFamily, 'allow' | 'flag' | 'redact' | 'block'>> = {
    secrets: out.secrets,
    pii: out.pii,
    injection: out.injection,
  };
  const scanOpts = { kind: 'indirect', redact, injectionThreshold: out.injectionThreshold } as const;

  const scanString = (s: string, verdicts: OutputVerdict[]): string => {
    const r = scanner.scan(s, scanOpts);
    for (const h of r.hits) {
      const action = actionOf[h.family];
      if (action === 'allow') continue;
      verdicts.push({ family: h.family, type: h.type, action });
      if (action === 'block')
        throw new GatehouseError(
          h.family === 'injection' ? 'GH_ERR_TOOL_OUTPUT_INJECTION' : 'GH_ERR_TOOL_OUTPUT_BLOCKED',
        );
    }
    return r.redacted;
  };

  return (result, verdicts) => {
    // The cap is checked on what the upstream sent, before any work that grows with it.
    if (Buffer.byteLength(JSON.stringify(result)) > out.maxBytes)
      throw new GatehouseError('GH_ERR_TOOL_OUTPUT_TOO_LARGE');
    const budget = { left: MAX_STRINGS };
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') {
        if (--budget.left < 0) throw new GatehouseError('GH_ERR_TOOL_OUTPUT_TOO_LARGE');
        return scanString(v, verdicts);
      }
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object') {
        const o: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) if (k !== '_meta') o[k] = walk(x);
        return o;
      }
      return v;
    };
    const content = (result.content ?? []).map((c) => walk(projectBlock(c, project)));
    const clean: ToolResult = { content };
    if (result.structuredContent !== undefined)
      clean.structuredContent = walk(
        project === null ? result.structuredContent : project(result.structuredContent),
      );
    if (result.isError === true) clean.isError = true;
    return clean;
  };
}

/** Text blocks carrying JSON are projected like structured content; other text passes whole. */
function projectBlock(block: unknown, project: Projection | null): unknown {
  if (project === null || block === null || typeof block !== 'object') return block;
  const b = block as Record<string, unknown>;
  if (b.type !== 'text' || typeof b.text !== 'string') return block;
  const t = b.text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return { ...b, text: '' };
  try {
    return { ...b, text: JSON.stringify(project(JSON.parse(b.text))) };
  } catch {
    // Declared a projection but sent unstructured text: nothing of it is in the allowlist.
    return { ...b, text: '' };
  }
}
