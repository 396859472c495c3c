import { ERRORS, type ErrorCode } from './catalog.js';

/**
 * The only error type that may reach a client. `message` defaults to the catalog's
 * client-safe text; `cause` is kept for logs and never serialised to the client.
 */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra response headers (retry-after, www-authenticate, ...). */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    code: ErrorCode,
    opts: { message?: string; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    const def = ERRORS[code];
    super(opts.message ?? def.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.status = def.status;
    this.headers = opts.headers;
  }
}

export function isGatehouseError(err: unknown): err is GatehouseError {
  return err instanceof GatehouseError;
}

/** Any thrown value becomes a GatehouseError; unknown failures become GH_ERR_INTERNAL (details stay in `cause`). */
export function toGatehouseError(err: unknown): GatehouseError {
  return isGatehouseError(err) ? err : new GatehouseError('GH_ERR_INTERNAL', { cause: err });
}

/** The OpenAI error shape, so official SDKs surface `code` and the request id. */
export function errorBody(err: GatehouseError, requestId: string): string {
  const def = ERRORS[err.code];
  return JSON.stringify({
    error: { message: err.message, type: def.type, param: null, code: err.code, request_id: requestId },
  });
}
