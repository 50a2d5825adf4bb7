/**
 * `@gradstream/data` runs in browsers: its main entry's module graph — its own sources, the
 * gradstream packages it imports (their sources, as vitest sees them) and its npm dependencies
 * (resolved as a browser bundler resolves them) — imports no Node built-in, and its own sources
 * read no Node global.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageSources } from '../../../test/support/package-sources.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dataSrc = join(root, 'packages/data/src');
const sources = packageSources(root);
/** The conditions a browser bundler resolves `exports` and `imports` with (never `node`). */
const BROWSER_CONDITIONS = new Set(['browser', 'import', 'module', 'default']);
/** Globals Node has and browsers lack. */
const NODE_GLOBALS = new Set(['Buffer', 'process', 'require', 'module', '__dirname', '__filename', 'global', 'setImmediate']);

interface Walk {
  /** Every file reached, relative to the repository root. */
  readonly files: string[];
  /** `file: imports x` for each Node built-in imported; `file: uses x` for each Node global read in the package's own sources. */
  readonly problems: string[];
}

/** Follows every runtime import from `entry`, as a browser bundle would. */
function walk(entry: string): Walk {
  const seen = new Set<string>();
  const problems: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const where = relative(root, file);
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
    for (const spec of runtimeImports(sf)) {
      if (spec.startsWith('node:') || isBuiltin(spec)) {
        problems.push(`${where}: imports ${spec}`);
        continue;
      }
      const target = resolveImport(spec, file);
      if (target === undefined) problems.push(`${where}: cannot resolve ${spec}`);
      else queue.push(target);
    }
    if (file.startsWith(dataSrc)) for (const name of nodeGlobals(sf)) problems.push(`${where}: uses ${name}`);
  }
  return { files: [...seen].map((f) => relative(root, f)).sort(), problems };
}

/** Specifiers a module imports at run time: `import type` and `export type` are erased, everything else is kept. */
function runtimeImports(sf: ts.SourceFile): string[] {
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.importClause?.isTypeOnly !== true) specs.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) specs.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteral(node.arguments[0] as ts.Expression)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) specs.push((node.arguments[0] as ts.StringLiteral).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return specs;
}

/** Node globals read as free identifiers (not as property names, not declared in the file). */
function nodeGlobals(sf: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text)) {
      const p = node.parent;
      const isName = (ts.isPropertyAccessExpression(p) && p.name === node) || ((ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isMethodDeclaration(p)) && p.name === node);
      const declared = (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p)) && p.name === node;
      if (!isName && !declared) found.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function resolveImport(spec: string, from: string): string | undefined {
  if (spec.startsWith('.')) return asFile(resolve(dirname(from), spec));
  if (spec.startsWith('#')) {
    const pkgDir = packageDirOf(from);
    const map = (readJson(join(pkgDir, 'package.json')).imports ?? {}) as Record<string, unknown>;
    const target = pick(map[spec]);
    if (target === undefined) return undefined;
    return target.startsWith('./') ? asFile(join(pkgDir, target)) : resolveImport(target, join(pkgDir, 'package.json'));
  }
  const own = sources[spec];
  if (own !== undefined) return own;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  const sub = `.${spec.slice(name.length)}`;
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate)) {
      const pkgDir = realpathSync(candidate);
      const pkg = readJson(join(pkgDir, 'package.json'));
      const exports = pkg.exports as Record<string, unknown> | string | undefined;
      let target: string | undefined;
      if (exports !== undefined) {
        const entries = typeof exports === 'string' || !Object.keys(exports).some((k) => k.startsWith('.')) ? { '.': exports } : exports;
        target = pick(entries[sub]);
      } else if (sub === '.') {
        target = [pkg.browser, pkg.module, pkg.main, './index.js'].find((t): t is string => typeof t === 'string');
      } else {
        target = sub;
      }
      return target === undefined ? undefined : asFile(join(pkgDir, target));
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The target an `exports`/`imports` entry gives under the browser conditions (the first that matches, in the entry's order). */
function pick(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (typeof entry !== 'object' || entry === null) return undefined;
  for (const [condition, value] of Object.entries(entry)) {
    if (!BROWSER_CONDITIONS.has(condition)) continue;
    const target = pick(value);
    if (target !== undefined) return target;
  }
  return undefined;
}

/** A path as a file: TypeScript sources import `./x.js` for `./x.ts`. */
function asFile(path: string): string | undefined {
  for (const p of [path, path.replace(/\.js$/, '.ts'), `${path}.ts`, `${path}.js`, join(path, 'index.ts'), join(path, 'index.js')]) {
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

function packageDirOf(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

describe("@gradstream/data's main entry", () => {
  it('imports no Node built-in anywhere in its module graph, and its sources read no Node global', () => {
    const { files, problems } = walk(sources['@gradstream/data'] as string);
    expect(problems).toEqual([]);
    // The walk reached the package's modules, the gradstream sources they import, and csv-parse's
    // browser build (which brings its own Buffer), not the Node build that reads the global one.
    expect(files).toEqual(expect.arrayContaining(['packages/data/src/csv.ts', 'packages/data/src/shuffle.ts', 'packages/tensor/src/rng.ts', 'packages/tensor/src/errors.ts']));
    expect(files.filter((f) => f.includes('csv-parse')).map((f) => f.replace(/.*node_modules\/csv-parse\//, ''))).toEqual(['dist/esm/sync.js']);
    // Type-only imports are erased: the model type fitSamples takes does not pull in @gradstream/graph.
    expect(files.some((f) => f.startsWith('packages/graph/'))).toBe(false);
  });

  it('is checked by a walk that does find Node: in the Node entry, and in a global read', () => {
    const { problems } = walk(sources['@gradstream/data/node'] as string);
    expect(problems).toEqual(expect.arrayContaining(['packages/data/src/node-entry.ts: imports node:fs', 'packages/data/src/node-entry.ts: imports node:stream']));
    const text = "const b = Buffer.from('a'); const o = { process: 1 }; o.process;";
    expect(nodeGlobals(ts.createSourceFile('made-up.ts', text, ts.ScriptTarget.ES2022, true))).toEqual(['Buffer']);
  });
});
