import { machine, versions, type Machine } from './machine.js';
import { gradstreamBackends } from './peers/gradstream.js';
import { initTfjs, type TfInfo } from './peers/tfjs.js';
import { RATIOS, RATIO_KEYS, type RatioKey, type Ratios, type Workload } from './results.js';
import type { Measurement, TimingOptions } from './stats.js';
import { workloadTimer } from './workload-timer.js';
import { cnnWorkload, type CnnOptions, type CnnResult } from './workloads/cnn.js';
import { digitsFitWorkload, type DigitsFitOptions, type DigitsFitResult } from './workloads/digits-fit.js';
import { lessonWorkload, type LessonOptions, type LessonResult } from './workloads/lesson.js';
import { matmulWorkload, type MatmulResult } from './workloads/matmul.js';
import { mlpWorkload, type MlpOptions, type MlpResult } from './workloads/mlp.js';

/** Sizes and timing of a run. */
export interface BenchOptions {
  readonly quick: boolean;
  readonly seed: number;
  readonly lesson: LessonOptions;
  readonly mlp: MlpOptions & { readonly timing: TimingOptions };
  readonly matmul: TimingOptions & { readonly size: number };
  readonly digitsFit: DigitsFitOptions;
  readonly cnn: CnnOptions;
}

const MLP = { samples: 8000, batchSize: 64, hidden: 128, lr: 0.1, lossSteps: 20, seed: 1 } as const;
const CNN_SIZE = { padding: 'valid', batchSize: 64, lr: 0.003, seed: 1, heldOut: 2000, lossTolerance: 1e-3, logitTolerance: 1e-4 } as const;
const DIGITS = { samples: 8000, heldOut: 2000, batchSize: 128, hidden: 128, lr: 0.003, seed: 1, minAccuracy: 0.8, lossTolerance: 0.01 } as const;

/** The full run: five timed repetitions of each row on each workload, after a warm-up. */
export const FULL: BenchOptions = {
  quick: false,
  seed: 1,
  lesson: { reps: 5, minMs: 300, lossSteps: 10, fitSteps: 500 },
  mlp: { ...MLP, timing: { reps: 5, minMs: 1000, maxMs: 12_000 } },
  matmul: { reps: 5, minMs: 500, size: 512 },
  digitsFit: { ...DIGITS, reps: 5, warmupMs: 1000, maxMs: 12_000 },
  cnn: {
    ...CNN_SIZE,
    fitBatches: 125,
    tfjsFitBatches: 4,
    checkSteps: 2,
    fitReps: 5,
    fitWarmupMs: 1000,
    fitMaxMs: 12_000,
    predict: { reps: 5, minMs: 1000, maxMs: 12_000 },
  },
};

/** The smoke run (`--quick`): the same workloads, fewer and shorter repetitions. */
export const QUICK: BenchOptions = {
  quick: true,
  seed: 1,
  lesson: { reps: 3, minMs: 50, lossSteps: 10, fitSteps: 200 },
  mlp: { ...MLP, samples: 2048, timing: { reps: 3, minMs: 150 } },
  matmul: { reps: 3, minMs: 150, size: 512 },
  digitsFit: { ...DIGITS, samples: 2048, heldOut: 1000, reps: 3, warmupMs: 0 },
  cnn: { ...CNN_SIZE, fitBatches: 8, tfjsFitBatches: 1, checkSteps: 2, fitReps: 2, fitWarmupMs: 0, predict: { reps: 3, minMs: 150 } },
};

/** Everything a run measured; `bench/results/latest.json` holds one of these. */
export interface BenchResult {
  readonly date: string;
  /** Wall time of the run, in seconds, and of each workload (its checks included). */
  readonly seconds: number;
  readonly workloadSeconds: Record<Workload, number>;
  readonly machine: Machine;
  readonly versions: Record<string, string>;
  readonly config: BenchOptions & {
    readonly tfjs: TfInfo;
    /** `backendSummary` of each gradstream configuration (`default`, `wasm1t`, `ts`) on this machine. */
    readonly gradstream: Record<string, string>;
    /** Per ratio key: the two rows it divides and what they measure. */
    readonly ratioBasis: Record<RatioKey | 'matmul_gflops', string>;
  };
  readonly raw: Record<Workload, Record<string, Measurement>>;
  readonly checks: {
    readonly lesson: Pick<LessonResult, 'steps' | 'losses'>;
    readonly mlp: Pick<MlpResult, 'lossSteps' | 'initialLoss' | 'losses'>;
    readonly matmul: Pick<MatmulResult, 'size' | 'reference' | 'maxAbsDiff'>;
    readonly 'digits-fit': Omit<DigitsFitResult, 'raw'>;
    readonly cnn: Omit<CnnResult, 'raw'>;
  };
  readonly ratios: Ratios;
}

/** Runs the five workloads in turn (rows interleaved within each) and computes the ratios. */
export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const started = performance.now();
  const tfjs = await initTfjs();
  const gradstream = gradstreamBackends();
  log(`gradstream default: ${gradstream.default}`);
  const { seconds: workloadSeconds, run: timed } = workloadTimer<Workload>(log);
  const lesson = await timed('lesson', `1-1-1 network, ${options.lesson.reps} reps`, () => lessonWorkload(options.lesson));
  const m = options.mlp;
  const mlp = await timed('mlp', `784-${m.hidden}-10, batch ${m.batchSize}, ${m.samples} digits, ${m.timing.reps} reps`, () => mlpWorkload(m, m.timing));
  const matmul = await timed('matmul', `${options.matmul.size}³ float32, ${options.matmul.reps} reps`, () =>
    matmulWorkload(options.matmul.size, options.seed, options.matmul),
  );
  const d = options.digitsFit;
  const { raw: digitsRaw, ...digits } = await timed(
    'digits-fit',
    `784-${d.hidden}-10 ReLU, Adam, batch ${d.batchSize}, one epoch of ${d.samples} digits per rep, ${d.reps} reps`,
    () => digitsFitWorkload(d),
  );
  const c = options.cnn;
  const { raw: cnnRaw, ...cnn } = await timed(
    'cnn',
    `conv 5×5×8 → pool → conv 5×5×16 → pool → dense 10 ('${c.padding}'), Adam, batch ${c.batchSize}: fit on ${c.fitBatches} batches ` +
      `(TF.js cpu ${c.tfjsFitBatches}), ${c.fitReps} reps; predict ${c.heldOut} digits, ${c.predict.reps} reps`,
    () => cnnWorkload(c),
  );
  const raw: Record<Workload, Record<string, Measurement>> = { lesson: lesson.raw, mlp: mlp.raw, matmul: matmul.raw, 'digits-fit': digitsRaw, cnn: cnnRaw };

  const rate = (workload: Workload, name: string): Measurement => {
    const m = raw[workload][name];
    if (m === undefined) throw new Error(`bench: no ${workload} measurement of ${name}`);
    return m;
  };
  const ratios = {} as Record<RatioKey, number>;
  const ratioBasis = {} as Record<RatioKey | 'matmul_gflops', string>;
  for (const key of RATIO_KEYS) {
    const { workload, gradstream: g, peer: p } = RATIOS[key];
    const [gm, pm] = [rate(workload, g), rate(workload, p)];
    ratios[key] = gm.median / pm.median;
    const describe = (name: string, m: Measurement): string => `${name} (${m.library}, ${m.backend}, ${m.path})`;
    ratioBasis[key] = `${workload}: ${describe(g, gm)} ÷ ${describe(p, pm)}, ${gm.unit}`;
  }
  const gflops = rate('matmul', 'gradstream-kernel');
  ratioBasis.matmul_gflops = `matmul: gradstream-kernel (${gflops.backend}) GFLOP/s itself, not a ratio`;
  return {
    date: new Date().toISOString(),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    workloadSeconds,
    machine: machine(),
    versions: versions(),
    config: { ...options, tfjs, gradstream, ratioBasis },
    raw,
    checks: {
      lesson: { steps: lesson.steps, losses: lesson.losses },
      mlp: { lossSteps: mlp.lossSteps, initialLoss: mlp.initialLoss, losses: mlp.losses },
      matmul: { size: matmul.size, reference: matmul.reference, maxAbsDiff: matmul.maxAbsDiff },
      'digits-fit': digits,
      cnn,
    },
    ratios: { ...ratios, matmul_gflops: gflops.median },
  };
}
