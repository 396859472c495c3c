import type { TextScanner } from '../../pipeline/text-scanner.js';
import type { UpstreamTool } from '../upstream/connection.js';

/**
 * Tool poisoning: a description (or title, or schema text) that speaks to the model. Scanned with
 * the injection detector in its tool-output mode, at pin time and whenever a definition changes.
 */
export function descriptionPoisoned(tool: UpstreamTool, scanner: TextScanner, threshold: number): boolean {
  const text = [tool.description, tool.title, JSON.stringify(tool.inputSchema ?? {})]
    .filter((x): x is string => typeof x === 'string')
    .join('\n');
  return scanner
    .scan(text, { kind: 'indirect', redact: [], injectionThreshold: threshold })
    .hits.some((h) => h.family === 'injection');
}
