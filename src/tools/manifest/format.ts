import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, sha256 } from '../canonical.js';

/**
 * The pin manifest (docs/tools.md): per server, per tool, the hash of the tool definition the
 * operator reviewed. Signed with Ed25519 over the canonical JSON of `manifest`, so whitespace and
 * key order do not matter and any other change breaks the signature.
 */
const hash = z.string().regex(/^sha256:[0-9a-f]{64}$/);

export const manifestBodySchema = z
  .object({
    version: z.literal(1),
    created: z.string(),
    servers: z.record(z.string(), z.object({ tools: z.record(z.string(), hash) }).strict()),
  })
  .strict();

export const signedManifestSchema = z
  .object({
    manifest: manifestBodySchema,
    signature: z
      .object({ alg: z.literal('Ed25519'), keyId: z.string(), value: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();

export type ManifestBody = z.infer<typeof manifestBodySchema>;
export type SignedManifest = z.infer<typeof signedManifestSchema>;

/** A key's id: the SHA-256 of its public key (SPKI DER), so a manifest names the key that signed it. */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return `sha256:${sha256(pub.export({ type: 'spki', format: 'der' }).toString('hex'))}`;
}

export function signManifest(body: ManifestBody, privateKeyPem: string): SignedManifest {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the signing key is not an Ed25519 key');
  const value = sign(null, Buffer.from(canonicalJson(body)), key).toString('base64');
  return { manifest: body, signature: { alg: 'Ed25519', keyId: keyIdOf(key), value } };
}

export type ManifestCheck =
  | { readonly ok: true; readonly body: ManifestBody }
  | { readonly ok: false; readonly reason: 'unsigned' | 'bad_signature' | 'malformed' | 'wrong_key' };

/** Parses and verifies a manifest file's text against the operator's public key. */
export function verifyManifest(text: string, publicKeyPem: string): ManifestCheck {
  let parsed: SignedManifest;
  try {
    const r = signedManifestSchema.safeParse(JSON.parse(text));
    if (!r.success) return { ok: false, reason: 'malformed' };
    parsed = r.data;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed.signature === undefined) return { ok: false, reason: 'unsigned' };
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') return { ok: false, reason: 'wrong_key' };
  if (parsed.signature.keyId !== keyIdOf(key)) return { ok: false, reason: 'wrong_key' };
  const good = verify(
    null,
    Buffer.from(canonicalJson(parsed.manifest)),
    key,
    Buffer.from(parsed.signature.value, 'base64'),
  );
  return good ? { ok: true, body: parsed.manifest } : { ok: false, reason: 'bad_signature' };
}
