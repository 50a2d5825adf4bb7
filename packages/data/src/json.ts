import { GradstreamError } from '@gradstream/tensor';
import { parseJsonText } from './json-text.js';
import type { RawSamples } from './samples.js';

const SHAPES = '{ "x": [[…], …], "y": [[…], …] } or [{ "x": […], "y": […] }, …]';

/**
 * Reads samples from JSON text in either of two shapes: `{ "x": [[…], …], "y": [[…], …] }` (rows
 * aligned by index) or an array of `{ "x": […], "y": […] }` objects. A row may be a single number
 * for one value. Every row of `x` (and of `y`) must have the same width. Problems are
 * `INVALID_DATA` errors with the JSON path of the value (`data.json: x/3/1 must be a number, got "a"`).
 *
 * @param text - the file's contents
 * @param source - the file name messages use
 * @example
 * ```ts
 * import { parseJsonSamples } from '@gradstream/data';
 * parseJsonSamples('[{"x":[0,1],"y":1},{"x":[1,1],"y":0}]', 'xor.json').y; // [[1], [0]]
 * ```
 */
export function parseJsonSamples(text: string, source = 'data.json'): RawSamples {
  const json = parseJsonText(text, source, 'INVALID_DATA', SHAPES);
  const fail = (path: string, message: string): never => {
    throw new GradstreamError('INVALID_DATA', `${source}: ${path === '' ? '(root)' : path} ${message}`, { file: source, path });
  };
  let xs: unknown[];
  let ys: unknown[];
  let path: (i: number, part: 'x' | 'y') => string;
  if (Array.isArray(json)) {
    json.forEach((s: unknown, i) => {
      if (typeof s !== 'object' || s === null || Array.isArray(s)) fail(`${i}`, `must be an object { "x": […], "y": […] }, got ${kind(s)}`);
      for (const part of ['x', 'y'] as const) if (!(part in (s as object))) fail(`${i}/${part}`, 'is required');
    });
    xs = json.map((s) => (s as { x: unknown }).x);
    ys = json.map((s) => (s as { y: unknown }).y);
    path = (i, part) => `${i}/${part}`;
  } else if (typeof json === 'object' && json !== null) {
    const { x, y } = json as { x?: unknown; y?: unknown };
    if (!Array.isArray(x)) return fail('x', x === undefined ? `is required; expected ${SHAPES}` : `must be an array of rows, got ${kind(x)}`);
    if (!Array.isArray(y)) return fail('y', y === undefined ? `is required; expected ${SHAPES}` : `must be an array of rows, got ${kind(y)}`);
    if (x.length !== y.length) fail('', `has ${x.length} x row(s) but ${y.length} y row(s); they must be aligned by index`);
    xs = x;
    ys = y;
    path = (i, part) => `${part}/${i}`;
  } else {
    return fail('', `must be ${SHAPES}, got ${kind(json)}`);
  }
  if (xs.length === 0) fail('', 'holds no samples');
  const rows = (values: unknown[], part: 'x' | 'y'): number[][] => {
    let width = -1;
    return values.map((row, i) => {
      const at = path(i, part);
      const r = typeof row === 'number' ? [row] : Array.isArray(row) ? row : fail(at, `must be a number or an array of numbers, got ${kind(row)}`);
      r.forEach((v: unknown, c) => {
        if (typeof v !== 'number') fail(`${at}/${c}`, `must be a number, got ${kind(v)}`);
      });
      if (width === -1) width = r.length;
      else if (r.length !== width) fail(at, `has ${r.length} value(s), expected ${width} like ${path(0, part)}`);
      return r as number[];
    });
  };
  const x = rows(xs, 'x');
  const y = rows(ys, 'y');
  return { source, x, y, locate: (i, part) => path(i, part) };
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}
