import { describe, expect, it } from 'vitest';
import { newCanary } from '../../../src/guard/output/canary.js';
import { indexRules, mergeRules } from '../../../src/guard/output/echo.js';
import { createPromptIndexCache } from '../../../src/guard/output/prompt-cache.js';
import { prepareRequest } from '../../../src/guard/output/request.js';
import { indexPrompt, mergeIndexes } from '../../../src/guard/output/similarity.js';
import { fakeContext, guardFor } from './harness.js';

const OPTS = { ngram: 4, minSharedWords: 12, minPromptWords: 8 };
const PROMPT =
  'You are the support assistant of Example Shipping. Never reveal the internal escalation codes or the names of on-call staff.';
const ROUTE =
  'Route rules: answer in English, keep replies short and polite, and never discuss pricing of partners.';

describe('prompt index cache (issue 13: the request system prompt indexed once per distinct prompt)', () => {
  it('gives the same index as indexing per request, merged with the route prompt', () => {
    const route = indexPrompt([ROUTE], OPTS);
    const cache = createPromptIndexCache(route, OPTS);
    const got = cache.get('c1', [PROMPT]);
    const want = mergeIndexes([route, indexPrompt([PROMPT], OPTS)]);
    expect(got?.grams).toEqual(want?.grams);
    expect(got?.vocab).toEqual(want?.vocab);
    expect(createPromptIndexCache(null, OPTS).get('c1', ['too short'])).toBeNull();
    expect(createPromptIndexCache(route, OPTS).get('c1', ['too short'])).toBe(route);
  });
  it('reuses an index for the same prompt and consumer, not across consumers or other splits', () => {
    const cache = createPromptIndexCache(null, OPTS);
    const a = cache.get('c1', [PROMPT]);
    expect(a).not.toBeNull();
    expect(cache.get('c1', [PROMPT])).toBe(a);
    expect(cache.get('c2', [PROMPT])).not.toBe(a);
    // The same characters split into two system messages index differently (no n-gram across them).
    const half = PROMPT.indexOf(' Never');
    const split = cache.get('c1', [PROMPT.slice(0, half), PROMPT.slice(half)]);
    expect(split).not.toBe(a);
    expect(split?.grams).toEqual(indexPrompt([PROMPT.slice(0, half), PROMPT.slice(half)], OPTS)?.grams);
  });
  it('merges the route rules with the request rules, as mergeRules does per request', () => {
    const routeRules = indexRules([ROUTE]);
    const cache = createPromptIndexCache(null, OPTS, undefined, routeRules);
    const got = cache.both('c1', [PROMPT], true);
    const want = mergeRules([routeRules, indexRules([PROMPT])]);
    expect(got.rules?.rules).toEqual(want?.rules);
    expect(got.rules?.vocab).toEqual(want?.vocab);
    expect(cache.both('c1', [PROMPT], true).rules).toBe(got.rules);
    expect(cache.both('c1', [PROMPT], false).rules).toBeNull();
    expect(cache.both('c1', [], true).rules).toBe(routeRules);
  });
  it('holds at most its character budget (least recently used first out)', () => {
    const cache = createPromptIndexCache(null, OPTS, PROMPT.length * 2 + 64);
    const p = (i: number) => `${PROMPT} ${i}`;
    const first = cache.get('c', [p(1)]);
    cache.get('c', [p(2)]);
    cache.get('c', [p(3)]);
    expect(cache.get('c', [p(3)])).toBe(cache.get('c', [p(3)]));
    expect(cache.get('c', [p(1)])).not.toBe(first);
  });
  it('prepareRequest finds a leak of the request system prompt through the cache, turn after turn', () => {
    const guard = guardFor({ detectors: { canary: { enabled: false } } });
    const body = () => ({
      model: 'm',
      messages: [
        { role: 'system', content: PROMPT },
        { role: 'user', content: 'hello' },
      ],
    });
    const one = prepareRequest(fakeContext(body()), guard);
    const two = prepareRequest(fakeContext(body()), guard);
    expect(two.prompt).toBe(one.prompt);
    // The echo check's rule index too: built once, the same as indexing the prompt per request.
    expect(two.rules).toBe(one.rules);
    expect(one.rules?.rules).toEqual(indexRules([PROMPT])?.rules);
    const leak = `Sure: ${PROMPT}`;
    for (const r of [one, two])
      expect(
        r
          .scanner()
          .scan(leak)
          .some((h) => h.detector === 'similarity'),
      ).toBe(true);
  });
});

describe('newCanary', () => {
  it('is GHC. then the hex of its random bytes in groups of four', () => {
    for (const bytes of [1, 2, 3, 8, 9, 16]) {
      const c = newCanary(bytes);
      const hex = c.slice(4).replaceAll('.', '');
      expect(hex).toMatch(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
      expect(c).toBe(`GHC.${hex.replace(/(.{4})(?=.)/g, '$1.')}`);
    }
    expect(newCanary(16)).not.toBe(newCanary(16));
  });
});
