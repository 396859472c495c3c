import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchedDestination, createLogger } from '../../../src/telemetry/logger.js';

/** The production log destination batches lines as bytes; every line must still arrive, in order. */
describe('batchedDestination', () => {
  it('writes every line once, in order, non-ASCII included', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-log-')), 'out.log');
    const log = createLogger('info', batchedDestination(openSync(file, 'a')));
    for (let i = 0; i < 2000; i++) log.info({ i, s: 'é漢🙂'.repeat(i % 7) }, 'line');
    await new Promise<void>((r) => log.flush(() => r()));
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).i)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(JSON.parse(lines[6] ?? '{}').s).toBe('é漢🙂'.repeat(6));
  });

  // As in production (fd 1): a descriptor already open, so the exit handler can write synchronously.
  it('what is still batched when the process exits reaches the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-log-')), 'out.log');
    const src = join(process.cwd(), 'src', 'telemetry', 'logger.ts');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `const { batchedDestination, createLogger } = await import(${JSON.stringify(src)});
         const fd = (await import('node:fs')).openSync(${JSON.stringify(file)}, 'a');
         const log = createLogger('info', batchedDestination(fd));
         for (let i = 0; i < 10; i++) log.info({ i }, 'line');
         process.exit(0);`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(10);
  });
});
