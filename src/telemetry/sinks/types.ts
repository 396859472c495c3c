import type { SinkConfig, SinkKind } from '../../config/schema/telemetry.js';

/**
 * A sink receives batches of serialised audit lines. Remote sinks sit behind the on-disk spool and
 * a sender loop that retries with backoff; local sinks (stdout, file) are written directly.
 */
export interface Sink {
  readonly name: string;
  readonly kind: SinkKind;
  readonly remote: boolean;
  /**
   * Delivers the batch. Throw a retryable error for a transient failure (the batch is sent again
   * after a backoff); return the lines the receiver refused for good (they go to the dead-letter
   * file, so one malformed event cannot block the queue).
   */
  send(lines: readonly Buffer[]): Promise<SendResult>;
  close(): Promise<void>;
}

/** Lines are UTF-8 JSON events without their newline (views into the spool's read buffer). */
export interface SendResult {
  readonly rejected: readonly Buffer[];
}

export const ACCEPTED: SendResult = Object.freeze({ rejected: [] });

/** A failed delivery; `retryable: false` means the whole batch was refused for good. */
export class SinkError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SinkError';
  }
}

export interface SinkDeps {
  /** Resolves `${ENV}` / `file:` secret references. */
  readonly secret: (ref: string) => string;
}

export type SinkConfigOf<K extends SinkKind> = Extract<SinkConfig, { kind: K }>;
export type SinkFactory<K extends SinkKind> = (cfg: SinkConfigOf<K>, deps: SinkDeps) => Sink;

const NEWLINE = Buffer.from('\n');

/** The lines as one newline-terminated buffer (one copy). */
export function joinLines(lines: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const l of lines) parts.push(l, NEWLINE);
  return Buffer.concat(parts);
}
