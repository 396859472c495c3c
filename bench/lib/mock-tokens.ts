/**
 * The mock upstream's token `i` (bench/targets/mock-upstream.ts); the paced client (paced.ts)
 * rebuilds the answer from the same function.
 */
export function mockToken(i: number): string {
  return `${i === 0 ? '' : ' '}word${i}${i % 4 === 3 ? ',' : ''}`;
}

/** Whether token `i` ends its word (a comma), so no pattern can continue it. */
export const endsWord = (i: number): boolean => i % 4 === 3;
