import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** One request the fake provider received, as sent on the wire. */
export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly raw: string;
  readonly json: Record<string, unknown> | null;
}

export type FakeHandler = (req: Recorded, res: ServerResponse) => void | Promise<void>;

export interface FakeProvider {
  readonly url: string;
  readonly requests: Recorded[];
  /** Replaces what the fake answers next (tests switch fixtures per case). */
  handle(h: FakeHandler): void;
  close(): Promise<void>;
}

/** A local stand-in for a provider, on a loopback port, answering with recorded wire fixtures. */
export async function startFakeProvider(initial: FakeHandler): Promise<FakeProvider> {
  let handler = initial;
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> | null = null;
      try {
        json = raw === '' ? null : (JSON.parse(raw) as Record<string, unknown>);
      } catch {
        json = null;
      }
      const rec: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, json };
      requests.push(rec);
      void Promise.resolve(handler(rec, res)).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const FIXTURES = fileURLToPath(new URL('../fixtures/providers/', import.meta.url));

/** A recorded fixture file (test/fixtures/providers/<name>). */
export const fixture = (name: string): string => readFileSync(`${FIXTURES}${name}`, 'utf8');
export const fixtureJson = (name: string): Record<string, unknown> =>
  JSON.parse(fixture(name)) as Record<string, unknown>;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Writes a stream in several pieces, cutting lines and frames mid-way as a real network does. */
export async function sendPieces(
  res: ServerResponse,
  contentType: string,
  body: Buffer | string,
  pieces = 7,
): Promise<void> {
  res.writeHead(200, { 'content-type': contentType });
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  const step = Math.max(1, Math.ceil(buf.length / pieces));
  for (let i = 0; i < buf.length; i += step) {
    res.write(buf.subarray(i, i + step));
    await new Promise((r) => setImmediate(r));
  }
  res.end();
}

/** The settled tokens of the last request log line: what the limiter and the audit charge. */
export function lastTokens(lines: Array<Record<string, unknown>>): {
  input: unknown;
  output: unknown;
  source: unknown;
} {
  const req = lines.filter((l) => l.event === 'request').at(-1) ?? {};
  return { input: req.input_tokens, output: req.output_tokens, source: req.usage_source };
}
