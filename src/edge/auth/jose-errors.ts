import { errors } from 'jose';
import type { ErrorCode } from '../../errors/catalog.js';
import { GatehouseError, isGatehouseError } from '../../errors/gatehouse-error.js';

/** jose error code → catalog code. Anything not listed is an invalid credential. */
const BY_CODE: Readonly<Record<string, ErrorCode>> = {
  ERR_JWT_EXPIRED: 'GH_ERR_AUTH_EXPIRED',
  ERR_JOSE_ALG_NOT_ALLOWED: 'GH_ERR_AUTH_ALGORITHM',
  ERR_JOSE_NOT_SUPPORTED: 'GH_ERR_AUTH_ALGORITHM',
  ERR_JWS_INVALID: 'GH_ERR_AUTH_MALFORMED',
  ERR_JWT_INVALID: 'GH_ERR_AUTH_MALFORMED',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'GH_ERR_AUTH_INVALID',
  ERR_JWKS_NO_MATCHING_KEY: 'GH_ERR_AUTH_INVALID',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'GH_ERR_AUTH_INVALID',
};

/** Failed claim checks (`JWTClaimValidationFailed.claim`) → catalog code. */
const BY_CLAIM: Readonly<Record<string, ErrorCode>> = {
  nbf: 'GH_ERR_AUTH_NOT_YET_VALID',
  iss: 'GH_ERR_AUTH_WRONG_ISSUER',
  aud: 'GH_ERR_AUTH_WRONG_AUDIENCE',
  exp: 'GH_ERR_AUTH_EXPIRED',
};

export function fromJoseError(err: unknown): GatehouseError {
  if (isGatehouseError(err)) return err;
  if (err instanceof errors.JWTClaimValidationFailed) {
    // A required claim that is absent says nothing about time, issuer or audience: just invalid.
    const code = err.reason === 'missing' ? undefined : BY_CLAIM[err.claim];
    return new GatehouseError(code ?? 'GH_ERR_AUTH_INVALID', { cause: err });
  }
  if (err instanceof errors.JOSEError)
    return new GatehouseError(BY_CODE[err.code] ?? 'GH_ERR_AUTH_INVALID', { cause: err });
  return new GatehouseError('GH_ERR_AUTH_INVALID', { cause: err });
}
