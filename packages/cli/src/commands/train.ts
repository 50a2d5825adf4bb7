import { resolve } from 'node:path';
import { backendSummary } from '@gradstream/graph';
import { writeCheckpointFile } from '@gradstream/graph/node';
import { checkpointBest, fit, type EndEvent, type EpochEvent, type TrainEvent } from '@gradstream/trainer';
import { prepareBackend, type BackendOption } from '../backend-option.js';
import { withPreprocessing } from '../data/preprocessing.js';
import { EXIT } from '../exit-codes.js';
import { formatNumber } from '../format.js';
import { println, type CliOutput } from '../io.js';
import { chooseMetrics } from '../metrics-choice.js';
import { readModel } from '../spec-file.js';
import { chartOptions, lossChart } from '../train/chart.js';
import { makeOptimizer } from '../train/optimizer-option.js';
import { jsonReporter, progressReporter, type TrainReporter } from '../train/reporter.js';
import { trainingData } from '../train/training-data.js';
import { modelOptions, type CommandContext } from './context.js';

/** Options of `gradstream train`. */
export interface TrainOptions {
  readonly data: string;
  readonly epochs: number;
  readonly batch: number;
  readonly lr?: number;
  readonly optimizer: string;
  readonly seed: number;
  readonly val?: number;
  readonly valData?: string;
  readonly stratify: boolean;
  readonly labelColumn?: string;
  readonly normalize?: 'standard' | 'minmax';
  readonly checkpoint?: string;
  readonly json: boolean;
  readonly backend: BackendOption;
  readonly threads?: number;
  readonly verbose: boolean;
}

/**
 * `gradstream train <spec.json> --data …`: trains the spec's model and shows the run on stderr — a
 * progress bar on a terminal, one line per epoch otherwise — then the loss chart, and prints the
 * final scores on stdout (with `--json`, every event as a JSON line on stdout instead);
 * `--checkpoint` keeps the best epoch on disk.
 */
export async function trainCommand(path: string, options: TrainOptions, ctx: CommandContext): Promise<number> {
  const { stdout } = ctx.io;
  const ready = await prepareBackend(options.backend, options.threads, ctx);
  if ('exit' in ready) return ready.exit;
  // On WebGPU the trainer reads the parameters back before each checkpoint and at the end: nothing here changes.
  const model = await readModel(path, ctx.cwd, options.seed, { ...ready.options, ...modelOptions(ctx) });
  // On stderr, so stdout stays the run's output (and --json's lines stay JSON).
  if (options.verbose) println(ctx.io.stderr, `backend     ${backendSummary(model.backend)}`);
  // Split (shuffled, stratified), --val-data and --normalize; warnings on stderr like --verbose's line.
  const prepared = await trainingData(model, options, ctx.cwd, ctx.io.stdin);
  for (const warning of prepared.warnings) println(ctx.io.stderr, `warning: ${warning}`);
  const { data, validation } = prepared;
  const metrics = chooseMetrics(model, data.y);
  const optimizer = makeOptimizer(options.optimizer, options.lr);
  const monitor = validation === undefined ? 'loss' : 'val_loss';
  // Set by the checkpoint writer once a file is on disk.
  const best: { saved?: { readonly epoch: number; readonly value: number } } = {};
  // The bar and the chart are decoration, on stderr: stdout carries only the results (or --json's events).
  const reporter: TrainReporter = options.json ? jsonReporter(stdout) : progressReporter(ctx.io.stderr, ctx.io.env);
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
    ...(validation === undefined ? {} : { validation }),
    ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }),
    // Writes never overlap, and the run ends only once the best epoch is on disk.
    ...(checkpointPath === undefined
      ? {}
      : {
          policies: [
            checkpointBest({
              monitor,
              save: async (c) => {
                await writeCheckpointFile(withPreprocessing(c, prepared.preprocessing), checkpointPath);
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
    validation === undefined ? undefined : history.map((e) => e.validation?.loss ?? Number.NaN),
    chartOptions(ctx.io.stderr, ctx.io.env),
  );
  if (chart !== '') println(ctx.io.stderr, `\n${chart}`);
  summary(stdout, end, history, { seconds, samples, heldOut: prepared.heldOut, validationSamples });
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
  run: { seconds: number; samples: number; heldOut: string | undefined; validationSamples: number },
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
    println(out, `validation  ${held.join('  ')}  (held out: ${run.validationSamples} samples, ${run.heldOut ?? 'a separate set'})`);
  }
}
