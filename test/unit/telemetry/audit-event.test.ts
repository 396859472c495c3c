import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { telemetrySchema } from '../../../src/config/schema/telemetry.js';
import { GatehouseError } from '../../../src/errors/gatehouse-error.js';
import type { RequestContext } from '../../../src/pipeline/context.js';
import { createEventFactory } from '../../../src/telemetry/audit/build.js';
import { deriveSecurityEvents } from '../../../src/telemetry/audit/derive.js';
import { bufferHead, lineHead, lineSummary, toLine } from '../../../src/telemetry/audit/line.js';
import { GPU_PARSERS } from '../../../src/telemetry/gpu.js';
import { createMetrics, labelCap } from '../../../src/telemetry/metrics.js';

/** A finished request as the record stage sees it (only the fields the builder reads). */
function ctx(over: Partial<RequestContext> = {}): RequestContext {
  return {
    requestId: 'req_abc',
    trace: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: null, flags: '01' },
    req: { method: 'POST', url: '/v1/chat/completions?x=1', headers: {} },
    start: performance.now() - 25,
    startedAt: Date.UTC(2026, 0, 1),
    endpoint: 'chat',
    sourceIp: '192.0.2.9',
    userAgent: 'ua/1',
    identity: null,
    route: null,
    alias: 'demo',
    body: {
      model: 'demo',
      messages: [{ role: 'user', content: 'call me on 555-0100, key AKIAIOSFODNN7EXAMPLE' }],
    },
    stream: false,
    inputTokens: 12,
    maxOutputTokens: 64,
    upstream: {
      status: 200,
      json: { model: 'demo', choices: [{ message: { content: 'AKIAIOSFODNN7EXAMPLE back' } }] },
      stream: null,
    },
    usage: { inputTokens: 12, outputTokens: 4 },
    usageSource: 'upstream',
    streamedText: '',
    ttftMs: null,
    status: 200,
    error: null,
    verdicts: [],
    flags: [],
    cost: 0.001,
    ...over,
  } as unknown as RequestContext;
}

const redact = (t: string) => t.replaceAll('AKIAIOSFODNN7EXAMPLE', '[SECRET]');

describe('audit event v1', () => {
  it('carries no prompt or answer text by default', () => {
    const f = createEventFactory({ version: '0', includeText: false, maxTextChars: 100 });
    const line = toLine(f.request(ctx()));
    expect(line).not.toContain('AKIA');
    expect(line).not.toContain('555-0100');
    expect(JSON.parse(line).url.path).toBe('/v1/chat/completions');
  });

  it('refuses to include text without the detectors redaction, and redacts before truncating', () => {
    expect(() => createEventFactory({ version: '0', includeText: true, maxTextChars: 100 })).toThrow(
      /redaction/,
    );
    const f = createEventFactory({ version: '0', includeText: true, maxTextChars: 40, redact });
    const ev = f.request(ctx());
    const text = JSON.stringify(ev.gen_ai);
    expect(text).not.toContain('AKIA');
    expect(ev.gen_ai!.input!.messages).toEqual([
      { role: 'user', content: 'call me on 555-0100, key [SECRET]' },
    ]);
    expect(ev.gen_ai!.output!.messages).toEqual([{ role: 'assistant', content: '[SECRET] back' }]);
    // A secret cut by the length cap is redacted first, so no fragment of it survives.
    const g = createEventFactory({ version: '0', includeText: true, maxTextChars: 30, redact });
    expect(JSON.stringify(g.request(ctx()).gen_ai)).not.toContain('AKIA');
  });

  it('opens every line with @timestamp and event.id so sinks read them without parsing', () => {
    const f = createEventFactory({ version: '0', includeText: false, maxTextChars: 100 });
    const ev = f.request(ctx({ status: 502, error: new GatehouseError('GH_ERR_UPSTREAM_ERROR') }));
    const line = toLine(ev);
    expect(lineHead(line)).toEqual({ time: Date.UTC(2026, 0, 1), id: ev.event.id });
    // The byte-level reader agrees, on a line of ours and on a foreign one.
    expect(bufferHead(Buffer.from(line))).toEqual(lineHead(line));
    const foreign = JSON.stringify({ event: { id: 'x-1' }, '@timestamp': '2026-01-01T00:00:00Z' });
    expect(bufferHead(Buffer.from(foreign))).toEqual({ time: Date.UTC(2026, 0, 1), id: 'x-1' });
    expect(lineSummary(line)).toEqual({
      action: 'gen_ai.request',
      kind: 'event',
      severity: 0,
      outcome: 'failure',
    });
    expect(ev.error).toEqual({ code: 'GH_ERR_UPSTREAM_ERROR', type: 'server_error' });
    expect(ev.event.duration).toBeGreaterThan(0);
  });

  it('derives security events from the outcome: auth codes, unknown consumers, limits, quota, verdicts', () => {
    const c = ctx({
      status: 401,
      error: new GatehouseError('GH_ERR_AUTH_UNKNOWN_CONSUMER'),
      verdicts: [
        { phase: 'input', detector: 'secrets', type: 'aws_key', action: 'block', score: 1 },
        { phase: 'input', detector: 'pii', type: 'phone', action: 'allow', score: 0.2 },
      ],
    });
    expect(deriveSecurityEvents(c).map((e) => e.action)).toEqual([
      'auth.failure',
      'consumer.unknown',
      'guardrail.verdict',
    ]);
    const l = ctx({ status: 429, error: new GatehouseError('GH_ERR_RATE_INPUT_TOKENS') });
    expect(deriveSecurityEvents(l)).toEqual([{ action: 'limit.hit', dimension: 'input_tokens' }]);
    const pushed = ctx({ status: 401, error: new GatehouseError('GH_ERR_AUTH_INVALID') });
    pushed.securityEvents = [{ action: 'auth.failure', reason: 'GH_ERR_AUTH_INVALID', method: 'jwt' }];
    expect(deriveSecurityEvents(pushed)).toEqual(pushed.securityEvents);
  });

  it('security and alert events use ECS classification and the request correlation', () => {
    const f = createEventFactory({ version: '0', includeText: false, maxTextChars: 100 });
    const ev = f.security(
      { action: 'auth.failure', reason: 'GH_ERR_AUTH_INVALID', method: 'api_key' },
      ctx(),
    );
    expect(ev).toMatchObject({
      event: {
        kind: 'event',
        category: ['authentication'],
        action: 'auth.failure',
        outcome: 'failure',
        reason: 'GH_ERR_AUTH_INVALID',
      },
      source: { ip: '192.0.2.9' },
      trace: { id: 'a'.repeat(32) },
      http: { request: { id: 'req_abc' } },
      gatehouse: { auth: { method: 'api_key' } },
    });
    const mode = f.security(
      { action: 'mode.change', from: 'primary', to: 'alternate', reason: 'guardrails degraded' },
      {},
    );
    expect(mode).toMatchObject({
      event: { category: ['configuration'] },
      gatehouse: { mode: { from: 'primary', to: 'alternate' } },
    });
    const alert = f.alert({
      signal: 'auth_failures',
      fingerprint: 'auth_failures:192.0.2.9',
      severity: 'high',
      status: 'firing',
      value: 11,
      threshold: 10,
      baseline: null,
      startsAt: 0,
      endsAt: null,
      summary: 's',
      labels: { source_ip: '192.0.2.9' },
    });
    expect(alert).toMatchObject({
      event: { kind: 'alert', action: 'alert.firing', severity: 73 },
      source: { ip: '192.0.2.9' },
    });
  });
});

describe('metric label cardinality', () => {
  it('caps free-form label values and keeps the consumer label off unless asked', async () => {
    const cap = labelCap(2);
    expect(['a', 'b', 'c', 'a', 'd'].map(cap)).toEqual(['a', 'b', '_other', 'a', '_other']);

    const off = new Registry();
    createMetrics(off, telemetrySchema.parse({}).metrics).request(
      ctx({ identity: { consumer: 'x' } as never }),
      0.1,
    );
    expect(await off.metrics()).not.toContain('consumer=');

    const on = new Registry();
    const m = createMetrics(
      on,
      telemetrySchema.parse({ metrics: { consumerLabel: true, maxConsumers: 2 } }).metrics,
    );
    for (const consumer of ['c1', 'c2', 'c3', 'c4']) m.request(ctx({ identity: { consumer } as never }), 0.1);
    const text = await on.metrics();
    expect(text).toContain('consumer="c1"');
    expect(text).toContain('consumer="c2"');
    expect(text).not.toContain('consumer="c3"');
    expect(text).toMatch(/gatehouse_requests_total\{[^}]*consumer="_other"\} 2/);
    // The requested alias never becomes a label: an unrouted request reads `_none`.
    expect(text).toContain('route="_none"');
    expect(text).not.toContain('route="demo"');
  });
});

describe('GPU metrics parsers', () => {
  it('reads DCGM framebuffer used/free per GPU', () => {
    const text = [
      '# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).',
      '# TYPE DCGM_FI_DEV_FB_USED gauge',
      'DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-1",modelName="A100"} 72000',
      'DCGM_FI_DEV_FB_FREE{gpu="0",UUID="GPU-1",modelName="A100"} 8000',
      'DCGM_FI_DEV_FB_USED{gpu="1",UUID="GPU-2"} 1000',
      'DCGM_FI_DEV_FB_FREE{gpu="1",UUID="GPU-2"} 79000',
    ].join('\n');
    expect(GPU_PARSERS.dcgm(text)).toEqual([
      { gpu: '0', ratio: 0.9 },
      { gpu: '1', ratio: 0.0125 },
    ]);
  });

  it("reads vLLM's KV-cache usage under the old and the new metric name", () => {
    const text = [
      '# TYPE vllm:gpu_cache_usage_perc gauge',
      'vllm:gpu_cache_usage_perc{model_name="m",engine="0"} 0.93',
      'vllm:kv_cache_usage_perc{model_name="m",engine="1"} 0.41',
      'vllm:num_requests_running{model_name="m"} 3',
    ].join('\n');
    expect(GPU_PARSERS.vllm(text)).toEqual([
      { gpu: '0', ratio: 0.93 },
      { gpu: '1', ratio: 0.41 },
    ]);
  });
});
