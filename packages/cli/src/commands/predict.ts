import { resolve } from 'node:path';
import { loadCheckpoint } from '@gradstream/graph/node';
import { sizeOf, type DType } from '@gradstream/tensor';
import { prepareBackend } from '../backend-option.js';
import { loadInputs } from '../data/load-inputs.js';
import { readPreprocessing } from '../data/preprocessing.js';
import { EXIT } from '../exit-codes.js';
import { predictRowsAsync, type Prediction } from '../predict/predictions.js';
import { modelOptions, type CommandContext } from './context.js';
import type { EvalOptions } from './eval.js';

/**
 * Options of `gradstream predict`: those of `eval` (the data, its label column, batch, `--json`,
 * backend and threads).
 *
 * @example
 * ```ts
 * const options: PredictOptions = { data: 'new.csv', batch: 256, json: false, backend: 'auto' };
 * ```
 */
export type PredictOptions = EvalOptions;

/** Lines written to stdout at a time. */
const CHUNK = 1000;

/**
 * `gradstream predict <checkpoint> --data …`: the checkpoint's prediction for every input row, on
 * stdout — CSV with a header (`class,p0,p1,…` for a classifier, `prediction` otherwise) or, with
 * `--json`, one JSON object per line — after the preprocessing the checkpoint keeps.
 *
 * @example
 * ```ts
 * // gradstream predict best.json --data new.csv --json
 * const code = await predictCommand('best.json', { data: 'new.csv', batch: 256, json: true, backend: 'auto' }, ctx);
 * ```
 */
export async function predictCommand(path: string, options: PredictOptions, ctx: CommandContext): Promise<number> {
  const ready = await prepareBackend(options.backend, options.threads, ctx);
  if ('exit' in ready) return ready.exit;
  const { model, meta } = await loadCheckpoint(resolve(ctx.cwd, path), { ...ready.options, ...modelOptions(ctx) });
  const preprocessing = readPreprocessing(meta, path, sizeOf(model.inputShape));
  const inputs = await loadInputs(options.data, model, ctx.cwd, ctx.io.stdin, options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn });
  // Asynchronous: on WebGPU each batch's outputs are read back from the device.
  const predictions = await predictRowsAsync(model, inputs.x, { batch: options.batch, preprocessing });
  const value = numberText(model.dtype);
  const line = options.json ? (p: Prediction) => jsonLine(p, value) : (p: Prediction) => csvLine(p, value);
  const lines = options.json ? [] : [csvHeader(predictions[0] as Prediction)];
  for (const p of predictions) {
    lines.push(line(p));
    if (lines.length >= CHUNK) ctx.io.stdout.write(`${lines.splice(0).join('\n')}\n`);
  }
  if (lines.length > 0) ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

function csvHeader(first: Prediction): string {
  if ('class' in first) return ['class', ...first.probabilities.map((_, k) => `p${k}`)].join(',');
  return first.prediction.length === 1 ? 'prediction' : first.prediction.map((_, k) => `prediction${k}`).join(',');
}

function csvLine(p: Prediction, value: (v: number) => string): string {
  return 'class' in p ? [String(p.class), ...p.probabilities.map(value)].join(',') : p.prediction.map(value).join(',');
}

function jsonLine(p: Prediction, value: (v: number) => string): string {
  return 'class' in p ? `{"class":${p.class},"probabilities":[${p.probabilities.map(value).join(',')}]}` : `{"prediction":[${p.prediction.map(value).join(',')}]}`;
}

/**
 * Numbers as short as the model's precision allows: the shortest decimal that reads back as the
 * same float32 (`0.1`, not `0.10000000149011612`), or every digit for float64.
 */
function numberText(dtype: DType): (v: number) => string {
  if (dtype !== 'float32') return (v) => String(v);
  return (v) => {
    const f = Math.fround(v);
    for (let digits = 1; digits < 9; digits++) {
      const short = Number(f.toPrecision(digits));
      if (Math.fround(short) === f) return String(short);
    }
    return String(Number(f.toPrecision(9)));
  };
}
