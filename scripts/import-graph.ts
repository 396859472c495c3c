/**
 * The import graph of src/, file by file and folded to top-level folders (a file directly under src/
 * is its own node, named without `.ts`). Parsed with the TypeScript compiler so that every kind of
 * edge counts: imports and re-exports (type-only too: they couple as much as value imports),
 * dynamic `import()`, `import('...').T` types and module augmentations (`declare module '...'`).
 *
 *   npx tsx scripts/import-graph.ts     prints the folder edges (with file counts) and folder cycles
 *
 * test/unit/architecture.test.ts states the layer rule over this graph.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface FileEdge {
  readonly from: string;
  readonly to: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function specifiers(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      out.push(node.moduleSpecifier.text);
    else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) out.push(node.name.text);
    else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    )
      out.push(node.argument.literal.text);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      out.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every relative import between files of `srcDir`, as paths relative to it (`http/deliver.ts`). */
export function fileEdges(srcDir: string): FileEdge[] {
  const edges: FileEdge[] = [];
  for (const file of sourceFiles(srcDir)) {
    for (const spec of specifiers(file)) {
      if (!spec.startsWith('.')) continue;
      const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
      edges.push({ from: relative(srcDir, file), to: relative(srcDir, target) });
    }
  }
  return edges;
}

/** The top-level node of a path relative to src/: its first folder, or the file's name without `.ts`. */
export function nodeOf(path: string): string {
  const parts = path.split(sep);
  return parts.length > 1 ? (parts[0] as string) : path.replace(/\.ts$/, '');
}

/** Folder-level edges `a -> b` (a ≠ b), each with the file edges behind it. */
export function folderEdges(edges: readonly FileEdge[]): Map<string, FileEdge[]> {
  const out = new Map<string, FileEdge[]>();
  for (const e of edges) {
    const a = nodeOf(e.from);
    const b = nodeOf(e.to);
    if (a === b) continue;
    const key = `${a} -> ${b}`;
    const list = out.get(key) ?? [];
    list.push(e);
    out.set(key, list);
  }
  return out;
}

/** Strongly connected components with more than one node (the folder cycles), each sorted, sorted. */
export function cycles(edgeKeys: Iterable<string>): string[][] {
  const next = new Map<string, string[]>();
  for (const key of edgeKeys) {
    const [a, b] = key.split(' -> ') as [string, string];
    next.set(a, [...(next.get(a) ?? []), b]);
    if (!next.has(b)) next.set(b, []);
  }
  // Tarjan's algorithm; the graph has a dozen nodes, recursion depth is no concern.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!idx.has(v)) connect(v);
  return out.sort((x, y) => x.join().localeCompare(y.join()));
}

/**
 * Edges against the layers (top to bottom): an edge is allowed only towards a lower layer, never to
 * a peer. `unplaced` lists the nodes no layer names.
 */
export function layerViolations(
  edgeKeys: Iterable<string>,
  layers: ReadonlyArray<readonly string[]>,
): { violations: string[]; unplaced: string[] } {
  const layerOf = new Map<string, number>();
  layers.forEach((names, i) => {
    for (const n of names) layerOf.set(n, i);
  });
  const violations: string[] = [];
  const unplaced = new Set<string>();
  for (const key of edgeKeys) {
    const [a, b] = key.split(' -> ') as [string, string];
    const la = layerOf.get(a);
    const lb = layerOf.get(b);
    if (la === undefined) unplaced.add(a);
    if (lb === undefined) unplaced.add(b);
    if (la !== undefined && lb !== undefined && lb <= la) violations.push(key);
  }
  return { violations: violations.sort(), unplaced: [...unplaced].sort() };
}

export const SRC = fileURLToPath(new URL('../src/', import.meta.url));

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const folders = folderEdges(fileEdges(SRC));
  for (const [key, list] of [...folders].sort(([a], [b]) => a.localeCompare(b)))
    console.log(`${key} (${list.length})`);
  console.log('\nfolder cycles:');
  for (const c of cycles(folders.keys())) console.log(`  ${c.join(', ')}`);
}
