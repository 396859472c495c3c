/**
 * The per-message token count cache (issue 13): same counts as the tokenizer, counted once per text
 * and consumer, the cap semantics of `within` kept, and memory bounded by characters.
 */
import { describe, expect, it } from 'vitest';
import type { TokenCounter } from '../../../src/formats/token-counter.js';
import { cachedTokenCounter } from '../../../src/upstream/token-cache.js';
import { loadTokenCounter } from '../../../src/upstream/tokenizer.js';

/** The real o200k counter, with a tally of the texts it was asked to count through `within`. */
async function tallied(): Promise<{ counter: TokenCounter; seen: string[] }> {
  const real = await loadTokenCounter('o200k_base');
  const seen: string[] = [];
  const counter = ((t: string) => real(t)) as TokenCounter;
  counter.within = (cap: number) => {
    const inner = real.within(cap);
    return (t: string) => {
      seen.push(t);
      return inner(t);
    };
  };
  return { counter, seen };
}

const history = [
  'You are a careful assistant for the operations team. Answer in plain English and keep it short.',
  'Our trucks arrive before the loading bays are ready; the reminders go out when the slot is booked.',
  'Send the reminder an hour before the bay time instead, and tell the carriers about the change.',
];

describe('token count cache', () => {
  it('gives the tokenizer’s counts, and counts a resent message only once per consumer', async () => {
    const { counter, seen } = await tallied();
    const real = await loadTokenCounter('o200k_base');
    const cached = cachedTokenCounter(counter, { maxChars: 1 << 20 });
    const turn = (texts: readonly string[], who: string) => {
      const c = cached.within(10_000, who);
      return texts.map((t) => c(t));
    };
    expect(turn(history.slice(0, 2), 'alice')).toEqual(history.slice(0, 2).map((t) => real(t)));
    expect(seen.length).toBe(2);
    // The next turn resends the history: only the new message is counted.
    expect(turn(history, 'alice')).toEqual(history.map((t) => real(t)));
    expect(seen.length).toBe(3);
    // Another consumer sending the same text is counted afresh (no cross-consumer timing signal).
    turn(history.slice(0, 1), 'bob');
    expect(seen.length).toBe(4);
  });

  it('keeps within’s cap: past the cap the total is a lower bound above it, and not cached', async () => {
    const { counter, seen } = await tallied();
    const cached = cachedTokenCounter(counter, { maxChars: 1 << 20 });
    const long = 'word '.repeat(400);
    const c = cached.within(50, 'a');
    expect(c(long)).toBeGreaterThan(50);
    const again = cached.within(10_000, 'a');
    const real = await loadTokenCounter('o200k_base');
    expect(again(long)).toBe(real(long));
    expect(seen.length).toBe(2);
  });

  it('holds at most maxChars characters of text, least recently used out first', async () => {
    const { counter, seen } = await tallied();
    const cached = cachedTokenCounter(counter, { maxChars: 300 });
    const texts = Array.from({ length: 5 }, (_, i) => `${'x'.repeat(90)} message number ${i}`);
    for (const t of texts) cached.within(1e6, 's')(t);
    expect(seen.length).toBe(5);
    // Only the last few fit in 300 characters: the first is counted again, the last is not.
    cached.within(1e6, 's')(texts[4] ?? '');
    expect(seen.length).toBe(5);
    cached.within(1e6, 's')(texts[0] ?? '');
    expect(seen.length).toBe(6);
  });
});
