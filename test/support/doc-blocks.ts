/**
 * The TypeScript blocks of README.md, docs/guides/*.md and each package's README (the page npm
 * shows for it), as docs-code.test.ts (type-check) and docs-run.test.ts (run in Node) both see
 * them. The tags a fence may carry after `ts`, and what they mean, are described at the top of
 * docs-code.test.ts.
 *
 * Markdown is read with markdown-it, the parser typedoc renders the guides with, so the blocks
 * checked and run are exactly the blocks shown.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';

export const root = fileURLToPath(new URL('../../', import.meta.url));

export const guides: readonly string[] = readdirSync(join(root, 'docs/guides'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => `docs/guides/${f}`);
export const packageReadmes: readonly string[] = readdirSync(join(root, 'packages'))
  .sort()
  .map((dir) => `packages/${dir}/README.md`)
  .filter((f) => existsSync(join(root, f)));
export const markdownFiles: readonly string[] = ['README.md', ...guides, ...packageReadmes];

/** Tags that keep a block (and every block continuing it) from being run, each with the reason. */
export const NOT_RUN: ReadonlyMap<string, string> = new Map([
  ['browser', 'needs a browser (DOM, Worker, EventSource…)'],
  ['server', 'starts a server that runs until it is stopped'],
]);
export const TAGS: ReadonlySet<string> = new Set(['continued', 'ignore', ...NOT_RUN.keys()]);
const TS_LANGS = new Set(['ts', 'typescript']);

export interface Block {
  readonly file: string;
  /** 1-based among the file's ts blocks, ignored ones included. */
  readonly index: number;
  /** 1-based line of the block's first code line in the markdown file. */
  readonly line: number;
  readonly code: string;
  readonly tags: readonly string[];
}

/** What is compiled (and run) for one block: the blocks it continues, then the block itself. */
export interface Module {
  readonly block: Block;
  /** A made-up path beside the tests, so bare imports (rxjs) resolve from the test package like a user's would. */
  readonly path: string;
  readonly text: string;
  /** Where the block itself starts in `text`. */
  readonly start: number;
  /** Why it is not run in Node (a NOT_RUN tag on it or on a block it continues), or undefined if it is. */
  readonly notRun: string | undefined;
}

export const describeBlock = (b: Block): string => `${b.file} block ${b.index} (line ${b.line})`;

export function tsBlocks(file: string): Block[] {
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

/**
 * One module per block not ignored, each holding the chain of `continued` blocks it ends, and the
 * problems found on the way: unknown tags (so a misspelt one cannot silently switch a check off)
 * and a `continued` with nothing to continue.
 */
export function modulesOf(list: readonly Block[]): { modules: Module[]; problems: string[] } {
  const modules: Module[] = [];
  const problems: string[] = [];
  let previous: Module | undefined;
  for (const b of list) {
    const where = describeBlock(b);
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
    const head = continues && previous?.block.file === b.file ? previous : undefined;
    const own = b.tags.find((t) => NOT_RUN.has(t));
    const slug = b.file.replace(/[^\w]+/g, '_');
    const m: Module = {
      block: b,
      path: join(root, 'test', '.docs-code', `${slug}.block${b.index}.ts`),
      text: head === undefined ? b.code : `${head.text}\n${b.code}`,
      start: head === undefined ? 0 : head.text.length + 1,
      notRun: own !== undefined ? NOT_RUN.get(own) : head?.notRun,
    };
    modules.push(m);
    previous = m;
  }
  return { modules, problems };
}
