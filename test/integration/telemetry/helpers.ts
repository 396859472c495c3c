import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { type TelemetryConfig, telemetrySchema } from '../../../src/config/schema/telemetry.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import type { AuditEvent } from '../../../src/telemetry/audit/schema.js';
import { createTelemetryService, type TelemetryService } from '../../../src/telemetry/service.js';

export const tmp = (p: string): string => mkdtempSync(join(tmpdir(), p));

export function makeEvent(svc: TelemetryService, n: number): AuditEvent {
  return svc.events.security(
    { action: 'config.reload', outcome: 'success', version: String(n) },
    { consumer: `c${n}` },
  );
}

export async function service(
  raw: Record<string, unknown>,
): Promise<{ svc: TelemetryService; cfg: TelemetryConfig }> {
  const cfg = telemetrySchema.parse(raw);
  const svc = await createTelemetryService({
    config: cfg,
    store: createMemoryStore(),
    registry: new Registry(),
    logger: pino({ level: 'silent' }),
    autoTick: false,
    secret: (ref) => (ref === '${GH_TEST_TOKEN}' ? 'test-token-value' : ref),
  });
  return { svc, cfg };
}

/** A real HTTP receiver on 127.0.0.1: `answer` decides each response. */
export interface Receiver {
  readonly url: string;
  readonly bodies: Array<{ headers: IncomingMessage['headers']; body: string }>;
  answer: (body: string, req: IncomingMessage) => { status: number; body?: string };
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const r: Receiver = {
    url: '',
    bodies: [],
    answer: () => ({ status: 200, body: '{"text":"Success","code":0}' }),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const a = r.answer(body, req);
      if (a.status < 300) r.bodies.push({ headers: req.headers, body });
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const addr = server.address() as AddressInfo;
  return Object.assign(r, {
    url: `http://127.0.0.1:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

/** Splits Splunk HEC's concatenated JSON envelopes. */
export function hecEnvelopes(body: string): Array<{ time: number; sourcetype: string; event: AuditEvent }> {
  return body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}
