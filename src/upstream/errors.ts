import type { Logger } from 'pino';
import { errors as undiciErrors } from 'undici';
import type { ErrorCode } from '../errors/catalog.js';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';

/** undici failure codes → our catalog, so each timeout keeps its own code. */
const BY_UNDICI_CODE: Readonly<Record<string, ErrorCode>> = {
  UND_ERR_CONNECT_TIMEOUT: 'GH_ERR_UPSTREAM_CONNECT_TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'GH_ERR_UPSTREAM_FIRST_BYTE_TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'GH_ERR_UPSTREAM_IDLE_TIMEOUT',
  UND_ERR_SOCKET: 'GH_ERR_UPSTREAM_RESET',
  UND_ERR_CLOSED: 'GH_ERR_UPSTREAM_RESET',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'GH_ERR_UPSTREAM_RESET',
  UND_ERR_INFO: 'GH_ERR_UPSTREAM_BAD_RESPONSE',
  HPE_INVALID_CONSTANT: 'GH_ERR_UPSTREAM_BAD_RESPONSE',
  ECONNREFUSED: 'GH_ERR_UPSTREAM_UNAVAILABLE',
  ENOTFOUND: 'GH_ERR_UPSTREAM_UNAVAILABLE',
  EAI_AGAIN: 'GH_ERR_UPSTREAM_UNAVAILABLE',
  EHOSTUNREACH: 'GH_ERR_UPSTREAM_UNAVAILABLE',
  ECONNRESET: 'GH_ERR_UPSTREAM_RESET',
  EPIPE: 'GH_ERR_UPSTREAM_RESET',
};

/**
 * Certificate and handshake failures (node's ERR_TLS_*, OpenSSL's ERR_SSL_* alerts and X.509 verify
 * codes, our pin mismatch): the deployment's TLS identity is wrong, which the SOC must tell apart from
 * an endpoint that is merely down.
 */
const TLS_FAILURE =
  /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$)/;

/**
 * Maps whatever the upstream call threw. An abort carries its own reason (total timeout or client
 * gone) as a GatehouseError; anything unrecognised gets `fallback` (an unavailable upstream when
 * connecting, a failed read once the answer started), with the original kept as `cause` for the
 * log only.
 */
export function mapUpstreamError(
  err: unknown,
  signal: AbortSignal,
  fallback: ErrorCode = 'GH_ERR_UPSTREAM_UNAVAILABLE',
): GatehouseError {
  if (isGatehouseError(err)) return err;
  if (signal.aborted && isGatehouseError(signal.reason)) return signal.reason;
  const code = (err as { code?: string } | null)?.code;
  if (code !== undefined) {
    const mapped = BY_UNDICI_CODE[code];
    if (mapped) return new GatehouseError(mapped, { cause: err });
    if (TLS_FAILURE.test(code)) return new GatehouseError('GH_ERR_UPSTREAM_TLS', { cause: err });
    if (code.startsWith('HPE_')) return new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE', { cause: err });
  }
  if (err instanceof undiciErrors.RequestAbortedError)
    return new GatehouseError('GH_ERR_UPSTREAM_RESET', { cause: err });
  return new GatehouseError(fallback, { cause: err });
}

/** What a stream was doing when it failed: reading the upstream, processing a chunk, writing to the client. */
export type StreamStep = 'read' | 'process' | 'write';

/**
 * Attributes a failure inside the stream loop to where it happened. A GatehouseError (a guardrail
 * block, a malformed event, the byte cap) keeps its code. Otherwise: the client gone or a failed
 * write is a client abort; a failed read is the upstream's; anything thrown while processing (an
 * inspector, a translator, our code) is returned as is, so the runner reports it as
 * `GH_ERR_INTERNAL` and logs its stack.
 */
export function attributeStreamError(
  err: unknown,
  step: StreamStep,
  clientAborted: boolean,
  signal: AbortSignal,
): unknown {
  if (isGatehouseError(err)) return err;
  if (clientAborted || step === 'write') return new GatehouseError('GH_ERR_CLIENT_CLOSED', { cause: err });
  if (step === 'read') return mapUpstreamError(err, signal, 'GH_ERR_UPSTREAM_READ_FAILED');
  return err;
}

/**
 * One log line per upstream failure, at the level its cause deserves: the upstream's failures at
 * warn (the operator's concern, no stack: the cause's code and message say what broke), a client
 * that went away at debug (routine). Internal faults are logged by the runner at error, with stack.
 */
export function logUpstreamFailure(log: Logger, requestId: string, err: GatehouseError): void {
  if (err.code === 'GH_ERR_CLIENT_CLOSED') {
    log.debug({ request_id: requestId, error_code: err.code }, 'client closed the connection');
    return;
  }
  if (!err.code.startsWith('GH_ERR_UPSTREAM_')) return;
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  log.warn(
    {
      request_id: requestId,
      error_code: err.code,
      cause_code: typeof cause?.code === 'string' ? cause.code : undefined,
      cause: typeof cause?.message === 'string' ? cause.message.slice(0, 200) : undefined,
    },
    'upstream failure',
  );
}
