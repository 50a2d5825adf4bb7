import { resolve } from 'node:path';
import { parseJsonText } from '@gradstream/data';
import { fromSpec, type BuildOptions, type Model } from '@gradstream/graph';
import { readFileWithin } from '@gradstream/graph/node';

/**
 * Reads a model spec file as JSON; a file that is not JSON is an `INVALID_SPEC` error naming the
 * line and column, one that cannot be read a `FILE_ERROR` naming its full path, one too large to
 * read whole a `TOO_LARGE` error naming it, its bytes and the limit, before reading it.
 */
export async function readSpecJson(path: string, cwd: string): Promise<unknown> {
  const file = resolve(cwd, path);
  const text = (await readFileWithin('readSpec', file)).toString('utf8');
  return parseJsonText(text, path, 'INVALID_SPEC', 'a model spec: { "version": 1, "inputShape": […], "layers": […], "loss": {…} }');
}

/** Reads, validates and builds the model of a spec file, its parameters initialised from `seed`, on the backend asked for, its ops looked up in `options.registry` (default: the default registry). */
export async function readModel(path: string, cwd: string, seed: number, options: Pick<BuildOptions, 'backend' | 'threads' | 'registry' | 'memoryLimit'> = {}): Promise<Model> {
  return fromSpec(await readSpecJson(path, cwd), { seed, ...options });
}
