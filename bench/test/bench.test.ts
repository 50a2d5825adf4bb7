import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LESSON,
  RATIOS,
  RATIO_KEYS,
  TARGET_RATIO_KEYS,
  WORKLOADS,
  formatReport,
  measureInterleaved,
  median,
  runBench,
  tfjsTensorCount,
  writeJsonAtomic,
  type BenchOptions,
  type BenchResult,
} from '../src/index.js';

// Every workload at toy size, one short repetition each: enough to exercise every row's path
// and the results file, with no claim about speed.
const TINY: BenchOptions = {
  quick: true,
  seed: 1,
  lesson: { reps: 1, minMs: 1, lossSteps: 10, fitSteps: 20 },
  mlp: { samples: 256, batchSize: 64, hidden: 16, lr: 0.1, lossSteps: 3, seed: 1, timing: { reps: 1, minMs: 1 } },
  matmul: { reps: 1, minMs: 1, size: 32 },
  digitsFit: { samples: 512, heldOut: 256, batchSize: 128, hidden: 16, lr: 0.003, seed: 1, reps: 1, warmupMs: 0, minAccuracy: 0.2, lossTolerance: 1e-3 },
  // TF.js cpu trains this network at a few tens of samples per second: batches of 8, three of them in all.
  cnn: {
    padding: 'valid',
    batchSize: 8,
    lr: 0.003,
    seed: 1,
    fitBatches: 3,
    tfjsFitBatches: 1,
    checkSteps: 2,
    fitReps: 1,
    fitWarmupMs: 0,
    heldOut: 40,
    predict: { reps: 1, minMs: 1 },
    lossTolerance: 1e-3,
    logitTolerance: 1e-4,
  },
};

/** The ratio keys the harness promises, written out: changing them must be deliberate. */
const EXPECTED_RATIO_KEYS = [
  'matmul/tfjs-wasm',
  'matmul-1t/tfjs-wasm',
  'mlp/tfjs-wasm',
  'mlp-fit/tfjs-wasm-fit',
  'digits-fit/tfjs-wasm-fit',
  'lesson/brain.js',
  'lesson-fit/brain.js',
  'lesson-fit/plan',
  'mlp-fit/plan',
  'lesson/tfjs-cpu',
  'lesson-fit/tfjs-cpu-fit',
  'lesson/ts',
  'mlp/tfjs-cpu',
  'mlp-1t/tfjs-wasm',
  'mlp-fit/tfjs-cpu-fit',
  'mlp/ts',
  'matmul/tfjs-cpu',
  'matmul/ts',
  'digits-fit-1t/tfjs-wasm-fit',
  'digits-fit/tfjs-cpu-fit',
  'digits-fit/ts',
  'cnn/tfjs-cpu-fit',
  'cnn-predict/tfjs-wasm',
];

/** gradstream's three backend configurations, by row-name infix. */
const CONFIGS = ['gradstream', 'gradstream-wasm1t', 'gradstream-ts'];

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
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['machine', 'versions', 'config', 'raw', 'checks', 'ratios']));
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(r.machine.node).toBe(process.version);
    expect(r.versions['@tensorflow/tfjs-core']).toBe('4.22.0');
    expect(r.versions['@tensorflow/tfjs-backend-wasm']).toBe('4.22.0');
    expect(r.versions.mnist).toBe('1.1.0');
    expect([...RATIO_KEYS]).toEqual(EXPECTED_RATIO_KEYS);
    expect(Object.keys(r.ratios).sort()).toEqual([...EXPECTED_RATIO_KEYS, 'matmul_gflops'].sort());
    expect(EXPECTED_RATIO_KEYS).toEqual(expect.arrayContaining([...TARGET_RATIO_KEYS]));
    expect(Object.keys(r.config.ratioBasis).sort()).toEqual([...EXPECTED_RATIO_KEYS, 'matmul_gflops'].sort());
    for (const v of Object.values(r.ratios)) expect(v).toBeGreaterThan(0);
    expect(Object.keys(r.raw)).toEqual([...WORKLOADS]);
    expect(r.config.tfjs.wasmBinary).toMatch(/^tfjs-backend-wasm(-simd)?\.wasm$/);
    expect(r.config.tfjs.wasmThreads).toBe(1);
    expect(Object.keys(r.config.gradstream).sort()).toEqual(['default', 'ts', 'wasm1t']);
  });

  it('has every backend configuration and both paths in every workload', async () => {
    const { raw } = await run();
    const trained = (paths: { gradstream: string[]; tfjs: string[] }) => [
      ...paths.gradstream.flatMap((p) => CONFIGS.map((c) => `${c}-${p}`)),
      ...paths.tfjs.flatMap((p) => ['cpu', 'wasm'].map((b) => `tfjs-${b}-${p}`)),
    ];
    expect(Object.keys(raw.lesson).sort()).toEqual([...trained({ gradstream: ['plan', 'fit'], tfjs: ['loop', 'fit'] }), 'brain.js-trainPattern'].sort());
    expect(Object.keys(raw.mlp).sort()).toEqual([...trained({ gradstream: ['plan', 'fit'], tfjs: ['loop', 'fit'] }), 'brain.js-per-sample'].sort());
    expect(Object.keys(raw.matmul).sort()).toEqual(trained({ gradstream: ['kernel'], tfjs: ['kernel'] }).sort());
    expect(Object.keys(raw['digits-fit']).sort()).toEqual(trained({ gradstream: ['fit'], tfjs: ['fit'] }).sort());
    // TF.js's wasm backend cannot train convolutions and its cpu backend predicts far slower than its wasm one:
    // one TF.js row each; gradstream's TypeScript kernels are left out.
    expect(Object.keys(raw.cnn).sort()).toEqual(
      ['gradstream-fit', 'gradstream-wasm1t-fit', 'tfjs-cpu-fit', 'gradstream-predict', 'gradstream-wasm1t-predict', 'tfjs-wasm-predict'].sort(),
    );
    expect(raw.cnn['tfjs-cpu-fit']?.iteration).toBe('epoch of the first 1 batches (8 samples)');
    expect(raw.cnn['gradstream-fit']?.iteration).toBe('epoch of 24 samples');
    expect(raw.cnn['tfjs-wasm-predict']?.path).toBe('model.predict');
    // Every row says which library, backend and path it measured.
    const paths = new Set<string>();
    for (const rows of Object.values(raw)) {
      for (const [name, m] of Object.entries(rows)) {
        expect(name.startsWith(m.library === 'tfjs' ? `tfjs-${m.backend}-` : m.library), name).toBe(true);
        expect(m.median, name).toBeGreaterThan(0);
        expect(m.reps.length, name).toBeGreaterThan(0);
        paths.add(`${name.split('-').pop()}:${m.path}`);
      }
    }
    for (const p of ['plan:plan', 'fit:fit', 'loop:minimize loop', 'fit:model.fit', 'kernel:kernel']) expect(paths).toContain(p);
    expect(raw.mlp['brain.js-per-sample']?.path).toMatch(/per sample/);
    expect(raw.mlp['gradstream-wasm1t-plan']?.backend).toBe('wasm 1t');
    expect(raw.mlp['gradstream-ts-plan']?.backend).toBe('ts');
    expect(raw.mlp['gradstream-plan']?.backend).toMatch(/\(default\)$/);
  });

  it('ties every ratio to the two medians it divides', async () => {
    const r = await run();
    for (const key of RATIO_KEYS) {
      const def = RATIOS[key];
      const rows = r.raw[def.workload];
      expect(r.ratios[key], key).toBeCloseTo((rows[def.gradstream]?.median ?? Number.NaN) / (rows[def.peer]?.median ?? Number.NaN), 10);
      expect(r.config.ratioBasis[key], key).toContain(`${def.gradstream} (`);
      expect(r.config.ratioBasis[key], key).toContain(`÷ ${def.peer} (`);
    }
    expect(r.ratios.matmul_gflops).toBe(r.raw.matmul['gradstream-kernel']?.median);
  });

  it('trains the lesson to the hand-derived loss on every gradstream and TF.js row', async () => {
    const { losses } = (await run()).checks.lesson;
    const expected = lessonLossAfter(TINY.lesson.lossSteps);
    expect(expected).toBeLessThan(lessonLossAfter(0));
    const rows = Object.keys(losses).filter((name) => !name.startsWith('brain.js'));
    expect(rows).toHaveLength(10);
    for (const name of rows) expect(relDiff(losses[name] as number, expected), name).toBeLessThan(1e-4);
  });

  it('gives the same MLP losses on every gradstream and TF.js row, plan or fit, from the same weights and batches', async () => {
    const { initialLoss, losses } = (await run()).checks.mlp;
    const g0 = initialLoss['gradstream-plan'] as number;
    const g = losses['gradstream-plan'] as number;
    expect(g).toBeLessThan(g0);
    expect(Object.keys(losses)).toHaveLength(10);
    for (const name of Object.keys(losses)) {
      expect(relDiff(initialLoss[name] as number, g0), name).toBeLessThan(1e-5);
      expect(relDiff(losses[name] as number, g), name).toBeLessThan(1e-4);
    }
  });

  it('multiplies to the same product in every backend configuration and in TF.js', async () => {
    const { maxAbsDiff, reference } = (await run()).checks.matmul;
    expect(reference).toBe('gradstream-ts-kernel');
    expect(Object.keys(maxAbsDiff).sort()).toEqual(['gradstream-kernel', 'gradstream-wasm1t-kernel', 'tfjs-cpu-kernel', 'tfjs-wasm-kernel']);
    // Entries of a 32-term sum of products of U(-1, 1) values: float32 rounding stays far below 1e-4.
    for (const [name, d] of Object.entries(maxAbsDiff)) expect(d, name).toBeLessThan(1e-4);
  });

  it('trains the digits network to the same losses in gradstream and TF.js after one epoch', async () => {
    const d = (await run()).checks['digits-fit'];
    const names = Object.keys(d.scores);
    expect(names.sort()).toEqual(['gradstream-fit', 'gradstream-ts-fit', 'gradstream-wasm1t-fit', 'tfjs-cpu-fit', 'tfjs-wasm-fit']);
    const base = d.scores['gradstream-fit'] as (typeof d.scores)[string];
    // Even at toy size (4 Adam steps), the held-out loss ends below ln 10, a uniform guess's.
    expect(base.heldOutLoss).toBeLessThan(Math.log(10));
    for (const name of names) {
      const s = d.scores[name] as typeof base;
      expect(relDiff(s.epochLoss, base.epochLoss), name).toBeLessThan(1e-4);
      expect(relDiff(s.heldOutLoss, base.heldOutLoss), name).toBeLessThan(1e-3);
      expect(s.heldOutAccuracy, name).toBeGreaterThan(0.2);
    }
    expect(d.sane).toBe(true);
  });

  it('trains the CNN to the same step losses in gradstream and TF.js, and predicts the same logits', async () => {
    const c = (await run()).checks.cnn;
    expect(Object.keys(c.stepLosses).sort()).toEqual(['gradstream-fit', 'gradstream-wasm1t-fit', 'tfjs-cpu-fit']);
    const base = c.stepLosses['gradstream-fit'] as number[];
    expect(base).toHaveLength(TINY.cnn.checkSteps);
    // Step 1 is the loss at the initial weights: near ln 10, a uniform guess's, for small initial logits.
    expect(Math.abs((base[0] as number) - Math.log(10))).toBeLessThan(0.5);
    for (const [name, losses] of Object.entries(c.stepLosses)) {
      expect(losses, name).toHaveLength(TINY.cnn.checkSteps);
      losses.forEach((l, i) => expect(relDiff(l, base[i] as number), `${name} step ${i + 1}`).toBeLessThan(1e-3));
    }
    expect(Object.keys(c.logitDiff).sort()).toEqual(['gradstream-wasm1t-predict', 'tfjs-wasm-predict']);
    for (const [name, d] of Object.entries(c.logitDiff)) expect(d, name).toBeLessThan(1e-4);
    expect(c.sane).toBe(true);
  });

  it('prints one table per workload with each row path', async () => {
    const r = await run();
    const text = formatReport(r);
    for (const w of WORKLOADS) expect(text).toContain(`${w}: `);
    for (const rows of Object.values(r.raw)) for (const name of Object.keys(rows)) expect(text).toContain(`  ${name} `);
    expect(text).toMatch(/row\s+backend\s+path\s+median/);
    for (const key of RATIO_KEYS) expect(text).toContain(key);
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
    expect(back.raw.mlp['gradstream-plan']?.path).toBe('plan');
  });
});

describe('measureInterleaved', () => {
  const busy = (ms: number) => () => {
    const t0 = performance.now();
    while (performance.now() - t0 < ms);
  };
  const candidate = (name: string, ms: number) => ({ name, library: 'x', backend: 'x', path: 'x', unit: 'u/s', perIteration: 1, run: busy(ms) });

  it('runs exactly one call per repetition with minMs 0, and stops a row at maxMs after 3 repetitions', async () => {
    let slowCalls = 0;
    const slow = {
      ...candidate('slow', 2),
      run: () => {
        busy(2)();
        slowCalls++;
      },
    };
    const raw = await measureInterleaved([slow, candidate('fast', 0)], { reps: 6, minMs: 0, warmupMs: 0, maxMs: 1 });
    expect(raw.slow?.reps).toHaveLength(3);
    expect(raw.slow?.chunk).toBe(1);
    // One sizing call, then one call per repetition.
    expect(slowCalls).toBe(4);
    expect(raw.fast?.reps.length).toBeGreaterThanOrEqual(3);
    expect(raw.slow?.path).toBe('x');
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
