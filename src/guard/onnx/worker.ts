/**
 * One ONNX worker thread: loads the tokenizer and the model (its own session, `threads` intra-op
 * threads), checks them with one warm-up run, then answers `{id, text}` with the text's score. The
 * event loop of the gateway never runs tokenisation or inference; this thread does, one text at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { loadRowEncoder, type Rows } from './windows.js';

export interface WorkerInit {
  readonly modelPath: string;
  readonly tokenizerPath: string;
  readonly maxTokens: number;
  readonly maxWindows: number;
  readonly benignLabel: number;
  readonly threads: number;
}

export type ToWorker = { readonly id: number; readonly text: string };
export type FromWorker =
  | { readonly type: 'ready'; readonly labels: number }
  | { readonly type: 'failed'; readonly message: string }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly score: number;
      /** Tokenisation and inference in this thread, ms. */
      readonly inferMs: number;
      readonly tokens: number;
    }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

async function main(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<void> {
  const post = (m: FromWorker) => port.postMessage(m);
  let encoder: ReturnType<typeof loadRowEncoder>;
  let session: ort.InferenceSession;
  try {
    encoder = loadRowEncoder(init.tokenizerPath, init);
  } catch (err) {
    post({ type: 'failed', message: `tokenizer ${init.tokenizerPath}: ${(err as Error).message}` });
    return;
  }
  try {
    session = await ort.InferenceSession.create(init.modelPath, {
      intraOpNumThreads: init.threads,
      interOpNumThreads: 1,
      executionProviders: ['cpu'],
      // The runtime's own stderr lines stay quiet: a failed run reaches the gateway's log as its error.
      logSeverityLevel: 4,
    });
  } catch (err) {
    post({ type: 'failed', message: `model ${init.modelPath}: ${(err as Error).message}` });
    return;
  }
  const unknown = session.inputNames.filter((n) => !KNOWN_INPUTS.has(n));
  const output = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0];
  if (!session.inputNames.includes('input_ids') || unknown.length > 0 || output === undefined) {
    post({
      type: 'failed',
      message: `model ${init.modelPath}: inputs [${session.inputNames.join(', ')}] are not a sequence classifier's (input_ids, attention_mask, token_type_ids)`,
    });
    return;
  }
  const feeds = (rows: Rows): Record<string, ort.Tensor> => {
    const dims = [rows.rows, rows.cols];
    const out: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const data =
        name === 'input_ids'
          ? rows.ids
          : name === 'attention_mask'
            ? rows.mask
            : new BigInt64Array(rows.ids.length);
      out[name] = new ort.Tensor('int64', data, dims);
    }
    return out;
  };
  /** The highest window's probability of not being the benign label (softmax over the logits). */
  const score = async (text: string): Promise<{ score: number; labels: number; tokens: number }> => {
    const rows = encoder.encode(text);
    const result = await session.run(feeds(rows));
    const logits = result[output];
    if (logits === undefined || logits.dims.length !== 2 || logits.dims[0] !== rows.rows)
      throw new Error(`output ${output} is not [batch, labels]`);
    const labels = Number(logits.dims[1]);
    if (labels < 2 || init.benignLabel >= labels)
      throw new Error(
        `output ${output} has ${labels} labels; benignLabel ${init.benignLabel} is not one of them`,
      );
    const data = logits.data as Float32Array;
    let best = 0;
    for (let r = 0; r < rows.rows; r++) {
      const row = data.subarray(r * labels, (r + 1) * labels);
      const max = Math.max(...row);
      let sum = 0;
      for (const v of row) sum += Math.exp(v - max);
      const benign = Math.exp((row[init.benignLabel] ?? 0) - max) / sum;
      if (!Number.isFinite(benign)) throw new Error(`output ${output} is not finite`);
      best = Math.max(best, 1 - benign);
    }
    return { score: best, labels, tokens: rows.tokens };
  };
  try {
    const warm = await score('Hello, what is the weather like today?');
    post({ type: 'ready', labels: warm.labels });
  } catch (err) {
    post({
      type: 'failed',
      message: `model ${init.modelPath}: warm-up run failed: ${(err as Error).message}`,
    });
    return;
  }
  port.on('message', (m: ToWorker) => {
    const t0 = performance.now();
    score(m.text).then(
      (s) =>
        post({ type: 'result', id: m.id, score: s.score, inferMs: performance.now() - t0, tokens: s.tokens }),
      (err: unknown) => post({ type: 'error', id: m.id, message: (err as Error).message }),
    );
  });
}

if (parentPort !== null) void main(parentPort, workerData as WorkerInit);
