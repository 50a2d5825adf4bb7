import { InvalidArgumentError } from 'commander';

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
  backend(text: string): 'auto' | 'ts' | 'wasm' {
    if (text === 'auto' || text === 'ts' || text === 'wasm') return text;
    throw new InvalidArgumentError('expected ts, wasm or auto.');
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
