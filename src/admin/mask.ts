/**
 * Secrets masked before an admin change reaches the audit trail: values under credential-like
 * field names are replaced whole, free text goes through the detectors' redactor when the guard
 * feature registered one. Bounded: deep or huge values are cut.
 */
const SECRET_FIELD =
  /(secret|password|passwd|token|hash|apikey|api_key|pepper|authorization|cookie|private|credential)/i;
const MAX_DEPTH = 8;
const MAX_ITEMS = 200;
const MAX_TEXT = 2_000;

export function maskSecrets(value: unknown, redact: ((t: string) => string) | null, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') {
    const t = value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
    return redact === null ? t : redact(t);
  }
  if (typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[TRUNCATED]';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => maskSecrets(v, redact, depth + 1));
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (n++ >= MAX_ITEMS) break;
    out[k] = SECRET_FIELD.test(k) ? '[MASKED]' : maskSecrets(v, redact, depth + 1);
  }
  return out;
}
