import { GradstreamError, type ErrorCode } from '@gradstream/tensor';

/**
 * Parses JSON text read from `source`, turning a syntax error into a `code` error that names the
 * file and the line and column (JSON.parse only gives a character offset, if that). Empty text
 * is a `code` error too, saying what the file should hold.
 *
 * @param text - the file's contents
 * @param source - the file name messages use
 * @param code - the error code of a failure (`INVALID_DATA` for data, `INVALID_SPEC` for a spec)
 * @param what - what the file should hold, as the end of a sentence (`a model spec: { … }`)
 * @example
 * ```ts
 * import { parseJsonText } from '@gradstream/data';
 * parseJsonText('{"x": [1]}', 'a.json', 'INVALID_DATA', 'samples'); // { x: [1] }
 * // parseJsonText('{"x": [1,', 'a.json', 'INVALID_DATA', 'samples') throws
 * // "a.json: not a JSON file (line 1, column 10): …; expected samples"
 * ```
 */
export function parseJsonText(text: string, source: string, code: ErrorCode, what: string): unknown {
  if (text.trim() === '') throw new GradstreamError(code, `${source}: the file is empty; expected ${what}`, { file: source });
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // V8 quotes a snippet of the text in some messages; keep the message on one line.
    const reason = (e as Error).message.replace(/\r?\n/g, '\\n');
    // V8 names no position only when the text runs out ("Unexpected end of JSON input"): the
    // place to look is then the end of the text.
    const at = /position (\d+)/.exec(reason);
    const where = ` (${lineColumn(text, at === null ? text.length : Number(at[1]))})`;
    throw new GradstreamError(code, `${source}: not a JSON file${where}: ${reason}; expected ${what}`, { file: source });
  }
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return `line ${line}, column ${offset - start + 1}`;
}
