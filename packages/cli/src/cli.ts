import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { defaultRegistry } from '@gradstream/graph';
import '@gradstream/ops';
import { SUPPORTED_IMPORTS } from '@gradstream/onnx';
import { GradstreamError } from '@gradstream/tensor';
import { evalCommand } from './commands/eval.js';
import { explainCommand } from './commands/explain.js';
import { exportCommand } from './commands/export.js';
import { GRAPH_FORMATS, graphCommand } from './commands/graph.js';
import { importCommand } from './commands/import.js';
import { predictCommand } from './commands/predict.js';
import { trainCommand } from './commands/train.js';
import { validateCommand } from './commands/validate.js';
import type { CommandContext } from './commands/context.js';
import { describeBuiltins } from './data/builtin.js';
import { commandLineMessage } from './error-text.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { println, type CliIo } from './io.js';
import { parse } from './options.js';
import { loadPlugins, withPluginHint } from './plugins.js';
import { OPTIMIZERS } from './train/optimizer-option.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const DATA_HELP = `
--data takes a CSV file, a JSON file or a built-in dataset:
  file.csv    numbers, one sample per row, an optional header row; the first columns are the
              input (as many as the spec's inputShape holds), the rest the target (as many as the
              model outputs, or one class-index column for a classifier)
  file.json   { "x": [[…], …], "y": [[…], …] } or [{ "x": […], "y": […] }, …]
  -           read stdin: JSON when it starts with { or [, CSV otherwise
${describeBuiltins()
  .split('\n')
  .map((l) => l.replace(/^(\S+)\s+/, '  $1\n              '))
  .join('\n')}`;

/**
 * Runs the `gradstream` command line in this process: parses `argv` (the arguments after the
 * program name), runs the command, writes to `io`, and resolves to the exit code (see
 * {@link EXIT}). Errors are reported on `io.stderr` as `error (CODE): message`, never thrown.
 *
 * @param argv - e.g. `['validate', 'spec.json']`
 * @param io - output streams, working directory and an abort signal (default: the process's)
 * @returns the exit code
 * @example
 * ```ts
 * import { runCli } from '@gradstream/cli';
 * let out = '';
 * const code = await runCli(['graph', 'examples/specs/xor.json', '--format', 'mermaid'], {
 *   stdout: { write: (t: string) => (out += t) },
 *   stderr: process.stderr,
 * });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const ctx: CommandContext = { io, cwd: io.cwd ?? process.cwd(), registry: defaultRegistry };
  let code: number = EXIT.ok;
  const program = buildProgram(ctx, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its message (or the help).
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    println(io.stderr, describeError(withPluginHint(e, ctx.registry)));
    return exitCodeOf(e);
  }
}

function describeError(e: unknown): string {
  if (e instanceof GradstreamError) return `error (${e.code}): ${commandLineMessage(e)}`;
  return `error: ${e instanceof Error ? e.message : String(e)}`;
}

function buildProgram(ctx: CommandContext, exit: (code: number) => void): Command {
  const program = new Command('gradstream')
    .description('Train, check, explain, evaluate, predict with and draw gradstream model specs; export and import ONNX models.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    // Every command takes --plugin; its help lists it too.
    .configureHelp({ showGlobalOptions: true })
    .option('--plugin <module>', 'load op plugins from this module (a path or a package; repeatable)', (m: string, all: string[]) => [...all, m], [] as string[])
    .option('--memory-limit <size>', 'most memory a model and its plans may take, e.g. 2GiB (default: a quarter of this machine’s)', parse.bytes)
    .hook('preAction', async () => {
      const global = program.opts<{ plugin: string[]; memoryLimit?: number }>();
      ctx.registry = await loadPlugins(global.plugin, ctx.cwd);
      ctx.memoryLimit = global.memoryLimit;
    });

  program
    .command('train')
    .description('train the model of a spec on data')
    .argument('<spec>', 'model spec (JSON)')
    .requiredOption('--data <file|builtin:name>', 'training data: a CSV or JSON file, or builtin:NAME')
    .option('--epochs <n>', 'passes over the data', parse.positiveInt, 100)
    .option('--batch <n>', 'samples per step', parse.positiveInt, 32)
    .addOption(new Option('--optimizer <name>', 'update rule').choices(OPTIMIZERS).default('adam'))
    .option('--lr <rate>', 'learning rate (default 0.01)', parse.positiveNumber)
    .option('--seed <n>', 'seed of the initial parameters and the shuffling', parse.integer, 0)
    .option('--val <fraction>', 'hold out this fraction of the data (shuffled with --seed, each class in proportion) and score it after each epoch', parse.fraction)
    .addOption(new Option('--val-data <file>', 'score this data after each epoch instead of a split of --data').conflicts('val'))
    .option('--no-stratify', 'with --val, hold out a shuffled fraction of all samples rather than of each class')
    .option('--label-column <name|index>', 'the CSV column holding the target: a header name or a 0-based index (default: the last columns)')
    .addOption(new Option('--normalize <method>', 'rescale the inputs with statistics of the training samples, kept in the checkpoint').choices(['standard', 'minmax']))
    .option('--checkpoint <file>', 'keep the best epoch (lowest validation loss, else training loss) in this file')
    .option('--json', 'print every training event as a line of JSON instead of the bar and the chart', false)
    .option('--backend <name>', 'kernels to run on: wasm (WebAssembly SIMD, all cores), ts (TypeScript), webgpu (the GPU; needs a WebGPU adapter) or auto', parse.backend, 'auto')
    .option('--threads <n>', "threads for the wasm backend's large kernels (default: every core)", parse.positiveInt)
    .option('--verbose', 'say which backend runs the model, and why, before training', false)
    .addHelpText('after', DATA_HELP)
    .action(async (spec: string, options: Parameters<typeof trainCommand>[1]) => exit(await trainCommand(spec, options, ctx)));

  program
    .command('validate')
    .description('check a spec: every problem with its JSON path')
    .argument('<spec>', 'model spec (JSON)')
    .action(async (spec: string) => exit(await validateCommand(spec, ctx)));

  program
    .command('explain')
    .description("one training step, number by number (without a spec: the lesson's network)")
    .argument('[spec]', 'model spec (JSON); leave out for the lesson')
    .option('--x <values>', 'the sample input, e.g. 1,0', parse.numbers)
    .option('--y <values>', 'its target, e.g. 1 (or a class index for a classifier)', parse.numbers)
    .option('--data <file|builtin:name>', 'take the first sample of this data instead')
    .addOption(new Option('--optimizer <name>', 'update rule').choices(OPTIMIZERS).default('sgd'))
    .option('--lr <rate>', 'learning rate', parse.positiveNumber, 0.1)
    .option('--seed <n>', 'seed of the initial parameters', parse.integer, 0)
    .action(async (spec: string | undefined, options: Parameters<typeof explainCommand>[1]) => exit(await explainCommand(spec, options, ctx)));

  program
    .command('eval')
    .description('loss and metrics of a checkpoint on data')
    .argument('<checkpoint>', 'checkpoint file written by train --checkpoint')
    .requiredOption('--data <file|builtin:name>', 'data to score: a CSV or JSON file, or builtin:NAME')
    .option('--label-column <name|index>', 'the CSV column holding the target: a header name or a 0-based index (default: the last columns)')
    .option('--batch <n>', 'samples per forward pass', parse.positiveInt, 256)
    .option('--json', 'print the result as one JSON object', false)
    .option('--backend <name>', 'kernels to run on: wasm, ts, webgpu or auto', parse.backend, 'auto')
    .option('--threads <n>', "threads for the wasm backend's large kernels (default: every core)", parse.positiveInt)
    .addHelpText('after', DATA_HELP)
    .action(async (checkpoint: string, options: Parameters<typeof evalCommand>[1]) => exit(await evalCommand(checkpoint, options, ctx)));

  program
    .command('predict')
    .description("a checkpoint's predictions for data, as CSV (or JSON lines with --json) on stdout")
    .argument('<checkpoint>', 'checkpoint file written by train --checkpoint')
    .requiredOption('--data <file|->', 'the inputs: a CSV or JSON file, - for stdin, or builtin:NAME; target columns are ignored')
    .option('--label-column <name|index>', 'a CSV column to leave out of the inputs: a header name or a 0-based index')
    .option('--batch <n>', 'samples per forward pass', parse.positiveInt, 256)
    .option('--json', 'one JSON object per sample: {"class":k,"probabilities":[…]} or {"prediction":[…]}', false)
    .option('--backend <name>', 'kernels to run on: wasm, ts, webgpu or auto', parse.backend, 'auto')
    .option('--threads <n>', "threads for the wasm backend's large kernels (default: every core)", parse.positiveInt)
    .action(async (checkpoint: string, options: Parameters<typeof predictCommand>[1]) => exit(await predictCommand(checkpoint, options, ctx)));

  program
    .command('graph')
    .description('draw the model of a spec as Graphviz DOT or a Mermaid flowchart')
    .argument('<spec>', 'model spec (JSON)')
    .addOption(new Option('--format <format>', 'output format').choices(GRAPH_FORMATS).default('dot'))
    .action(async (spec: string, options: Parameters<typeof graphCommand>[1]) => exit(await graphCommand(spec, options, ctx)));

  program
    .command('export')
    .description("write a checkpoint's model as an ONNX model (opset 17, float32), for onnxruntime and other ONNX runtimes")
    .argument('<checkpoint>', 'checkpoint file written by train --checkpoint')
    .requiredOption('--onnx <file>', 'the ONNX file to write')
    .option('--loss', 'also write the loss: input y (the target) and output loss', false)
    .action(async (checkpoint: string, options: Parameters<typeof exportCommand>[1]) => exit(await exportCommand(checkpoint, options, ctx)));

  program
    .command('import')
    .description('read an ONNX model into a checkpoint that eval, predict and export take')
    .argument('<model>', `ONNX file: one written by export, or one made of these operators: ${SUPPORTED_IMPORTS.join(', ')}`)
    .requiredOption('--out <file>', 'the checkpoint file to write')
    .option('--loss <op>', 'loss op of a model made elsewhere, e.g. softmaxCrossEntropy (default: mse; a model written by export keeps its own)')
    .action(async (model: string, options: Parameters<typeof importCommand>[1]) => exit(await importCommand(model, options, ctx)));

  return program;
}
