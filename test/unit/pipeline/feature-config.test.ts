/**
 * Every top-level key of gatehouse.yaml is either core (src/config/schema/core-keys.ts) or owned by
 * exactly one feature of the list, which declares the very schema the config assembles for it.
 * A new section without an owning feature (or claimed by two) fails here.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { FEATURES } from '../../../src/boot/features.js';
import { CORE_CONFIG_KEYS } from '../../../src/config/schema/core-keys.js';
import { configSchema } from '../../../src/config/schema/index.js';

/** The section's schema under its `.default()` / `.prefault()` wrapper. */
function unwrap(s: z.ZodType): z.ZodType {
  let cur: z.ZodType = s;
  for (;;) {
    const def = cur._zod.def as { type: string; innerType?: z.ZodType };
    if ((def.type === 'default' || def.type === 'prefault') && def.innerType !== undefined)
      cur = def.innerType;
    else return cur;
  }
}

const keys = Object.keys(configSchema.shape);
const core: readonly string[] = CORE_CONFIG_KEYS;

describe('feature config sections', () => {
  it('every top-level config key is core or owned by exactly one feature', () => {
    const owners = new Map<string, string[]>();
    for (const f of FEATURES) {
      if (f.config === undefined) continue;
      owners.set(f.config.key, [...(owners.get(f.config.key) ?? []), f.name]);
    }
    const problems = keys.flatMap((k) => {
      const by = owners.get(k) ?? [];
      if (core.includes(k)) return by.length === 0 ? [] : [`${k}: core, yet claimed by ${by.join(', ')}`];
      if (by.length === 1) return [];
      return [by.length === 0 ? `${k}: no feature owns it` : `${k}: owned by ${by.join(', ')}`];
    });
    expect(problems).toEqual([]);
  });

  it('each core key is in the schema, and each declared key is a schema key', () => {
    expect(core.filter((k) => !keys.includes(k))).toEqual([]);
    const declared = FEATURES.flatMap((f) => (f.config === undefined ? [] : [f.config.key]));
    expect(declared.filter((k) => !keys.includes(k))).toEqual([]);
  });

  it("a feature's declared schema is the section the config assembles", () => {
    const shape: Record<string, z.ZodType> = configSchema.shape;
    for (const f of FEATURES) {
      if (f.config === undefined) continue;
      const section = shape[f.config.key];
      expect(section, f.config.key).toBeDefined();
      if (section !== undefined) expect(unwrap(section), `${f.name}.config`).toBe(f.config.schema);
    }
  });

  it('owners today: auth, limits, guard, outputGuard, telemetry', () => {
    const pairs = FEATURES.flatMap((f) => (f.config === undefined ? [] : [`${f.config.key}:${f.name}`]));
    expect(pairs).toEqual(
      expect.arrayContaining([
        'auth:auth',
        'limits:limits',
        'guard:guard',
        'outputGuard:outputGuard',
        'telemetry:telemetry',
      ]),
    );
  });
});
