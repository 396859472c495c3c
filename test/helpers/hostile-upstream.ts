import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible upstream that misbehaves on purpose, for the output-budget and
 * error-attribution tests. It answers chat and completions (shape from the path, `n` choices from
 * the body) and records, per request, how many bytes it wrote and whether the gateway hung up
 * before it had finished (`aborted`).
 */
export type HostileMode =
  /** Streams one-word deltas without usage until `totalBytes` were written or the gateway hangs up. */
  | { kind: 'endless'; totalBytes: number; wordsPerDelta?: number }
  /** Streams `tokens` one-word deltas whatever `max_tokens` says, then finish, usage and [DONE]. */
  | { kind: 'ignores-max'; tokens: number }
  /** A non-streamed answer of `words` words per choice, with or without usage. */
  | { kind: 'huge-json'; words: number; usage: boolean }
  /** A few deltas, then the socket is destroyed mid-stream. */
  | { kind: 'reset'; deltas: number }
  /** A few deltas, then a data line that is not JSON. */
  | { kind: 'malformed' }
  /** Streams chunks that carry no text (role-only deltas) until `totalBytes` or a hang-up. */
  | { kind: 'empty-deltas'; totalBytes: number }
  /** A short answer and its [DONE], then keeps sending comments until `totalBytes` or a hang-up. */
  | { kind: 'after-done'; totalBytes: number };

export interface HostileRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
  bytesWritten: number;
  /** The gateway closed the connection before the answer ended. */
  aborted: boolean;
  /** Resolves once the exchange is over (finished or aborted). */
  readonly closed: Promise<void>;
}

export interface HostileUpstream {
  readonly url: string;
  mode: HostileMode;
  readonly requests: HostileRequest[];
  last(): HostileRequest;
  close(): Promise<void>;
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

export async function startHostileUpstream(mode: HostileMode): Promise<HostileUpstream> {
  const requests: HostileRequest[] = [];
  const state = { mode };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
    const path = (req.url ?? '').split('?')[0] ?? '';
    let resolveClosed = () => {};
    const rec: HostileRequest = {
      path,
      body,
      bytesWritten: 0,
      aborted: false,
      closed: new Promise<void>((r) => {
        resolveClosed = r;
      }),
    };
    requests.push(rec);
    res.on('close', () => {
      if (!res.writableFinished) rec.aborted = true;
      resolveClosed();
    });
    const chat = path.endsWith('/chat/completions');
    const n = typeof body.n === 'number' ? body.n : 1;
    const write = async (s: string): Promise<boolean> => {
      if (res.destroyed) return false;
      rec.bytesWritten += Buffer.byteLength(s);
      // Backpressure: a hostile upstream still cannot push faster than the gateway reads.
      if (!res.write(s))
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done).off('close', done);
            resolve();
          };
          res.on('drain', done).on('close', done);
        });
      return !res.destroyed;
    };
    const chunk = (index: number, text: string | null, finish: string | null = null) => {
      const choice = chat
        ? { index, delta: text === null ? { role: 'assistant' } : { content: text }, finish_reason: finish }
        : { index, text: text ?? '', finish_reason: finish };
      return `data: ${JSON.stringify({
        id: 'cmpl-hostile',
        object: chat ? 'chat.completion.chunk' : 'text_completion',
        created: 1,
        model: String(body.model),
        choices: [choice],
      })}\n\n`;
    };
    const m = state.mode;
    if (m.kind === 'huge-json') {
      const text = Array.from({ length: m.words }, (_, i) => WORDS[i % WORDS.length]).join(' ');
      const choices = Array.from({ length: n }, (_, index) =>
        chat
          ? { index, message: { role: 'assistant', content: text }, finish_reason: 'stop' }
          : { index, text, finish_reason: 'stop' },
      );
      const answer: Record<string, unknown> = {
        id: 'cmpl-hostile',
        object: chat ? 'chat.completion' : 'text_completion',
        created: 1,
        model: String(body.model),
        choices,
      };
      if (m.usage)
        answer.usage = { prompt_tokens: 7, completion_tokens: m.words * n, total_tokens: 7 + m.words * n };
      const s = JSON.stringify(answer);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
      await write(s);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (!(await write(chunk(0, null)))) return;
    let i = 0;
    const word = () => ` ${WORDS[i++ % WORDS.length]}`;
    switch (m.kind) {
      case 'endless': {
        const per = m.wordsPerDelta ?? 1;
        while (rec.bytesWritten < m.totalBytes) {
          let text = '';
          for (let k = 0; k < per; k++) text += word();
          if (!(await write(chunk(i % n, text)))) return;
        }
        res.end();
        return;
      }
      case 'empty-deltas': {
        while (rec.bytesWritten < m.totalBytes) if (!(await write(chunk(0, null)))) return;
        res.end();
        return;
      }
      case 'ignores-max': {
        for (let k = 0; k < m.tokens; k++) if (!(await write(chunk(k % n, word())))) return;
        for (let c = 0; c < n; c++) if (!(await write(chunk(c, '', 'stop')))) return;
        const usage = { prompt_tokens: 7, completion_tokens: m.tokens, total_tokens: 7 + m.tokens };
        await write(
          `data: ${JSON.stringify({ id: 'cmpl-hostile', object: 'x', created: 1, choices: [], usage })}\n\n`,
        );
        await write('data: [DONE]\n\n');
        res.end();
        return;
      }
      case 'reset': {
        for (let k = 0; k < m.deltas; k++) if (!(await write(chunk(0, word())))) return;
        // Let the deltas reach the gateway before the connection drops.
        setTimeout(() => res.socket?.destroy(), 30);
        return;
      }
      case 'after-done': {
        for (let k = 0; k < 3; k++) if (!(await write(chunk(0, word())))) return;
        if (!(await write(chunk(0, '', 'stop')))) return;
        if (!(await write('data: [DONE]\n\n'))) return;
        const junk = `: ${'x'.repeat(1_000)}\n`;
        while (rec.bytesWritten < m.totalBytes) if (!(await write(junk))) return;
        res.end();
        return;
      }
      case 'malformed': {
        await write(chunk(0, word()));
        await write('data: {"choices": [ this is not json\n\n');
        res.end();
        return;
      }
    }
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get mode() {
      return state.mode;
    },
    set mode(m: HostileMode) {
      state.mode = m;
    },
    requests,
    last() {
      const r = requests.at(-1);
      if (r === undefined) throw new Error('the hostile upstream received no request');
      return r;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
