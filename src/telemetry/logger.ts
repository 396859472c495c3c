import pino, { type Logger } from 'pino';

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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
