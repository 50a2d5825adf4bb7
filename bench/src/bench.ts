import { machine, versions, type Machine } from './machine.js';
import { initTfjs, type TfInfo } from './peers/tfjs.js';
import { RATIO_KEYS, type RatioKey, type Ratios } from './results.js';
import type { Measurement, TimingOptions } from './stats.js';
import { lessonWorkload, type LessonResult } from './workloads/lesson.js';
import { matmulWorkload, type MatmulResult } from './workloads/matmul.js';
import { mlpWorkload, type MlpOptions, type MlpResult } from './workloads/mlp.js';

/** Sizes and timing of a run. */
export interface BenchOptions {
  readonly quick: boolean;
  readonly seed: number;
  readonly lesson: TimingOptions & { readonly lossSteps: number };
  readonly mlp: MlpOptions & { readonly timing: TimingOptions };
  readonly matmul: TimingOptions & { readonly size: number };
}

const MLP = { samples: 8000, batchSize: 64, hidden: 128, lr: 0.1, lossSteps: 20, seed: 1 } as const;

/** The full run: five timed repetitions of each library on each workload, after a warm-up. */
export const FULL: BenchOptions = {
  quick: false,
  seed: 1,
  lesson: { reps: 5, minMs: 300, lossSteps: 10 },
  mlp: { ...MLP, timing: { reps: 5, minMs: 1000 } },
  matmul: { reps: 5, minMs: 1000, size: 512 },
};

/** The smoke run (`--quick`): the same workloads, fewer and shorter repetitions. */
export const QUICK: BenchOptions = {
  quick: true,
  seed: 1,
  lesson: { reps: 3, minMs: 50, lossSteps: 10 },
  mlp: { ...MLP, timing: { reps: 3, minMs: 150 } },
  matmul: { reps: 3, minMs: 150, size: 512 },
};

/** Everything a run measured; `bench/results/latest.json` holds one of these. */
export interface BenchResult {
  readonly date: string;
  readonly machine: Machine;
  readonly versions: Record<string, string>;
  readonly config: BenchOptions & { readonly tfjs: TfInfo; readonly ratioBasis: Record<string, string> };
  readonly raw: { readonly lesson: Record<string, Measurement>; readonly mlp: Record<string, Measurement>; readonly matmul: Record<string, Measurement> };
  readonly checks: {
    readonly lesson: Pick<LessonResult, 'steps' | 'losses'>;
    readonly mlp: Pick<MlpResult, 'lossSteps' | 'initialLoss' | 'losses'>;
    readonly matmul: Pick<MatmulResult, 'size' | 'maxAbsDiff'>;
  };
  readonly ratios: Ratios;
}

/** Which gradstream measurement each workload's ratios divide. */
const BASIS = { lesson: 'gradstream-plan', mlp: 'gradstream', matmul: 'gradstream' } as const;

/** Runs the three workloads in turn (libraries interleaved within each) and computes the ratios. */
export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const tfjs = await initTfjs();
  log(`lesson: 1-1-1 network, ${options.lesson.reps} reps`);
  const lesson = await lessonWorkload(options.lesson, options.lesson.lossSteps);
  log(`mlp: 784-${options.mlp.hidden}-10, batch ${options.mlp.batchSize}, ${options.mlp.samples} digits, ${options.mlp.timing.reps} reps`);
  const mlp = await mlpWorkload(options.mlp, options.mlp.timing);
  log(`matmul: ${options.matmul.size}³ float32, ${options.matmul.reps} reps`);
  const matmul = await matmulWorkload(options.matmul.size, options.seed, options.matmul);
  const raw = { lesson: lesson.raw, mlp: mlp.raw, matmul: matmul.raw };

  const rate = (workload: keyof typeof raw, name: string): number => {
    const m = raw[workload][name];
    if (m === undefined) throw new Error(`bench: no ${workload} measurement of ${name}`);
    return m.median;
  };
  const ratios = {} as Record<RatioKey, number>;
  for (const key of RATIO_KEYS) {
    const [workload, peer] = key.split('/') as [keyof typeof raw, string];
    ratios[key] = rate(workload, BASIS[workload]) / rate(workload, peer);
  }
  return {
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    config: {
      ...options,
      tfjs,
      ratioBasis: {
        lesson: 'gradstream-plan: model.compile(1), then plan.forward(), plan.backward(), sgd.step() per step',
        mlp: 'gradstream: compiled plan + sgd, batch copied into plan.x/plan.y per step',
        matmul: 'gradstream: matmul kernel from @gradstream/tensor into a preallocated buffer',
      },
    },
    raw,
    checks: {
      lesson: { steps: lesson.steps, losses: lesson.losses },
      mlp: { lossSteps: mlp.lossSteps, initialLoss: mlp.initialLoss, losses: mlp.losses },
      matmul: { size: matmul.size, maxAbsDiff: matmul.maxAbsDiff },
    },
    ratios: { ...ratios, matmul_gflops: rate('matmul', BASIS.matmul) },
  };
}
