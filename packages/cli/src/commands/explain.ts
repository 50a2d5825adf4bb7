import { fitSamples } from '@gradstream/data';
import { GradstreamError } from '@gradstream/tensor';
import { walkthrough } from '@gradstream/trainer';
import { loadData } from '../data/load-data.js';
import { EXIT } from '../exit-codes.js';
import { formatWalkthrough } from '../explain/format-walkthrough.js';
import { println } from '../io.js';
import { formatLessonStep } from '../lesson/report.js';
import { lessonStep } from '../lesson/lesson.js';
import { readModel } from '../spec-file.js';
import { makeOptimizer } from '../train/optimizer-option.js';
import { modelOptions, type CommandContext } from './context.js';

/** Options of `gradstream explain`. */
export interface ExplainOptions {
  readonly x?: readonly number[];
  readonly y?: readonly number[];
  readonly data?: string;
  readonly optimizer: string;
  readonly lr: number;
  readonly seed: number;
}

/**
 * `gradstream explain [spec.json]`: one training step, every figure of it. Without a spec, the
 * lesson's network and numbers; with one, the spec's model (initialised from `--seed`) on the
 * sample given by `--x`/`--y` or the first row of `--data`.
 */
export async function explainCommand(path: string | undefined, options: ExplainOptions, ctx: CommandContext): Promise<number> {
  const out = ctx.io.stdout;
  if (path === undefined) {
    println(out, formatLessonStep(await lessonStep()));
    return EXIT.ok;
  }
  const model = await readModel(path, ctx.cwd, options.seed, modelOptions(ctx));
  let sample: { x: readonly number[]; y: readonly number[] };
  if (options.x !== undefined || options.y !== undefined) {
    if (options.x === undefined || options.y === undefined) {
      throw new GradstreamError('INVALID_USAGE', 'explain: give both --x and --y (or --data), e.g. --x 1,0 --y 1', {});
    }
    const fitted = fitSamples({ source: '--x/--y', x: [options.x], y: [options.y], locate: (_, part) => `--${part}` }, model);
    sample = { x: fitted.x[0] as number[], y: fitted.y[0] as number[] };
  } else if (options.data !== undefined) {
    const data = await loadData(options.data, model, ctx.cwd, ctx.io.stdin);
    sample = { x: data.x[0] as number[], y: data.y[0] as number[] };
    println(out, `(the first sample of ${data.source})`);
  } else {
    throw new GradstreamError('INVALID_USAGE', `explain ${path}: give a sample with --x and --y (e.g. --x 1,0 --y 1), or --data to take the first row`, {});
  }
  println(out, formatWalkthrough(await walkthrough(model, sample, makeOptimizer(options.optimizer, options.lr))));
  return EXIT.ok;
}
