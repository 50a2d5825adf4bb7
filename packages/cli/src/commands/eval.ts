import { resolve } from 'node:path';
import { loadCheckpoint } from '@gradstream/graph/node';
import { evaluateAsync } from '@gradstream/trainer';
import { sizeOf } from '@gradstream/tensor';
import { prepareBackend, type BackendOption } from '../backend-option.js';
import { loadData } from '../data/load-data.js';
import { applyPreprocessing, readPreprocessing } from '../data/preprocessing.js';
import { classReportAsync, formatConfusion } from '../report/confusion.js';
import { EXIT } from '../exit-codes.js';
import { formatNumber } from '../format.js';
import { println } from '../io.js';
import { chooseMetrics } from '../metrics-choice.js';
import { modelOptions, type CommandContext } from './context.js';

/** Options of `gradstream eval`. */
export interface EvalOptions {
  readonly data: string;
  readonly labelColumn?: string;
  readonly batch: number;
  readonly json: boolean;
  readonly backend: BackendOption;
  readonly threads?: number;
}

/** `gradstream eval <checkpoint> --data …`: the checkpoint's loss and metrics on the data, in evaluation mode. */
export async function evalCommand(path: string, options: EvalOptions, ctx: CommandContext): Promise<number> {
  const ready = await prepareBackend(options.backend, options.threads, ctx);
  if ('exit' in ready) return ready.exit;
  const { model, epoch, meta } = await loadCheckpoint(resolve(ctx.cwd, path), { ...ready.options, ...modelOptions(ctx) });
  const loaded = await loadData(options.data, model, ctx.cwd, ctx.io.stdin, options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn });
  // The inputs as the model was trained on them (--normalize's statistics, kept in the checkpoint).
  const data = { ...loaded, x: applyPreprocessing(loaded.x, readPreprocessing(meta, path, sizeOf(model.inputShape))) };
  // Asynchronous: on WebGPU each batch's results are read back from the device.
  const report = await classReportAsync(model, data.x, data.y, options.batch);
  const metrics = chooseMetrics(model, data.y);
  const result = await evaluateAsync(model, data, metrics, options.batch);
  const scores = Object.fromEntries(metrics.map((m) => [m, m === 'mse' ? result.mse : (result.metrics[m] as number)]));
  const out = ctx.io.stdout;
  if (options.json) {
    println(out, JSON.stringify({ checkpoint: path, epoch: epoch ?? null, data: data.source, samples: result.samples, loss: result.loss, metrics: scores, ...(report === undefined ? {} : { confusion: report.matrix, classes: report.classes }) }));
    return EXIT.ok;
  }
  println(out, `checkpoint  ${path}${epoch === undefined ? '' : ` (epoch ${epoch})`}`);
  println(out, `data        ${data.source} (${result.samples} samples)`);
  println(out, `loss        ${formatNumber(result.loss)}`);
  for (const [name, value] of Object.entries(scores)) {
    const hits = name === 'accuracy' ? ` (${Math.round(value * result.samples)}/${result.samples})` : '';
    println(out, `${name.padEnd(11)} ${formatNumber(value)}${hits}`);
  }
  if (report !== undefined) println(out, `\n${formatConfusion(report.matrix)}`);
  return EXIT.ok;
}
