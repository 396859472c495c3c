import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const DIRS = ['src', 'bench/targets', 'bench/lib'];
// Top-level entries that are not compiled; linked so modules that locate data relative to
// themselves (models/, examples/) find it in the build tree too.
const NOT_LINKED = new Set(['src', 'bench', '.git', '.tmp']);

/**
 * Compiles src/ and the bench targets with the TypeScript compiler (per-file transpile, the same
 * emit as `npm run build`) so the measured processes run plain JS as in production. Running them
 * under tsx would add its loader and esbuild's keepNames `__name()` calls to every closure.
 * `ref` compiles the gateway from a git commit instead of the working tree (reproducible numbers
 * while others edit, and before/after comparisons in one run).
 */
export function buildForBench(root: string, outDir: string, ref: string | null): void {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    esModuleInterop: true,
  };
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const e of readdirSync(root)) if (!NOT_LINKED.has(e)) symlinkSync(join(root, e), join(outDir, e));
  // The harness (bench/) always comes from the working tree; `ref` selects the gateway's src/.
  const files =
    ref === null ? walkAll(root, DIRS) : [...gitFiles(root, ref), ...walkAll(root, DIRS.slice(1))];
  for (const file of files) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
    const text =
      ref === null || file.startsWith('bench/')
        ? readFileSync(join(root, file), 'utf8')
        : execFileSync('git', ['show', `${ref}:${file}`], {
            cwd: root,
            encoding: 'utf8',
            maxBuffer: 1 << 26,
          });
    const out = join(outDir, file).replace(/\.ts$/, '.js');
    const js = ts.transpileModule(text, { compilerOptions: options, fileName: file });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js.outputText);
  }
}

/**
 * Builds the gateway (buildForBench) into `.tmp/<name>` and compiles the calling bench script (its
 * `import.meta.url`) beside it, for benches whose measured processes run that script itself.
 * Returns the compiled script's path.
 */
export function buildBenchScript(scriptUrl: string, name: string, ref: string | null = null): string {
  const here = fileURLToPath(scriptUrl);
  const root = dirname(dirname(here));
  const out = join(root, '.tmp', name);
  buildForBench(root, out, ref);
  const js = ts.transpileModule(readFileSync(here, 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ESNext, esModuleInterop: true },
  });
  const file = join(out, 'bench', basename(here).replace(/\.ts$/, '.js'));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, js.outputText);
  return file;
}

/** `git describe`-like label of what was compiled, for the report. */
export function describeBuild(root: string, ref: string | null): string {
  const git = (...a: string[]) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
  try {
    if (ref !== null) return `commit ${git('rev-parse', '--short', ref)}`;
    const dirty = git('status', '--porcelain', '--', ...DIRS) !== '';
    return `working tree at ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes' : ''}`;
  } catch {
    return 'unknown revision';
  }
}

function gitFiles(root: string, ref: string): string[] {
  return execFileSync('git', ['ls-tree', '-r', '--name-only', ref, '--', 'src'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f !== '');
}

function walkAll(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out;
}
