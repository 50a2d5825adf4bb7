import { EXIT } from '../exit-codes.js';
import { println } from '../io.js';
import { toDot } from '../render/dot.js';
import { toMermaid } from '../render/mermaid.js';
import { readModel } from '../spec-file.js';
import { modelOptions, type CommandContext } from './context.js';

/** The formats `gradstream graph --format` draws in. */
export const GRAPH_FORMATS = ['dot', 'mermaid'] as const;

/** `gradstream graph <spec.json> --format dot|mermaid`: the model drawn as text. */
export async function graphCommand(path: string, options: { readonly format: (typeof GRAPH_FORMATS)[number] }, ctx: CommandContext): Promise<number> {
  const model = await readModel(path, ctx.cwd, 0, modelOptions(ctx));
  println(ctx.io.stdout, options.format === 'mermaid' ? toMermaid(model) : toDot(model));
  return EXIT.ok;
}
