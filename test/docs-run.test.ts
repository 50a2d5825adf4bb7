/**
 * Every TypeScript example in README.md, docs/guides/*.md and the packages' READMEs that can run
 * in Node does run, and exits with code 0: a block with its `continued` chain, bundled with
 * esbuild against the packages' sources and run by `node` in an empty directory of its own (see
 * ./support/run-block.ts).
 *
 * Which blocks run: every block docs-code.test.ts type-checks, except those tagged `browser`
 * (needs a DOM or Worker) or `server` (starts a server that runs until stopped), and the blocks
 * continuing them. Those are type-checked only; the tags are described in docs-code.test.ts.
 * Blocks run concurrently, each in its own process, killed after 60 s.
 */
import { describe, expect, it } from 'vitest';
import { describeBlock, markdownFiles, modulesOf, tsBlocks } from './support/doc-blocks.js';
import { runBlock } from './support/run-block.js';

const modules = markdownFiles.flatMap((file) => modulesOf(tsBlocks(file)).modules);
const runnable = modules.filter((m) => m.notRun === undefined);

describe('code blocks in the README and the guides', () => {
  it('include blocks that run in Node, in the README and in the guides', () => {
    expect(runnable.some((m) => m.block.file === 'README.md')).toBe(true);
    expect(runnable.some((m) => m.block.file !== 'README.md')).toBe(true);
  });

  it('leave out blocks tagged browser or server, and the blocks continuing them', () => {
    const made = [['browser'], ['continued'], [], ['server'], ['continued'], ['browser', 'continued']].map((tags, i) => ({
      file: 'made-up.md',
      index: i + 1,
      line: 10 * i + 2,
      code: 'console.log(1);\n',
      tags,
    }));
    expect(modulesOf(made).modules.map((m) => m.notRun !== undefined)).toEqual([true, true, false, true, true, true]);
  });

  for (const { block } of runnable) {
    // Past the run's own 60 s limit: bundling, and waiting for a free slot among concurrent runs.
    it.concurrent(`${describeBlock(block)} runs`, { timeout: 120_000 }, async () => {
      const { stderr, code } = await runBlock(block.file, block.index);
      expect(code, `exit code ${code}; stderr:\n${stderr}`).toBe(0);
    });
  }
});
