import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ACCEPTED, joinLines, type Sink, type SinkFactory } from './types.js';

/**
 * JSON lines appended to a file, rotated by size: `path` → `path.1` → … → `path.N` (the oldest is
 * removed). Rotation happens between batches, so a line is never split across files.
 */
export const fileSink: SinkFactory<'file'> = (cfg) => {
  mkdirSync(dirname(cfg.path), { recursive: true });
  let fd = openSync(cfg.path, 'a', 0o640);
  let size = statSync(cfg.path).size;

  const rotate = (): void => {
    closeSync(fd);
    const oldest = `${cfg.path}.${cfg.maxFiles}`;
    if (existsSync(oldest)) unlinkSync(oldest);
    for (let i = cfg.maxFiles - 1; i >= 1; i--) {
      const from = `${cfg.path}.${i}`;
      if (existsSync(from)) renameSync(from, `${cfg.path}.${i + 1}`);
    }
    renameSync(cfg.path, `${cfg.path}.1`);
    fd = openSync(cfg.path, 'a', 0o640);
    size = 0;
  };

  const sink: Sink = {
    name: cfg.name,
    kind: 'file',
    remote: false,
    async send(lines) {
      if (lines.length === 0) return ACCEPTED;
      const buf = joinLines(lines);
      if (size > 0 && size + buf.length > cfg.maxBytes) rotate();
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      size += buf.length;
      return ACCEPTED;
    },
    async close() {
      closeSync(fd);
    },
  };
  return sink;
};
