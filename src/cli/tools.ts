import { readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { loadConfigFile } from '../config/load.js';
import type { ToolsConfig } from '../config/schema/tools.js';
import { createTextScanner } from '../guard/text-scanner.js';
import { compileAllowlist } from '../tools/allowlist.js';
import { createCredentialSource } from '../tools/credentials/index.js';
import { definitionHash } from '../tools/manifest/definition.js';
import { signedManifestSchema, signManifest, verifyManifest } from '../tools/manifest/format.js';
import { readPublicKey } from '../tools/manifest/load.js';
import { pinTools } from '../tools/manifest/pin.js';
import { createUpstream } from '../tools/upstream/index.js';
import { flagString, parseArgs } from './args.js';

const USAGE = `usage:
  gatehouse tools list   --config FILE                  which tools each consumer (and agent) can see
  gatehouse tools pin    --config FILE [--out FILE]     hash the live tool definitions into an unsigned manifest
  gatehouse tools sign   --key PRIVATE.pem [--manifest FILE] [--out FILE]   Ed25519-sign a manifest
  gatehouse tools verify --config FILE                  check the signature and compare live definitions to the pins
`;

const out = (s: string) => process.stdout.write(`${s}\n`);
const quiet = pino({ level: 'silent' });

function toolsOf(file: string): { cfg: ReturnType<typeof loadConfigFile>; tools: ToolsConfig } {
  const cfg = loadConfigFile(file);
  return { cfg, tools: cfg.tools };
}

async function list(file: string): Promise<number> {
  const { cfg, tools } = toolsOf(file);
  const allow = compileAllowlist(tools);
  const entries = new Map<string, Set<string>>();
  for (const a of tools.access)
    entries.set(a.consumer, new Set([...(entries.get(a.consumer) ?? []), a.agent ?? '*']));
  for (const [consumer, agents] of entries)
    for (const agent of agents) {
      const names = allow({
        consumer,
        agent: agent === '*' ? null : agent,
        session: null,
        tier: 3,
        method: 'api_key',
        scopes: [],
        aliases: '*',
        plan: null,
        sourceIp: '',
        userAgent: '',
      });
      const labelled = [...names].sort().map((n) => {
        const [server, tool] = n.split('.');
        const s = tools.servers.find((x) => x.name === server);
        const t = s?.tools.find((x) => x.name === tool);
        const needsApproval = t?.access === 'write' && (s?.tier ?? 1) >= 2;
        return `${n} (${t?.access ?? '?'}${needsApproval ? ', approval' : ''})`;
      });
      out(`${consumer}${agent === '*' ? '' : `/${agent}`}: ${labelled.join(', ') || '(none)'}`);
    }
  if (!cfg.tools.enabled) out('(tools.enabled is false: /mcp answers 404)');
  return 0;
}

async function pin(file: string, dest: string | undefined): Promise<number> {
  const { cfg, tools } = toolsOf(file);
  const report = await pinTools(tools, createTextScanner(cfg.guard), quiet);
  for (const m of report.missing) process.stderr.write(`not listed by its server (not pinned): ${m}\n`);
  for (const p of report.poisoned)
    process.stderr.write(`description reads as an injection (not pinned): ${p}\n`);
  const text = `${JSON.stringify({ manifest: report.body }, null, 2)}\n`;
  if (dest === undefined) process.stdout.write(text);
  else writeFileSync(dest, text);
  return report.poisoned.length > 0 || report.missing.length > 0 ? 1 : 0;
}

function sign(keyFile: string, manifestFile: string | undefined, dest: string | undefined): number {
  const raw = JSON.parse(readFileSync(manifestFile ?? 0, 'utf8')) as unknown;
  const parsed = signedManifestSchema.parse(raw);
  const signed = signManifest(parsed.manifest, readFileSync(keyFile, 'utf8'));
  const text = `${JSON.stringify(signed, null, 2)}\n`;
  if (dest === undefined) process.stdout.write(text);
  else writeFileSync(dest, text);
  return 0;
}

async function verify(file: string): Promise<number> {
  const { tools } = toolsOf(file);
  const m = tools.manifest;
  if (m === undefined) {
    out('no tools.manifest configured');
    return 1;
  }
  const check = verifyManifest(readFileSync(m.path, 'utf8'), readPublicKey(m.publicKey));
  if (!check.ok) {
    out(`manifest refused: ${check.reason}`);
    return 1;
  }
  out('signature: ok');
  let bad = 0;
  for (const s of tools.servers) {
    const up = createUpstream(s, createCredentialSource(s.credentials), quiet);
    try {
      const listed = new Map((await up.listTools(AbortSignal.timeout(s.timeoutMs))).map((t) => [t.name, t]));
      for (const t of s.tools) {
        const pinned = check.body.servers[s.name]?.tools[t.name];
        const def = listed.get(t.name);
        const state =
          def === undefined
            ? 'missing upstream'
            : pinned === undefined
              ? s.tier >= 2
                ? 'UNPINNED (blocked at tier 2+)'
                : 'unpinned'
              : pinned === definitionHash(def)
                ? 'ok'
                : 'DRIFT (blocked)';
        if (state !== 'ok' && state !== 'unpinned') bad++;
        out(`${s.name}.${t.name}: ${state}`);
      }
    } finally {
      await up.close();
    }
  }
  return bad === 0 ? 0 : 1;
}

/** `gatehouse tools list|pin|sign|verify` (docs/tools.md). */
export async function runToolsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest);
  const config = flagString(args, 'config');
  switch (sub) {
    case 'list':
      if (config !== undefined) return list(config);
      break;
    case 'pin':
      if (config !== undefined) return pin(config, flagString(args, 'out'));
      break;
    case 'sign': {
      const key = flagString(args, 'key');
      if (key !== undefined) return sign(key, flagString(args, 'manifest'), flagString(args, 'out'));
      break;
    }
    case 'verify':
      if (config !== undefined) return verify(config);
      break;
  }
  process.stderr.write(USAGE);
  return 2;
}
