import { InvalidArgumentError } from 'commander';
import { BACKEND_OPTIONS, type BackendOption } from './backend-option.js';

/** Bytes per unit of a size on the command line. */
const BYTE_UNITS: Readonly<Record<string, number>> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** Option parsers for commander: each turns the text into a value or says what it expected. */
export const parse = {
  positiveInt(text: string): number {
    const v = Number(text);
    if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError('expected a positive integer.');
    return v;
  },
  integer(text: string): number {
    const v = Number(text);
    if (text.trim() === '' || !Number.isInteger(v)) throw new InvalidArgumentError('expected an integer.');
    return v;
  },
  positiveNumber(text: string): number {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError('expected a positive number.');
    return v;
  },
  fraction(text: string): number {
    const v = Number(text);
    if (text.trim() === '' || !(v > 0 && v < 1)) throw new InvalidArgumentError('expected a fraction between 0 and 1, e.g. 0.2.');
    return v;
  },
  backend(text: string): BackendOption {
    const name = BACKEND_OPTIONS.find((b) => b === text);
    if (name === undefined) throw new InvalidArgumentError('expected ts, wasm, webgpu or auto.');
    return name;
  },
  /** A size in bytes: a number, optionally with a unit (B, KiB, MiB, GiB, kB, MB, GB), e.g. `512MiB`. */
  bytes(text: string): number {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB|kB|KB|MB|GB|TB)?\s*$/.exec(text);
    const unit = m?.[2] ?? 'B';
    const v = m === null ? Number.NaN : Number(m[1]) * (BYTE_UNITS[unit] as number);
    if (!(v >= 1) || !Number.isFinite(v)) throw new InvalidArgumentError('expected a size in bytes, e.g. 2GiB, 512MiB or 1000000.');
    return Math.floor(v);
  },
  numbers(text: string): number[] {
    const cells = text.split(/[\s,]+/).filter((c) => c !== '');
    const values = cells.map(Number);
    if (cells.length === 0 || values.some((v) => !Number.isFinite(v))) {
      throw new InvalidArgumentError('expected numbers separated by commas, e.g. 1,0.5.');
    }
    return values;
  },
};
