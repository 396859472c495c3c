import type { Logger } from 'pino';
import type { ToolsConfig } from '../../config/schema/tools.js';
import type { TextScanner } from '../../pipeline/text-scanner.js';
import { createCredentialSource } from '../credentials/index.js';
import { createUpstream } from '../upstream/index.js';
import { definitionHash } from './definition.js';
import type { ManifestBody } from './format.js';
import { descriptionPoisoned } from './poisoning.js';

export interface PinReport {
  readonly body: ManifestBody;
  /** Configured tools the server did not list (not pinned). */
  readonly missing: readonly string[];
  /** Tools whose description scored as an injection (not pinned: review them first). */
  readonly poisoned: readonly string[];
}

/**
 * `gatehouse tools pin`: connects to every configured server, hashes the definition of each
 * configured tool and scans its description with the injection detector (tool poisoning). A
 * poisoned or missing tool is left out of the manifest, so it stays blocked at tier 2+.
 */
export async function pinTools(
  cfg: ToolsConfig,
  scanner: TextScanner,
  log: Logger,
  now: () => Date = () => new Date(),
): Promise<PinReport> {
  const servers: ManifestBody['servers'] = {};
  const missing: string[] = [];
  const poisoned: string[] = [];
  for (const s of cfg.servers) {
    const up = createUpstream(s, createCredentialSource(s.credentials), log);
    try {
      const listed = await up.listTools(AbortSignal.timeout(s.timeoutMs));
      const byName = new Map(listed.map((t) => [t.name, t]));
      const tools: Record<string, string> = {};
      for (const t of s.tools) {
        const def = byName.get(t.name);
        if (def === undefined) {
          missing.push(`${s.name}.${t.name}`);
          continue;
        }
        if (descriptionPoisoned(def, scanner, cfg.descriptionThreshold)) poisoned.push(`${s.name}.${t.name}`);
        else tools[t.name] = definitionHash(def);
      }
      servers[s.name] = { tools };
    } finally {
      await up.close();
    }
  }
  return { body: { version: 1, created: now().toISOString(), servers }, missing, poisoned };
}
