/**
 * Model ids that float: the provider moves them to a new snapshot without the operator changing
 * anything, so the gateway's evaluations, guardrail tuning and cost figures silently stop applying.
 * The guide: "do not use latest or auto-updating model references".
 *
 * Two strengths:
 * - `always`: the id says it floats (`latest`, an untagged Ollama model, an id the operator listed in
 *   `lint.floatingModelIds`). Refused at every tier.
 * - `dateless`: a vendor alias recognised by its family but without the vendor's version suffix
 *   (`gpt-4o` rather than `gpt-4o-2024-08-06`). Refused at tier 2+, a warning at tier 1, where a
 *   prototype may accept the drift. `lint.pinnedModelIds` exempts a self-hosted model served under
 *   such a name.
 */

export type FloatingKind = 'always' | 'dateless';

export interface FloatingModel {
  readonly kind: FloatingKind;
  readonly reason: string;
}

interface Family {
  readonly name: string;
  /** Ids of the family. */
  readonly family: RegExp;
  /** The vendor's version suffix that pins a snapshot. */
  readonly pinned: RegExp;
  readonly example: string;
}

/**
 * Built-in families, each with the suffix its vendor uses for a fixed snapshot. Checked on the whole
 * id (lower-cased), so `openai/gpt-oss-120b` or `meta-llama/...` (open weights) never match.
 */
export const DATELESS_FAMILIES: readonly Family[] = [
  {
    name: 'OpenAI',
    // gpt-4o, gpt-4.1-mini, gpt-3.5-turbo, o1, o3-mini, o4-mini, chatgpt-4o-...
    family: /^(gpt-\d[\w.-]*|o\d(-[\w.-]+)?|chatgpt-[\w.-]+)$/,
    // -2024-08-06 (current) or -0613 / -0125 (older snapshots)
    pinned: /-(\d{4}-\d{2}-\d{2}|\d{4})$/,
    example: 'gpt-4o-2024-08-06',
  },
  {
    name: 'Anthropic',
    family: /^claude-[\w.@-]+$/,
    // claude-3-5-sonnet-20241022, or Vertex's claude-3-5-sonnet-v2@20241022
    pinned: /[-@]\d{8}$/,
    example: 'claude-3-5-sonnet-20241022',
  },
  {
    name: 'Gemini',
    family: /^(models\/)?gemini-[\w.-]+$/,
    // gemini-1.5-pro-002, gemini-2.0-flash-001, dated previews (...-preview-05-20, ...-exp-1206)
    pinned: /-(\d{3}|\d{2}-\d{2}|\d{4})$/,
    example: 'gemini-2.0-flash-001',
  },
  {
    name: 'Amazon Bedrock',
    // anthropic.claude-3-sonnet-20240229-v1:0, meta.llama3-1-70b-instruct-v1:0, us.amazon.nova-pro-v1:0
    family:
      /^((us|eu|apac|global|us-gov)\.)?(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|writer|qwen|openai|stability)\.[\w.:-]+$/,
    pinned: /(-v\d+(:\d+)?|-\d+:\d+)$/,
    example: 'anthropic.claude-3-sonnet-20240229-v1:0',
  },
];

/** `latest` as the whole id, a tag, or a suffix (`llama3:latest`, `gpt-4o-latest`, `mistral-large-latest`). */
const LATEST = /(^|[:/@_.-])latest$/;
/** Other moving tags some providers use. */
const MOVING_TAGS = /(^|[:/@_.-])(auto|stable|current|default)$/;

export interface PinOptions {
  /** The operator's own floating ids (refused at every tier). */
  readonly floating: readonly string[];
  /** Ids the operator attests are fixed (a self-hosted model served under a vendor-like name). */
  readonly pinned: readonly string[];
}

export function floatingModel(model: string, provider: string, opts: PinOptions): FloatingModel | null {
  const m = model.toLowerCase();
  if (LATEST.test(m)) return { kind: 'always', reason: 'uses "latest"' };
  if (MOVING_TAGS.test(m)) return { kind: 'always', reason: 'uses a moving tag' };
  if (opts.floating.includes(model))
    return { kind: 'always', reason: 'is listed in lint.floatingModelIds as a dateless alias' };
  if ((provider === 'ollama' || provider === 'ollama-native') && !model.includes(':'))
    return { kind: 'always', reason: 'is an untagged Ollama model (it means :latest)' };
  if (opts.pinned.includes(model)) return null;
  for (const f of DATELESS_FAMILIES)
    if (f.family.test(m) && !f.pinned.test(m))
      return {
        kind: 'dateless',
        reason: `is a dateless ${f.name} alias that moves to new snapshots (pin one, e.g. ${f.example})`,
      };
  return null;
}
