import { resolve } from 'node:path';
import { toSpec } from '@gradstream/graph';
import { readFileWithin, saveCheckpoint } from '@gradstream/graph/node';
import { fromOnnx } from '@gradstream/onnx';
import { GradstreamError } from '@gradstream/tensor';
import { EXIT } from '../exit-codes.js';
import { println } from '../io.js';
import { modelOptions, type CommandContext } from './context.js';

/**
 * Options of `gradstream import`: the checkpoint to write, and the loss of a model made elsewhere.
 *
 * @example
 * ```ts
 * const options: ImportOptions = { out: 'model.ckpt.json', loss: 'softmaxCrossEntropy' };
 * ```
 */
export interface ImportOptions {
  /** Where the checkpoint goes (`--out`). */
  readonly out: string;
  /** The loss op of a model rebuilt from its ONNX nodes (`--loss`; default `mse`). */
  readonly loss?: string;
}

/**
 * `gradstream import <model.onnx> --out <ckpt.json> [--loss <op>]`: an ONNX model as a checkpoint
 * that `train`'s tools (`eval`, `predict`, `export`) read, written atomically, and one line on stdout
 * saying what was written: the file, its layers, parameters and loss. A model `export` wrote comes
 * back as it was, its own loss kept; any other is rebuilt from the ONNX operators gradstream has,
 * with `--loss` as its loss (an op that is no loss is an `INVALID_USAGE` error, exit 2). A file
 * that is not ONNX, or that uses another operator, is an `UNSUPPORTED_IMPORT` error (exit 1).
 *
 * @example
 * ```ts
 * // gradstream import model.onnx --out model.ckpt.json --loss softmaxCrossEntropy
 * const code = await importCommand('model.onnx', { out: 'model.ckpt.json', loss: 'softmaxCrossEntropy' }, ctx);
 * ```
 */
export async function importCommand(path: string, options: ImportOptions, ctx: CommandContext): Promise<number> {
  const bytes = await readFileWithin('import', resolve(ctx.cwd, path));
  // No kernel runs: the parameters are only copied, so the TypeScript backend does.
  const model = withLossOption(options.loss, () => fromOnnx(bytes, { backend: 'ts', ...modelOptions(ctx), ...(options.loss === undefined ? {} : { loss: { op: options.loss } }) }));
  const spec = toSpec(model);
  if (options.loss !== undefined && spec.loss.op !== options.loss) {
    println(ctx.io.stderr, `warning: ${path} carries its gradstream spec (it was written by export) and keeps its loss, ${spec.loss.op}; --loss applies to ONNX models made elsewhere`);
  }
  await saveCheckpoint(model, resolve(ctx.cwd, options.out));
  const parameters = model.parameters().reduce((n, p) => n + p.value.size, 0);
  const state = model.state().reduce((n, p) => n + p.value.size, 0);
  println(ctx.io.stdout, `wrote ${options.out}: ${spec.layers.length} layers, ${parameters} parameters${state > 0 ? ` and ${state} non-trainable` : ''}, loss ${spec.loss.op} (from ${path})`);
  return EXIT.ok;
}

/** A problem with the loss layer `--loss` made (an unknown op, one that is no loss) as the command-line mistake it is. */
function withLossOption<T>(loss: string | undefined, build: () => T): T {
  try {
    return build();
  } catch (e) {
    const path = e instanceof GradstreamError ? e.details.path : undefined;
    if (loss === undefined || typeof path !== 'string' || !path.startsWith('loss')) throw e;
    throw new GradstreamError('INVALID_USAGE', `--loss ${loss}: ${(e as GradstreamError).message}`, { ...(e as GradstreamError).details, option: '--loss' });
  }
}
