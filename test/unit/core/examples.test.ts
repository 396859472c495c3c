import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintConfig } from '../../../src/boot/lint.js';
import { loadConfigFile } from '../../../src/config/load.js';

const dir = join(import.meta.dirname, '../../../examples');

describe('examples/', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.yaml')))('%s validates and lints clean', (f) => {
    expect(lintConfig(loadConfigFile(join(dir, f)))).toEqual([]);
  });
});
