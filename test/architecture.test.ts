// The layout rules of src/ (docs/architecture.md): every stage is a folder with one public face
// (index.ts, plus pure.ts where browsers need a Node-free subset); no file imports another
// stage's internals; imports go down the stage order only (so stages form no cycle); no cycle
// of files inside a stage; browser faces reach no Node built-in; the web app imports faces only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../src/core/index.js';

const ROOT = packageRoot();
const SRC = join(ROOT, 'src');

/** The stages, lowest first: a stage may import only stages before it. */
export const STAGES = [
  'core',
  'tensor-io',
  'engine',
  'dsp',
  'audio',
  'backbones',
  'features',
  'data',
  'models',
  'metrics',
  'report',
  'run',
  'train',
  'pretrain',
  'audit',
  'dimensional',
  'queue',
  'spoof',
  'runtime',
  'serve',
  'cli',
] as const;
const FACES = ['index.ts', 'pure.ts'];
/** Packages that only run in Node (a browser face must not reach them). */
const NODE_ONLY_PACKAGES = ['onnxruntime-node', 'piscina', 'fastify', '@fastify/', 'cli-progress', 'commander', 'bullmq', 'ioredis'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Import specifiers of a file (static, re-exports, dynamic), without type-only imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    if (/^\s*(?:import|export)\s+type\s/.test(m[0].trimStart())) continue;
    out.push(m[1] ?? m[2]);
  }
  return out;
}

/** All imports (types included): the layering rules hold for types too. */
function allImportsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]);
}

function resolveSpec(from: string, spec: string): string | null {
  if (!spec.startsWith('.') || /\.(css|json|wasm)$/.test(spec)) return null;
  const base = resolve(dirname(from), spec);
  for (const c of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')])
    if (existsSync(c) && c.endsWith('.ts')) return c;
  throw new Error(`${relative(ROOT, from)}: cannot resolve '${spec}'`);
}

function stageOf(file: string): string | null {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split('/');
  return parts.length === 1 ? null : parts[0];
}

function isFace(file: string): boolean {
  const rel = relative(SRC, file).split('/');
  return rel.length === 2 && FACES.includes(rel[1]);
}

const srcFiles = tsFiles(SRC);

test('every stage folder is a known stage with an index.ts face', () => {
  const folders = readdirSync(SRC, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  assert.deepEqual(folders, [...STAGES].sort());
  for (const s of STAGES) assert.ok(existsSync(join(SRC, s, 'index.ts')), `src/${s}/index.ts`);
});

test("no file imports another stage's internals, and imports go down the stage order only", () => {
  const problems: string[] = [];
  for (const f of srcFiles) {
    const from = stageOf(f);
    for (const spec of allImportsOf(f)) {
      const t = resolveSpec(f, spec);
      if (t === null) continue;
      const to = stageOf(t);
      if (to === null || to === from) continue;
      const where = `${relative(ROOT, f)} → ${relative(ROOT, t)}`;
      if (!isFace(t)) problems.push(`${where}: reaches into ${to}'s internals (import its index.ts)`);
      if (from !== null && STAGES.indexOf(to as never) >= STAGES.indexOf(from as never))
        problems.push(`${where}: ${from} may not import ${to} (stages import only stages below them)`);
    }
  }
  assert.deepEqual(problems, []);
});

test('no cycle of files inside a stage', () => {
  const graph = new Map<string, string[]>();
  for (const f of srcFiles)
    graph.set(
      f,
      importsOf(f)
        .map((s) => resolveSpec(f, s))
        .filter((t): t is string => t !== null && stageOf(t) === stageOf(f)),
    );
  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map<string, number>(),
    low = new Map<string, number>(),
    onStack = new Set<string>(),
    stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(relative(ROOT, w));
      } while (w !== v);
      if (scc.length > 1) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  assert.deepEqual(cycles, []);
});

test('browser faces (pure.ts) reach no Node built-in and no Node-only package', () => {
  const faces = STAGES.map((s) => join(SRC, s, 'pure.ts')).filter(existsSync);
  assert.ok(faces.length >= 3, 'the web app needs pure faces');
  for (const face of faces) {
    const seen = new Set<string>();
    const bad: string[] = [];
    const walk = (f: string, via: string[]): void => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const spec of importsOf(f)) {
        if (spec.startsWith('node:') || NODE_ONLY_PACKAGES.some((p) => spec === p || spec.startsWith(p)))
          bad.push(`${[...via, relative(ROOT, f)].join(' → ')} imports '${spec}'`);
        const t = resolveSpec(f, spec);
        if (t) walk(t, [...via, relative(ROOT, f)]);
      }
    };
    walk(face, []);
    assert.deepEqual(bad, [], relative(ROOT, face));
  }
});

test('the web app imports src only through faces (pure.ts where there is one)', () => {
  const problems: string[] = [];
  for (const f of tsFiles(join(ROOT, 'web', 'src'))) {
    for (const spec of allImportsOf(f)) {
      const t = resolveSpec(f, spec);
      if (t === null || stageOf(t) === null) continue;
      const stage = stageOf(t)!;
      const want = existsSync(join(SRC, stage, 'pure.ts')) ? 'pure.ts' : 'index.ts';
      if (relative(join(SRC, stage), t) !== want) problems.push(`${relative(ROOT, f)} → ${relative(ROOT, t)} (use src/${stage}/${want})`);
    }
  }
  assert.deepEqual(problems, []);
});
