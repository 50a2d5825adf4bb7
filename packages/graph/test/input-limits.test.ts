import { closeSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { constants } from 'node:buffer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@gradstream/ops';
import { SPEC_LIMITS, fromCheckpoint, fromSpec, toCheckpoint, validateSpec, type ModelSpec } from '../src/index.js';
import { MAX_TEXT_FILE_BYTES, loadCheckpoint, readFileWithin, saveCheckpoint } from '../src/node-entry.js';
import { GradstreamError } from '@gradstream/tensor';
import { recordFigure } from '../../../test/support/figures.js';

const TiB = 2 ** 40;

/** Runs `fn`, which must reject with a GradstreamError, and how long it took. */
async function refused(fn: () => Promise<unknown>): Promise<{ error: GradstreamError; ms: number }> {
  const t0 = performance.now();
  try {
    await fn();
  } catch (e) {
    const ms = performance.now() - t0;
    if (e instanceof GradstreamError) return { error: e, ms };
    throw e;
  }
  throw new Error('expected a GradstreamError, but nothing was thrown');
}

/** Runs `fn`, which must throw a GradstreamError, and how long it took. */
function refusedSync(fn: () => unknown): { error: GradstreamError; ms: number } {
  const t0 = performance.now();
  try {
    fn();
  } catch (e) {
    if (e instanceof GradstreamError) return { error: e, ms: performance.now() - t0 };
    throw e;
  }
  throw new Error('expected a GradstreamError, but nothing was thrown');
}

const small: ModelSpec = { version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } };

describe('reading a file whole', () => {
  let dir: string;
  let huge: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gradstream-limits-'));
    // A sparse file: a terabyte by its size, no disk space taken.
    huge = join(dir, 'huge.ckpt.json');
    closeSync(openSync(huge, 'w'));
    truncateSync(huge, TiB);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('by default allows what one JavaScript string holds', () => {
    expect(MAX_TEXT_FILE_BYTES).toBe(constants.MAX_STRING_LENGTH);
  });

  it('loadCheckpoint refuses a file beyond the limit with TOO_LARGE naming the path, its bytes and the limit, without reading it', async () => {
    expect(statSync(huge).size).toBe(TiB);
    const { error, ms } = await refused(() => loadCheckpoint(huge));
    recordFigure({ kind: 'refusal', entry: 'loadCheckpoint of a 1 TiB file', ms: Math.round(ms * 100) / 100 });
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe(
      `loadCheckpoint ${huge}: the file holds 1.0 TiB (${TiB} bytes), beyond the limit of 512 MiB (${constants.MAX_STRING_LENGTH} bytes) ` +
        'for a file read whole, the longest text JavaScript holds',
    );
    expect(error.details).toEqual({ path: huge, operation: 'loadCheckpoint', bytes: TiB, limit: constants.MAX_STRING_LENGTH });
    expect(ms).toBeLessThan(1000); // reading it would take minutes; the figure is in the reliability guide
  });

  it('loadCheckpoint takes maxBytes: a smaller limit refuses a real checkpoint, a large enough one loads it', async () => {
    const file = join(dir, 'model.ckpt.json');
    const model = fromSpec(small, { seed: 1, backend: 'ts' });
    await saveCheckpoint(model, file);
    const bytes = statSync(file).size;
    const { error, ms } = await refused(() => loadCheckpoint(file, { maxBytes: 100, backend: 'ts' }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe(`loadCheckpoint ${file}: the file holds ${bytes} B, beyond the limit of 100 B for a file read whole (the \`maxBytes\` option raises it)`);
    expect(error.details).toEqual({ path: file, operation: 'loadCheckpoint', bytes, limit: 100 });
    expect(ms).toBeLessThan(1000); // reading it would take minutes; the figure is in the reliability guide
    const loaded = await loadCheckpoint(file, { maxBytes: bytes, backend: 'ts' });
    expect(Array.from(loaded.model.parameters()[0]!.value.data)).toEqual(Array.from(model.parameters()[0]!.value.data));
  });

  it('refuses a file whose size the file system does not tell once it has read one byte past the limit', async () => {
    // /dev/zero never ends and reports no size: reading it whole is refused, not endless.
    const { error, ms } = await refused(() => readFileWithin('loadData', '/dev/zero', { maxBytes: 100_000 }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe('loadData /dev/zero: the file holds more than 98 KiB (100000 bytes), beyond the limit of 98 KiB (100000 bytes) for a file read whole (the `maxBytes` option raises it)');
    expect(error.details).toEqual({ path: '/dev/zero', operation: 'loadData', bytes: 100_001, limit: 100_000 });
    expect(ms).toBeLessThan(1000); // reading it would take minutes; the figure is in the reliability guide
  });

  it('reads a file within the limit whole, up to the limit exactly', async () => {
    const file = join(dir, 'data.csv');
    const text = 'a,b\n1,2\n'.repeat(10_000);
    writeFileSync(file, text);
    expect((await readFileWithin('loadData', file)).toString('utf8')).toBe(text);
    expect((await readFileWithin('loadData', file, { maxBytes: text.length })).toString('utf8')).toBe(text);
    expect((await refused(() => readFileWithin('loadData', file, { maxBytes: text.length - 1 }))).error.details).toMatchObject({ bytes: text.length, limit: text.length - 1 });
  });

  it('keeps a missing file a FILE_ERROR and refuses a maxBytes that is no positive number', async () => {
    expect((await refused(() => loadCheckpoint(join(dir, 'missing.json')))).error.message).toBe(`loadCheckpoint ${join(dir, 'missing.json')}: no such file`);
    for (const bad of [0, -1, Number.NaN]) {
      const { error } = await refused(() => readFileWithin('loadCheckpoint', huge, { maxBytes: bad }));
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toBe(`loadCheckpoint: maxBytes must be a positive number of bytes (or Infinity), got ${String(bad)}`);
    }
  });
});

describe('the spec schema bounds what a file can spell out', () => {
  const withLayers = (n: number): ModelSpec => ({ version: 1, inputShape: [2], layers: Array.from({ length: n }, () => ({ op: 'sigmoid' })), loss: { op: 'mse' } });

  it(`allows ${SPEC_LIMITS.layers} layers and refuses more, at once, even a million`, () => {
    expect(validateSpec(withLayers(SPEC_LIMITS.layers)).layers).toHaveLength(SPEC_LIMITS.layers);
    for (const n of [SPEC_LIMITS.layers + 1, 1_000_000]) {
      const { error, ms } = refusedSync(() => fromSpec(withLayers(n)));
      expect(error.code).toBe('INVALID_SPEC');
      expect(error.message).toBe(`invalid model spec:\nlayers must NOT have more than ${SPEC_LIMITS.layers} items`);
      // Schema checks only: no layer is wired. A million layers take a fraction of a second.
      expect(ms).toBeLessThan(n > 100_000 ? 2000 : 100);
    }
  });

  it('refuses an input of more axes, a node reading more values and names longer than the limits', () => {
    const name = 'n'.repeat(SPEC_LIMITS.nameLength + 1);
    const cases: [ModelSpec, string][] = [
      [{ ...small, inputShape: Array(SPEC_LIMITS.rank + 1).fill(1) }, `inputShape must NOT have more than ${SPEC_LIMITS.rank} items`],
      [{ ...small, layers: [{ op: 'sigmoid', name }] }, `layers/0/name must NOT have more than ${SPEC_LIMITS.nameLength} characters`],
      [{ ...small, layers: [{ op: 'add', inputs: Array(SPEC_LIMITS.inputs + 1).fill('x') }] }, `layers/0/inputs must NOT have more than ${SPEC_LIMITS.inputs} items`],
      [{ ...small, layers: [{ op: 'sigmoid', inputs: [name] }] }, `layers/0/inputs/0 must NOT have more than ${SPEC_LIMITS.nameLength} characters`],
      [{ ...small, output: name }, `output must NOT have more than ${SPEC_LIMITS.nameLength} characters`],
      [{ ...small, loss: { op: 'mse', name } }, `loss/name must NOT have more than ${SPEC_LIMITS.nameLength} characters`],
    ];
    for (const [spec, problem] of cases) {
      const { error } = refusedSync(() => fromSpec(spec));
      expect(error.code).toBe('INVALID_SPEC');
      expect(error.message).toBe(`invalid model spec:\n${problem}`);
    }
    // At the limits, all accepted.
    const atLimit = 'n'.repeat(SPEC_LIMITS.nameLength);
    expect(fromSpec({ ...small, inputShape: [2, ...Array(SPEC_LIMITS.rank - 1).fill(1)], layers: [{ op: 'sigmoid', name: atLimit }], output: atLimit }, { backend: 'ts' }).nodes[0]?.name).toBe(atLimit);
  });

  it('holds for the spec inside a checkpoint', () => {
    const checkpoint = JSON.parse(JSON.stringify(toCheckpoint(fromSpec(small, { backend: 'ts' })))) as { spec: ModelSpec };
    const { error } = refusedSync(() => fromCheckpoint({ ...checkpoint, spec: withLayers(SPEC_LIMITS.layers + 1) }));
    expect(error.code).toBe('CHECKPOINT_INVALID');
    expect(error.message).toBe(`invalid checkpoint: its spec is invalid:\nspec/layers must NOT have more than ${SPEC_LIMITS.layers} items`);
  });
});
