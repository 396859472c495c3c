import type { AuditEvent } from './schema.js';

/**
 * One event = one JSON line. Lines are what the spool stores and the sinks send, so an event is
 * serialised once whatever the number of sinks. The event builder opens every document with
 * `@timestamp` then `event.id`, which lets sinks read both without parsing the line.
 */
export function toLine(ev: AuditEvent): string {
  return JSON.stringify(ev);
}

const HEAD = /^\{"@timestamp":"([^"]{1,40})","event":\{"id":"([^"]{1,64})"/;

export interface LineHead {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly id: string;
}

export function lineHead(line: string): LineHead {
  const [, time, id] = HEAD.exec(line) ?? [];
  if (time !== undefined && id !== undefined) {
    const t = Date.parse(time);
    if (!Number.isNaN(t)) return { time: t, id };
  }
  // Lines written by an older or foreign producer: fall back to a full parse.
  try {
    const o = JSON.parse(line) as { '@timestamp'?: unknown; event?: { id?: unknown } };
    const t = typeof o['@timestamp'] === 'string' ? Date.parse(o['@timestamp']) : Number.NaN;
    return { time: Number.isNaN(t) ? Date.now() : t, id: typeof o.event?.id === 'string' ? o.event.id : '' };
  } catch {
    return { time: Date.now(), id: '' };
  }
}

// The first occurrence of each key is the `event` object's: it precedes every other object in the
// line, and a key-like sequence inside a string value is escaped (\") so it cannot match.
const ACTION = /"action":"([^"]{1,64})"/;
const KIND = /"kind":"([^"]{1,16})"/;
const SEVERITY = /"severity":(\d{1,3})/;
const OUTCOME = /"outcome":"([^"]{1,16})"/;

/** `{"@timestamp":"` then 24 ISO characters then `","event":{"id":"` then a 36-character UUID. */
const TS_AT = 15;
const ID_AT = TS_AT + 24 + 17;
const PREFIX = Buffer.from('{"@timestamp":"');
const MIDDLE = Buffer.from('","event":{"id":"');

/** `lineHead` for a line as bytes: reads the fixed-width fields in place when the line has them. */
export function bufferHead(line: Buffer): LineHead {
  if (
    line.length > ID_AT + 37 &&
    line.compare(PREFIX, 0, PREFIX.length, 0, TS_AT) === 0 &&
    line.compare(MIDDLE, 0, MIDDLE.length, TS_AT + 24, ID_AT) === 0 &&
    line[ID_AT + 36] === 0x22
  ) {
    const time = Date.parse(line.toString('latin1', TS_AT, TS_AT + 24));
    if (!Number.isNaN(time)) return { time, id: line.toString('latin1', ID_AT, ID_AT + 36) };
  }
  return lineHead(line.toString('utf8'));
}

/** Fields the syslog sink puts in its header (severity, MSGID), read without a full parse. */
export function lineSummary(line: string): {
  action: string;
  kind: string;
  severity: number;
  outcome: string;
} {
  return {
    action: ACTION.exec(line)?.[1] ?? 'event',
    kind: KIND.exec(line)?.[1] ?? 'event',
    severity: Number(SEVERITY.exec(line)?.[1] ?? 0),
    outcome: OUTCOME.exec(line)?.[1] ?? 'unknown',
  };
}
