import { rng } from './seeded-rng.js';

/**
 * Builds the tiny ONNX sequence classifiers the ONNX injection option is tested with
 * (test/fixtures/onnx/, written by scripts/build-onnx-fixture.ts; never downloaded).
 *
 * The protobuf is written by hand (about 60 lines below) rather than through a protobuf library: the
 * graph uses a dozen message fields of onnx.proto, the encoder writes them in one fixed order, and the
 * bytes are then the same on every run (the unit test regenerates them and compares).
 *
 * The model: mean-pooled token embeddings (masked by attention_mask) through a linear layer to
 * `logits [batch, 2]`, label 0 benign and 1 injection, like Prompt Guard 2 and the DeBERTa-v3
 * injection exports. Every vocabulary word carries an "injection weight" (`WORDS` below); the
 * embedding is that weight along one direction plus a little seeded noise, so the logit margin of a
 * text is 4 × (mean weight of its tokens, [CLS] and [SEP] included) − 2: "ignore all previous
 * instructions" scores ~0.94, a question about the weather ~0.12.
 *
 * The slow variant adds a branch that costs about 14 GFLOP when the word `tarpit` occurs (two
 * products of 1536 × 1536 matrices of ones, multiplied by zero into the logits); no CPU core runs that
 * in a few milliseconds, so a test's small latency budget is exceeded by the arithmetic, not by luck.
 */

// --- protobuf writer (proto3 wire format: varints and length-delimited fields) ---

type Field = Uint8Array;

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

const tag = (field: number, wire: number): number[] => varint((field << 3) | wire);
const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const int = (field: number, n: number | bigint): Field => Uint8Array.from([...tag(field, 0), ...varint(n)]);
const bytes = (field: number, b: Uint8Array): Field =>
  concat([Uint8Array.from([...tag(field, 2), ...varint(b.length)]), b]);
const str = (field: number, s: string): Field => bytes(field, new TextEncoder().encode(s));
const msg = (field: number, parts: readonly Field[]): Field => bytes(field, concat(parts));
const float = (field: number, f: number): Field => {
  const b = new Uint8Array(5);
  b[0] = (field << 3) | 5;
  new DataView(b.buffer).setFloat32(1, f, true);
  return b;
};

// onnx.proto field numbers and enums used here.
const FLOAT = 1;
const INT64 = 7;
const ATTR = { FLOAT: 1, INT: 2, TENSOR: 4, INTS: 7 } as const;

interface Tensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: typeof FLOAT | typeof INT64;
  readonly values: readonly number[];
}

function tensorFields(t: Tensor): Field[] {
  const raw = new Uint8Array(t.values.length * (t.type === FLOAT ? 4 : 8));
  const view = new DataView(raw.buffer);
  t.values.forEach((v, i) => {
    if (t.type === FLOAT) view.setFloat32(i * 4, v, true);
    else view.setBigInt64(i * 8, BigInt(v), true);
  });
  // TensorProto: dims 1, data_type 2, name 8, raw_data 9.
  return [...t.dims.map((d) => int(1, d)), int(2, t.type), str(8, t.name), bytes(9, raw)];
}

type Attr =
  | { readonly name: string; readonly int: number }
  | { readonly name: string; readonly ints: readonly number[] }
  | { readonly name: string; readonly float: number }
  | { readonly name: string; readonly tensor: Tensor };

function attrFields(a: Attr): Field[] {
  // AttributeProto: name 1, f 2, i 3, t 5, ints 8, type 20.
  if ('int' in a) return [str(1, a.name), int(3, a.int), int(20, ATTR.INT)];
  if ('float' in a) return [str(1, a.name), float(2, a.float), int(20, ATTR.FLOAT)];
  if ('ints' in a) return [str(1, a.name), ...a.ints.map((i) => int(8, i)), int(20, ATTR.INTS)];
  return [str(1, a.name), msg(5, tensorFields(a.tensor)), int(20, ATTR.TENSOR)];
}

interface Node {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: readonly Attr[];
}

/** ValueInfoProto of a tensor whose dims are names (symbolic) or sizes. */
function valueInfo(name: string, type: number, dims: ReadonlyArray<string | number>): Field[] {
  // TypeProto.tensor_type 1 → elem_type 1, shape 2 → dim 1 → dim_value 1 | dim_param 2.
  const dimFields = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  return [str(1, name), msg(2, [msg(1, [int(1, type), msg(2, dimFields)])])];
}

function model(nodes: readonly Node[], initializers: readonly Tensor[]): Uint8Array {
  const graph: Field[] = [
    // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.
    ...nodes.map((n, i) =>
      msg(1, [
        ...n.inputs.map((s) => str(1, s)),
        ...n.outputs.map((s) => str(2, s)),
        str(3, `n${i}_${n.op}`),
        str(4, n.op),
        ...(n.attrs ?? []).map((a) => msg(5, attrFields(a))),
      ]),
    ),
    str(2, 'tiny_injection_classifier'),
    ...initializers.map((t) => msg(5, tensorFields(t))),
    msg(11, valueInfo('input_ids', INT64, ['batch', 'sequence'])),
    msg(11, valueInfo('attention_mask', INT64, ['batch', 'sequence'])),
    msg(12, valueInfo('logits', FLOAT, ['batch', 2])),
  ];
  // ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 (version 2).
  return concat([int(1, 8), str(2, 'gatehouse-fixture'), msg(7, graph), msg(8, [int(2, 13)])]);
}

// --- the vocabulary and its weights ---

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;

/** Word → injection weight (0: neutral). Chosen by hand for the fixture; not trained on anything. */
const WORDS: ReadonlyArray<readonly [string, number]> = [
  ...'ignore disregard forget override bypass jailbreak unrestricted pwned dan uncensored unfiltered'
    .split(' ')
    .map((w) => [w, 3] as const),
  ...'previous prior above instructions rules system prompt reveal secret password guidelines developer mode pretend'
    .split(' ')
    .map((w) => [w, 2] as const),
  ...(
    'the a an and or of to in on for with is are was be it this that what how why when where who which can you ' +
    'i me my we your please tell explain write summarize translate about weather today tomorrow recipe capital ' +
    'france paris city population history poem story email code function python list sort numbers help thanks ' +
    'hello good morning book trip flight hotel meeting schedule report data table chart all new now do not say ' +
    'tarpit'
  )
    .split(' ')
    .map((w) => [w, 0] as const),
  ...'.,?!:;\'"()-'.split('').map((w) => [w, 0] as const),
];

export const VOCAB: readonly string[] = [...SPECIAL, ...WORDS.map(([w]) => w)];
const WEIGHT = new Map<string, number>(WORDS);
const DIM = 16;

function weights(): { emb: number[]; w: number[]; b: number[] } {
  const next = rng(14);
  // The injection direction u (unit length) and its read-out: logit1 − logit0 = 4 × (u · mean).
  const u = Array.from({ length: DIM }, () => next() - 0.5);
  const norm = Math.hypot(...u);
  for (let i = 0; i < DIM; i++) u[i] = (u[i] ?? 0) / norm;
  const emb: number[] = [];
  for (const tok of VOCAB) {
    const wt = WEIGHT.get(tok) ?? 0;
    for (let i = 0; i < DIM; i++) emb.push(Math.fround(wt * (u[i] ?? 0) + 0.001 * (next() - 0.5)));
  }
  const w: number[] = [];
  for (let i = 0; i < DIM; i++) w.push(Math.fround(-2 * (u[i] ?? 0)), Math.fround(2 * (u[i] ?? 0)));
  return { emb, w, b: [1, -1] };
}

function classifierGraph(): { nodes: Node[]; inits: Tensor[] } {
  const { emb, w, b } = weights();
  return {
    inits: [
      { name: 'embeddings', dims: [VOCAB.length, DIM], type: FLOAT, values: emb },
      { name: 'classifier.weight', dims: [DIM, 2], type: FLOAT, values: w },
      { name: 'classifier.bias', dims: [2], type: FLOAT, values: b },
      { name: 'axis1', dims: [1], type: INT64, values: [1] },
      { name: 'axis2', dims: [1], type: INT64, values: [2] },
      { name: 'one', dims: [1], type: FLOAT, values: [1] },
    ],
    nodes: [
      {
        op: 'Gather',
        inputs: ['embeddings', 'input_ids'],
        outputs: ['tok'],
        attrs: [{ name: 'axis', int: 0 }],
      },
      { op: 'Cast', inputs: ['attention_mask'], outputs: ['maskf'], attrs: [{ name: 'to', int: FLOAT }] },
      { op: 'Unsqueeze', inputs: ['maskf', 'axis2'], outputs: ['mask3'] },
      { op: 'Mul', inputs: ['tok', 'mask3'], outputs: ['masked'] },
      {
        op: 'ReduceSum',
        inputs: ['masked', 'axis1'],
        outputs: ['summed'],
        attrs: [{ name: 'keepdims', int: 0 }],
      },
      {
        op: 'ReduceSum',
        inputs: ['mask3', 'axis1'],
        outputs: ['count'],
        attrs: [{ name: 'keepdims', int: 0 }],
      },
      { op: 'Max', inputs: ['count', 'one'], outputs: ['count1'] },
      { op: 'Div', inputs: ['summed', 'count1'], outputs: ['pooled'] },
      { op: 'MatMul', inputs: ['pooled', 'classifier.weight'], outputs: ['linear'] },
    ],
  };
}

export function buildTinyModel(): Uint8Array {
  const { nodes, inits } = classifierGraph();
  return model([...nodes, { op: 'Add', inputs: ['linear', 'classifier.bias'], outputs: ['logits'] }], inits);
}

/** Matrix side of the slow branch: 2 × 1536³ × 2 ≈ 14.5 GFLOP when `tarpit` occurs, 1 × 1 otherwise. */
const SLOW_N = 1536;

export function buildSlowModel(): Uint8Array {
  const { nodes, inits } = classifierGraph();
  const tarpit = VOCAB.indexOf('tarpit');
  const slowInits: Tensor[] = [
    { name: 'tarpit_id', dims: [], type: INT64, values: [tarpit] },
    { name: 'slow_extra', dims: [], type: FLOAT, values: [SLOW_N - 1] },
    { name: 'scalar_one', dims: [], type: FLOAT, values: [1] },
    { name: 'zero', dims: [], type: FLOAT, values: [0] },
    { name: 'shape1', dims: [1], type: INT64, values: [1] },
  ];
  const slow: Node[] = [
    { op: 'Equal', inputs: ['input_ids', 'tarpit_id'], outputs: ['is_tarpit'] },
    { op: 'Cast', inputs: ['is_tarpit'], outputs: ['is_tarpit_f'], attrs: [{ name: 'to', int: FLOAT }] },
    {
      op: 'ReduceMax',
      inputs: ['is_tarpit_f'],
      outputs: ['has_tarpit'],
      attrs: [{ name: 'keepdims', int: 0 }],
    },
    { op: 'Mul', inputs: ['has_tarpit', 'slow_extra'], outputs: ['extra'] },
    { op: 'Add', inputs: ['extra', 'scalar_one'], outputs: ['side_f'] },
    { op: 'Cast', inputs: ['side_f'], outputs: ['side'], attrs: [{ name: 'to', int: INT64 }] },
    { op: 'Reshape', inputs: ['side', 'shape1'], outputs: ['side1'] },
    { op: 'Concat', inputs: ['side1', 'side1'], outputs: ['square'], attrs: [{ name: 'axis', int: 0 }] },
    {
      op: 'ConstantOfShape',
      inputs: ['square'],
      outputs: ['ones'],
      attrs: [{ name: 'value', tensor: { name: 'v', dims: [1], type: FLOAT, values: [1] } }],
    },
    { op: 'MatMul', inputs: ['ones', 'ones'], outputs: ['sq1'] },
    { op: 'MatMul', inputs: ['sq1', 'ones'], outputs: ['sq2'] },
    { op: 'ReduceSum', inputs: ['sq2'], outputs: ['busy'], attrs: [{ name: 'keepdims', int: 0 }] },
    { op: 'Mul', inputs: ['busy', 'zero'], outputs: ['nothing'] },
    { op: 'Add', inputs: ['linear', 'classifier.bias'], outputs: ['biased'] },
    { op: 'Add', inputs: ['biased', 'nothing'], outputs: ['logits'] },
  ];
  return model([...nodes, ...slow], [...inits, ...slowInits]);
}

/** Id of the one extra word of `tokenizer-oob.json`: past the embedding table, so inference fails on it. */
const OOB_ID = 4_096;

/**
 * A HuggingFace tokenizer.json (BERT-style WordPiece, lower-cased) over `VOCAB`. With `oob`, the word
 * `quokka` maps to an id the model has no embedding for: any text with it makes the run fail (the
 * error fallback's test), every other text works.
 */
export function buildTokenizerJson(oob = false): string {
  const vocab: Record<string, number> = {};
  VOCAB.forEach((t, i) => {
    vocab[t] = i;
  });
  if (oob) vocab.quokka = OOB_ID;
  const special = (id: number) => ({
    id,
    content: VOCAB[id],
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const doc = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [0, 1, 2, 3].map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
  return `${JSON.stringify(doc, null, 1)}\n`;
}

/** Every fixture file, by name under test/fixtures/onnx/. */
export function buildOnnxFixtures(): Record<string, Uint8Array> {
  return {
    'tiny.onnx': buildTinyModel(),
    'slow.onnx': buildSlowModel(),
    'tokenizer.json': new TextEncoder().encode(buildTokenizerJson()),
    'tokenizer-oob.json': new TextEncoder().encode(buildTokenizerJson(true)),
  };
}
