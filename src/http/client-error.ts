import { type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ErrorCode } from '../errors/catalog.js';
import { errorBody, GatehouseError } from '../errors/gatehouse-error.js';
import { newRequestId } from '../formats/trace.js';
import type { ListenerMetrics } from './connections.js';

/**
 * Requests Node's parser refuses before the pipeline sees them (header overflow, slow headers,
 * smuggling and other framing errors) still get the documented answer: an OpenAI-shaped JSON error
 * with a stable code and a request id (body and `x-request-id`), HSTS on TLS listeners, then the
 * connection is closed. Nothing from the request is echoed; the log line carries the same id.
 */
type ProtocolCode = Extract<
  ErrorCode,
  'GH_ERR_HEADERS_TOO_LARGE' | 'GH_ERR_HEADERS_TIMEOUT' | 'GH_ERR_BODY_TIMEOUT' | 'GH_ERR_MALFORMED_HTTP'
>;

/** Socket-level failures: there is no one left to answer. */
const GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

/** The response Node may have started for this socket (set once a request was dispatched). */
interface HttpSocket extends Socket {
  _httpMessage?: { headersSent?: boolean } | null;
}

function codeFor(errCode: string | undefined, dispatched: boolean): ProtocolCode | null {
  if (errCode === undefined || GONE.has(errCode)) return null;
  if (errCode === 'HPE_HEADER_OVERFLOW') return 'GH_ERR_HEADERS_TOO_LARGE';
  if (errCode === 'ERR_HTTP_REQUEST_TIMEOUT' || errCode === 'ERR_HTTP_HEADERS_TIMEOUT')
    // Node's whole-request timer also fires here once the headers were in: then it is the body.
    return dispatched ? 'GH_ERR_BODY_TIMEOUT' : 'GH_ERR_HEADERS_TIMEOUT';
  return 'GH_ERR_MALFORMED_HTTP';
}

export interface ClientErrorOptions {
  readonly listener: string;
  /** The HSTS header value on TLS listeners, null otherwise. */
  readonly hsts: string | null;
  readonly metrics: ListenerMetrics;
  readonly logger: Logger;
}

export function answerClientErrors(server: Server, o: ClientErrorOptions): void {
  const fixed = [
    'content-type: application/json',
    'cache-control: no-store',
    'x-content-type-options: nosniff',
    ...(o.hsts === null ? [] : [`strict-transport-security: ${o.hsts}`]),
    'connection: close',
  ].join('\r\n');
  server.on('clientError', (err: NodeJS.ErrnoException, raw: Duplex) => {
    const socket = raw as HttpSocket;
    const msg = socket._httpMessage;
    const code = codeFor(err.code, msg !== undefined && msg !== null);
    // A reset socket, or a response already under way (its bytes would corrupt the stream).
    if (code === null || !socket.writable || msg?.headersSent === true) {
      socket.destroy();
      return;
    }
    const ge = new GatehouseError(code);
    const requestId = newRequestId();
    const body = errorBody(ge, requestId);
    o.metrics.protocolError(o.listener, code);
    o.logger.info(
      {
        event: 'protocol_error',
        listener: o.listener,
        request_id: requestId,
        error_code: code,
        client_address: socket.remoteAddress ?? null,
      },
      'request refused by the listener',
    );
    socket.end(
      `HTTP/1.1 ${ge.status} ${STATUS_CODES[ge.status] ?? 'Error'}\r\n${fixed}\r\nx-request-id: ${requestId}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // end() waits for the peer to read; a client that never reads must not keep the socket.
    socket.setTimeout(5_000, () => socket.destroy());
  });
}
