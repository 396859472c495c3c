import pino, { type Logger } from 'pino';
import { isoMillis } from '../formats/iso-time.js';

/**
 * Paths pino censors wherever they appear in a log object: credentials must never reach a log line
 * even when a stage logs a whole header map by mistake.
 */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  '*.*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.cookie',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'x-api-key',
  '*["x-api-key"]',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
];

/** The paths of REDACT_PATHS that name a top-level key (no `.`, `[` or wildcard). */
const TOP_LEVEL_PATHS = REDACT_PATHS.filter((p) => !/[.[*]/.test(p));

/**
 * A child logger for flat events (every value a string, number, boolean or null), such as the
 * per-request line. On such an object only top-level redact paths can match, and keeping just
 * those gives the same output at a fraction of the cost: pino 10 runs every wildcard path over
 * every field of every line (measured in bench/micro/log-line.ts). Nested values logged
 * through this child would not be redacted below the top level: log those through the parent.
 */
export function eventLogger(log: Logger): Logger {
  return log.child({}, { redact: { paths: TOP_LEVEL_PATHS, censor: '[REDACTED]' } });
}

/**
 * Lines to stdout, batched: written once 4 KB have gathered or every `LOG_FLUSH_MS`, instead of one
 * write per line (issue 13: the per-request write was a large share of the CPU under load). pino
 * flushes what is left when the process exits; a hard kill can lose the last `LOG_FLUSH_MS` of log
 * lines (audit events have their own sinks and spool).
 */
const LOG_FLUSH_MS = 100;

function batchedStdout(): pino.DestinationStream {
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const timer = setInterval(() => {
    try {
      dest.flush();
    } catch {
      // closed at shutdown: nothing left to write
    }
  }, LOG_FLUSH_MS);
  timer.unref();
  return dest;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      // pino.stdTimeFunctions.isoTime's output, with the second's prefix cached.
      timestamp: () => `,"time":"${isoMillis(Date.now())}"`,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? batchedStdout(),
  );
}
