import { Writable } from 'node:stream';
import OpenAI from 'openai';
import pino from 'pino';
import { type Gateway, type StartOptions, startGateway } from '../../src/boot/gateway.js';
import { parseConfig } from '../../src/config/load.js';
import type { GatehouseConfig, GatehouseConfigInput } from '../../src/config/schema/index.js';
import {
  DEMO_MODEL_ID,
  type DemoUpstream,
  type DemoUpstreamOptions,
  startDemoUpstream,
} from '../../src/demo/upstream.js';
import { demoApiKey } from '../../src/edge/auth/demo.js';
import { REDACT_PATHS } from '../../src/telemetry/logger.js';

/** Log lines captured from a gateway under test (parsed JSON). */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    for (const l of chunk.toString('utf8').split('\n')) {
      if (l === '') continue;
      this.raw.push(l);
      this.lines.push(JSON.parse(l));
    }
    cb();
  }
  requests(): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.event === 'request');
  }
}

export interface TestGateway {
  readonly gw: Gateway;
  readonly upstream: DemoUpstream;
  readonly logs: LogCapture;
  readonly config: Readonly<GatehouseConfig>;
  /** The demo consumer's API key when the test config has no auth section (null otherwise). */
  readonly key: string | null;
  /** `authorization` for raw HTTP requests with that key (empty when the test brings its own auth). */
  readonly authHeaders: Readonly<Record<string, string>>;
  client(opts?: { apiKey?: string; maxRetries?: number; defaultHeaders?: Record<string, string> }): OpenAI;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Config overrides merged over a plain-HTTP loopback config with one route `demo` to the upstream. */
  config?: (upstreamUrl: string) => GatehouseConfigInput;
  upstream?: DemoUpstreamOptions;
  start?: StartOptions;
}

export function demoRoute(upstreamUrl: string, extra: Record<string, unknown> = {}) {
  return {
    alias: 'demo',
    endpoints: ['chat', 'completions', 'embeddings'] as Array<'chat' | 'completions' | 'embeddings'>,
    // The demo upstream is a loopback process of the test itself: attested co-located for the tier TLS rules.
    upstream: { provider: 'openai' as const, url: upstreamUrl, model: DEMO_MODEL_ID, zone2Colocated: true },
    ...extra,
  };
}

/** Starts the demo upstream and a gateway in front of it, both on ephemeral loopback ports. */
export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const upstream = await startDemoUpstream(opts.upstream);
  const raw: GatehouseConfigInput = opts.config
    ? opts.config(upstream.url)
    : { routes: [demoRoute(upstream.url)] };
  // Authentication stays on in tests: without an auth section, a demo consumer with a fresh key.
  const demo = raw.auth === undefined ? demoApiKey() : null;
  const config = parseConfig({
    ...raw,
    ...(demo ? { auth: demo.auth } : {}),
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true, ...(raw.server ?? {}) },
    health: { port: 0, ...(raw.health ?? {}) },
    metrics: { port: 0, ...(raw.metrics ?? {}) },
  });
  const logs = new LogCapture();
  const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, logs);
  const gw = await startGateway(config, { logger, drainMs: 200, ...opts.start });
  return {
    gw,
    upstream,
    logs,
    config,
    key: demo?.key ?? null,
    authHeaders: demo ? { authorization: `Bearer ${demo.key}` } : {},
    client: (o = {}) =>
      new OpenAI({
        baseURL: `${gw.url}/v1`,
        apiKey: o.apiKey ?? demo?.key ?? 'unused',
        maxRetries: o.maxRetries ?? 0,
        defaultHeaders: o.defaultHeaders,
      }),
    close: async () => {
      await gw.close();
      await upstream.close();
    },
  };
}

/** Waits until `check` passes or the deadline (a bound, not a performance threshold) expires. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
