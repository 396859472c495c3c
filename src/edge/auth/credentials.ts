import type { IncomingHttpHeaders } from 'node:http';
import { decodeProtectedHeader } from 'jose';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { SESSION_TYP } from './session-tokens.js';

/** Which verifier a request goes to; the authenticator keeps one handler per kind. */
export type CredentialKind = 'api_key' | 'jwt' | 'session' | 'mtls';

export interface Credential {
  readonly kind: CredentialKind;
  /** The bearer value (empty for mtls). Never logged. */
  readonly value: string;
}

/** Larger than any sane token; refuses header stuffing before any parsing. */
const MAX_CREDENTIAL = 8_192;
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface ExtractOptions {
  readonly apiKeyPrefix: string;
  readonly acceptXApiKey: boolean;
  readonly mtls: boolean;
}

/** Compiled once; returns the credential to verify or throws MISSING/MALFORMED. */
export function createExtractor(
  opts: ExtractOptions,
): (headers: IncomingHttpHeaders, hasCert: boolean) => Credential {
  const classify = (value: string): Credential => {
    if (value.length > MAX_CREDENTIAL) throw new GatehouseError('GH_ERR_AUTH_MALFORMED');
    if (value.startsWith(opts.apiKeyPrefix)) return { kind: 'api_key', value };
    if (JWT_SHAPE.test(value)) {
      let typ: unknown;
      try {
        typ = decodeProtectedHeader(value).typ;
      } catch (err) {
        throw new GatehouseError('GH_ERR_AUTH_MALFORMED', { cause: err });
      }
      return { kind: typ === SESSION_TYP ? 'session' : 'jwt', value };
    }
    // Lookalike prefixes (`ghk-`, `GHK_`, other vendors' keys) end here: not ours, not a token.
    throw new GatehouseError('GH_ERR_AUTH_MALFORMED');
  };

  return (headers, hasCert) => {
    const auth = headers.authorization;
    const xKey = opts.acceptXApiKey ? headers['x-api-key'] : undefined;
    if (Array.isArray(xKey)) throw new GatehouseError('GH_ERR_AUTH_MALFORMED');
    let bearer: string | undefined;
    if (auth !== undefined) {
      const value = BEARER.exec(auth)?.[1];
      if (value === undefined) throw new GatehouseError('GH_ERR_AUTH_MALFORMED');
      bearer = value;
    }
    // Two different credentials in one request are ambiguous: refuse rather than pick one.
    if (bearer !== undefined && xKey !== undefined && bearer !== xKey)
      throw new GatehouseError('GH_ERR_AUTH_MALFORMED');
    const value = bearer ?? xKey;
    if (value !== undefined && value !== '') return classify(value);
    if (hasCert && opts.mtls) return { kind: 'mtls', value: '' };
    throw new GatehouseError('GH_ERR_AUTH_MISSING', { headers: { 'www-authenticate': 'Bearer' } });
  };
}
