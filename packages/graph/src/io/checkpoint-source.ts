import { GradstreamError } from '@gradstream/tensor';
import { fromCheckpoint, parseCheckpoint, type LoadedCheckpoint } from './checkpoint.js';
import type { BuildOptions } from '../model/build.js';

/**
 * Rebuilds a model from checkpoint text or bytes read from some place — a file, a browser store,
 * an uploaded `File` — with the place named in front of every `CHECKPOINT_INVALID` message
 * (`model.ckpt.json: invalid checkpoint: …`, `indexeddb://xor: …`) and `details` added to its
 * details. Bytes must be UTF-8. Every loader goes through here, so a broken checkpoint reads the
 * same wherever it was kept.
 *
 * @param content - the checkpoint's text, or its bytes
 * @param where - how messages name the place it came from
 * @param details - merged into a `CHECKPOINT_INVALID` error's details (`{ file }`, `{ store, key }`)
 * @example
 * ```ts
 * import { checkpointFrom } from './checkpoint-source.js';
 * // checkpointFrom(await readFile('model.ckpt.json'), 'model.ckpt.json', {}, { file: 'model.ckpt.json' });
 * ```
 */
export function checkpointFrom(
  content: string | ArrayBuffer | Uint8Array,
  where: string,
  options: BuildOptions,
  details: Readonly<Record<string, unknown>>,
): LoadedCheckpoint {
  try {
    let text: string;
    if (typeof content === 'string') text = content;
    else {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(content);
      } catch {
        throw new GradstreamError('CHECKPOINT_INVALID', 'invalid checkpoint: not UTF-8 text', {});
      }
    }
    return fromCheckpoint(parseCheckpoint(text), options);
  } catch (e) {
    if (e instanceof GradstreamError && e.code === 'CHECKPOINT_INVALID') {
      throw new GradstreamError('CHECKPOINT_INVALID', `${where}: ${e.message}`, { ...e.details, ...details });
    }
    throw e;
  }
}
