import { resolve } from 'node:path';
import { INPUT, TARGET } from '@gradstream/graph';
import { loadCheckpoint, writeFileAtomic } from '@gradstream/graph/node';
import { BATCH_DIM, OPSET, toOnnx } from '@gradstream/onnx';
import { sizeOf } from '@gradstream/tensor';
import { readPreprocessing } from '../data/preprocessing.js';
import { EXIT } from '../exit-codes.js';
import { println } from '../io.js';
import { modelOptions, type CommandContext } from './context.js';

/**
 * Options of `gradstream export`: the ONNX file to write, and whether it also holds the loss.
 *
 * @example
 * ```ts
 * const options: ExportOptions = { onnx: 'model.onnx', loss: false };
 * ```
 */
export interface ExportOptions {
  /** Where the ONNX model goes (`--onnx`). */
  readonly onnx: string;
  /** Also write the target input `y` and the scalar output `loss` (`--loss`). */
  readonly loss: boolean;
}

/**
 * `gradstream export <checkpoint> --onnx <out.onnx> [--loss]`: the checkpoint's model as an ONNX
 * model (opset 17, float32, the batch axis symbolic), written atomically, and one line on stdout
 * saying what was written: the file, its bytes, the opset, the inputs and outputs with their
 * shapes. A node whose op has no ONNX exporter is an `UNSUPPORTED_EXPORT` error (exit 1); a
 * checkpoint that keeps `--normalize` statistics, or a float64 model, gets a warning on stderr, since
 * the ONNX model takes the inputs as they reach the first layer, in float32.
 *
 * @example
 * ```ts
 * // gradstream export best.json --onnx model.onnx
 * const code = await exportCommand('best.json', { onnx: 'model.onnx', loss: false }, ctx);
 * ```
 */
export async function exportCommand(path: string, options: ExportOptions, ctx: CommandContext): Promise<number> {
  // No kernel runs: the parameters are only read, so the TypeScript backend does.
  const { model, meta } = await loadCheckpoint(resolve(ctx.cwd, path), { backend: 'ts', ...modelOptions(ctx) });
  const bytes = toOnnx(model, { loss: options.loss });
  const { normalize } = readPreprocessing(meta, path, sizeOf(model.inputShape));
  await writeFileAtomic('export', resolve(ctx.cwd, options.onnx), bytes);
  // On stderr, like train's warnings: stdout carries only the line saying what was written.
  if (normalize !== undefined) {
    println(ctx.io.stderr, `warning: ${path} rescales its inputs (--normalize ${normalize.method}) and the ONNX model does not: rescale them first, with the statistics in the checkpoint's meta.preprocessing`);
  }
  if (model.dtype !== 'float32') println(ctx.io.stderr, `warning: ${path} holds a ${model.dtype} model; the ONNX model holds it in float32`);
  const value = (name: string, shape: readonly number[], batched = true): string => `${name} [${[...(batched ? [BATCH_DIM] : []), ...shape].join(',')}]`;
  const inputs = [value(INPUT, model.inputShape), ...(options.loss ? [value(TARGET, model.outputShape)] : [])];
  const outputs = [value(model.output, model.outputShape), ...(options.loss ? [value('loss', [], false)] : [])];
  const plural = options.loss ? 's' : '';
  println(
    ctx.io.stdout,
    `wrote ${options.onnx}: ${bytes.length.toLocaleString('en-US')} bytes, ONNX opset ${OPSET}, float32, input${plural} ${inputs.join(', ')} → output${plural} ${outputs.join(', ')}`,
  );
  return EXIT.ok;
}
