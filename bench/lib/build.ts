import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/**
 * Compiles src/ and the bench targets with the TypeScript compiler (per-file transpile, the same
 * emit as `npm run build`) so the measured processes run plain JS as in production. Running them
 * under tsx would add its loader and esbuild's keepNames `__name()` calls to every closure.
 */
export function buildForBench(root: string, outDir: string): void {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    verbatimModuleSyntax: false,
    esModuleInterop: true,
    sourceMap: false,
  };
  for (const dir of ['src', 'bench/targets', 'bench/lib']) {
    for (const file of walk(join(root, dir))) {
      const out = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
      const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file });
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, js.outputText);
    }
  }
}

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}
