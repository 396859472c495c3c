import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, eventLogger } from '../../../src/telemetry/logger.js';

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
