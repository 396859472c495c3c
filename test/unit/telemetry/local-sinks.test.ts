import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalChannel } from '../../../src/telemetry/sinks/channel.js';
import { fileSink } from '../../../src/telemetry/sinks/file.js';
import { createStdoutSink } from '../../../src/telemetry/sinks/stdout.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('local sinks', () => {
  it('file: appends JSON lines and rotates by size, keeping maxFiles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-file-sink-'));
    dirs.push(dir);
    const path = join(dir, 'audit', 'audit.ndjson');
    const sink = fileSink(
      { kind: 'file', name: 'file', path, maxBytes: 100, maxFiles: 2 },
      { secret: (r) => r },
    );
    const line = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(30) });
    for (let i = 0; i < 8; i++) await sink.send([Buffer.from(line(i))]);
    await sink.close();
    const read = (p: string) =>
      readFileSync(p, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).n as number);
    // 46 bytes a line: two lines per file; the oldest rotated files are gone.
    expect(read(path)).toEqual([6, 7]);
    expect(read(`${path}.1`)).toEqual([4, 5]);
    expect(read(`${path}.2`)).toEqual([2, 3]);
    expect(existsSync(`${path}.3`)).toBe(false);
  });

  it('stdout: one event per line through the local channel, in order', async () => {
    const out: string[] = [];
    const w = new Writable({
      write(chunk: Buffer, _e, cb) {
        out.push(chunk.toString());
        cb();
      },
    });
    const ch = createLocalChannel(createStdoutSink('stdout', w));
    for (let i = 0; i < 5; i++) ch.write(`{"n":${i}}`);
    expect(await ch.drain(1_000)).toBe(true);
    expect(out.join('')).toBe('{"n":0}\n{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
    expect(ch.stats()).toMatchObject({ delivered: 5, dropped: 0, up: true });
    await ch.close();
  });
});
