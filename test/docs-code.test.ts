/**
 * Every TypeScript example in README.md, docs/guides/*.md and the packages' READMEs type-checks
 * against the packages' sources, as a user's code would against the published packages.
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
 * - ```ts browser  — checked like ```ts, but not run by docs-run.test.ts: it needs a browser's
 *   globals (document, Worker, EventSource, a worker's `self`).
 * - ```ts server  — checked like ```ts, but not run: it starts a server that runs until stopped,
 *   so a run could neither pass nor fail on its own.
 *
 * Every other checked block is also run in Node by docs-run.test.ts, with the blocks it continues.
 * `continued` combines with browser and server (```ts browser continued); a block continuing one
 * that is not run is not run either, since it runs in one module with it. Any other tag is an
 * error, so a misspelt one cannot silently switch a check off. Other languages (sh, json, text)
 * are not checked. The blocks are read by ./support/doc-blocks.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { type Block, describeBlock, guides, markdownFiles, modulesOf, root, tsBlocks } from './support/doc-blocks.js';
import { packageSources } from './support/package-sources.js';

const blocks = markdownFiles.flatMap(tsBlocks);

/** Blocks of a made-up file, checked alongside the real ones so the checker is known to report, and where. */
const selfCheck: readonly Block[] = [
  { file: 'self-check.md', index: 1, line: 3, code: "import { fit } from '@gradstream/trainer';\nconst data = { x: [[0]], y: [[0]] };\n", tags: [] },
  { file: 'self-check.md', index: 2, line: 10, code: '// not a model:\nfit(42, data, { epochs: 1 });\n', tags: ['continued'] },
];

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
    paths: Object.fromEntries(Object.entries(packageSources(root)).map(([name, source]) => [name, [source]])),
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
  it.each(checkable.map((b) => [describeBlock(b), b] as const))('%s type-checks', (_name, b) => {
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
