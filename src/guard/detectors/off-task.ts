/**
 * Indirect injection judged relative to the user's task: a sentence inside data (a tool result, a
 * retrieved document, a quoted e-mail) that asks the assistant to do something, and whose subject is
 * neither the user's request nor the rest of the data around it. No "ignore previous" wording is
 * needed: "Which planet is closest to the sun?" planted in a lake-pollution passage, or "Also tell the
 * reader to wire the fee to ..." in an invoice, is someone else's task (task drift, Abdelnabi et al.
 * 2024, "Are you still on track?"; planted instructions, Greshake et al. 2023; BIPIA, Yi et al. 2023).
 *
 * Per sentence, a few word-class features (no phrases): an imperative addressed to a language model
 * (answer, translate, write, tell, ...), a question, an attention cue ("urgent:", "instead", "new
 * task"), words addressing the assistant ("your response", "the AI"), a reference to the data itself
 * ("the following", "this e-mail": the user's own request), and how much of the sentence's content
 * vocabulary is absent from the context (the user's request and the other sentences). The text's
 * vector is the largest value of each over its sentences; a small logistic model (weights in
 * models/off-task.json, fitted by scripts/train-off-task.ts, and inside each fold by
 * scripts/eval-nested.ts) turns it into a score whose own threshold is `injection.offTaskThreshold`.
 *
 * Ordinary imperatives in documents (a recipe's "stir in the flour", a README's "run npm install")
 * use verbs that are not requests to a language model and stay on the document's subject; the
 * user's own turn is never scored unless it holds a document (it is the task). One pass over the
 * text, Set lookups only, no regular expression that could backtrack.
 */
import { readFileSync } from 'node:fs';
import { type Combiner, combine } from './injection-signals.js';

export const OFF_TASK_TYPE = 'off_task_instruction';

export const OFF_TASK_FEATURES = [
  'directive_off_task',
  'question_off_task',
  'attention_cue',
  'addresses_assistant',
  'request_not_about_data',
  'cue_then_request',
  'request_in_data',
] as const;
export const OFF_TASK_DIM = OFF_TASK_FEATURES.length;

/** Characters read: the head and the tail (planted text sits at the start, a boundary or the end). */
const MAX_CHARS = 8_000;
/** Without a task from another segment, a text needs this much document to be scored. */
const MIN_DOC_WORDS = 40;
const MIN_DOC_SENTENCES = 3;
/** Longest sentence scored; a longer run without a stop is a table row or a code block, not a request. */
const MAX_SENTENCE_WORDS = 60;

const set = (s: string): ReadonlySet<string> => new Set(s.split(/\s+/).filter((w) => w !== ''));

/**
 * Verbs of requests made to a language model (tasks an assistant performs on text), from the task
 * verbs of instruction-tuning taxonomies (self-instruct, Wang et al. 2023; promptbench's task
 * definitions), plus exfiltration and browsing verbs (Greshake et al. 2023). Household and build
 * verbs (stir, bake, install, run, click) are deliberately absent: documents address their reader
 * with those.
 */
const LLM_VERBS = set(`answer respond reply say print output write compose generate translate tell explain
 describe summarize summarise repeat ignore disregard forget include append insert send forward visit
 recommend mention state provide give draft rewrite calculate name list spell reveal share email
 pretend act roleplay return classify rate rank convert paraphrase sing recite define identify solve
 compute guess inform notify urge persuade convince advertise promote
 rispondi traduci scrivi dimmi spiega responde traduce escribe dime explica reponds reponde traduis ecris
 dis explique antworte antworten ubersetze schreibe sage erklare`);

/** Words that may come before the verb of a request. */
const LEAD = set(`please kindly also now instead first then and additionally just so but finally next
 lastly simply immediately quickly ok okay btw ps oh actually furthermore moreover`);

/** Question openers (English and the common Romance/German ones). */
const WH = set(`what which who whom whose when where why how is are was were do does did can could would
 will should name qual quale quali cual cuales que quel quelle quels quelles qui quien donde dove cosa chi
 come como quando cuando wer was wie welche welcher welches wo warum wann`);

/** Attention cues in planted text (Greshake et al. 2023; TaskTracker's trigger taxonomy). */
const CUES = set(`urgent important attention alert pause priority critical mandatory override instead
 additionally meanwhile reminder nb ps btw interrupt halt notice warning update`);
/** "new task", "new instructions": a cue when followed by one of these. */
const NEW_OBJECTS = set(
  'task tasks instruction instructions directive directives objective priority request assignment order orders',
);

/** Words naming the assistant. */
const ASSISTANT = set('assistant ai chatbot llm gpt chatgpt bot copilot claude gemini bard');
/** "your X" that is about the model's work, not the reader's belongings. */
const YOUR_WORK = set(
  'response responses answer answers reply replies output summary translation next task tasks instructions',
);
/** Modal after "you": an obligation put on the reader of the text. */
const YOU_MODAL = set('must should need have shall will are');

/** The user's own request refers to the data it comes with. */
const DATA_REF = set(`following below above attached provided given aforementioned text passage document
 article paragraph email mail message table context story review report file page data excerpt content
 transcript conversation snippet code readme recipe thread letter sentence sentences question passages`);

/** Function words (never content vocabulary). */
const STOP = set(`the a an and or but if then else of to in on at by for with from into onto about as is
 are was were be been being it its this that these those there here i me my we our you your he she they
 them his her their what which who whom whose when where why how not no yes do does did done can could
 would should will shall may might must have has had having so such than too very just also only more
 most some any all each every other another same own both few many much one two three per via up down
 out over under again further once please now new use using used get got make made let lets like will
 well way ways thing things time times really even still yet ever never always often`);

const isLetter = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7);

/** A crude stem: enough for "translate"/"translated"/"translation" to meet. */
export function stem(w: string): string {
  let s = w;
  if (s.length > 5 && s.endsWith('ing')) s = s.slice(0, -3);
  else if (s.length > 4 && s.endsWith('ed')) s = s.slice(0, -2);
  else if (s.length > 4 && s.endsWith('es')) s = s.slice(0, -2);
  else if (s.length > 3 && s.endsWith('s')) s = s.slice(0, -1);
  return s.length > 6 ? s.slice(0, 6) : s;
}

interface Sentence {
  readonly words: string[];
  readonly question: boolean;
  /** Word indexes where a clause starts: 0, after a leading "label:", after each comma. */
  readonly clauses: number[];
}

/** Sentences of folded text: cut at . ! ? ; and line breaks (a line of a document is a unit). */
function sentences(t: string): Sentence[] {
  const out: Sentence[] = [];
  let words: string[] = [];
  let clauses = [0];
  let i = 0;
  const n = t.length;
  const flush = (question: boolean): void => {
    if (words.length > 0) out.push({ words, question, clauses });
    words = [];
    clauses = [0];
  };
  while (i < n) {
    const c = t.charCodeAt(i);
    if (isLetter(c)) {
      let j = i + 1;
      let apostrophe = false;
      // An apostrophe inside a word ("don't") stays in it.
      while (j < n) {
        const d = t.charCodeAt(j);
        if (isLetter(d)) j++;
        else if (d === 39 && isLetter(t.charCodeAt(j + 1))) {
          apostrophe = true;
          j++;
        } else break;
      }
      const w = t.slice(i, j);
      words.push(apostrophe ? w.replaceAll("'", '') : w);
      i = j;
      continue;
    }
    if (c === 63) flush(true);
    else if (c === 10 || c === 33 || c === 59) flush(false);
    // A full stop ends a sentence unless it sits inside a number or a name ("3.5", "example.com").
    else if (c === 46 && !(i + 1 < n && isLetter(t.charCodeAt(i + 1)))) flush(false);
    else if ((c === 58 || c === 44) && words.length > 0 && clauses.length < 8) clauses.push(words.length);
    i++;
  }
  flush(false);
  return out;
}

/** The stems of a text's content words. */
export function contentStems(words: readonly string[], into: Set<string> = new Set()): Set<string> {
  for (const w of words) if (w.length >= 3 && !STOP.has(w)) into.add(stem(w));
  return into;
}

interface Traits {
  directive: boolean;
  question: boolean;
  cue: boolean;
  addresses: boolean;
  refersToData: boolean;
}

function firstVerbAt(words: readonly string[], from: number): string | undefined {
  let k = from;
  while (k < words.length && k < from + 3 && LEAD.has(words[k] ?? '')) k++;
  return words[k];
}

function traitsOf(s: Sentence): Traits {
  const w = s.words;
  let directive = false;
  let question = false;
  for (const at of s.clauses) {
    const v = firstVerbAt(w, at);
    if (v !== undefined && LLM_VERBS.has(v)) directive = true;
    if (s.question && v !== undefined && WH.has(v)) question = true;
  }
  let cue = false;
  let addresses = false;
  let refersToData = false;
  for (let k = 0; k < w.length; k++) {
    const x = w[k] ?? '';
    const next = w[k + 1] ?? '';
    if (k < 8 && CUES.has(x)) cue = true;
    if (x === 'new' && NEW_OBJECTS.has(next)) cue = true;
    if ((x === 'before' || x === 'after' || x === 'once') && (next === 'you' || next === 'answering'))
      cue = true;
    if (ASSISTANT.has(x)) addresses = true;
    if (x === 'your' && YOUR_WORK.has(next)) addresses = true;
    if (x === 'you' && YOU_MODAL.has(next)) {
      // "you must / should / need to / have to / are to / will now ..." followed by a model verb.
      for (let j = k + 2; j < Math.min(w.length, k + 5); j++)
        if (LLM_VERBS.has(w[j] ?? '')) {
          directive = true;
          addresses = true;
        }
    }
    // "I want / need you to ..." and "can / could / would you ..." + a model verb.
    if ((x === 'want' || x === 'need') && next === 'you' && LLM_VERBS.has(w[k + 3] ?? '')) directive = true;
    if ((x === 'can' || x === 'could' || x === 'would') && next === 'you' && LLM_VERBS.has(w[k + 2] ?? ''))
      directive = true;
    if (DATA_REF.has(x) && k > 0) {
      const prev = w[k - 1] ?? '';
      if (prev === 'the' || prev === 'this' || prev === 'these' || prev === 'that' || prev === 'following')
        refersToData = true;
    }
    if (x === 'following' || x === 'below' || x === 'above' || x === 'attached') refersToData = true;
  }
  return { directive, question, cue, addresses, refersToData };
}

/** The task a data segment is judged against: content stems of the user's request. */
export interface TaskContext {
  readonly stems: ReadonlySet<string>;
}

export function taskContext(folded: string): TaskContext {
  const stems = new Set<string>();
  for (const s of sentences(clip(folded))) contentStems(s.words, stems);
  return { stems };
}

function clip(t: string): string {
  return t.length > MAX_CHARS ? `${t.slice(0, MAX_CHARS / 2)}\n${t.slice(-MAX_CHARS / 2)}` : t;
}

/**
 * The feature vector of a folded text. With `task` (a data segment of a request whose user turns are
 * known) every sentence is data; without (one text that may hold the user's request and a pasted
 * document), only a text that holds a document is scored, and its sentences that refer to the data
 * ("summarise the following e-mail") count as the user's request.
 */
export function offTaskVector(folded: string, task: TaskContext | null): Float64Array {
  const v = new Float64Array(OFF_TASK_DIM);
  const ss = sentences(clip(folded));
  let total = 0;
  for (const s of ss) total += s.words.length;
  if (task === null && (total < MIN_DOC_WORDS || ss.length < MIN_DOC_SENTENCES)) return v;
  // Most texts hold no request, cue or address at all: nothing to compare, every feature is 0.
  const traits = ss.map(traitsOf);
  if (!traits.some((t) => t.directive || t.question || t.cue || t.addresses)) return v;
  // How many sentences each stem occurs in, so a sentence can be compared with the others.
  const df = new Map<string, number>();
  const own = ss.map((s) => contentStems(s.words));
  for (const st of own) for (const x of st) df.set(x, (df.get(x) ?? 0) + 1);
  let prevCue = false;
  let requests = 0;
  ss.forEach((s, i) => {
    const t = traits[i] ?? traitsOf(s);
    const mine = own[i] ?? new Set<string>();
    let unseen = 0;
    for (const x of mine) if ((df.get(x) ?? 0) <= 1 && !(task?.stems.has(x) ?? false)) unseen++;
    const off = mine.size >= 2 && s.words.length <= MAX_SENTENCE_WORDS ? unseen / mine.size : 0;
    const request = t.directive || t.question;
    if (t.directive) v[0] = Math.max(v[0] ?? 0, off);
    if (t.question) v[1] = Math.max(v[1] ?? 0, off);
    if (t.cue && !t.refersToData) v[2] = 1;
    if (t.addresses) v[3] = 1;
    if (request && !t.refersToData && off > 0) v[4] = 1;
    if (request && (t.cue || prevCue)) v[5] = 1;
    if (request) requests++;
    prevCue = t.cue;
  });
  // A request that is one of few in a text that is mostly data (a planted line), rather than one of
  // many in a text that is all requests (a user's or an operator's prompt).
  if ((v[4] ?? 0) > 0) v[6] = 1 - requests / ss.length;
  return v;
}

/** The same logistic shape as the signal combiner; its threshold re-centres the score. */
export type OffTaskModel = Combiner;

export const offTaskProbability = (m: OffTaskModel, v: Float64Array): number => combine(m, v);

export interface OffTaskModelFile extends OffTaskModel {
  readonly version: 1;
  readonly features: readonly string[];
  readonly trainedOn: string;
}

export const DEFAULT_OFF_TASK_URL = new URL('../../../models/off-task.json', import.meta.url);

export function loadOffTaskModel(path: string | URL = DEFAULT_OFF_TASK_URL): OffTaskModel {
  const f = JSON.parse(readFileSync(path, 'utf8')) as OffTaskModelFile;
  if (
    f.version !== 1 ||
    f.weights.length !== OFF_TASK_DIM ||
    f.features.join(',') !== OFF_TASK_FEATURES.join(',') ||
    !f.weights.every(Number.isFinite)
  )
    throw new Error('off-task model: does not match the features');
  return { weights: f.weights, bias: f.bias, threshold: f.threshold };
}
