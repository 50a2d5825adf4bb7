import { GradstreamError } from '@gradstream/tensor';
import { buildModel, problemLines, validateSpec, type ModelSpec, type SchemaProblem } from '@gradstream/graph';
import { commandLineMessage } from '../error-text.js';
import { EXIT } from '../exit-codes.js';
import { println } from '../io.js';
import { hintMissingPlugins } from '../plugins.js';
import { readSpecJson } from '../spec-file.js';
import { modelOptions, type CommandContext } from './context.js';

/**
 * `gradstream validate <spec.json>`: every schema problem on its own line with its JSON path, then
 * (once the schema holds) the first wiring or shape problem found while building; exit 1 if any.
 * A report of problems is a diagnostic and goes to stderr whole, header and lines together;
 * stdout carries only the result of a valid spec.
 */
export async function validateCommand(path: string, ctx: CommandContext): Promise<number> {
  const { stdout, stderr } = ctx.io;
  const json = await readSpecJson(path, ctx.cwd);
  let spec: ModelSpec;
  try {
    spec = validateSpec(json, ctx.registry);
  } catch (e) {
    const problems = e instanceof GradstreamError ? (e.details.problems as readonly SchemaProblem[] | undefined) : undefined;
    if (problems === undefined) throw e;
    println(stderr, `${path}: invalid model spec, ${problems.length} problem(s):`);
    println(stderr, hintMissingPlugins(problemLines(problems), ctx.registry));
    return EXIT.failure;
  }
  try {
    const model = buildModel(spec, modelOptions(ctx));
    const parameters = model.parameters().reduce((n, p) => n + p.value.size, 0);
    // State (moving statistics) is held and saved but not trained: counted apart, as Keras's "non-trainable params".
    const state = model.state().reduce((n, p) => n + p.value.size, 0);
    // What the spec will need, said before anyone trains it: its parameters, then with a training plan at common batch sizes.
    println(stdout, `valid: ${spec.layers.length} layers, ${parameters} parameters${state > 0 ? ` and ${state} non-trainable` : ''} (${model.memorySummary()})`);
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof GradstreamError)) throw e;
    println(stderr, `${path}: invalid model:`);
    println(stderr, hintMissingPlugins(buildProblem(spec, e), ctx.registry));
    return EXIT.failure;
  }
}

/** The build error as `path message`; errors that name only a node get the path of its layer. */
function buildProblem(spec: ModelSpec, e: GradstreamError): string {
  const given = typeof e.details.path === 'string' ? e.details.path : undefined;
  const node = typeof e.details.node === 'string' ? e.details.node : undefined;
  const path = given ?? (node === undefined ? undefined : layerPath(spec, node));
  const message = commandLineMessage(e);
  if (path === undefined || message.startsWith(`${path}:`) || message.startsWith(`${path} `)) return message;
  return `${path}: ${message}`;
}

/** The JSON path of the layer that builds into node `name` (nodes without a name are called `op_N`). */
function layerPath(spec: ModelSpec, name: string): string | undefined {
  const counts = new Map<string, number>();
  const nameOf = (op: string, given: string | undefined): string => {
    const n = (counts.get(op) ?? 0) + 1;
    counts.set(op, n);
    return given ?? `${op}_${n}`;
  };
  for (let i = 0; i < spec.layers.length; i++) {
    const layer = spec.layers[i];
    if (layer !== undefined && nameOf(layer.op, layer.name) === name) return `layers/${i}`;
  }
  return nameOf(spec.loss.op, spec.loss.name) === name ? 'loss' : undefined;
}
