/**
 * The dependency rule, checked over the import graph of src/ (scripts/import-graph.ts): "arrows point
 * down: boot → features → http/pipeline, store, errors, config schema, formats".
 * Each top-level folder (or file directly under src/) sits in one layer; a folder may
 * import only folders of lower layers, never its peers (features do not import each other).
 *
 * KNOWN lists imports allowed to break the rule for now, each with what removes it (empty today). The
 * test fails on a violation that is not listed, and on a listed one that has gone (delete its line).
 */
import { describe, expect, it } from 'vitest';
import { cycles, fileEdges, folderEdges, layerViolations, SRC } from '../../scripts/import-graph.js';

/**
 * Top to bottom: cli → boot → features → http → pipeline → config, store, errors → formats.
 * "Arrows point down: boot → features → http/pipeline, store, errors, config schema, formats."
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  // The command line.
  ['cli'],
  // The pre-deployment audit: reads the config and lint like boot does, probes a running gateway.
  ['preflight'],
  // The composition root (the only importer of every feature: service builders, stage list, listeners,
  // shutdown) and the demo upstream the CLI can start.
  ['boot', 'demo'],
  // Features: each is self-contained and reaches the others only through the layers below.
  [
    'admin',
    'canary',
    'edge',
    'egress',
    'guard',
    'judge',
    'resilience',
    'sandbox',
    'telemetry',
    'tools',
    'upstream',
  ],
  // HTTP: listeners, connections, JSON answers, errors and SSE writes. It knows no feature: the
  // upstream feature relays its own answer (src/upstream/deliver.ts) through it, and features
  // declare their health-listener GETs (Feature.healthRoutes) for the composition root to mount.
  ['http'],
  // The stage contract, phases, pipeline build and runner.
  ['pipeline'],
  // Declared config (schema, load, secrets), the store interface and implementations, the error catalog.
  ['config', 'store', 'errors'],
  // Leaf formats shared by everyone: the API-key format, provider and endpoint names, the identity.
  ['formats', 'identity'],
];

/** Folder-level violations allowed for now, with what removes each: none left. */
const KNOWN: Readonly<Record<string, string>> = {};

/** The folder cycles (strongly connected components): none; any new one contains a violation. */
const KNOWN_CYCLES: ReadonlyArray<readonly string[]> = [];

const folders = folderEdges(fileEdges(SRC));

describe('architecture: arrows point down', () => {
  it('places every top-level folder of src/ in a layer', () => {
    const { unplaced } = layerViolations(folders.keys(), LAYERS);
    expect(unplaced, 'add each new folder to LAYERS (a new feature goes to the features layer)').toEqual([]);
  });

  it('has no import against the layers beyond the known list, and every known one still exists', () => {
    const { violations } = layerViolations(folders.keys(), LAYERS);
    const fresh = violations
      .filter((v) => KNOWN[v] === undefined)
      .map((v) => `${v}: ${(folders.get(v) ?? []).map((e) => `${e.from} -> ${e.to}`).join(', ')}`);
    expect(fresh, 'new imports against the dependency rule').toEqual([]);
    const gone = Object.keys(KNOWN).filter((k) => !violations.includes(k));
    expect(gone, 'fixed: delete these lines from KNOWN').toEqual([]);
  });

  it('reports the folder cycles, which can only shrink', () => {
    expect(cycles(folders.keys())).toEqual(KNOWN_CYCLES);
  });

  it('the checker itself flags an upward import, a peer import and an unplaced folder', () => {
    const layers = [['boot'], ['a', 'b'], ['core']];
    const edges = ['boot -> a', 'a -> core', 'b -> core', 'core -> b', 'a -> b', 'x -> core'];
    expect(layerViolations(edges, layers)).toEqual({ violations: ['a -> b', 'core -> b'], unplaced: ['x'] });
    expect(cycles(['a -> b', 'b -> c', 'c -> a', 'c -> d', 'd -> e', 'e -> d'])).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });
});
