import { describe, expect, it } from 'vitest';
import { STAGES } from '../../../src/boot/stages.js';
import { checkStageDefs } from '../../../src/pipeline/build.js';
import type { Phase } from '../../../src/pipeline/phases.js';
import type { StageDef } from '../../../src/pipeline/registry.js';

const names = (defs: readonly StageDef[]): string[] => defs.map((d) => d.name);

/** Deterministic Fisher–Yates with a small LCG, so a failure names its seed. */
function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const route = (
  name: string,
  phase: Phase,
  order: { before?: string[]; after?: string[] } = {},
): StageDef => ({ name, phase, scope: 'route', create: () => null, ...order });

describe('stage order', () => {
  it("is today's data-plane order, whatever the order of STAGES", () => {
    const expected = [
      'correlate',
      'resilience.killswitch-all',
      'authenticate',
      'validate.parse',
      'resilience.killswitch',
      'auditBackpressure',
      'authorize',
      'validate.caps',
      'canary.split',
      'limits.admit',
      'guard.input',
      'outputGuard.prepare',
      'route.pin',
      'route.verified-backend',
      'limits.mark-upstream',
      'callUpstream',
      'outputGuard.inspect',
      'limits.settle',
      'canary.record',
      'record',
      'judge.handoff',
    ];
    expect(names(checkStageDefs(STAGES))).toEqual(expected);
    expect(names(checkStageDefs([...STAGES].reverse()))).toEqual(expected);
    for (let seed = 1; seed <= 50; seed++)
      expect(names(checkStageDefs(shuffled(STAGES, seed))), `seed ${seed}`).toEqual(expected);
  });

  it('holds the orders the data plane relies on as declared constraints, not as an accident of names', () => {
    const declared = (first: string, second: string): boolean =>
      STAGES.some(
        (d) =>
          (d.name === first && (d.before ?? []).includes(second)) ||
          (d.name === second && (d.after ?? []).includes(first)),
      );
    expect(declared('authorize', 'validate.caps')).toBe(true);
    expect(declared('guard.input', 'outputGuard.prepare')).toBe(true);
    expect(declared('limits.mark-upstream', 'callUpstream')).toBe(true);
  });

  it('follows before/after within a phase and breaks ties by name', () => {
    const defs = [
      route('c', 'inspectInput', { after: ['a'] }),
      route('b', 'inspectInput'),
      route('a', 'inspectInput', { after: ['z'] }),
      route('z', 'inspectInput'),
      route('y', 'admit'),
    ];
    expect(names(checkStageDefs(defs))).toEqual(['y', 'b', 'z', 'a', 'c']);
    expect(names(checkStageDefs([...defs].reverse()))).toEqual(['y', 'b', 'z', 'a', 'c']);
  });

  it('refuses a cycle, naming it', () => {
    const defs = [
      route('a', 'inspectInput', { before: ['b'] }),
      route('b', 'inspectInput', { before: ['c'] }),
      route('c', 'inspectInput', { before: ['a'] }),
      route('d', 'inspectInput', { after: ['c'] }),
    ];
    expect(() => checkStageDefs(defs)).toThrow(
      /phase inspectInput has a cycle: (a → b → c → a|b → c → a → b|c → a → b → c)/,
    );
    expect(() => checkStageDefs([route('a', 'route', { after: ['a'] })])).toThrow(/names the stage itself/);
    expect(() =>
      checkStageDefs([route('a', 'route', { after: ['b'] }), route('b', 'route', { after: ['a'] })]),
    ).toThrow(/cycle: (a → b → a|b → a → b)/);
  });

  it('refuses an unknown name, a stage of another phase, a duplicate and an impossible scope order', () => {
    expect(() => checkStageDefs([...STAGES, route('x', 'inspectInput', { after: ['guard.inptu'] })])).toThrow(
      'stage x: "after" names unknown stage "guard.inptu"',
    );
    expect(() =>
      checkStageDefs([...STAGES, route('x', 'inspectInput', { before: ['callUpstream'] })]),
    ).toThrow(/"before" names "callUpstream" of phase callUpstream/);
    expect(() => checkStageDefs([...STAGES, route('record', 'inspectInput')])).toThrow(
      'stage record: registered twice',
    );
    // The edge stages of `validate` run before its route stages.
    expect(() => checkStageDefs([...STAGES, route('x', 'validate', { before: ['validate.parse'] })])).toThrow(
      /x cannot run before validate.parse/,
    );
  });

  it('lets a subset leave out a stage the catalog knows, and still refuses names the catalog does not', () => {
    const subset = STAGES.filter((s) => s.name !== 'limits.mark-upstream');
    expect(names(checkStageDefs(subset, STAGES))).not.toContain('limits.mark-upstream');
    expect(() => checkStageDefs(subset)).toThrow(/unknown stage "limits.mark-upstream"/);
  });
});
