import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adapterLine,
  formatWebGpuReport,
  matmulTolerance,
  msPer,
  onSwiftShader,
  runWebGpuBench,
  tfjsWebGpuRow,
  writeJsonAtomic,
  type WebGpuBenchOptions,
  type WebGpuBenchResult,
} from '../src/index.js';

// The WebGPU run at toy size on the test processes' adapter (SwiftShader, from vitest's global
// setup): every row's path once, the checks, the report and the file; no claim about speed.
const TINY: WebGpuBenchOptions = {
  quick: true,
  seed: 1,
  matmul: { sizes: [32], reps: 1, minMs: 1 },
  mlp: { samples: 256, batchSize: 64, hidden: 16, lr: 0.1, lossSteps: 2, seed: 1, fitBatches: 2, lossTolerance: 1e-4, timing: { reps: 1, minMs: 1 } },
  // A CNN step of 64 takes seconds on SwiftShader: batches of 8, two of them.
  cnn: { padding: 'valid', batchSize: 8, lr: 0.003, seed: 1, fitBatches: 2, tfjsFitBatches: 2, checkSteps: 2, fitReps: 1, fitWarmupMs: 0, lossTolerance: 1e-3 },
};

const WORKLOADS = ['matmul-32', 'mlp', 'cnn'] as const;
const relDiff = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

describe('bench --backend webgpu at toy size', () => {
  let r: WebGpuBenchResult;
  beforeAll(async () => {
    r = await runWebGpuBench(TINY);
  }, 60_000);

  it('reports the adapter, in the results and in the report', () => {
    expect(r.backend).toBe('webgpu');
    expect(r.adapter.vendor).not.toBe('');
    expect(r.adapter.architecture).not.toBe('');
    expect(r.config.gradstream).toMatch(/^WebGPU on /);
    const line = adapterLine(r.adapter);
    expect(line).toContain(`adapter: ${r.adapter.vendor} ${r.adapter.architecture}`);
    if (r.adapter.fallback) expect(line).toContain('only equality is meaningful here');
    expect(formatWebGpuReport(r)).toContain(line);
    expect(r.versions['@tensorflow/tfjs-backend-webgpu']).toBe('4.22.0');
    expect(r.config.tfjs.webgpu).toMatchObject({ ok: true });
  });

  it('times gradstream-webgpu and tfjs-webgpu on every workload, and divides their rates', () => {
    expect(Object.keys(r.raw)).toEqual([...WORKLOADS]);
    for (const w of WORKLOADS) {
      const [g, t] = w === 'mlp' || w === 'cnn' ? ['gradstream-webgpu-fit', 'tfjs-webgpu-fit'] : ['gradstream-webgpu-kernel', 'tfjs-webgpu-kernel'];
      expect(Object.keys(r.raw[w] ?? {}).sort(), w).toEqual([g, t]);
      expect(r.unavailable[w], w).toEqual({});
      for (const m of Object.values(r.raw[w] ?? {})) {
        expect(m.median, w).toBeGreaterThan(0);
        expect(msPer(m).median, w).toBeGreaterThan(0);
        expect(m.backend, w).toBe('webgpu');
      }
      const ratio = r.ratios[`${w}/tfjs-webgpu`] as number;
      expect(ratio, w).toBeCloseTo((r.raw[w]?.[g]?.median as number) / (r.raw[w]?.[t]?.median as number), 10);
    }
    expect(r.raw.mlp?.['tfjs-webgpu-fit']?.path).toBe('model.fit');
    expect(r.raw.cnn?.['gradstream-webgpu-fit']?.iteration).toBe('epoch of 16 samples');
  });

  it('multiplies to the CPU reference product within float32 rounding', () => {
    const c = r.checks.matmul['matmul-32'];
    expect(c?.reference).toBe('gradstream-ts-kernel');
    expect(Object.keys(c?.maxAbsDiff ?? {}).sort()).toEqual(['gradstream-webgpu-kernel', 'tfjs-webgpu-kernel']);
    // Entries of a 32-term sum of products of U(-1, 1) values.
    for (const [name, d] of Object.entries(c?.maxAbsDiff ?? {})) expect(d, name).toBeLessThan(1e-5);
    expect(c?.tolerance).toBe(matmulTolerance(32));
  });

  it('trains the MLP and the CNN to the CPU losses from the same weights', () => {
    const { mlp, cnn } = r.checks;
    expect(Object.keys(mlp.finalLoss).sort()).toEqual(['gradstream-ts-fit', 'gradstream-webgpu-fit', 'tfjs-webgpu-fit']);
    for (const [name, l] of Object.entries(mlp.finalLoss)) expect(relDiff(l, mlp.finalLoss['gradstream-ts-fit'] as number), name).toBeLessThan(1e-4);
    expect(Object.keys(cnn.stepLosses).sort()).toEqual(['gradstream-ts-fit', 'gradstream-webgpu-fit', 'tfjs-webgpu-fit']);
    for (const losses of Object.values(cnn.stepLosses)) expect(losses).toHaveLength(2);
    expect(r.checks.sane).toBe(true);
  });

  it('prints each workload with its rows and the comparison, and writes a JSON file that reads back', () => {
    const text = formatWebGpuReport(r);
    for (const w of WORKLOADS) expect(text).toContain(`${w}: `);
    expect(text).toMatch(/gradstream-webgpu vs tfjs-webgpu/);
    expect(text).toMatch(/matmul-32\s+32³ multiply\s+[\d.,]+ ms\s+[\d.,]+ ms\s+\d+\.\d{3}/);
    const path = join(mkdtempSync(join(tmpdir(), 'gradstream-bench-webgpu-')), 'webgpu.json');
    writeJsonAtomic(path, r);
    const back = JSON.parse(readFileSync(path, 'utf8')) as WebGpuBenchResult;
    expect(back.adapter).toEqual(r.adapter);
    expect(back.ratios).toEqual(r.ratios);
  });

  it('shows a TF.js row that did not run with its reason, and no ratio', () => {
    const { 'tfjs-webgpu-fit': _dropped, ...mlpRows } = r.raw.mlp ?? {};
    const without: WebGpuBenchResult = {
      ...r,
      raw: { ...r.raw, mlp: mlpRows },
      unavailable: { ...r.unavailable, mlp: { 'tfjs-webgpu-fit': 'TF.js webgpu backend unavailable: no adapter' } },
      ratios: { ...r.ratios, 'mlp/tfjs-webgpu': null },
    };
    const text = formatWebGpuReport(without);
    expect(text).toContain('tfjs-webgpu-fit        not run: TF.js webgpu backend unavailable: no adapter');
    expect(text).toMatch(/\n  mlp\s+step of 64 samples\s+[\d.,]+ ms\s+not run\s+—/);
  });
});

describe('a TF.js webgpu row that cannot run', () => {
  it('says why instead of failing', async () => {
    const unavailable: Record<string, string> = {};
    const row = await tfjsWebGpuRow('tfjs-webgpu-fit', { ok: false, reason: 'no adapter' }, unavailable, () => Promise.resolve('never'));
    expect(row).toBeUndefined();
    expect(unavailable['tfjs-webgpu-fit']).toBe('TF.js webgpu backend unavailable: no adapter');
    const failing = await tfjsWebGpuRow('tfjs-webgpu-kernel', { ok: true, adapter: 'x' }, unavailable, () => Promise.reject(new Error("Kernel 'X' not registered\nstack")));
    expect(failing).toBeUndefined();
    expect(unavailable['tfjs-webgpu-kernel']).toBe("TF.js webgpu failed: Kernel 'X' not registered");
  });
});

describe('onSwiftShader', () => {
  it('is true only when the loader was pointed at a SwiftShader manifest and its folder', () => {
    expect(onSwiftShader({ VK_ICD_FILENAMES: '/tmp/vk_swiftshader_icd.json', LD_LIBRARY_PATH: '/tmp:/usr/lib' })).toBe(true);
    expect(onSwiftShader({ VK_ICD_FILENAMES: '/tmp/vk_swiftshader_icd.json' })).toBe(false);
    expect(onSwiftShader({ VK_ICD_FILENAMES: '/usr/share/vulkan/icd.d/nvidia_icd.json', LD_LIBRARY_PATH: '/usr/share/vulkan/icd.d' })).toBe(false);
    expect(onSwiftShader({})).toBe(false);
  });
});
