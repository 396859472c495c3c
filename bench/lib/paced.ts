import { request } from 'undici';
import { endsWord, mockToken } from './mock-tokens.js';

/** One streamed answer as the client saw it: when each content token arrived, in ms after sending. */
export interface PacedAnswer {
  /** Arrival of each token's whole text, in order. */
  readonly tokenAt: readonly number[];
  /** Data events that carried content. */
  readonly contentEvents: number;
  /**
   * Arrival of the first data event (the role event, which the mock sends with the headers): from
   * here on the stream is flowing, so a token's delay past it no longer includes the request's
   * fixed cost before the upstream call (auth, limits, input guard), only what the stream adds.
   */
  readonly firstEventAt: number;
  readonly text: string;
}

/**
 * Sends one streamed chat request and timestamps every SSE event that carries content. Token `k`
 * of the upstream is placed at the arrival of the event that completes its text, so a token split
 * over two events, or released one event late, shows as a later arrival.
 */
export async function pacedAnswer(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
): Promise<PacedAnswer> {
  const t0 = performance.now();
  const res = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${await res.body.text()}`);
  const tokenAt: number[] = [];
  let text = '';
  let buf = '';
  let contentEvents = 0;
  let firstEventAt = Number.NaN;
  for await (const chunk of res.body) {
    const at = performance.now() - t0;
    buf += chunk.toString('utf8');
    let nl = buf.indexOf('\n\n');
    while (nl >= 0) {
      const ev = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      nl = buf.indexOf('\n\n');
      if (!ev.startsWith('data: ') || ev === 'data: [DONE]') continue;
      if (Number.isNaN(firstEventAt)) firstEventAt = at;
      const obj = JSON.parse(ev.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> };
      const c = obj.choices?.[0]?.delta?.content;
      if (typeof c !== 'string' || c === '') continue;
      contentEvents++;
      text += c;
      // Token k has arrived once the text is as long as the mock's first k + 1 tokens.
      while (text.length >= tokenEnd(tokenAt.length)) tokenAt.push(at);
    }
  }
  return { tokenAt, contentEvents, firstEventAt, text };
}

/** Length of the mock's first k + 1 tokens. */
function tokenEnd(k: number): number {
  let n = 0;
  for (let i = 0; i <= k; i++) n += mockToken(i).length;
  return n;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

export interface PacedRow {
  readonly target: string;
  readonly requests: number;
  /** Median arrival of the first token, ms after sending. */
  readonly ttft: number;
  /** Median over tokens of (median arrival of token k) − (the same for `direct`). */
  readonly addedPerToken: number;
  /** The same over the tokens that end their word ("word3,"). */
  readonly addedAtWordEnd: number;
  /**
   * The same as `addedAtWordEnd`, each arrival counted from the answer's first event (vs direct's):
   * the delay the stream path adds to a token, without the request's fixed start-up cost.
   */
  readonly streamAddedAtWordEnd: number;
  /** Worst token of the above. */
  readonly addedMax: number;
  readonly eventsPerAnswer: number;
}

export function summarisePaced(
  target: string,
  answers: readonly PacedAnswer[],
  direct: readonly PacedAnswer[] | null,
): PacedRow {
  const n = Math.min(...answers.map((a) => a.tokenAt.length));
  const at = (as: readonly PacedAnswer[], k: number) => median(as.map((a) => a.tokenAt[k] ?? Number.NaN));
  const added: number[] = [];
  const addedAtWordEnd: number[] = [];
  const streamAdded: number[] = [];
  const since = (as: readonly PacedAnswer[], k: number) =>
    median(as.map((a) => (a.tokenAt[k] ?? Number.NaN) - a.firstEventAt));
  if (direct !== null)
    for (let k = 0; k < n; k++) {
      const d = at(answers, k) - at(direct, k);
      added.push(d);
      if (endsWord(k)) {
        addedAtWordEnd.push(d);
        streamAdded.push(since(answers, k) - since(direct, k));
      }
    }
  return {
    target,
    requests: answers.length,
    ttft: at(answers, 0),
    addedPerToken: added.length === 0 ? 0 : median(added),
    addedAtWordEnd: addedAtWordEnd.length === 0 ? 0 : median(addedAtWordEnd),
    streamAddedAtWordEnd: streamAdded.length === 0 ? 0 : median(streamAdded),
    addedMax: added.length === 0 ? 0 : Math.max(...added),
    eventsPerAnswer: median(answers.map((a) => a.contentEvents)),
  };
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

export function pacedTable(rows: readonly PacedRow[], paceMs: number): string {
  const out = [
    `| target | answers | TTFT ms (median; first-token gap ${paceMs} ms) | TTFT − gap | added delay per token vs direct, median ms | same, tokens ending a word | same, from the first event | worst token ms | content events per answer |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows)
    out.push(
      `| ${r.target} | ${r.requests} | ${f1(r.ttft)} | ${f1(r.ttft - paceMs)} | ${f1(r.addedPerToken)} | ${f1(r.addedAtWordEnd)} | ${f1(r.streamAddedAtWordEnd)} | ${f1(r.addedMax)} | ${r.eventsPerAnswer} |`,
    );
  return out.join('\n');
}
