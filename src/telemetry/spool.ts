import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * A bounded, durable FIFO of JSON lines on disk: the write-ahead queue of one remote sink. Every
 * event is appended here first and the sender reads it back, so an unreachable sink, a restart or
 * a crash loses nothing that reached the page cache (with `fsync`, nothing that reached the disk).
 *
 * Layout: `<dir>/<16-digit seq>.seg` segments of newline-terminated lines, a `cursor` file
 * (`seq offset`) naming the first unacknowledged byte, and a `lock` file holding the owner's pid.
 * Delivery is at-least-once: a crash between a send and the cursor write re-sends that batch.
 */
export interface SpoolOptions {
  readonly dir: string;
  /** Unacknowledged bytes allowed on disk; beyond it new lines are refused and counted as dropped. */
  readonly maxBytes: number;
  readonly segmentBytes: number;
  readonly fsync: boolean;
}

export interface SpoolCursor {
  readonly seq: number;
  readonly offset: number;
}

export interface SpoolBatch {
  /** Each line without its newline: views into the read buffer (no decoding, no copy). */
  readonly lines: Buffer[];
  readonly bytes: number;
  readonly next: SpoolCursor;
}

interface Segment {
  readonly seq: number;
  size: number;
  readFd: number | null;
}

const SEG = /^(\d{16})\.seg$/;
const segName = (seq: number): string => `${String(seq).padStart(16, '0')}.seg`;
const NL = 10;
const COUNT_CHUNK = 1 << 20;
/** Reads are capped so a big batch budget does not allocate a big buffer per read. */
const READ_CHUNK = 1 << 20;
/** A caught-up active segment this big is replaced by a fresh file. */
const RECYCLE_BYTES = 1 << 20;
/** Cursor writes are throttled to this interval (a write + rename per small batch is costly). */
const CURSOR_SAVE_MS = 200;

export class SpoolLockedError extends Error {}

export class Spool {
  readonly dir: string;
  private readonly opts: SpoolOptions;
  private readonly segments: Segment[] = [];
  private writeFd: number;
  private cursor: SpoolCursor;
  private pending: string[] = [];
  /** Byte length of each pending line, newline included (computed once, in append). */
  private pendingLens: number[] = [];
  private pendingBytes = 0;
  /** Bytes on disk from the cursor to the end (unacknowledged). */
  private used = 0;
  private lines = 0;
  private droppedCount = 0;
  private closed = false;
  private savedAt = 0;
  private dirty = false;

  private constructor(opts: SpoolOptions) {
    this.opts = opts;
    this.dir = opts.dir;
    mkdirSync(opts.dir, { recursive: true });
    this.lock();
    for (const f of readdirSync(opts.dir).sort()) {
      const m = SEG.exec(f);
      if (m) this.segments.push({ seq: Number(m[1]), size: statSync(join(opts.dir, f)).size, readFd: null });
    }
    if (this.segments.length === 0) this.segments.push({ seq: 1, size: 0, readFd: null });
    const last = this.active;
    this.writeFd = openSync(join(opts.dir, segName(last.seq)), 'a');
    last.size = this.repairTail(this.writeFd, last.size);
    this.cursor = this.loadCursor();
    this.countBacklog();
  }

  static open(opts: SpoolOptions): Spool {
    return new Spool(opts);
  }

  /** Unacknowledged events (on disk and waiting to be written). */
  get depth(): number {
    return this.lines + this.pending.length;
  }

  get bytes(): number {
    return this.used + this.pendingBytes;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** True when the last append was refused for lack of room. */
  full = false;

  /** Queues one line (no newline inside: JSON.stringify guarantees it). False when dropped. */
  append(line: string): boolean {
    if (this.closed) return false;
    const n = Buffer.byteLength(line) + 1;
    if (this.used + this.pendingBytes + n > this.opts.maxBytes) {
      this.droppedCount++;
      this.full = true;
      return false;
    }
    this.full = false;
    this.pending.push(line);
    this.pendingLens.push(n);
    this.pendingBytes += n;
    return true;
  }

  /** Writes queued lines to disk, one write per segment touched, rotating at `segmentBytes`. */
  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const lines = this.pending;
    const lens = this.pendingLens;
    this.pending = [];
    this.pendingLens = [];
    this.pendingBytes = 0;
    let i = 0;
    while (i < lines.length) {
      let active = this.active;
      if (active.size >= this.opts.segmentBytes) active = this.rotate();
      const room = this.opts.segmentBytes - active.size;
      let j = i;
      let bytes = 0;
      // At least one line per segment, however long.
      for (let n = lens[j]; n !== undefined && (j === i || bytes + n <= room); n = lens[j]) {
        bytes += n;
        j++;
      }
      const buf = Buffer.from(`${lines.slice(i, j).join('\n')}\n`);
      let off = 0;
      while (off < buf.length) off += writeSync(this.writeFd, buf, off, buf.length - off);
      active.size += buf.length;
      this.used += buf.length;
      this.lines += j - i;
      i = j;
    }
    if (this.opts.fsync) fsyncSync(this.writeFd);
  }

  /** Reads up to `maxLines` lines (and about `maxBytes`) from the cursor, without consuming them. */
  read(maxLines: number, maxBytes: number): SpoolBatch {
    this.flush();
    const lines: Buffer[] = [];
    let bytes = 0;
    let { seq, offset } = this.cursor;
    let i = this.segments.findIndex((s) => s.seq === seq);
    for (
      let seg = this.segments[i];
      seg !== undefined && lines.length < maxLines && bytes < maxBytes;
      seg = this.segments[i]
    ) {
      if (offset >= seg.size) {
        const next = this.segments[i + 1];
        if (next === undefined) break;
        i++;
        seq = next.seq;
        offset = 0;
        continue;
      }
      const fd = seg.readFd ?? (seg.readFd = openSync(join(this.dir, segName(seg.seq)), 'r'));
      let want = Math.min(seg.size - offset, Math.max(Math.min(maxBytes - bytes, READ_CHUNK), 4096));
      let buf = Buffer.allocUnsafe(want);
      let got = readSync(fd, buf, 0, want, offset);
      // A single line longer than the budget: read on until its newline.
      while (buf.lastIndexOf(NL, got - 1) < 0 && offset + got < seg.size) {
        want = Math.min(seg.size - offset, want * 2);
        buf = Buffer.allocUnsafe(want);
        got = readSync(fd, buf, 0, want, offset);
      }
      let pos = 0;
      while (lines.length < maxLines && pos < got) {
        const nl = buf.indexOf(NL, pos);
        if (nl < 0 || nl >= got) break;
        if (lines.length > 0 && bytes + (nl + 1 - pos) > maxBytes) break;
        lines.push(buf.subarray(pos, nl));
        bytes += nl + 1 - pos;
        pos = nl + 1;
      }
      offset += pos;
      if (pos === 0) break;
    }
    return { lines, bytes, next: { seq, offset } };
  }

  /** Consumes a batch returned by `read`: advances and persists the cursor, deletes spent segments. */
  ack(batch: SpoolBatch): void {
    if (this.closed || batch.lines.length === 0) return;
    this.cursor = batch.next;
    this.lines -= batch.lines.length;
    this.used -= batch.bytes;
    for (let first = this.head; this.segments.length > 1 && first.seq < this.cursor.seq; first = this.head) {
      this.segments.shift();
      this.drop(first);
    }
    const head = this.head;
    // Caught up on a sizeable active segment: start a fresh one so the disk does not keep spent
    // bytes (not on every ack: a file per small batch would cost more than it saves).
    if (
      this.segments.length === 1 &&
      this.cursor.offset >= head.size &&
      head.size >= Math.min(this.opts.segmentBytes, RECYCLE_BYTES) &&
      this.pending.length === 0
    ) {
      const next = this.rotate();
      this.segments.shift();
      this.drop(head);
      this.cursor = { seq: next.seq, offset: 0 };
    }
    // The cursor reaches disk at most every CURSOR_SAVE_MS (and at close): a crash re-sends at most
    // that much, which at-least-once delivery allows (Elasticsearch drops the repeats by _id).
    const t = Date.now();
    if (t - this.savedAt >= CURSOR_SAVE_MS) this.saveCursor(t);
    else this.dirty = true;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    if (this.dirty) this.saveCursor(Date.now());
    this.closed = true;
    closeSync(this.writeFd);
    for (const s of this.segments) if (s.readFd !== null) closeSync(s.readFd);
    try {
      unlinkSync(join(this.dir, 'lock'));
    } catch {
      // already gone
    }
  }

  /** The segment being written: the last one (the list is never empty, see the constructor). */
  private get active(): Segment {
    const seg = this.segments.at(-1);
    if (seg === undefined) throw new Error(`spool ${this.dir} has no segment`);
    return seg;
  }

  /** The oldest segment, where the cursor is. */
  private get head(): Segment {
    const seg = this.segments[0];
    if (seg === undefined) throw new Error(`spool ${this.dir} has no segment`);
    return seg;
  }

  private rotate(): Segment {
    const last = this.active;
    if (this.opts.fsync) fsyncSync(this.writeFd);
    closeSync(this.writeFd);
    const seg: Segment = { seq: last.seq + 1, size: 0, readFd: null };
    this.writeFd = openSync(join(this.dir, segName(seg.seq)), 'a');
    this.segments.push(seg);
    return seg;
  }

  private drop(seg: Segment): void {
    if (seg.readFd !== null) closeSync(seg.readFd);
    try {
      unlinkSync(join(this.dir, segName(seg.seq)));
    } catch {
      // already gone
    }
  }

  private lock(): void {
    const file = join(this.dir, 'lock');
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        throw new SpoolLockedError(`spool ${this.dir} is in use by process ${pid}`);
    }
    writeFileSync(file, String(process.pid));
  }

  /** A crash can leave half a line at the end of the last segment: cut it off. */
  private repairTail(fd: number, size: number): number {
    if (size === 0) return 0;
    const rfd = openSync(join(this.dir, segName(this.active.seq)), 'r');
    try {
      const chunk = Buffer.allocUnsafe(Math.min(size, 64 * 1024));
      for (let end = size; end > 0; ) {
        const n = Math.min(chunk.length, end);
        readSync(rfd, chunk, 0, n, end - n);
        const nl = chunk.lastIndexOf(NL, n - 1);
        if (nl >= 0) {
          const keep = end - n + nl + 1;
          if (keep !== size) ftruncateSync(fd, keep);
          return keep;
        }
        end -= n;
      }
      ftruncateSync(fd, 0);
      return 0;
    } finally {
      closeSync(rfd);
    }
  }

  private loadCursor(): SpoolCursor {
    const first = this.head;
    try {
      const [s, o] = readFileSync(join(this.dir, 'cursor'), 'utf8').trim().split(' ').map(Number);
      const seg = this.segments.find((x) => x.seq === s);
      if (seg !== undefined && o !== undefined && Number.isInteger(o) && o >= 0)
        return { seq: seg.seq, offset: Math.min(o, seg.size) };
    } catch {
      // no cursor yet
    }
    return { seq: first.seq, offset: 0 };
  }

  private saveCursor(t: number): void {
    this.savedAt = t;
    this.dirty = false;
    const tmp = join(this.dir, 'cursor.tmp');
    writeFileSync(tmp, `${this.cursor.seq} ${this.cursor.offset}`);
    renameSync(tmp, join(this.dir, 'cursor'));
  }

  /** Counts lines and bytes from the cursor to the end (the backlog left by a previous run). */
  private countBacklog(): void {
    const buf = Buffer.allocUnsafe(COUNT_CHUNK);
    for (const seg of this.segments) {
      if (seg.seq < this.cursor.seq) continue;
      let pos = seg.seq === this.cursor.seq ? this.cursor.offset : 0;
      this.used += seg.size - pos;
      if (seg.size === pos) continue;
      const fd = openSync(join(this.dir, segName(seg.seq)), 'r');
      try {
        while (pos < seg.size) {
          const n = readSync(fd, buf, 0, Math.min(buf.length, seg.size - pos), pos);
          if (n <= 0) break;
          for (let i = buf.indexOf(NL, 0); i >= 0 && i < n; i = buf.indexOf(NL, i + 1)) this.lines++;
          pos += n;
        }
      } finally {
        closeSync(fd);
      }
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
