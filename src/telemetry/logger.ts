import { tracingChannel } from 'node:diagnostics_channel';
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

type Flat = string | number | boolean | null | undefined;
const TOP_LEVEL = new Set(TOP_LEVEL_PATHS);
const S = pino.symbols;
/** Not in pino's typings (lib/symbols.js has it since pino 8). */
const MSG_PREFIX = (pino.symbols as unknown as Record<string, symbol | undefined>).msgPrefixSym;
/** pino traces each line's serialisation on this channel; a subscriber must see every line. */
const ASJSON = tracingChannel('pino_asJson');

/** pino's own string encoding (lib/tools.js `_asString`), so a line is byte for byte what pino writes. */
function pinoString(str: string): string {
  const l = str.length;
  if (l > 100) return JSON.stringify(str);
  let result = '';
  let last = 0;
  let found = false;
  let point = 255;
  for (let i = 0; i < l && point >= 32; i++) {
    point = str.charCodeAt(i);
    if (point === 34 || point === 92) {
      result += `${str.slice(last, i)}\\`;
      last = i;
      found = true;
    }
  }
  if (!found) result = str;
  else result += str.slice(last);
  return point < 32 ? JSON.stringify(str) : `"${result}"`;
}

/**
 * The per-request info line (issue 13: pino's generic serialiser was about 10 µs of a request):
 * the same bytes `eventLogger(log).info(fields, msg)` writes, built from the logger's own parts
 * (level label, time, bindings, message key, line end) and written to its stream. Only for a flat
 * event, and only when the logger has nothing that could change a line: no mixin, hooks, log
 * formatter, message prefix, nested key, metadata-reading stream or serialiser / redaction of one of
 * the event's own keys (the top-level redact paths are censored here, as eventLogger does). A
 * logger with any of those, or a line pino's diagnostics channel is tracing, goes through pino.
 * test/unit/core/event-logger.test.ts holds both equal.
 */
export function flatLineWriter(log: Logger, msg: string): (fields: Readonly<Record<string, Flat>>) => void {
  const child = eventLogger(log);
  const slow = (fields: Readonly<Record<string, Flat>>): void => child.info(fields, msg);
  const l = log as unknown as Record<symbol, unknown>;
  const stream = l[S.streamSym] as { write(s: string): unknown } & Record<symbol, unknown>;
  const formatters = l[S.formattersSym] as { log?: unknown } | undefined;
  const hooks = l[S.hooksSym] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  const head = (l[S.lsCacheSym] as Record<number, string> | undefined)?.[log.levels.values.info ?? -1];
  const time = l[S.timeSym] as (() => string) | undefined;
  const end = l[S.endSym];
  const messageKey = l[S.messageKeySym];
  if (
    l[S.mixinSym] ||
    hooks?.logMethod ||
    hooks?.streamWrite ||
    formatters?.log ||
    (MSG_PREFIX !== undefined && typeof l[MSG_PREFIX] === 'string') ||
    l[S.nestedKeySym] ||
    stream?.[S.needsMetadataGsym] === true ||
    typeof head !== 'string' ||
    typeof time !== 'function' ||
    typeof end !== 'string' ||
    typeof messageKey !== 'string'
  )
    return slow;
  const serializers = (l[S.serializersSym] ?? {}) as Record<string, unknown>;
  const stringifiers = (l[S.stringifiersSym] ?? {}) as Record<string, unknown>;
  const errorKey = l[S.errorKeySym];
  const tail = `,"${messageKey}":${pinoString(msg)}${end}`;
  /** Per key: its `,"key":` prefix, "censor" for a top-level redact path, or null when only pino can write it. */
  const keys = new Map<string, { readonly prefix: string; readonly censor: boolean } | null>();
  const keyOf = (k: string) => {
    let e = keys.get(k);
    if (e === undefined) {
      const censor = TOP_LEVEL.has(k);
      e =
        serializers[k] !== undefined || k === errorKey || (stringifiers[k] !== undefined && !censor)
          ? null
          : { prefix: `,${pinoString(k)}:`, censor };
      keys.set(k, e);
    }
    return e;
  };
  return (fields) => {
    if (!log.isLevelEnabled('info')) return;
    if (ASJSON.hasSubscribers) return slow(fields);
    let props = '';
    for (const k in fields) {
      const v = fields[k];
      if (v === undefined) continue;
      const e = keyOf(k);
      if (e === null) return slow(fields);
      props +=
        e.prefix +
        (e.censor
          ? '"[REDACTED]"'
          : typeof v === 'string'
            ? pinoString(v)
            : typeof v === 'number' && !Number.isFinite(v)
              ? 'null'
              : String(v));
    }
    stream.write(head + time.call(log) + (l[S.chindingsSym] as string) + props + tail);
  };
}

/**
 * Lines to stdout, batched: written once 4 KB have gathered or every `LOG_FLUSH_MS`, instead of one
 * write per line (issue 13: the per-request write was a large share of the CPU under load). pino
 * flushes what is left when the process exits; a hard kill can lose the last `LOG_FLUSH_MS` of log
 * lines (audit events have their own sinks and spool).
 *
 * The batch is kept as bytes (sonic-boom's buffer mode, each line encoded once as it comes): in its
 * string mode sonic-boom measures the UTF-8 length of the whole pending batch on every line, which
 * re-flattens a growing string per line, and encodes the batch again on the main thread when it
 * writes it (both were visible in the profile of issue 13's core run).
 */
const LOG_FLUSH_MS = 100;

export function batchedDestination(dest: number | string): pino.DestinationStream {
  const boom = pino.destination({ dest, sync: false, minLength: 4096, contentMode: 'buffer' } as Parameters<
    typeof pino.destination
  >[0] & { contentMode: 'buffer' });
  const timer = setInterval(() => {
    try {
      boom.flush();
    } catch {
      // closed at shutdown: nothing left to write
    }
  }, LOG_FLUSH_MS);
  timer.unref();
  // pino writes strings; buffer mode takes bytes. flush/flushSync/end are the batch's own (pino's
  // exit handler is registered on `boom` itself by pino.destination).
  return {
    write: (line: string) => boom.write(Buffer.from(line) as unknown as string),
    flush: (cb?: (err?: Error) => void) => boom.flush(cb),
    flushSync: () => boom.flushSync(),
    end: () => boom.end(),
  } as unknown as pino.DestinationStream;
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
    destination ?? batchedDestination(1),
  );
}
