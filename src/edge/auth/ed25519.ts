import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

/** An Ed25519 key pair loaded once at boot, with its RFC 7638 thumbprint as `kid`. */
export interface Ed25519Keys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: JWK;
  readonly kid: string;
}

export async function loadEd25519(pem: string, what: string): Promise<Ed25519Keys> {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${what}: expected an Ed25519 private key`);
  return withPublic(privateKey, createPublicKey(privateKey));
}

export async function loadEd25519Public(
  pem: string,
  what: string,
): Promise<{ publicKey: KeyObject; kid: string }> {
  const publicKey = createPublicKey(pem);
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`${what}: expected an Ed25519 public key`);
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  return { publicKey, kid: await calculateJwkThumbprint(jwk) };
}

/** A key for this process only (nothing configured): anything it signs dies with the process. */
export async function ephemeralEd25519(): Promise<Ed25519Keys> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return withPublic(privateKey, publicKey);
}

async function withPublic(privateKey: KeyObject, publicKey: KeyObject): Promise<Ed25519Keys> {
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk);
  return { privateKey, publicKey, publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' }, kid };
}
