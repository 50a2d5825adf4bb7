import { resolve } from 'node:path';
import { formatBytes } from '@gradstream/graph';
import { MAX_TEXT_FILE_BYTES, readFileWithin } from '@gradstream/graph/node';
import { GradstreamError } from '@gradstream/tensor';

/** What `-` reads: text or bytes (UTF-8). */
export type TextStream = AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream;

/**
 * The text a `--data` argument names, read whole: a file (its path resolved from `cwd`) refused
 * before it is read when it holds more than `maxBytes`, or for `-` all of `stdin`, refused as
 * soon as it has sent more. Either is a `TOO_LARGE` error naming the file (or `stdin`), its bytes
 * and the limit; a file that cannot be read is a `FILE_ERROR` naming its full path.
 *
 * @param operation - what is being done, as messages name it (`'loadData'`)
 * @param maxBytes - the limit (default {@link MAX_TEXT_FILE_BYTES}, the longest text JavaScript holds)
 * @example
 * ```ts
 * import { readDataText } from './read-text.js';
 * const text = await readDataText('loadData', 'data.csv', process.cwd(), process.stdin);
 * ```
 */
export async function readDataText(operation: string, ref: string, cwd: string, stdin: TextStream | undefined, maxBytes = MAX_TEXT_FILE_BYTES): Promise<string> {
  // A file that cannot be read is named by its full path: the usual cause is a different working directory.
  if (ref !== '-') return (await readFileWithin(operation, resolve(cwd, ref), { maxBytes })).toString('utf8');
  // process.stdin is touched only when it is read: merely opening it can keep the process waiting.
  const stream = (stdin ?? process.stdin) as AsyncIterable<string | Uint8Array>;
  // As node:stream/consumers' text() decodes, with the bytes counted on the way.
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (bytes > maxBytes) {
      const why = maxBytes === MAX_TEXT_FILE_BYTES ? ', the longest text JavaScript holds' : '';
      throw new GradstreamError(
        'TOO_LARGE',
        `${operation} stdin: the input holds more than ${formatBytes(maxBytes)} (${maxBytes} bytes), beyond the limit for text read whole${why}`,
        { path: 'stdin', operation, bytes, limit: maxBytes },
      );
    }
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
