import type { Logger } from 'pino';
import type { ToolConfig, ToolServerConfig } from '../config/schema/tools.js';
import type { TextScanner } from '../pipeline/text-scanner.js';
import { type ConstraintCheck, compileConstraints } from './args/constraints.js';
import { createSchemaCompiler, type SchemaCheck } from './args/schema.js';
import { definitionHash } from './manifest/definition.js';
import type { ManifestBody } from './manifest/format.js';
import { descriptionPoisoned } from './manifest/poisoning.js';
import { exposedName } from './names.js';
import { compileSanitiser, type Sanitiser } from './output/sanitise.js';
import type { UpstreamServer, UpstreamTool } from './upstream/connection.js';

/** Why a configured tool cannot be called right now (each maps to one error code). */
export type ToolStatus = 'ok' | 'missing' | 'unavailable' | 'drift' | 'unsigned' | 'poisoned' | 'bad_schema';

export interface CatalogEntry {
  readonly name: string;
  readonly server: ToolServerConfig;
  readonly tool: ToolConfig;
  readonly upstream: UpstreamServer;
  readonly sanitise: Sanitiser;
  readonly constraints: ConstraintCheck;
  definition: UpstreamTool | null;
  definitionHash: string | null;
  schema: SchemaCheck | null;
  status: ToolStatus;
  /** The tool as agents see it (prefixed name, the operator's read/write classification). */
  listed: Record<string, unknown> | null;
}

/** A status change that blocks a tool: audited and alerted by the service. */
export type BlockListener = (e: CatalogEntry, previous: ToolStatus) => void;

export interface Catalog {
  readonly entries: ReadonlyMap<string, CatalogEntry>;
  /** Bumped whenever a listing or a status changes (tools/list caches key on it). */
  version(): number;
  refresh(signal: AbortSignal): Promise<void>;
}

export interface CatalogOptions {
  readonly servers: readonly ToolServerConfig[];
  readonly upstreams: ReadonlyMap<string, UpstreamServer>;
  readonly scanner: TextScanner;
  /** Verified pins, or null when no manifest (or a manifest that failed verification). */
  readonly pins: ManifestBody | null;
  readonly descriptionThreshold: number;
  readonly onBlocked: BlockListener;
  readonly log: Logger;
}

/**
 * Every configured tool with what was compiled for it: argument checks (the schema when the
 * upstream lists it, the operator's constraints at boot), the output sanitiser, and its status from
 * pinning and description scanning. Refreshed at boot and periodically; a definition is re-scanned
 * and re-compiled only when its hash changes.
 */
export function createCatalog(o: CatalogOptions): Catalog {
  const compileSchema = createSchemaCompiler();
  const entries = new Map<string, CatalogEntry>();
  for (const s of o.servers) {
    const upstream = o.upstreams.get(s.name);
    if (upstream === undefined) continue;
    for (const t of s.tools)
      entries.set(exposedName(s.name, t.name), {
        name: exposedName(s.name, t.name),
        server: s,
        tool: t,
        upstream,
        sanitise: compileSanitiser(t.output, o.scanner),
        constraints: compileConstraints(t.constraints),
        definition: null,
        definitionHash: null,
        schema: null,
        status: 'unavailable',
        listed: null,
      });
  }
  let version = 0;
  const poisoned = (t: UpstreamTool): boolean => descriptionPoisoned(t, o.scanner, o.descriptionThreshold);
  /** `changed`: the definition changed, so a still-blocked tool is reported again. */
  const set = (e: CatalogEntry, status: ToolStatus, changed = false) => {
    const prev = e.status;
    if (prev === status && !changed) return;
    e.status = status;
    version++;
    if (status !== 'ok' && status !== 'unavailable') o.onBlocked(e, prev);
  };

  const statusOf = (e: CatalogEntry, hash: string, def: UpstreamTool): ToolStatus => {
    const pin = o.pins?.servers[e.server.name]?.tools[e.tool.name];
    if (pin !== undefined && pin !== hash) return 'drift';
    if (pin === undefined && e.server.tier >= 2) return 'unsigned';
    if (poisoned(def)) return 'poisoned';
    return 'ok';
  };

  const refreshServer = async (s: ToolServerConfig, signal: AbortSignal) => {
    const upstream = o.upstreams.get(s.name);
    if (upstream === undefined) return;
    const mine = [...entries.values()].filter((e) => e.server === s);
    let tools: UpstreamTool[];
    try {
      tools = await upstream.listTools(signal);
    } catch (err) {
      o.log.warn({ err, server: s.name }, 'tool server did not list its tools');
      for (const e of mine) set(e, 'unavailable');
      return;
    }
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const e of mine) {
      const def = byName.get(e.tool.name);
      if (def === undefined) {
        set(e, 'missing');
        continue;
      }
      const hash = definitionHash(def);
      const changed = hash !== e.definitionHash;
      if (changed) {
        e.definition = def;
        e.definitionHash = hash;
        try {
          e.schema = compileSchema(def.inputSchema);
        } catch (err) {
          o.log.warn({ err, server: s.name, tool: e.tool.name }, 'tool input schema does not compile');
          e.schema = null;
        }
        const { _meta: _m, ...visible } = def;
        e.listed = {
          ...visible,
          name: e.name,
          annotations: {
            ...(typeof def.annotations === 'object' && def.annotations !== null ? def.annotations : {}),
            // The operator's classification, not the server's hint.
            readOnlyHint: e.tool.access === 'read',
          },
        };
        version++;
      }
      set(e, e.schema === null ? 'bad_schema' : statusOf(e, hash, def), changed);
    }
  };

  return {
    entries,
    version: () => version,
    async refresh(signal) {
      await Promise.all(o.servers.map((s) => refreshServer(s, signal)));
    },
  };
}
