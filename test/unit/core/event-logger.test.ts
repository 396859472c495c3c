import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, eventLogger, flatLineWriter } from '../../../src/telemetry/logger.js';

class Lines extends Writable {
  readonly out: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    for (const l of chunk.toString('utf8').split('\n')) if (l !== '') this.out.push(l);
    cb();
  }
}

const withoutTime = (line: string) => line.replace(/"time":"[^"]*",/, '');

const flat = {
  event: 'request',
  request_id: 'req_0123456789abcdef01234567',
  route: 'demo',
  alias: null,
  status: 200,
  stream: false,
  latency_ms: 1.5,
  user_agent: 'curl/8 "quoted" \\ back\nslash é',
};

describe('eventLogger (the per-request line)', () => {
  it('writes exactly what the production logger writes for a flat event', () => {
    const a = new Lines();
    const b = new Lines();
    createLogger('info', a).info(flat, 'request');
    eventLogger(createLogger('info', b)).info(flat, 'request');
    expect(a.out).toHaveLength(1);
    expect(withoutTime(b.out[0]!)).toBe(withoutTime(a.out[0]!));
  });

  it('still censors top-level secret keys', () => {
    const s = new Lines();
    eventLogger(createLogger('info', s)).info(
      { ...flat, authorization: 'Bearer sk-live-1', token: 't', password: 'p', api_key: 'k' },
      'request',
    );
    const line = JSON.parse(s.out[0]!);
    for (const k of ['authorization', 'token', 'password', 'api_key']) expect(line[k]).toBe('[REDACTED]');
    expect(s.out[0]).not.toContain('sk-live-1');
  });
});

/** Strings that exercise pino's encoder: quotes, backslashes, controls, long, non-ASCII, lone surrogates. */
const SAMPLES = [
  '',
  'plain',
  'say "hi"',
  'back\\slash',
  'tab\there',
  'line\nbreak "and" quote',
  'é ü 漢字 🙂',
  '\ud800 lone "q"',
  'x'.repeat(100),
  `${'y'.repeat(101)}"`,
  `"${'z'.repeat(120)}\u0001`,
];

function randomEvent(i: number): Record<string, string | number | boolean | null | undefined> {
  const pick = <T>(a: readonly T[]): T => a[(i * 7 + a.length) % a.length] as T;
  return {
    event: 'request',
    request_id: `req_${i}`,
    alias: pick(SAMPLES),
    user_agent: SAMPLES[i % SAMPLES.length] ?? null,
    consumer: i % 3 === 0 ? null : pick(SAMPLES),
    status: 200 + (i % 5),
    latency_ms: i % 4 === 0 ? Number.NaN : i % 4 === 1 ? Number.POSITIVE_INFINITY : i / 7,
    stream: i % 2 === 0,
    skipped: undefined,
    ...(i % 5 === 0 ? { token: 'secret-t', authorization: 'Bearer sk-1' } : {}),
  };
}

describe("flatLineWriter (the request line without pino's generic serialiser)", () => {
  it('writes byte for byte what eventLogger writes, with bindings and censored keys', () => {
    const a = new Lines();
    const b = new Lines();
    // One clock for both, so the time field is compared too.
    const time = () => ',"time":"2026-12-05T12:00:00.000Z"';
    const mk = (s: Lines) =>
      pino(
        {
          level: 'info',
          base: { service: 'gatehouse' },
          timestamp: time,
          formatters: { level: (label) => ({ level: label }) },
          redact: { paths: ['authorization', '*.authorization', 'token'], censor: '[REDACTED]' },
        },
        s,
      ).child({ component: 'x "y"' });
    const slow = eventLogger(mk(a));
    const fast = flatLineWriter(mk(b), 'request');
    for (let i = 0; i < 200; i++) {
      slow.info(randomEvent(i), 'request');
      fast(randomEvent(i));
    }
    expect(b.out).toHaveLength(200);
    expect(b.out).toEqual(a.out);
    expect(b.out.join('\n')).not.toContain('sk-1');
  });

  it('the production logger: the same line as eventLogger (time aside)', () => {
    const a = new Lines();
    const b = new Lines();
    eventLogger(createLogger('info', a)).info(flat, 'request');
    flatLineWriter(createLogger('info', b), 'request')(flat);
    expect(withoutTime(b.out[0] ?? '')).toBe(withoutTime(a.out[0] ?? ''));
  });

  it('respects the level, and leaves to pino what pino could change (a mixin, a serializer)', () => {
    const off = new Lines();
    flatLineWriter(createLogger('warn', off), 'request')(flat);
    expect(off.out).toEqual([]);
    const mixin = new Lines();
    flatLineWriter(pino({ mixin: () => ({ extra: 1 }) }, mixin), 'request')(flat);
    expect(JSON.parse(mixin.out[0] ?? '{}').extra).toBe(1);
    const ser = new Lines();
    flatLineWriter(pino({ serializers: { route: () => 'S' } }, ser), 'request')(flat);
    expect(JSON.parse(ser.out[0] ?? '{}').route).toBe('S');
  });
});
