import type { AdapterSummary } from '@gradstream/backend-webgpu';
import { FULL, QUICK } from './bench.js';
import { machine, versions, type Machine } from './machine.js';
import { benchGpu, loadGradstreamWebGpu } from './peers/gradstream-webgpu.js';
import { initTfjs } from './peers/tfjs.js';
import { initTfjsWebGpu, type TfWebGpuStatus } from './peers/tfjs-webgpu.js';
import type { Measurement, TimingOptions } from './stats.js';
import { workloadTimer } from './workload-timer.js';
import { webgpuCnnWorkload, type WebGpuCnnOptions, type WebGpuCnnResult } from './workloads/webgpu-cnn.js';
import { webgpuMatmulWorkload, type WebGpuMatmulResult } from './workloads/webgpu-matmul.js';
import { webgpuMlpWorkload, type WebGpuMlpOptions, type WebGpuMlpResult } from './workloads/webgpu-mlp.js';
import { comparedRows, type Unavailable } from './workloads/webgpu-rows.js';

/** Sizes and timing of a `--backend webgpu` run. */
export interface WebGpuBenchOptions {
  readonly quick: boolean;
  readonly seed: number;
  /** One matmul workload per size (`matmul-128`, …). */
  readonly matmul: TimingOptions & { readonly sizes: readonly number[] };
  readonly mlp: WebGpuMlpOptions;
  readonly cnn: WebGpuCnnOptions;
}

// The CPU run's nets, data and seeds. On SwiftShader (a CPU emulating a GPU) a 256³ multiply
// takes about 0.2 s, an MLP step about 0.1 s and a CNN step several seconds, in both libraries:
// each timed call covers a few batches, and a training row's calls stop at `maxMs` after 3. The
// MLP's repetitions last at least `minMs`, so on a real GPU each gathers many calls.
const CNN_NET = { padding: FULL.cnn.padding, batchSize: FULL.cnn.batchSize, lr: FULL.cnn.lr, seed: FULL.cnn.seed, lossTolerance: FULL.cnn.lossTolerance } as const;

/** The full WebGPU run: three matmul sizes, the MLP and the CNN, up to five timed repetitions each. */
export const WEBGPU_FULL: WebGpuBenchOptions = {
  quick: false,
  seed: FULL.seed,
  matmul: { sizes: [128, 256, 512], reps: 5, minMs: 500, maxMs: 10_000 },
  mlp: { ...FULL.mlp, fitBatches: 16, lossTolerance: 1e-4, timing: { reps: 5, minMs: 1000, maxMs: 20_000 } },
  cnn: { ...CNN_NET, fitBatches: 4, tfjsFitBatches: 4, checkSteps: 2, fitReps: 5, fitWarmupMs: 0, fitMaxMs: 30_000 },
};

/** The smoke run (`--quick`): two matmul sizes, shorter checks and epochs, two or three timed repetitions. */
export const WEBGPU_QUICK: WebGpuBenchOptions = {
  quick: true,
  seed: QUICK.seed,
  matmul: { sizes: [128, 256], reps: 3, minMs: 200 },
  mlp: { ...QUICK.mlp, lossSteps: 8, fitBatches: 4, lossTolerance: 1e-4, timing: { reps: 3, minMs: 200 } },
  cnn: { ...CNN_NET, fitBatches: 2, tfjsFitBatches: 2, checkSteps: 2, fitReps: 2, fitWarmupMs: 0 },
};

/** The workload names of a run: `matmul-<size>` per size, `mlp`, `cnn`. */
export type WebGpuWorkload = `matmul-${number}` | 'mlp' | 'cnn';

/** Everything a `--backend webgpu` run measured; `bench/results/webgpu.json` holds one of these. */
export interface WebGpuBenchResult {
  readonly backend: 'webgpu';
  readonly date: string;
  /** Wall time of the run, in seconds, and of each workload (its checks included). */
  readonly seconds: number;
  readonly workloadSeconds: Record<string, number>;
  readonly machine: Machine;
  readonly versions: Record<string, string>;
  /** What gradstream's adapter says of itself: on SwiftShader, only the checks mean anything. */
  readonly adapter: AdapterSummary;
  readonly config: WebGpuBenchOptions & {
    /** gradstream's backend description (`WebGPU on google swiftshader (software)`). */
    readonly gradstream: string;
    /** TF.js's version and whether its webgpu backend ran (its adapter), or why not. */
    readonly tfjs: { readonly version: string; readonly webgpu: TfWebGpuStatus };
  };
  /** Per workload and row: rates, repetitions and what one iteration is. */
  readonly raw: Record<string, Record<string, Measurement>>;
  /** Per workload, the rows that did not run here and why. */
  readonly unavailable: Record<string, Unavailable>;
  readonly checks: {
    readonly matmul: Record<string, Omit<WebGpuMatmulResult, 'raw' | 'unavailable'>>;
    readonly mlp: Omit<WebGpuMlpResult, 'raw' | 'unavailable'>;
    readonly cnn: Omit<WebGpuCnnResult, 'raw' | 'unavailable'>;
    /** Whether every check passed: products within tolerance, losses within tolerance. */
    readonly sane: boolean;
  };
  /**
   * Per workload (`<workload>/tfjs-webgpu`): gradstream-webgpu's rate ÷ tfjs-webgpu's, which is
   * tfjs-webgpu's time ÷ gradstream-webgpu's for the same work; > 1 when gradstream is faster.
   * `null` where the TF.js row did not run.
   */
  readonly ratios: Record<string, number | null>;
}

/** Packages recorded besides the CPU run's. */
const WEBGPU_PACKAGES = ['@gradstream/backend-webgpu', '@tensorflow/tfjs-backend-webgpu', 'webgpu'] as const;

/** `<workload>/tfjs-webgpu`: the gradstream row's rate ÷ the TF.js row's, or null without a TF.js row. */
function ratiosOf(raw: Record<string, Record<string, Measurement>>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [workload, rows] of Object.entries(raw)) {
    const pair = comparedRows(workload);
    const [g, p] = [rows[pair.gradstream], rows[pair.tfjs]];
    out[`${workload}/tfjs-webgpu`] = g === undefined || p === undefined ? null : g.median / p.median;
  }
  return out;
}

/**
 * The WebGPU rows: gradstream's WebGPU backend and TF.js's webgpu backend on the same GPU, on the
 * matmul (one workload per size), the MLP and the CNN, each checked against gradstream's
 * TypeScript backend on the CPU. Rejects with `BACKEND_UNAVAILABLE` where gradstream finds no
 * adapter; a TF.js backend that fails only marks its rows unavailable.
 */
export async function runWebGpuBench(options: WebGpuBenchOptions, log: (line: string) => void = () => {}): Promise<WebGpuBenchResult> {
  const started = performance.now();
  const backend = await loadGradstreamWebGpu();
  const { adapter } = backend;
  log(`gradstream: ${backend.description} (${adapter.description})`);
  const tfjsVersion = (await initTfjs()).version;
  const tfjs = await initTfjsWebGpu(await benchGpu());
  log(tfjs.ok ? `TF.js webgpu: ${tfjs.adapter}` : `TF.js webgpu unavailable: ${tfjs.reason}`);

  const { seconds: workloadSeconds, run: timed } = workloadTimer<WebGpuWorkload>(log);
  const raw: Record<string, Record<string, Measurement>> = {};
  const unavailable: Record<string, Unavailable> = {};
  const matmul: Record<string, Omit<WebGpuMatmulResult, 'raw' | 'unavailable'>> = {};
  for (const size of options.matmul.sizes) {
    const name: WebGpuWorkload = `matmul-${size}`;
    const { raw: r, unavailable: u, ...check } = await timed(name, `${size}³ float32, ${options.matmul.reps} reps`, () =>
      webgpuMatmulWorkload(size, options.seed, options.matmul, tfjs),
    );
    raw[name] = r;
    unavailable[name] = u;
    matmul[name] = check;
  }
  const m = options.mlp;
  const { raw: mlpRaw, unavailable: mlpUnavailable, ...mlp } = await timed(
    'mlp',
    `784-${m.hidden}-10, batch ${m.batchSize}, fit epochs of ${m.fitBatches} batches, ${m.timing.reps} reps`,
    () => webgpuMlpWorkload(m, tfjs),
  );
  raw.mlp = mlpRaw;
  unavailable.mlp = mlpUnavailable;
  const c = options.cnn;
  const { raw: cnnRaw, unavailable: cnnUnavailable, ...cnn } = await timed(
    'cnn',
    `conv 5×5×8 → pool → conv 5×5×16 → pool → dense 10, Adam, batch ${c.batchSize}: fit on ${c.fitBatches} batches (TF.js ${c.tfjsFitBatches}), ${c.fitReps} reps`,
    () => webgpuCnnWorkload(c, tfjs),
  );
  raw.cnn = cnnRaw;
  unavailable.cnn = cnnUnavailable;

  const productsAgree = Object.values(matmul).every((r) => Object.values(r.maxAbsDiff).every((d) => d <= r.tolerance));
  return {
    backend: 'webgpu',
    date: new Date().toISOString(),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    workloadSeconds,
    machine: machine(),
    versions: versions(WEBGPU_PACKAGES),
    adapter,
    config: { ...options, gradstream: backend.description, tfjs: { version: tfjsVersion, webgpu: tfjs } },
    raw,
    unavailable,
    checks: { matmul, mlp, cnn, sane: productsAgree && mlp.sane && cnn.sane },
    ratios: ratiosOf(raw),
  };
}
