import { constants } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { GradstreamError } from '@gradstream/tensor';
import { fileError } from './fs-error.js';
import { bytesText } from '../model/memory.js';

/**
 * The most bytes a file read whole may hold by default: the longest string V8 makes
 * (`buffer.constants.MAX_STRING_LENGTH`, 2²⁹ − 24 in Node 20). Spec, checkpoint and data files
 * are read whole and parsed as text; a file larger than that could never become one string, so it
 * is refused before a byte of it is read.
 *
 * @example
 * ```ts
 * import { MAX_TEXT_FILE_BYTES } from '@gradstream/graph/node';
 * console.log(`files of up to ${MAX_TEXT_FILE_BYTES} bytes`); // 536870888 in Node 20
 * ```
 */
export const MAX_TEXT_FILE_BYTES: number = constants.MAX_STRING_LENGTH;

/**
 * Options of {@link readFileWithin}.
 *
 * @example
 * ```ts
 * import type { ReadFileOptions } from '@gradstream/graph/node';
 * const small: ReadFileOptions = { maxBytes: 10 * 2 ** 20 };
 * ```
 */
export interface ReadFileOptions {
  /**
   * The most bytes the file may hold (default {@link MAX_TEXT_FILE_BYTES}; `Infinity` turns the
   * limit off). A larger file is a `TOO_LARGE` error, raised before reading it.
   */
  readonly maxBytes?: number;
}

/** Bytes read per call for files whose size is not known ahead (pipes, devices). */
const CHUNK = 64 * 1024;
/** The longest single read Node accepts is 2³¹ − 1 bytes; larger files take several. */
const MAX_READ = 2 ** 30;

/**
 * Reads a whole file into memory, refusing one larger than `maxBytes` before reading it: its size
 * is taken from the open file first, so a file of a terabyte fails within milliseconds with a
 * `TOO_LARGE` error naming the path, its bytes and the limit (`details`: `{ path, operation,
 * bytes, limit }`). A file that grows while it is read, or whose size the file system does not
 * tell (a pipe), is read at most one byte past the limit and refused the same way. A file that
 * cannot be read is a `FILE_ERROR` ({@link fileError}).
 *
 * @param operation - what is being done, as messages name it (`'loadCheckpoint'`)
 * @param path - the file
 * @param options - `maxBytes`, the limit
 * @returns the file's bytes
 * @example
 * ```ts
 * import { readFileWithin } from '@gradstream/graph/node';
 * const text = (await readFileWithin('loadData', 'data.csv', { maxBytes: 2 ** 20 })).toString('utf8');
 * ```
 */
export async function readFileWithin(operation: string, path: string, options: ReadFileOptions = {}): Promise<Buffer> {
  const limit = options.maxBytes ?? MAX_TEXT_FILE_BYTES;
  if (typeof limit !== 'number' || !(limit > 0)) {
    throw new GradstreamError('INVALID_OPTION', `${operation}: maxBytes must be a positive number of bytes (or Infinity), got ${String(limit)}`, {
      option: 'maxBytes',
      value: limit,
    });
  }
  const refuse = (bytes: number, known: boolean): GradstreamError => {
    const why = limit === MAX_TEXT_FILE_BYTES ? ', the longest text JavaScript holds' : ' (the `maxBytes` option raises it)';
    return new GradstreamError(
      'TOO_LARGE',
      `${operation} ${path}: the file holds ${known ? bytesText(bytes) : `more than ${bytesText(limit)}`}, ` +
        `beyond the limit of ${bytesText(limit)} for a file read whole${why}`,
      { path, operation, bytes, limit },
    );
  };
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const stat = await handle.stat();
    // The size first: a file too large is refused without reading any of it.
    if (stat.isFile() && stat.size > limit) throw refuse(stat.size, true);
    // One byte past the size (or the limit) shows whether the file ended where it said.
    const cap = Math.floor(limit) + 1;
    let buffer = Buffer.allocUnsafe(Math.min(stat.isFile() ? stat.size + 1 : CHUNK, cap));
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        if (total > limit) throw refuse(total, false);
        const grown = Buffer.allocUnsafe(Math.min(Math.max(2 * buffer.length, CHUNK), cap));
        buffer.copy(grown, 0, 0, total);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, total, Math.min(buffer.length - total, MAX_READ), null);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (total > limit) throw refuse(total, false);
    return buffer.subarray(0, total);
  } catch (e) {
    throw fileError(operation, path, e);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

