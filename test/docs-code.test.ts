/**
 * Every TypeScript example in README.md and docs/guides/*.md type-checks against the packages'
 * sources, as a user's code would against the published packages.
 *
 * Conventions for code blocks (the fence's info string: the language, then tags):
 *
 * - ```ts  — checked as a module of its own: its imports, strict TypeScript, top-level await allowed,
 *   Node's and the browser's (DOM) globals both available. Only what the packages export resolves
 *   (`@gradstream/graph/node` included), never a file inside a package.
 * - ```ts continued  — continues the ts block before it in the same file: it is checked in one
 *   module with that block (and with whatever that one continued), so a guide can build one
 *   example over several blocks. Its own errors are reported against it.
 * - ```ts ignore  — not checked (for fragments that are not code on their own).
 *
 * Any other tag is an error, so a misspelt one cannot silently switch a check off. Other languages
 * (sh, json, text) are not checked. Markdown is read with markdown-it, the parser typedoc renders
 * the guides with, so the blocks checked are exactly the blocks shown.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const guidesDir = join(root, 'docs/guides');
const guides = readdirSync(guidesDir)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => `docs/guides/${f}`);
const markdownFiles = ['README.md', ...guides];

const TAGS = new Set(['continued', 'ignore']);
const TS_LANGS = new Set(['ts', 'typescript']);

interface Block {
  readonly file: string;
  /** 1-based among the file's ts blocks, ignored ones included. */
  readonly index: number;
  /** 1-based line of the block's first code line in the markdown file. */
  readonly line: number;
  readonly code: string;
  readonly tags: readonly string[];
}

/** What is compiled for one block: the blocks it continues, then the block itself. */
interface Module {
  readonly block: Block;
  readonly path: string;
  readonly text: string;
  /** Where the block itself starts in `text`. */
  readonly start: number;
}

function tsBlocks(file: string): Block[] {
  const tokens = new MarkdownIt().parse(readFileSync(join(root, file), 'utf8'), {});
  const blocks: Block[] = [];
  for (const t of tokens) {
    if (t.type !== 'fence') continue;
    const [lang = '', ...tags] = t.info.trim().split(/\s+/);
    if (!TS_LANGS.has(lang)) continue;
    blocks.push({ file, index: blocks.length + 1, line: (t.map?.[0] ?? 0) + 2, code: t.content, tags });
  }
  return blocks;
}

const blocks = markdownFiles.flatMap(tsBlocks);

/** Blocks of a made-up file, checked alongside the real ones so the checker is known to report, and where. */
const selfCheck: readonly Block[] = [
  { file: 'self-check.md', index: 1, line: 3, code: "import { fit } from '@gradstream/trainer';\nconst data = { x: [[0]], y: [[0]] };\n", tags: [] },
  { file: 'self-check.md', index: 2, line: 10, code: '// not a model:\nfit(42, data, { epochs: 1 });\n', tags: ['continued'] },
];

function modulesOf(list: readonly Block[]): { modules: Module[]; problems: string[] } {
  const modules: Module[] = [];
  const problems: string[] = [];
  let previous: Module | undefined;
  for (const b of list) {
    const where = `${b.file} block ${b.index} (line ${b.line})`;
    const unknown = b.tags.filter((t) => !TAGS.has(t));
    if (unknown.length > 0) problems.push(`${where}: unknown tag(s) ${unknown.join(', ')}; known: ${[...TAGS].join(', ')}`);
    if (b.tags.includes('ignore')) {
      previous = undefined;
      continue;
    }
    const continues = b.tags.includes('continued');
    if (continues && (previous === undefined || previous.block.file !== b.file)) {
      problems.push(`${where}: tagged continued, but no checked ts block comes right before it in the file`);
    }
    const head = continues && previous?.block.file === b.file ? `${previous.text}\n` : '';
    const slug = b.file.replace(/[^\w]+/g, '_');
    const m: Module = {
      block: b,
      // Beside this test, so bare imports (rxjs) resolve from the test package like a user's would.
      path: join(root, 'test', '.docs-code', `${slug}.block${b.index}.ts`),
      text: head + b.code,
      start: head.length,
    };
    modules.push(m);
    previous = m;
  }
  return { modules, problems };
}

/** `@gradstream/x` and its subpath exports, mapped to the sources their `types` are built from. */
function packagePaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const dir of readdirSync(join(root, 'packages'))) {
    let pkg: { name: string; exports?: Record<string, unknown> };
    try {
      pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as typeof pkg;
    } catch {
      continue;
    }
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      const types = typeof target === 'object' && target !== null ? (target as { types?: string }).types : undefined;
      if (types === undefined) continue;
      const source = types.replace(/^\.\/dist\//, './src/').replace(/\.d\.ts$/, '.ts');
      paths[sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`] = [join(root, 'packages', dir, source)];
    }
  }
  return paths;
}

function compilerOptions(): ts.CompilerOptions {
  const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, root);
  return {
    // The project's strictness (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, verbatimModuleSyntax…).
    ...parsed.options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    target: ts.ScriptTarget.ES2022,
    // Guides hold Node scripts and browser recipes alike.
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    skipLibCheck: true,
    baseUrl: root,
    paths: packagePaths(),
  };
}

/** Each checked block's diagnostics, one line each: file, block, line in the markdown, code, message. */
function check(list: readonly Block[]): Map<Block, string[]> {
  const { modules } = modulesOf(list);
  const options = compilerOptions();
  const virtual = new Map(modules.map((m) => [m.path, m.text]));
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = virtual.get(f);
    return text === undefined ? getSourceFile.call(host, f, lang, onError, create) : ts.createSourceFile(f, text, lang, true);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const byBlock = new Map<Block, string[]>();
  for (const m of modules) {
    const sf = program.getSourceFile(m.path);
    if (sf === undefined) throw new Error(`${m.path} was not loaded`);
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    const own = diagnostics.filter((d) => d.start === undefined || d.start >= m.start);
    const firstLine = sf.getLineAndCharacterOfPosition(m.start).line;
    byBlock.set(
      m.block,
      own.map((d) => {
        const pos = d.start === undefined ? undefined : sf.getLineAndCharacterOfPosition(d.start);
        const at = pos === undefined ? '' : `, line ${m.block.line + pos.line - firstLine}:${pos.character + 1}`;
        return `${m.block.file} block ${m.block.index}${at}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
  }
  return byBlock;
}

// One program for all blocks (the package sources are loaded once), built by the first test that needs it.
let report: Map<Block, string[]> | undefined;
const diagnosticsOf = (b: Block): string[] | undefined => (report ??= check([...blocks, ...selfCheck])).get(b);

describe('code blocks in the README and the guides', () => {
  it('are found (in the README and in the guides), with known tags and continuations', () => {
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThan(0);
    expect(blocks.filter((b) => b.file !== 'README.md').length).toBeGreaterThan(0);
    expect(modulesOf(blocks).problems).toEqual([]);
  });

  it('are really checked: a wrong argument in a continued block is reported with its file, block, line and column', () => {
    expect(diagnosticsOf(selfCheck[0] as Block)).toEqual([]);
    const errors = diagnosticsOf(selfCheck[1] as Block) ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^self-check\.md block 2, line 11:5: TS2345 Argument of type 'number'/);
  });

  const checkable = blocks.filter((b) => !b.tags.includes('ignore'));
  it.each(checkable.map((b) => [`${b.file} block ${b.index} (line ${b.line})`, b] as const))('%s type-checks', (_name, b) => {
    expect(diagnosticsOf(b)).toEqual([]);
  });
});

describe('the guides', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const docs = readme.split('\n## Documentation')[1]?.split('\n## ')[0] ?? '';

  it.each(guides)('%s starts with front matter giving its title (typedoc lists it as a page)', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const front = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text)?.[1];
    expect(front, `${file} has no front matter`).toBeDefined();
    expect(front).toMatch(/^title:[ \t]*\S.*$/m);
  });

  it.each(guides)("%s is linked from the README's Documentation section", (file) => {
    expect(docs).toContain(`](${file})`);
  });
});
