import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import type { JudgeConfig } from '../config/schema/judge.js';
import { resolveSecret } from '../config/secrets.js';
import { compileUpstreamTls } from '../http/tls-client.js';
import type { CompiledRubric } from './rubrics.js';
import type { JudgeRecord, RubricOutput } from './types.js';

type EndpointConfig = NonNullable<JudgeConfig['endpoint']>;

/** Why a Judge call produced no verdict: the endpoint failed, or its answer broke the rubric's schema. */
export type CallFailure = 'unavailable' | 'invalid_output';

export type CallResult =
  | { readonly ok: true; readonly output: RubricOutput; readonly tokens: { input: number; output: number } }
  | { readonly ok: false; readonly failure: CallFailure; readonly detail: string };

export interface JudgeClient {
  evaluate(rubric: CompiledRubric, record: JudgeRecord): Promise<CallResult>;
  close(): Promise<void>;
}

/**
 * The section markers below, neutralised inside the exchange's own text: content that writes
 * `ANSWER>>>` cannot close its section and pose as the gateway's framing to the Judge.
 */
const MARKER = /<<<|>>>/g;
const inert = (s: string): string => s.replace(MARKER, (m) => (m === '<<<' ? '‹‹‹' : '›››'));

/** The exchange as the Judge reads it: labelled sections, the record's text already redacted and capped. */
export function renderRecord(r: JudgeRecord): string {
  const lines = [`route: ${r.route} (tier ${r.tier}), model: ${r.model}`];
  if (r.flags.length > 0) lines.push(`guardrail flags: ${inert(r.flags.join(', '))}`);
  lines.push('<<<REQUEST');
  for (const m of r.request) lines.push(`[${inert(m.role)}] ${inert(m.content)}`);
  lines.push('REQUEST>>>', '<<<ANSWER');
  for (const m of r.answer) lines.push(`[${m.role}] ${inert(m.content)}`);
  lines.push('ANSWER>>>');
  if (r.toolCalls.length > 0) {
    lines.push('<<<TOOL_CALLS');
    for (const t of r.toolCalls) lines.push(`${inert(t.name)}(${inert(t.arguments)})`);
    lines.push('TOOL_CALLS>>>');
  }
  return lines.join('\n');
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The Judge model behind an OpenAI-compatible `/chat/completions`, with structured output. */
export function createJudgeClient(cfg: EndpointConfig, env: NodeJS.ProcessEnv = process.env): JudgeClient {
  const url = new URL(cfg.url);
  const path = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(cfg.headers)) headers[k.toLowerCase()] = resolveSecret(v, env);
  if (cfg.apiKey !== undefined) headers.authorization = `Bearer ${resolveSecret(cfg.apiKey, env)}`;
  // Verification is always on; `tls` adds a private CA, a client certificate (mTLS), the name to
  // verify, pins and the minimum version. A handshake that fails is an unavailable Judge (breaker),
  // never an evaluation.
  const pool = new Pool(url.origin, {
    connections: cfg.connections,
    headersTimeout: cfg.timeoutMs,
    bodyTimeout: cfg.timeoutMs,
    ...(url.protocol === 'https:' && { connect: compileUpstreamTls(cfg.tls, env) }),
  });

  // Per rubric, everything of the request body but the record is serialised once (the system
  // prompt and the schema are most of its bytes); per record, the exchange is rendered once for all
  // the rubrics that judge it. The body is byte-for-byte what JSON.stringify of the whole would give.
  // A marker no rubric text can contain (random per client), replaced by the rendered record.
  const USER = `\u0000${randomUUID()}\u0000`;
  const frames = new Map<string, readonly [string, string]>();
  const frameOf = (rubric: CompiledRubric): readonly [string, string] => {
    let f = frames.get(rubric.name);
    if (f === undefined) {
      const whole = JSON.stringify({
        model: cfg.model,
        temperature: 0,
        max_tokens: cfg.maxTokens,
        messages: [
          { role: 'system', content: rubric.system },
          { role: 'user', content: USER },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: `judge_${rubric.name}`, strict: true, schema: rubric.schema },
        },
      });
      const at = whole.indexOf(JSON.stringify(USER));
      f = [whole.slice(0, at), whole.slice(at + JSON.stringify(USER).length)];
      frames.set(rubric.name, f);
    }
    return f;
  };
  const rendered = new WeakMap<JudgeRecord, string>();
  const renderedOf = (record: JudgeRecord): string => {
    let r = rendered.get(record);
    if (r === undefined) {
      r = JSON.stringify(renderRecord(record));
      rendered.set(record, r);
    }
    return r;
  };
  return {
    async evaluate(rubric, record) {
      const [head, tail] = frameOf(rubric);
      const body = head + renderedOf(record) + tail;
      let text: string;
      try {
        const res = await pool.request({
          method: 'POST',
          path,
          headers,
          body,
          signal: AbortSignal.timeout(cfg.timeoutMs),
        });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of res.body) {
          size += (c as Buffer).length;
          if (size > cfg.maxResponseBytes) {
            res.body.destroy();
            return { ok: false, failure: 'invalid_output', detail: 'answer larger than maxResponseBytes' };
          }
          chunks.push(c as Buffer);
        }
        text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode >= 500 || res.statusCode === 429)
          return { ok: false, failure: 'unavailable', detail: `status ${res.statusCode}` };
        if (res.statusCode >= 400)
          return { ok: false, failure: 'invalid_output', detail: `status ${res.statusCode}` };
      } catch (err) {
        return { ok: false, failure: 'unavailable', detail: (err as Error).name };
      }
      let content: unknown;
      let usage: Record<string, unknown> = {};
      try {
        const json = JSON.parse(text) as {
          choices?: Array<{ message?: { content?: unknown } }>;
          usage?: Record<string, unknown>;
        };
        usage = json.usage ?? {};
        const c = json.choices?.[0]?.message?.content;
        content = typeof c === 'string' ? JSON.parse(c) : undefined;
      } catch {
        return { ok: false, failure: 'invalid_output', detail: 'not JSON' };
      }
      // An answer that breaks the schema is an error, counted: never read as a pass.
      if (!rubric.validate(content))
        return {
          ok: false,
          failure: 'invalid_output',
          detail: rubric.validate.errors?.[0]?.message ?? 'schema',
        };
      return {
        ok: true,
        output: content,
        tokens: { input: num(usage.prompt_tokens), output: num(usage.completion_tokens) },
      };
    },
    async close() {
      await pool.close();
    },
  };
}
