import { readFileSync } from 'node:fs';
import type { ToolsConfig } from '../../config/schema/tools.js';
import { resolveSecret } from '../../config/secrets.js';
import { type ManifestBody, type ManifestCheck, verifyManifest } from './format.js';

/** The operator's public key: a PEM file path, `file:` reference or `${ENV}` holding the PEM. */
export function readPublicKey(ref: string): string {
  const v = resolveSecret(ref);
  return v.includes('-----BEGIN') ? v : readFileSync(v, 'utf8');
}

/**
 * The verified pins at boot: null without a manifest; a failed check (unsigned, tampered, wrong key,
 * unreadable) is returned so the service can audit and alert, and then no pin is trusted.
 */
export function loadPins(cfg: ToolsConfig): { pins: ManifestBody | null; check: ManifestCheck | null } {
  const m = cfg.manifest;
  if (m === undefined) return { pins: null, check: null };
  let text: string;
  try {
    text = readFileSync(m.path, 'utf8');
  } catch {
    return { pins: null, check: { ok: false, reason: 'malformed' } };
  }
  const check = verifyManifest(text, readPublicKey(m.publicKey));
  return { pins: check.ok ? check.body : null, check };
}
