import { closeSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { constants } from 'node:buffer';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GradstreamError } from '@gradstream/tensor';
import { readDataText } from '../src/data/read-text.js';
import { run, tempDir, type Ran } from './capture.js';

const TiB = 2 ** 40;
const LIMIT = constants.MAX_STRING_LENGTH;
const tooLarge = (operation: string, path: string): string =>
  `error (TOO_LARGE): ${operation} ${path}: the file holds 1.0 TiB (${TiB} bytes), beyond the limit of 512 MiB (${LIMIT} bytes) for a file read whole, ` +
  'the longest text JavaScript holds\n';

async function timed(argv: readonly string[], cwd: string): Promise<Ran & { ms: number }> {
  const t0 = performance.now();
  const r = await run(argv, { cwd });
  return { ...r, ms: performance.now() - t0 };
}

describe('files too large to read whole', () => {
  const spec = JSON.stringify({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } });
  let t: ReturnType<typeof tempDir>;
  const at = (name: string): string => join(t.dir, name);

  beforeAll(async () => {
    t = tempDir({ 'spec.json': spec });
    // Sparse files: a terabyte each by their size, no disk space taken.
    for (const name of ['huge.json', 'huge.csv', 'huge-inputs.json', 'huge.ckpt.json']) {
      closeSync(openSync(at(name), 'w'));
      truncateSync(at(name), TiB);
    }
    expect((await run(['train', 'spec.json', '--data', 'builtin:xor', '--epochs', '1', '--checkpoint', 'best.json', '--backend', 'ts'], { cwd: t.dir })).code).toBe(0);
    // The command line's first run loads its commands; the timings below are the refusals'.
  });
  afterAll(() => t.cleanup());

  it('validate, train and graph refuse a spec file beyond the limit with TOO_LARGE, exit 1, within milliseconds', async () => {
    for (const argv of [['validate', 'huge.json'], ['train', 'huge.json', '--data', 'builtin:xor'], ['graph', 'huge.json']]) {
      const { code, stdout, stderr, ms } = await timed(argv, t.dir);
      expect([code, stdout, stderr]).toEqual([1, '', tooLarge('readSpec', at('huge.json'))]);
      expect(ms).toBeLessThan(1000); // reading it would take minutes; the figure is in the reliability guide
    }
  });

  it('train and eval refuse a data file beyond the limit, CSV or JSON', async () => {
    for (const [argv, file] of [
      [['train', 'spec.json', '--data', 'huge.csv'], 'huge.csv'],
      [['train', 'spec.json', '--data', 'builtin:xor', '--val-data', 'huge.json'], 'huge.json'],
      [['eval', 'best.json', '--data', 'huge.json'], 'huge.json'],
    ] as const) {
      const { code, stderr, ms } = await timed(argv, t.dir);
      expect([code, stderr]).toEqual([1, tooLarge('loadData', at(file))]);
      expect(ms).toBeLessThan(1000); // reading it would take minutes; the figure is in the reliability guide
    }
  });

  it('predict and eval refuse a checkpoint file beyond the limit, and predict an input file', async () => {
    for (const [argv, message] of [
      [['predict', 'huge.ckpt.json', '--data', 'builtin:xor'], tooLarge('loadCheckpoint', at('huge.ckpt.json'))],
      [['eval', 'huge.ckpt.json', '--data', 'builtin:xor'], tooLarge('loadCheckpoint', at('huge.ckpt.json'))],
      [['predict', 'best.json', '--data', 'huge-inputs.json'], tooLarge('loadInputs', at('huge-inputs.json'))],
    ] as const) {
      const { code, stderr, ms } = await timed(argv, t.dir);
      expect([code, stderr]).toEqual([1, message]);
      expect(ms).toBeLessThan(1000); // reading it would take minutes; the figure is in the reliability guide
    }
  });

  it('still reads files within the limit', async () => {
    writeFileSync(at('inputs.csv'), '0,0\n1,1\n');
    const r = await run(['predict', 'best.json', '--data', 'inputs.csv'], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(3);
  });
});

describe('stdin too large to read whole', () => {
  /** `count` chunks of `size` bytes, counting how many were pulled. */
  function chunks(count: number, size: number): { stream: AsyncIterable<Uint8Array>; pulled: () => number } {
    let pulled = 0;
    return {
      stream: (async function* () {
        for (let i = 0; i < count; i++) {
          pulled++;
          yield new Uint8Array(size).fill(0x31);
        }
      })(),
      pulled: () => pulled,
    };
  }

  it('is refused as soon as it has sent more than the limit, naming stdin, the bytes and the limit', async () => {
    const { stream, pulled } = chunks(1000, 1024);
    let error: unknown;
    try {
      await readDataText('loadData', '-', '/', stream, 10_000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GradstreamError);
    expect((error as GradstreamError).code).toBe('TOO_LARGE');
    expect((error as GradstreamError).message).toBe('loadData stdin: the input holds more than 9.8 KiB (10000 bytes), beyond the limit for text read whole');
    expect((error as GradstreamError).details).toEqual({ path: 'stdin', operation: 'loadData', bytes: 10_240, limit: 10_000 });
    // Ten chunks cross the limit; the rest are never read.
    expect(pulled()).toBe(10);
  });

  it('within the limit is decoded as UTF-8, characters split across chunks included', async () => {
    const bytes = new TextEncoder().encode('x,ü\n1,€\n');
    const split = (async function* () {
      yield bytes.subarray(0, 3);
      yield bytes.subarray(3, 10);
      yield bytes.subarray(10);
    })();
    expect(await readDataText('loadData', '-', '/', split, bytes.length)).toBe('x,ü\n1,€\n');
    const strings = (async function* () {
      yield 'a,b\n';
      yield '1,2\n';
    })();
    expect(await readDataText('loadData', '-', '/', strings)).toBe('a,b\n1,2\n');
  });

  it('predict reads stdin as before', async () => {
    const t = tempDir({ 'spec.json': JSON.stringify({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } }) });
    try {
      expect((await run(['train', 'spec.json', '--data', 'builtin:xor', '--epochs', '1', '--checkpoint', 'best.json', '--backend', 'ts'], { cwd: t.dir })).code).toBe(0);
      const r = await run(['predict', 'best.json', '--data', '-'], { cwd: t.dir, stdin: '0,0\n1,1\n' });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout.trimEnd().split('\n')).toHaveLength(3);
    } finally {
      t.cleanup();
    }
  });
});

describe("the wasm backend's ceiling, as the command line says it", () => {
  it('names --backend ts where the library names the ts backend', async () => {
    const t = tempDir({ 'wide.json': JSON.stringify({ version: 1, inputShape: [32768], layers: [{ op: 'linear', inFeatures: 32768, outFeatures: 32768 }], loss: { op: 'mse' } }) });
    try {
      const r = await run(['validate', 'wide.json', '--memory-limit', '1TiB'], { cwd: t.dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^wide\.json: invalid model:\nlayers\/0: the model needs 4\.0 GiB \(4295098368 bytes\) for its parameters, beyond the 4\.0 GiB \(\d+ bytes\) free in the wasm backend's memory, which holds 4\.0 GiB at most \(a wasm32 memory addresses no more\); node "linear_1" \(linear\) takes 4\.0 GiB of it, 4\.0 GiB for its weight \[32768,32768\] \(--backend ts has no such ceiling\)\n$/,
      );
    } finally {
      t.cleanup();
    }
  });
});
