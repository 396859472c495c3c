import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { outputPolicySchema } from '../../../src/config/schema/output-guard.js';
import { createEngineDetectors, mayMatch } from '../../../src/guard/output/engine.js';
import { prepare } from '../../../src/guard/output/prepared.js';

const DATASETS = new URL('../../../../shared/datasets/', import.meta.url);
const ALL = ['EMAIL', 'PHONE', 'CREDIT_CARD', 'IBAN', 'US_SSN', 'UK_NINO', 'IP_ADDRESS'];

function rows(file: string): string[] {
  const path = new URL(file, DATASETS);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { text: string })
    .map((r) => r.text);
}

describe('the plain-prose gate in front of the engine detectors', () => {
  const engine = createEngineDetectors(
    outputPolicySchema.parse({ detectors: { pii: { entities: ALL }, secrets: { publicIp: true } } }),
  );

  for (const file of ['secrets-dev.jsonl', 'pii-dev.jsonl', 'injection-dev.jsonl']) {
    // The datasets sit beside the repository (../shared, copied there in CI); outside CI a checkout
    // without them skips, in CI their absence is a failure.
    it.skipIf(!existsSync(new URL(file, DATASETS)) && !process.env.CI)(
      `lets through every text of ${file} in which the engine finds something`,
      () => {
        const texts = rows(file);
        expect(texts.length).toBeGreaterThan(0);
        let found = 0;
        for (const text of texts) {
          const p = prepare(text);
          if (engine.spans.every((d) => d.scan(p).length === 0)) continue;
          found++;
          expect(mayMatch(text), text.slice(0, 200)).toBe(true);
        }
        expect(found).toBeGreaterThan(0);
      },
    );
  }

  it('rejects plain prose, keeps cues', () => {
    expect(mayMatch('The gateway checks every answer before release, as documented.')).toBe(false);
    expect(mayMatch('my password is hunter')).toBe(true);
    expect(mayMatch('write to bob at example dot com')).toBe(false);
    expect(mayMatch('call 415 555 2671')).toBe(true);
    expect(engine.gated).toBe(true);
  });
});
