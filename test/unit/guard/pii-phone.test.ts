import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { guardSchema } from '../../../src/config/schema/guard.js';
import { createPiiDetector } from '../../../src/guard/detectors/pii.js';
import {
  createScanBudget,
  findPhones,
  PHONE_VALIDATIONS_PER_REQUEST,
} from '../../../src/guard/detectors/pii-phone.js';
import { scanText } from '../../../src/guard/engine.js';
import { inspectInputStage } from '../../../src/guard/input-stage.js';
import { createGuardService } from '../../../src/guard/service.js';
import { GUARD } from '../../../src/guard/slots.js';
import type { RequestContext } from '../../../src/pipeline/context.js';
import type { Runtime, RuntimeRoute } from '../../../src/pipeline/runtime.js';
import { scan } from './helpers.js';
import { referencePhones } from './pii-phone-reference.js';

/** Every libphonenumber validation the detector makes, counted (the real validator still answers). */
const calls = vi.hoisted(() => ({ n: 0 }));
vi.mock('libphonenumber-js', async (importActual) => {
  const actual = await importActual<typeof import('libphonenumber-js')>();
  return {
    ...actual,
    isValidPhoneNumber: (...args: Parameters<typeof actual.isValidPhoneNumber>) => {
      calls.n++;
      return actual.isValidPhoneNumber(...args);
    },
  };
});

const pad = (n: number, w: number) => String(n).padStart(w, '0');
/** Distinct bare 10-digit numbers libphonenumber refuses (exchange starting with 0) and accepts. */
const invalid = (k: number) => `212 0${pad(k % 100, 2)} ${pad(k, 4)}`;
const valid = (k: number) => `212 5${pad(k % 100, 2)} ${pad(k, 4)}`;
const numbersText = (make: (k: number) => string, from: number, n: number) =>
  Array.from({ length: n }, (_, k) => make(from + k)).join('; ');

describe('phone validation: same results, bounded per request', () => {
  it('finds exactly the phones of the old finder (every candidate validated) while under the cap', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'call me at ',
        'tel: ',
        ' office',
        ' and ',
        '; ',
        '\n',
        'order ',
        'on ',
        ' x12',
        ' ext. 7',
      ),
      fc.constantFrom('+1 ', '+44 ', '00', '001-', '(', ') ', '-', '.', ' '),
      fc.stringMatching(/^\d{1,5}$/),
      fc.integer({ min: 0, max: 9_999 }).map((k) => (k % 2 ? valid(k) : invalid(k))),
      fc.constantFrom(
        '415-555-2671',
        '020 7946 0958',
        '2014-02-13',
        '12/12/1938',
        '555 1234',
        '(415) 555 2671',
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        const budget = createScanBudget();
        budget.phoneValidations = Number.MAX_SAFE_INTEGER;
        expect(findPhones(text, budget)).toEqual(referencePhones(text));
      }),
      { numRuns: 400 },
    );
  });

  it('numbers decided by their shape or their context are never validated', () => {
    calls.n = 0;
    const text = `${'+1 (555) 123-4567, '.repeat(700)} call 212 055 1234 or 212 055 1235 office`;
    expect(findPhones(text, createScanBudget())).toHaveLength(702);
    expect(calls.n).toBe(0);
  });

  it('each distinct candidate is validated once per request', () => {
    calls.n = 0;
    const budget = createScanBudget();
    expect(
      findPhones(
        numbersText(() => valid(7), 0, 500),
        budget,
      ),
    ).toHaveLength(500);
    expect(
      findPhones(
        numbersText(() => invalid(7), 0, 500),
        budget,
      ),
    ).toHaveLength(0);
    expect(calls.n).toBe(2);
  });

  it('past the cap, bare candidates are reported as PHONE unvalidated (fail closed)', () => {
    calls.n = 0;
    const extra = 36;
    const text = numbersText(invalid, 0, PHONE_VALIDATIONS_PER_REQUEST + extra);
    const found = findPhones(text, createScanBudget());
    expect(calls.n).toBe(PHONE_VALIDATIONS_PER_REQUEST);
    // The validated ones were refused; every one after the cap is reported.
    expect(found.map((s) => text.slice(s.start, s.end))).toEqual(
      Array.from({ length: extra }, (_, k) => invalid(PHONE_VALIDATIONS_PER_REQUEST + k)),
    );
  });

  it('the PII detector falls back to a budget of its own per text', () => {
    calls.n = 0;
    const pii = createPiiDetector({ entities: ['PHONE'], names: 'lexicon' });
    for (let i = 0; i < 3; i++) scanText(numbersText(invalid, i * 1_000, 100), 'user', [pii]);
    expect(calls.n).toBe(3 * PHONE_VALIDATIONS_PER_REQUEST);
  });

  it('the input stage shares one budget across the messages of a request, and redacts past it', async () => {
    const rt = { services: {} } as unknown as Runtime;
    GUARD.set(rt, createGuardService(guardSchema.parse({})));
    if (inspectInputStage.scope !== 'route') throw new Error('expected a route stage');
    const run = inspectInputStage.create(rt, { alias: 'r' } as RuntimeRoute);
    if (run === null) throw new Error('no guard stage');
    const messages = Array.from({ length: 200 }, (_, i) => ({
      role: 'user',
      content: `ids ${numbersText(invalid, i * 4, 4)}`,
    }));
    const ctx = {
      body: { messages },
      endpoint: 'chat',
      verdicts: [],
      flags: [],
      abort: new AbortController(),
    } as unknown as RequestContext;
    calls.n = 0;
    await run(ctx);
    expect(calls.n).toBe(PHONE_VALIDATIONS_PER_REQUEST);
    const out = (ctx.body as { messages: Array<{ content: string }> }).messages.map((m) => m.content);
    // 64 validated (refused) numbers fill the first 16 messages; every later number is redacted.
    expect(out[0]).toBe(`ids ${numbersText(invalid, 0, 4)}`);
    expect(out[15]).toBe(`ids ${numbersText(invalid, 60, 4)}`);
    for (const content of out.slice(16)) expect(content).toMatch(/^ids (?:\[PHONE_\d+\](?:; )?){4}$/);
  });
});

describe('national phone formats and the region hint', () => {
  const budget = () => createScanBudget();
  const found = (text: string, regions?: readonly string[]) =>
    scan(createPiiDetector({ entities: ['PHONE'], names: 'lexicon', phoneRegions: regions }), text)
      .filter((f) => f.type === 'PHONE')
      .map((f) => text.slice(f.span!.start, f.span!.end));

  it('takes a trunk-0 national number in groups without a phone word', () => {
    expect(found('the desk is on 020 7946 0018 today')).toContain('020 7946 0018');
    expect(found('Je suis au 06 12 34 56 78 ce soir')).toContain('06 12 34 56 78');
    expect(found('Die Zentrale 030 1234 5678 ist offen')).toContain('030 1234 5678');
    // Ungrouped, or with a length no national plan uses, it is not taken on shape alone.
    expect(found('ref 02079460018 today')).toEqual([]);
  });

  it('validates bare local numbers against the configured regions', () => {
    const polish = 'Zadzwoń pod 512 345 678 jutro';
    expect(found(polish)).toEqual([]);
    expect(found(polish, ['PL'])).toContain('512 345 678');
    expect(findPhones(polish, budget(), ['US', 'PL']).length).toBe(1);
  });

  it('refuses an unknown region in the config', () => {
    const pii = (regions: string) => guardSchema.safeParse({ pii: { phoneRegions: JSON.parse(regions) } });
    expect(pii('["GB", "DE"]').success).toBe(true);
    expect(pii('["ZZ"]').success).toBe(false);
    expect(pii('["gb"]').success).toBe(false);
  });
});
