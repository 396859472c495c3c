import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile that bench/profile.ts and bench/profile-path.ts read. */
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A loaded profile with its nodes by id and each node's parent. */
export interface LoadedProfile {
  readonly file: string;
  readonly profile: CpuProfile;
  readonly byId: ReadonlyMap<number, ProfileNode>;
  readonly parent: ReadonlyMap<number, number>;
}

/**
 * The newest main-thread profile in `dir`. Files are CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile:
 * thread 0 is the main thread (tsx adds a loader thread).
 */
export function newestProfile(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => /\.0\.\d+\.cpuprofile$/.test(f))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const file = files[0];
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
  return file;
}

/** `path` itself, or the newest main-thread profile when it is a directory. */
export function loadProfile(path: string): LoadedProfile {
  const file = statSync(path).isDirectory() ? newestProfile(path) : path;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return { file, profile, byId: new Map(profile.nodes.map((n) => [n.id, n])), parent };
}
