import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One call the fixture received: the rubric (from the response_format name), the user text, when. */
export interface JudgeCall {
  readonly rubric: string;
  readonly model: string;
  readonly text: string;
  readonly at: number;
}

export type JudgeMode = 'answer' | 'hold' | 'down' | 'invalid';

export interface JudgeServer {
  readonly url: string;
  readonly calls: JudgeCall[];
  /** How the next calls are answered: normally, never (held open), 503, or JSON off the schema. */
  mode: JudgeMode;
  /** TLS handshakes the server refused (TLS mode: no or bad client certificate, version). */
  readonly refused: string[];
  /** Answers every held call normally. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A local OpenAI-compatible Judge for tests: `/v1/chat/completions` with a `json_schema`
 * response_format, answered deterministically from the text it is given: `fail` when the exchange
 * contains "secret plan", `escalate` for "ask a human", else `pass`; a score for every criterion
 * the schema requires.
 */
export interface JudgeServerTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** CA of the client certificates it requires (mutual TLS); none: no client certificate asked. */
  readonly clientCa?: string | Buffer;
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export async function startJudgeServer(opts: { tls?: JudgeServerTls } = {}): Promise<JudgeServer> {
  const refused: string[] = [];
  const held: Array<() => void> = [];
  const calls: JudgeCall[] = [];
  const answer = (res: ServerResponse, body: Record<string, unknown>, invalid: boolean): void => {
    const rf = body.response_format as { json_schema?: { name?: string; schema?: Record<string, unknown> } };
    const schema = rf.json_schema?.schema ?? {};
    const criteria = (
      ((schema.properties as Record<string, { required?: string[] }> | undefined)?.scores?.required ??
        []) as string[]
    ).slice();
    const msgs = body.messages as Array<{ role: string; content: string }>;
    const text = msgs.find((m) => m.role === 'user')?.content ?? '';
    const verdict = text.includes('secret plan')
      ? 'fail'
      : text.includes('ask a human')
        ? 'escalate'
        : 'pass';
    const score = verdict === 'pass' ? 0.05 : 0.9;
    const content = invalid
      ? JSON.stringify({ verdict: 'maybe', confidence: 2 })
      : JSON.stringify({
          verdict,
          scores: Object.fromEntries(criteria.map((c) => [c, score])),
          confidence: 0.8,
          rationale: `deterministic fixture verdict: ${verdict}`,
        });
    const out = JSON.stringify({
      id: 'judge-1',
      object: 'chat.completion',
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130 },
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const rf = body.response_format as { json_schema?: { name?: string } } | undefined;
      const msgs = body.messages as Array<{ role: string; content: string }>;
      calls.push({
        rubric: (rf?.json_schema?.name ?? '').replace(/^judge_/, ''),
        model: String(body.model),
        text: msgs.find((m) => m.role === 'user')?.content ?? '',
        at: Date.now(),
      });
      const mode = srv.mode;
      if (mode === 'down') {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"down"}}');
        return;
      }
      if (mode === 'hold') {
        held.push(() => answer(res, body, false));
        return;
      }
      answer(res, body, mode === 'invalid');
    });
  };
  const tls = opts.tls;
  const server: Server =
    tls === undefined
      ? createServer(handler)
      : createTlsServer(
          {
            cert: tls.cert,
            key: tls.key,
            ...(tls.clientCa !== undefined && {
              ca: tls.clientCa,
              requestCert: true,
              rejectUnauthorized: true,
            }),
            maxVersion: tls.maxVersion ?? 'TLSv1.3',
          },
          handler,
        );
  server.on('tlsClientError', (err: NodeJS.ErrnoException) => refused.push(err.code ?? err.message));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const srv: JudgeServer = {
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}/v1`,
    calls,
    refused,
    mode: 'answer',
    release() {
      for (const h of held.splice(0)) h();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return srv;
}
