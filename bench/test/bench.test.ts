import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LESSON, RATIO_KEYS, median, runBench, tfjsTensorCount, writeJsonAtomic, type BenchOptions, type BenchResult } from '../src/index.js';

// Every workload at toy size, one short repetition each: enough to exercise every library's
// path and the results file, with no claim about speed.
const TINY: BenchOptions = {
  quick: true,
  seed: 1,
  lesson: { reps: 1, minMs: 1, lossSteps: 10 },
  mlp: { samples: 256, batchSize: 64, hidden: 16, lr: 0.1, lossSteps: 5, seed: 1, timing: { reps: 1, minMs: 1 } },
  matmul: { reps: 1, minMs: 1, size: 32 },
};

/** The lesson's SGD by hand, in float64: the chain rule written out, as in the lesson's worked step. */
function lessonLossAfter(steps: number): number {
  let { w1, b1, w2, b2 } = LESSON;
  const { x, y, lr } = LESSON;
  const forward = () => {
    const a1 = 1 / (1 + Math.exp(-(w1 * x + b1)));
    return { a1, yHat: w2 * a1 + b2 };
  };
  for (let s = 0; s < steps; s++) {
    const { a1, yHat } = forward();
    const dYHat = yHat - y;
    const dZ1 = dYHat * w2 * a1 * (1 - a1);
    w2 -= lr * dYHat * a1;
    b2 -= lr * dYHat;
    w1 -= lr * dZ1 * x;
    b1 -= lr * dZ1;
  }
  return 0.5 * (forward().yHat - y) ** 2;
}

const relDiff = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

describe('bench harness at toy size', () => {
  let result: BenchResult;
  const run = async (): Promise<BenchResult> => (result ??= await runBench(TINY));

  it('reports machine, versions, raw rates and exactly the agreed ratio keys', async () => {
    const r = await run();
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['machine', 'versions', 'raw', 'ratios']));
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(r.machine.node).toBe(process.version);
    expect(r.versions['@tensorflow/tfjs-core']).toBe('4.22.0');
    expect(r.versions['@tensorflow/tfjs-backend-wasm']).toBe('4.22.0');
    expect(r.versions.mnist).toBe('1.1.0');
    expect(Object.keys(r.ratios).sort()).toEqual([...RATIO_KEYS, 'matmul_gflops'].sort());
    for (const v of Object.values(r.ratios)) expect(v).toBeGreaterThan(0);
    expect(Object.keys(r.raw.lesson).sort()).toEqual(['brain.js', 'gradstream-fit', 'gradstream-plan', 'tfjs-cpu', 'tfjs-wasm']);
    expect(Object.keys(r.raw.mlp).sort()).toEqual(['brain.js', 'gradstream', 'tfjs-cpu', 'tfjs-wasm']);
    expect(Object.keys(r.raw.matmul).sort()).toEqual(['gradstream', 'tfjs-cpu', 'tfjs-wasm']);
    // The ratio is the two medians divided, so it is tied to the raw numbers it came from.
    expect(r.ratios['mlp/tfjs-wasm']).toBeCloseTo((r.raw.mlp.gradstream?.median ?? 0) / (r.raw.mlp['tfjs-wasm']?.median ?? 1), 10);
    expect(r.ratios.matmul_gflops).toBe(r.raw.matmul.gradstream?.median);
    expect(r.config.tfjs.wasmBinary).toMatch(/^tfjs-backend-wasm(-simd)?\.wasm$/);
    expect(r.config.tfjs.wasmThreads).toBe(1);
  });

  it('trains the lesson to the hand-derived loss with gradstream (plan and fit) and TF.js', async () => {
    const { losses } = (await run()).checks.lesson;
    const expected = lessonLossAfter(TINY.lesson.lossSteps);
    expect(expected).toBeLessThan(lessonLossAfter(0));
    for (const name of ['gradstream-plan', 'gradstream-fit', 'tfjs-cpu', 'tfjs-wasm']) {
      expect(relDiff(losses[name] as number, expected), name).toBeLessThan(1e-4);
    }
  });

  it('gives the same MLP losses in gradstream and TF.js from the same weights and batches', async () => {
    const { initialLoss, losses } = (await run()).checks.mlp;
    const g0 = initialLoss.gradstream as number;
    const g = losses.gradstream as number;
    expect(g).toBeLessThan(g0);
    for (const peer of ['tfjs-cpu', 'tfjs-wasm']) {
      expect(relDiff(initialLoss[peer] as number, g0), peer).toBeLessThan(1e-5);
      expect(relDiff(losses[peer] as number, g), peer).toBeLessThan(1e-4);
    }
  });

  it('multiplies to the same product as TF.js', async () => {
    const { maxAbsDiff } = (await run()).checks.matmul;
    // Entries of a 32-term sum of products of U(-1, 1) values: float32 rounding stays far below 1e-4.
    expect(maxAbsDiff['tfjs-cpu']).toBeLessThan(1e-4);
    expect(maxAbsDiff['tfjs-wasm']).toBeLessThan(1e-4);
  });

  it('frees every TF.js tensor it made', async () => {
    await run();
    expect(tfjsTensorCount()).toBe(0);
  });

  it('writes the results file atomically, leaving no temporary file', async () => {
    const r = await run();
    const dir = mkdtempSync(join(tmpdir(), 'gradstream-bench-'));
    const path = join(dir, 'results', 'latest.json');
    writeJsonAtomic(path, r);
    expect(existsSync(path)).toBe(true);
    expect(readdirSync(join(dir, 'results'))).toEqual(['latest.json']);
    const back = JSON.parse(readFileSync(path, 'utf8')) as BenchResult;
    expect(back.ratios).toEqual(r.ratios);
    expect(back.machine).toEqual(r.machine);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
