import { resolve } from 'node:path';
import { backendSummary } from '@gradstream/graph';
import { writeCheckpointFile } from '@gradstream/graph/node';
import { checkpointBest, fit, type EndEvent, type EpochEvent, type TrainEvent } from '@gradstream/trainer';
import { loadData } from '../data/load-data.js';
import { EXIT } from '../exit-codes.js';
import { formatNumber } from '../format.js';
import { println, type CliOutput } from '../io.js';
import { chooseMetrics } from '../metrics-choice.js';
import { readModel } from '../spec-file.js';
import { lossChart } from '../train/chart.js';
import { makeOptimizer } from '../train/optimizer-option.js';
import { barReporter, jsonReporter, lineReporter, type TrainReporter } from '../train/reporter.js';
import type { CommandContext } from './context.js';

/** Options of `gradstream train`. */
export interface TrainOptions {
  readonly data: string;
  readonly epochs: number;
  readonly batch: number;
  readonly lr?: number;
  readonly optimizer: string;
  readonly seed: number;
  readonly val?: number;
  readonly checkpoint?: string;
  readonly json: boolean;
  readonly backend: 'auto' | 'ts' | 'wasm';
  readonly threads?: number;
  readonly verbose: boolean;
}

/**
 * `gradstream train <spec.json> --data …`: trains the spec's model and shows the run — a progress
 * bar on a terminal, one line per epoch otherwise, or every event as a JSON line with `--json` —
 * then the loss chart and the final scores; `--checkpoint` keeps the best epoch on disk.
 */
export async function trainCommand(path: string, options: TrainOptions, ctx: CommandContext): Promise<number> {
  const { stdout } = ctx.io;
  const model = await readModel(path, ctx.cwd, options.seed, { backend: options.backend, ...(options.threads === undefined ? {} : { threads: options.threads }) });
  // On stderr, so stdout stays the run's output (and --json's lines stay JSON).
  if (options.verbose) println(ctx.io.stderr, `backend     ${backendSummary(model.backend)}`);
  const data = await loadData(options.data, model, ctx.cwd);
  const metrics = chooseMetrics(model, data.y);
  const optimizer = makeOptimizer(options.optimizer, options.lr);
  const monitor = options.val === undefined ? 'loss' : 'val_loss';
  // Set by the checkpoint writer once a file is on disk.
  const best: { saved?: { readonly epoch: number; readonly value: number } } = {};
  const reporter: TrainReporter = options.json ? jsonReporter(stdout) : stdout.isTTY === true ? barReporter(stdout) : lineReporter(stdout);
  const history: EpochEvent[] = [];
  let end: EndEvent | undefined;
  let validationSamples = 0;
  const t0 = performance.now();
  let samples = 0;

  const checkpointPath = options.checkpoint === undefined ? undefined : resolve(ctx.cwd, options.checkpoint);
  const run$ = fit(model, data, {
    epochs: options.epochs,
    batchSize: options.batch,
    optimizer,
    seed: options.seed,
    metrics,
    ...(options.val === undefined ? {} : { validation: { split: options.val } }),
    ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }),
    // Writes never overlap, and the run ends only once the best epoch is on disk.
    ...(checkpointPath === undefined
      ? {}
      : {
          policies: [
            checkpointBest({
              monitor,
              save: async (c) => {
                await writeCheckpointFile(c, checkpointPath);
                best.saved = { epoch: c.epoch ?? 0, value: (c.meta as { value: number }).value };
              },
            }),
          ],
        }),
  });
  try {
    await new Promise<void>((done, fail) => {
      run$.subscribe({
        next: (e: TrainEvent) => {
          reporter.event(e);
          if (e.type === 'batch') samples += e.size;
          else if (e.type === 'start') validationSamples = e.config.validationSamples;
          else if (e.type === 'epoch') history.push(e);
          else if (e.type === 'end') end = e;
        },
        error: fail,
        complete: done,
      });
    });
  } finally {
    reporter.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  if (options.json || end === undefined) return end?.reason === 'diverged' ? EXIT.failure : EXIT.ok;

  const chart = lossChart(
    history.map((e) => e.loss),
    options.val === undefined ? undefined : history.map((e) => e.validation?.loss ?? Number.NaN),
    { columns: stdout.columns ?? 80, color: stdout.isTTY === true },
  );
  if (chart !== '') println(stdout, `\n${chart}`);
  summary(stdout, end, history, { seconds, samples, val: options.val, validationSamples });
  if (best.saved !== undefined) {
    const { epoch, value } = best.saved;
    const by = monitor === 'val_loss' ? 'lowest validation loss' : 'lowest training loss';
    println(stdout, `checkpoint  ${options.checkpoint}: epoch ${epoch}, ${by} ${formatNumber(value)}`);
  }
  if (end.reason === 'diverged') return EXIT.failure;
  return end.reason === 'aborted' ? EXIT.interrupted : EXIT.ok;
}

function summary(
  out: CliOutput,
  end: EndEvent,
  history: readonly EpochEvent[],
  run: { seconds: number; samples: number; val: number | undefined; validationSamples: number },
): void {
  const speed = run.seconds > 0 ? Math.round(run.samples / run.seconds).toLocaleString('en-US') : '–';
  const how =
    end.reason === 'diverged'
      ? `diverged at step ${end.divergence.step} (${end.divergence.where}; the update was not applied, try a smaller --lr)`
      : end.reason;
  println(out, `\n${how}: ${end.epochs} epoch(s), ${end.steps} step(s) in ${run.seconds.toFixed(1)} s (${speed} samples/s)`);
  const last = history[history.length - 1];
  if (last === undefined) return;
  const train = [`loss ${formatNumber(last.loss)}`, ...Object.entries(last.metrics).map(([k, v]) => `${k} ${formatNumber(v)}`)];
  println(out, `training    ${train.join('  ')}`);
  if (last.validation !== undefined) {
    const held = [`loss ${formatNumber(last.validation.loss)}`, ...Object.entries(last.validation.metrics).map(([k, v]) => `${k} ${formatNumber(v)}`)];
    println(out, `validation  ${held.join('  ')}  (held out: the last ${Math.round((run.val ?? 0) * 100)}% = ${run.validationSamples} samples)`);
  }
}
