/**
 * The guard of one choice of an answer, the same for streamed and whole answers: one hold-back
 * channel per text field and per tool call, the tool-name check, the format check and the
 * prompt-coverage meter. A whole answer is a stream of one delta, so both paths give the same verdict.
 */
import type { RequestContext } from '../../pipeline/context.js';
import { HoldBackChannel } from './channel.js';
import { EchoMeter } from './echo.js';
import { checkFormat } from './format.js';
import type { OutputGuardRequest } from './request.js';
import { CoverageMeter } from './similarity.js';
import { block, channelSink, holdLimit, record } from './sink.js';

/** Text fields of a chat delta or message (reasoning fields of vLLM and others included) and `text` of completions. */
export const TEXT_FIELDS = ['content', 'reasoning_content', 'reasoning', 'refusal', 'text'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

interface ToolCall {
  name: string;
  nameChecked: boolean;
  readonly args: HoldBackChannel | null;
}

/** Released text, in pieces (the upstream's own delta boundaries). */
export interface ChoiceRest {
  readonly fields: Partial<Record<TextField, string[]>>;
  readonly tools: ReadonlyMap<number, string[]>;
}

export class ChoiceGuard {
  private readonly channels = new Map<TextField, HoldBackChannel>();
  private readonly tools = new Map<number, ToolCall>();
  private readonly meter: CoverageMeter | null;
  private coverageDone = false;
  private readonly echo: EchoMeter | null;
  private echoDone = false;
  /** Released `content` kept for the format check (and held back from the consumer in `hold` mode). */
  private formatText = '';
  private readonly holdFormat: boolean;
  finished = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly req: OutputGuardRequest,
  ) {
    this.meter = req.prompt !== null ? new CoverageMeter(req.prompt) : null;
    const sim = req.guard.policy.detectors.similarity;
    this.echo =
      req.rules !== null
        ? new EchoMeter(req.rules, { minSentences: sim.echoMinSentences, minOverlap: sim.echoMinOverlap })
        : null;
    this.holdFormat = req.format !== null && req.guard.policy.format.stream === 'hold';
  }

  private channel(field: TextField): HoldBackChannel {
    let ch = this.channels.get(field);
    if (ch === undefined) {
      ch = new HoldBackChannel(this.req.scanner(), this.req.guard.channel, channelSink(this.ctx));
      this.channels.set(field, ch);
    }
    return ch;
  }

  /** New text of a field; returns what the consumer may see now (usually nothing until a flush). */
  text(field: TextField, delta: string): string[] {
    return this.afterRelease(field, this.channel(field).push(delta), false);
  }

  private afterRelease(field: TextField, out: string[], final: boolean): string[] {
    if (field !== 'content' && field !== 'text') return out;
    const joined = out.join('');
    if (this.meter !== null && !this.coverageDone && (joined !== '' || final)) {
      const sim = this.req.guard.policy.detectors.similarity;
      if (this.meter.feed(joined, final) >= sim.maxCoverage) {
        this.coverageDone = true;
        const v = {
          detector: 'similarity',
          type: 'SYSTEM_PROMPT_COVERAGE',
          score: 1,
          action: sim.coverageAction,
        } as const;
        if (v.action === 'block') block(this.ctx, v);
        record(this.ctx, v);
      }
    }
    if (this.echo !== null && !this.echoDone && (joined !== '' || final)) {
      if (this.echo.feed(joined, final)) {
        this.echoDone = true;
        const sim = this.req.guard.policy.detectors.similarity;
        const v = {
          detector: 'similarity',
          type: 'INSTRUCTION_ECHO',
          score: 1,
          action: sim.echoAction,
        } as const;
        if (v.action === 'block') block(this.ctx, v);
        record(this.ctx, v);
      }
    }
    if (this.req.format === null) return out;
    this.formatText += joined;
    if (this.formatText.length > this.req.guard.policy.format.maxBufferChars) holdLimit(this.ctx, 'format');
    return this.holdFormat ? [] : out;
  }

  /** A tool call's name (possibly in pieces); refuses a function the request did not offer. */
  toolName(index: number, piece: string): void {
    const call = this.tool(index);
    call.name += piece;
    const offered = this.req.tools.names;
    if (offered.has(call.name)) {
      call.nameChecked = true;
      return;
    }
    // Wait while the name may still grow into an offered one.
    for (const n of offered) if (n.startsWith(call.name)) return;
    this.refuseTool(call);
  }

  private refuseTool(call: ToolCall): void {
    call.nameChecked = true;
    const action = this.req.guard.policy.tools.unoffered;
    const v = { detector: 'tools', type: 'UNOFFERED_FUNCTION', score: 1, action } as const;
    if (action === 'block') block(this.ctx, v);
    record(this.ctx, v);
  }

  private tool(index: number): ToolCall {
    let call = this.tools.get(index);
    if (call === undefined) {
      const scan = this.req.guard.policy.tools.scanArguments;
      call = {
        name: '',
        nameChecked: false,
        args: scan
          ? new HoldBackChannel(this.req.scanner(), this.req.guard.channel, channelSink(this.ctx))
          : null,
      };
      this.tools.set(index, call);
    }
    return call;
  }

  /** New argument text of a tool call; returns what may be released now. */
  toolArgs(index: number, delta: string): string[] {
    const call = this.tool(index);
    return call.args === null ? [delta] : call.args.push(delta);
  }

  /** After an upstream read: what the new text lets go (the rest stays held). */
  flush(): ChoiceRest {
    const fields: Partial<Record<TextField, string[]>> = {};
    for (const [field, ch] of this.channels) {
      const out = this.afterRelease(field, ch.flush(), false);
      if (out.length > 0) fields[field] = out;
    }
    const tools = new Map<number, string[]>();
    for (const [index, call] of this.tools) {
      // Arguments of a call whose name is not yet known to be offered stay held.
      if (!call.nameChecked || call.args === null) continue;
      const out = call.args.flush();
      if (out.length > 0) tools.set(index, out);
    }
    return { fields, tools };
  }

  /** The choice ended: everything held is scanned, checked and returned. */
  finish(): ChoiceRest {
    this.finished = true;
    const fields: Partial<Record<TextField, string[]>> = {};
    for (const [field, ch] of this.channels) {
      const out = this.afterRelease(field, ch.end(), true);
      if (out.length > 0) fields[field] = out;
    }
    if (this.meter !== null && !this.channels.has('content') && !this.channels.has('text'))
      this.afterRelease('content', [], true);
    const tools = new Map<number, string[]>();
    for (const [index, call] of this.tools) {
      if (!call.nameChecked) this.refuseTool(call);
      const rest = call.args?.end() ?? [];
      if (rest.length > 0) tools.set(index, rest);
    }
    // An answer that is only a tool call or a refusal carries no JSON to check.
    const noContent = this.formatText === '' && (this.tools.size > 0 || this.channels.has('refusal'));
    if (this.req.format !== null && !noContent) {
      const ok = checkFormat(this.req.format, this.formatText);
      if (!ok) {
        const v = {
          detector: 'format',
          type: this.req.format.kind,
          score: 1,
          action: this.req.guard.policy.format.action,
        } as const;
        if (v.action === 'block') block(this.ctx, v);
        record(this.ctx, v);
      }
      if (this.holdFormat && this.formatText !== '') {
        const key: TextField = this.channels.has('text') ? 'text' : 'content';
        fields[key] = [this.formatText];
      }
    }
    return { fields, tools };
  }
}
