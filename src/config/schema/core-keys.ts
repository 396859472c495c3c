/**
 * The top-level config keys no feature owns: listeners, the store, logging, config lint settings
 * and the routes every feature reads. Every other top-level key of gatehouse.yaml belongs to
 * exactly one feature, which declares it (`Feature.config`, src/pipeline/feature.ts); a unit test
 * (test/unit/pipeline/feature-config.test.ts) holds the schema and the feature list to that.
 */
export const CORE_CONFIG_KEYS = [
  'version',
  'server',
  'health',
  'metrics',
  'store',
  'log',
  'lint',
  'routes',
] as const;

export type CoreConfigKey = (typeof CORE_CONFIG_KEYS)[number];
