/**
 * Reads chosen samples from a Prometheus text exposition (the format vLLM and TGI serve on
 * `/metrics`). Only the wanted metric names are kept, summed across their label sets (vLLM labels
 * each series with the model name). Linear in the input: one split, one indexOf per line, no regex.
 */
export function readSamples(text: string, wanted: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const nameEnd = brace >= 0 && brace < space ? brace : space;
    const name = line.slice(0, nameEnd);
    if (!wanted.has(name)) continue;
    // The value follows the label set (which may hold spaces inside quotes), then an optional timestamp.
    const afterLabels = brace >= 0 && brace < space ? line.lastIndexOf('}') + 1 : nameEnd;
    const fields = line.slice(afterLabels).trim().split(/\s+/, 2);
    const value = Number(fields[0]);
    if (!Number.isFinite(value)) continue;
    out.set(name, (out.get(name) ?? 0) + value);
  }
  return out;
}
