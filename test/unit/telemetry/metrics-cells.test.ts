import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { telemetrySchema } from '../../../src/config/schema/telemetry.js';
import type { RequestContext } from '../../../src/pipeline/context.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';

/** Only the fields `metrics.request` reads. */
function ctx(route: string | null, status: number, input: number, output: number): RequestContext {
  return {
    route: route === null ? null : { alias: route },
    endpoint: 'chat',
    identity: null,
    status,
    ttftMs: null,
    usage: { inputTokens: input, outputTokens: output },
    cost: 0,
    verdicts: [],
    error: null,
  } as unknown as RequestContext;
}

const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const REQ_A_200 = 'gatehouse_requests_total{route="a",endpoint="chat",status="200",status_class="2xx"}';
const REQ_A_502 = 'gatehouse_requests_total{route="a",endpoint="chat",status="502",status_class="5xx"}';
const IN_A = 'gatehouse_tokens_total{route="a",type="input"}';
const OUT_A = 'gatehouse_tokens_total{route="a",type="output"}';

describe('per-request metrics (cached series)', () => {
  it('every scrape reads the exact running totals', async () => {
    const reg = new Registry();
    const m = createMetrics(reg, telemetrySchema.parse({}).metrics);
    m.request(ctx('a', 200, 10, 3), 0.01);
    m.request(ctx('a', 200, 5, 0), 0.02);
    m.request(ctx('a', 502, 0, 0), 0.03);
    let text = await reg.metrics();
    expect(value(text, REQ_A_200)).toBe(2);
    expect(value(text, REQ_A_502)).toBe(1);
    expect(value(text, IN_A)).toBe(15);
    expect(value(text, OUT_A)).toBe(3);
    expect(value(text, 'gatehouse_request_duration_seconds_count{route="a",endpoint="chat"}')).toBe(3);

    // A second scrape with nothing new repeats the totals; new requests add to them.
    text = await reg.metrics();
    expect(value(text, REQ_A_200)).toBe(2);
    expect(value(text, IN_A)).toBe(15);
    m.request(ctx('a', 200, 1, 1), 0.01);
    m.request(ctx(null, 404, 0, 0), 0.01);
    text = await reg.metrics();
    expect(value(text, REQ_A_200)).toBe(3);
    expect(value(text, IN_A)).toBe(16);
    expect(value(text, OUT_A)).toBe(4);
    expect(
      value(text, 'gatehouse_requests_total{route="_none",endpoint="chat",status="404",status_class="4xx"}'),
    ).toBe(1);
    // Reading one metric alone also sees the pending increments.
    m.request(ctx('a', 200, 0, 0), 0.01);
    const one = await reg.getSingleMetric('gatehouse_requests_total')!.get();
    expect(one.values.find((v) => v.labels.status === '200')?.value).toBe(4);
  });

  it('keeps counting exactly past the cache bound', async () => {
    const reg = new Registry();
    const m = createMetrics(reg, telemetrySchema.parse({}).metrics);
    for (let status = 1000; status < 6000; status++) m.request(ctx('a', status, 1, 0), 0.01);
    m.request(ctx('a', 5999, 1, 0), 0.01);
    const text = await reg.metrics();
    expect(value(text, IN_A)).toBe(5001);
    expect(
      value(text, 'gatehouse_requests_total{route="a",endpoint="chat",status="5999",status_class="59xx"}'),
    ).toBe(2);
    expect(
      value(text, 'gatehouse_requests_total{route="a",endpoint="chat",status="1000",status_class="10xx"}'),
    ).toBe(1);
  });
});
