import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GradstreamError } from '@gradstream/tensor';
import { fileError, withFileErrors } from './fs-error.js';
import { checkpointFrom } from './checkpoint-source.js';
import { readFileWithin, type ReadFileOptions } from './read-file.js';
import { toCheckpoint, type Checkpoint, type CheckpointExtra, type LoadedCheckpoint } from './checkpoint.js';
import type { BuildOptions } from '../model/build.js';
import type { Model } from '../model/model.js';

// A killed write leaves its temporary file behind, and a restarted process may get the same pid (a
// container's often has the same one at every start): a random start keeps its names off the leftovers.
let tempCounter = Math.floor(Math.random() * 2 ** 30);

/**
 * Writes a model's checkpoint ({@link toCheckpoint}) to a JSON file, atomically: the text goes to a
 * temporary file in the same directory, which is flushed to disk and then renamed over `path`, and the
 * directory is flushed too. Readers see the old file or the new one, never a mix; if anything fails,
 * the old file is left as it was, the temporary file is removed, and the error is a `FILE_ERROR`
 * naming `path` (`saveCheckpoint /ro/model.ckpt.json: permission denied`).
 *
 * @param extra - optimizer state, generator state, step, epoch, meta (plain JSON)
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { saveCheckpoint } from '@gradstream/graph/node';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
 * await saveCheckpoint(model, 'model.ckpt.json', { step: 100 });
 * ```
 * @see {@link loadCheckpoint}
 */
export async function saveCheckpoint(model: Model, path: string, extra?: CheckpointExtra): Promise<void> {
  await writeFileAtomic('saveCheckpoint', path, JSON.stringify(toCheckpoint(model, extra)));
}

/**
 * Writes a checkpoint object taken earlier with {@link toCheckpoint} to a file, atomically (see
 * {@link saveCheckpoint}; a failure is a `FILE_ERROR` such as `writeCheckpointFile /ro/x.json:
 * permission denied`). Useful when the parameters must be captured now and written later, while
 * training goes on.
 *
 * @example
 * ```ts
 * import { sequential, toCheckpoint } from '@gradstream/graph';
 * import { writeCheckpointFile } from '@gradstream/graph/node';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
 * const snapshot = toCheckpoint(model, { epoch: 3 });
 * await writeCheckpointFile(snapshot, 'best.ckpt.json');
 * ```
 */
export async function writeCheckpointFile(checkpoint: Checkpoint, path: string): Promise<void> {
  await writeFileAtomic('writeCheckpointFile', path, JSON.stringify(checkpoint));
}

/**
 * Options of {@link loadCheckpoint}: those of building the model, and the most bytes the file may hold.
 *
 * @example
 * ```ts
 * import type { LoadCheckpointOptions } from '@gradstream/graph/node';
 * const options: LoadCheckpointOptions = { backend: 'ts', maxBytes: 64 * 2 ** 20 };
 * ```
 */
export interface LoadCheckpointOptions extends BuildOptions, ReadFileOptions {}

/**
 * Reads a checkpoint file written by {@link saveCheckpoint} and rebuilds the model
 * ({@link fromCheckpoint}). A truncated, corrupted, other-version or inconsistent file is a
 * `CHECKPOINT_INVALID` error whose message starts with the file's path and names what broke
 * (`not JSON (truncated at byte 1234?)`, `params/linear_1.weight: expected shape [8,2], got [8,3]`,
 * an op the registry does not hold, …). A file that cannot be read is a `FILE_ERROR`
 * (`loadCheckpoint model.ckpt.json: no such file`); one larger than `maxBytes` (default: the
 * longest string JavaScript holds) a `TOO_LARGE` error naming the path, its bytes and the limit,
 * raised before any of it is read.
 *
 * @param options - the registry to resolve ops in, the seed for the nodes' generators, the
 *   backend, `maxBytes` (see {@link readFileWithin})
 * @example
 * ```ts
 * import { loadCheckpoint } from '@gradstream/graph/node';
 * import '@gradstream/ops';
 * const { model, step } = await loadCheckpoint('model.ckpt.json');
 * ```
 */
export async function loadCheckpoint(path: string, options: LoadCheckpointOptions = {}): Promise<LoadedCheckpoint> {
  const { maxBytes, ...build } = options;
  const bytes = await readFileWithin('loadCheckpoint', path, maxBytes === undefined ? {} : { maxBytes });
  return checkpointFrom(bytes, path, build, { file: path });
}

/**
 * Writes a file atomically, the way checkpoints are written: to a temporary file in the same
 * directory, flushed to disk, renamed over `path`, and the directory flushed too. Readers see the
 * old file or the new one, never a mix; if anything fails, the old file is left as it was, the
 * temporary file is removed, and the error is a `FILE_ERROR` naming `path` and `operation`
 * (`export /ro/model.onnx: permission denied`).
 *
 * @param operation - what is being done, as messages name it (`'export'`)
 * @param data - the new content: text (written as UTF-8) or bytes
 * @example
 * ```ts
 * import { writeFileAtomic } from '@gradstream/graph/node';
 * await writeFileAtomic('export', 'model.onnx', new Uint8Array([8, 8]));
 * ```
 */
export async function writeFileAtomic(operation: string, path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  // Same directory, so the rename never crosses file systems; pid and counter keep concurrent writers apart.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx');
    await handle.writeFile(data, typeof data === 'string' ? 'utf8' : undefined);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    // Named after the target: the temporary file is ours, and it is gone.
    throw fileError(operation, path, e, 'write');
  }
  await withFileErrors(operation, path, () => syncDirectory(dir), 'write');
}

// The rename is durable only once the directory entry is on disk.
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(dir, 'r');
  } catch (e) {
    // Some platforms (Windows) cannot open a directory; the rename is all they offer.
    if (isCode(e, 'EISDIR', 'EPERM', 'EACCES')) return;
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    if (!isCode(e, 'EINVAL', 'ENOTSUP', 'EPERM')) throw e;
  } finally {
    await handle.close();
  }
}

function isCode(e: unknown, ...codes: string[]): boolean {
  return codes.includes((e as { code?: string }).code ?? '');
}
