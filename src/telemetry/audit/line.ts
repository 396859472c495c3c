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
  const m = HEAD.exec(line);
  if (m !== null) {
    const t = Date.parse(m[1]!);
    if (!Number.isNaN(t)) return { time: t, id: m[2]! };
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
