import os from 'node:os';
import { constants } from 'node:buffer';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { add, builtinOps, dense, dropout, linear, mse, relu, sigmoid, softmaxCrossEntropy, tanh } from '@gradstream/ops';
import {
  buildModel,
  createRegistry,
  defaultMemoryLimit,
  defineComposite,
  formatBytes,
  fromCheckpoint,
  fromSpec,
  sequential,
  toCheckpoint,
  type Model,
  type ModelSpec,
} from '../src/index.js';
import { loadCheckpoint } from '@gradstream/graph/node';
import { GradstreamError } from '@gradstream/tensor';
import { recordFigure } from '../../../test/support/figures.js';
import { catchGradstream } from '../../../test/support/errors.js';

const GiB = 2 ** 30;

/** A spec with one linear layer `inFeatures` → `outFeatures` wide, its input that wide too. */
const wide = (inFeatures: number, outFeatures: number): ModelSpec => ({
  version: 1,
  inputShape: [inFeatures],
  layers: [{ op: 'linear', inFeatures, outFeatures }],
  loss: { op: 'mse' },
});

/** Runs `fn`, which must throw a GradstreamError (never a RangeError), and how long it took. */
function refused(fn: () => unknown, entry?: string): { error: ReturnType<typeof catchGradstream>; ms: number } {
  const t0 = performance.now();
  const error = catchGradstream(fn);
  const ms = performance.now() - t0;
  // The reliability guide reports how fast each entry point refuses the 1e9-wide layer.
  if (entry !== undefined) recordFigure({ kind: 'refusal', entry, ms: Math.round(ms * 100) / 100 });
  return { error, ms };
}

/** A machine of 16 GiB, as the one the huge specs were first run on: the default limit is then 4 GiB. */
function machineOf16GiB(): void {
  vi.spyOn(os, 'totalmem').mockReturnValue(16 * GiB);
  vi.spyOn(process, 'constrainedMemory').mockReturnValue(0);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the default memory limit', () => {
  it('is a quarter of the machine’s memory in Node, or of its container’s limit where that is lower', () => {
    machineOf16GiB();
    expect(defaultMemoryLimit()).toBe(4 * GiB);
    vi.spyOn(process, 'constrainedMemory').mockReturnValue(2 * GiB);
    expect(defaultMemoryLimit()).toBe(GiB / 2);
  });

  it('is 1 GiB where the platform does not say how much memory it has', () => {
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never);
    expect(defaultMemoryLimit()).toBe(GiB);
  });

  it('is what a model gets when no memoryLimit is given', () => {
    machineOf16GiB();
    const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse() });
    expect(model.memoryLimit).toBe(4 * GiB);
    expect(sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), memoryLimit: 5000 }).memoryLimit).toBe(5000);
  });
});

describe('a model too large for memory', () => {
  // linear 2 → 1e9: a weight of 2e9 and a bias of 1e9 float32 values, 12e9 bytes.
  const huge = wide(2, 1e9);
  const builders: readonly [string, () => Model][] = [
    ['sequential', () => sequential(huge.layers, { inputShape: huge.inputShape, loss: huge.loss })],
    ['buildModel', () => buildModel(huge)],
    ['fromSpec', () => fromSpec(JSON.parse(JSON.stringify(huge)))],
  ];

  for (const [name, build] of builders) {
    it(`is refused by ${name} with TOO_LARGE naming the layer and the bytes against the default limit, within milliseconds`, () => {
      machineOf16GiB();
      const { error, ms } = refused(build, name);
      expect(error.code).toBe('TOO_LARGE');
      expect(error.message).toBe(
        'layers/0: the model needs 11 GiB (12000000000 bytes) for its parameters, beyond the memory limit of 4.0 GiB (4294967296 bytes); ' +
          'node "linear_1" (linear) takes 11 GiB of it, 7.5 GiB for its weight [1000000000,2] (the `memoryLimit` option raises the limit)',
      );
      expect(error.details).toMatchObject({ node: 'linear_1', path: 'layers/0', bytes: 12_000_000_000, limit: 4 * GiB, buffer: 'weight', shape: [1e9, 2] });
      // fromSpec's first call compiles the spec schema; the refusal itself takes a few milliseconds.
      expect(ms).toBeLessThan(1000);
    });
  }

  it('is refused by loadCheckpoint from a file whose spec holds it, before any parameter is read', async () => {
    machineOf16GiB();
    const dir = await mkdtemp(join(tmpdir(), 'gradstream-memory-'));
    try {
      const path = join(dir, 'wide.ckpt.json');
      // No parameters at all: the spec alone is refused, whatever the file holds besides.
      const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
      await writeFile(path, JSON.stringify({ format: 'gradstream-checkpoint', formatVersion: 1, spec: huge, params: {}, checksum: empty }));
      const t0 = performance.now();
      const error = await loadCheckpoint(path).then(
        () => undefined,
        (e: unknown) => e as GradstreamError,
      );
      const ms = performance.now() - t0;
      recordFigure({ kind: 'refusal', entry: 'loadCheckpoint', ms: Math.round(ms * 100) / 100 });
      expect(error).toBeInstanceOf(GradstreamError);
      expect(error?.code).toBe('TOO_LARGE');
      expect(error?.details).toMatchObject({ node: 'linear_1', path: 'layers/0', bytes: 12_000_000_000 });
      expect(ms).toBeLessThan(1000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the part of a composite layer and its JSON path', () => {
    const registry = createRegistry(builtinOps);
    registry.register(
      defineComposite({
        name: 'block',
        paramsSchema: { type: 'object', properties: { units: { type: 'integer', minimum: 1 } }, required: ['units'] },
        registry,
        layers: (c: { units: number }) => [{ op: 'linear', inFeatures: 2, outFeatures: c.units }, { op: 'tanh' }],
      }),
    );
    const spec: ModelSpec = { version: 1, inputShape: [2], layers: [{ op: 'sigmoid' }, { op: 'block', units: 1e9 }], loss: { op: 'mse' } };
    const { error, ms } = refused(() => buildModel(spec, { registry, memoryLimit: GiB }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message.startsWith('layers/1(block).layers/0: the model needs 11 GiB (12000000000 bytes) for its parameters')).toBe(true);
    expect(error.message).toContain('node "block_1.linear_1" (linear) takes 11 GiB of it');
    expect(error.details).toMatchObject({ node: 'block_1.linear_1', path: 'layers/1(block).layers/0', limit: GiB });
    expect(ms).toBeLessThan(1000);
  });

  it('beyond what one typed array holds is TOO_LARGE, never a RangeError, whatever the limit', () => {
    // 1e9 → 1e9: a weight of 1e18 elements.
    for (const memoryLimit of [undefined, Infinity]) {
      const { error, ms } = refused(() => buildModel(wide(1e9, 1e9), memoryLimit === undefined ? {} : { memoryLimit }));
      expect(error.code).toBe('TOO_LARGE');
      expect(error.message).toBe(
        `layers/0: node "linear_1" (linear) needs 3.5 EiB (4000000000000000000 bytes) for its weight [1000000000,1000000000] (1000000000000000000 elements), ` +
          `beyond the ${constants.MAX_LENGTH} elements (${formatBytes(constants.MAX_LENGTH * 4)}) one float32 typed array can hold`,
      );
      expect(error.details).toMatchObject({ node: 'linear_1', path: 'layers/0', buffer: 'weight', bytes: 4e18, limit: constants.MAX_LENGTH * 4, maxElements: constants.MAX_LENGTH });
      expect(ms).toBeLessThan(1000);
    }
  });
});

describe('a plan too large for memory', () => {
  const small = (memoryLimit?: number): Model =>
    sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), backend: 'ts', ...(memoryLimit === undefined ? {} : { memoryLimit }) });

  it('is refused by compile with TOO_LARGE naming the layer and the bytes, before allocating', () => {
    const model = small(4 * GiB);
    const { error, ms } = refused(() => model.compile(1e9), 'compile(1e9) of a 2 → 1 linear');
    expect(error.code).toBe('TOO_LARGE');
    // x [1e9,2] and y [1e9,1], linear_1's output and its gradient [1e9,1] each, mse's scalar and its gradient, the 3 parameter gradients; and the 3 parameters
    const bytes = 4 * (2e9 + 1e9 + 2 * 1e9 + 2 + 3) + 12;
    expect(error.message).toBe(
      `compile(1000000000): a training plan for batch size 1000000000 needs 19 GiB (${bytes} bytes) for its buffers with the model's parameters (12 B), ` +
        'beyond the memory limit of 4.0 GiB (4294967296 bytes); node "linear_1" (linear) at layers/0 takes 7.5 GiB of it, 3.7 GiB for its output [1000000000,1] ' +
        '(the `memoryLimit` option raises the limit)',
    );
    expect(error.details).toMatchObject({ node: 'linear_1', path: 'layers/0', bytes, limit: 4 * GiB });
    expect(ms).toBeLessThan(1000);
  });

  it('is refused through the plan cache too, which then holds nothing', () => {
    const model = small(GiB);
    expect(refused(() => model.plan(1e8, 'infer')).error.details).toMatchObject({ limit: GiB, bytes: 4 * (2e8 + 1e8 + 1e8 + 1) + 12 });
    expect(model.planCacheStats()).toEqual({ plans: 0, bytes: 0 });
  });

  it('beyond what one typed array holds is TOO_LARGE naming the buffer, never a RangeError', () => {
    const model = small(Infinity);
    const { error, ms } = refused(() => model.compile(3e9, { kind: 'infer' }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe(
      `compile(3000000000): a forward-only plan for batch size 3000000000: the input x needs 22 GiB (24000000000 bytes) for its batch [3000000000,2] (6000000000 elements), ` +
        `beyond the ${constants.MAX_LENGTH} elements (${formatBytes(constants.MAX_LENGTH * 4)}) one float32 typed array can hold`,
    );
    expect(ms).toBeLessThan(1000);
  });
});

describe('memory figures', () => {
  const models: readonly [string, () => Model][] = [
    ['a chain', () => sequential([linear({ inFeatures: 3, outFeatures: 5 }), sigmoid(), linear({ inFeatures: 5, outFeatures: 2 })], { inputShape: [3], loss: mse(), backend: 'ts' })],
    [
      'dropout and dense, with scratch buffers',
      () =>
        sequential([dense({ inFeatures: 4, outFeatures: 6, activation: 'tanh' }), dropout({ rate: 0.5 }), linear({ inFeatures: 6, outFeatures: 3 })], {
          inputShape: [4],
          loss: softmaxCrossEntropy(),
          backend: 'ts',
        }),
    ],
    [
      'a residual graph, where a value read twice sums two gradients',
      () =>
        sequential(
          [linear({ inFeatures: 4, outFeatures: 4 }), tanh(), add({ name: 'skip', inputs: ['linear_1', 'tanh_1'] }), relu(), linear({ inFeatures: 4, outFeatures: 1 })],
          { inputShape: [4], loss: mse(), backend: 'ts' },
        ),
    ],
    ['float64', () => sequential([linear({ inFeatures: 3, outFeatures: 2 })], { inputShape: [3], loss: mse(), dtype: 'float64', backend: 'ts' })],
  ];

  for (const [name, make] of models) {
    it(`equal the bytes of the buffers once built and compiled: ${name}`, () => {
      const model = make();
      const parameterBytes = model.parameters().reduce((s, p) => s + p.value.data.byteLength, 0);
      for (const batchSize of [1, 7, 32]) {
        for (const kind of ['train', 'infer'] as const) {
          const estimate = model.memory(batchSize, { kind });
          const plan = model.compile(batchSize, { kind });
          expect(estimate.plan, `${kind} plan, batch size ${batchSize}`).toBe(plan.bytes);
          expect(estimate).toEqual({ parameters: parameterBytes, plan: plan.bytes, optimizer: 0, total: parameterBytes + plan.bytes });
        }
      }
      expect(model.memory(8, { optimizerSlots: 2 }).optimizer).toBe(2 * parameterBytes);
      model.plan(16);
      model.plan(16, 'infer');
      expect(model.planCacheStats().bytes).toBe(model.memory(16).plan + model.memory(16, { kind: 'infer' }).plan);
    });
  }

  it('are the exact limit: a model or plan needing one byte more than the limit is refused, one needing exactly the limit is not', () => {
    const layers = [linear({ inFeatures: 3, outFeatures: 5 }), sigmoid(), linear({ inFeatures: 5, outFeatures: 2 })];
    const parameters = 4 * (15 + 5 + 10 + 2);
    const at = (memoryLimit: number): Model => sequential(layers, { inputShape: [3], loss: mse(), backend: 'ts', memoryLimit });
    expect(at(parameters).parameters().length).toBe(4);
    expect(refused(() => at(parameters - 1)).error.details).toMatchObject({ bytes: parameters, limit: parameters - 1 });
    const model = at(Infinity);
    const plan = model.compile(10).bytes;
    expect(model.compile(10, { memoryLimit: parameters + plan }).bytes).toBe(plan);
    const { error } = refused(() => model.compile(10, { memoryLimit: parameters + plan - 1 }));
    expect([error.code, error.details.bytes, error.details.limit]).toEqual(['TOO_LARGE', parameters + plan, parameters + plan - 1]);
  });

  it('read in binary units', () => {
    expect([0, 524, 1023, 1024, 2150, 20 * 1024, 150 * 1024 + 300, 12e9, 4e18].map(formatBytes)).toEqual([
      '0 B',
      '524 B',
      '1023 B',
      '1.0 KiB',
      '2.1 KiB',
      '20 KiB',
      '150 KiB',
      '11 GiB',
      '3.5 EiB',
    ]);
  });
});

describe('a lowered memoryLimit', () => {
  // linear 64 → 64: 4160 parameters, 16,640 bytes; far within any default.
  const spec = wide(64, 64);

  it('refuses a model that fits the default, from every way of building one', () => {
    expect(buildModel(spec).parameters().length).toBe(2);
    const ways: readonly (() => unknown)[] = [
      () => buildModel(spec, { memoryLimit: 16_000 }),
      () => sequential(spec.layers, { inputShape: spec.inputShape, loss: spec.loss, memoryLimit: 16_000 }),
      () => fromSpec(JSON.parse(JSON.stringify(spec)), { memoryLimit: 16_000 }),
    ];
    for (const way of ways) {
      const { error } = refused(way);
      expect(error.code).toBe('TOO_LARGE');
      expect(error.details).toMatchObject({ node: 'linear_1', path: 'layers/0', bytes: 16_640, limit: 16_000 });
    }
    // A checkpoint too large for the limit is not a damaged file: the limit's own error.
    const { error } = refused(() => fromCheckpoint(toCheckpoint(buildModel(spec)), { memoryLimit: 16_000 }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toContain('layers/0: the model needs 16 KiB (16640 bytes) for its parameters, beyond the memory limit of 16 KiB (16000 bytes)');
  });

  it('set on the model refuses its plans; set on compile overrides it', () => {
    // Training at batch size 1 takes 34,312 bytes: 16,640 of parameters, as many of their gradients, and 1,032 of values and their gradients.
    const model = buildModel(spec, { memoryLimit: 40_000, backend: 'ts' });
    expect(model.parameters().reduce((s, p) => s + p.value.data.byteLength, 0) + model.compile(1).bytes).toBe(34_312);
    expect(refused(() => model.compile(32)).error.details).toMatchObject({ node: 'linear_1', limit: 40_000 });
    expect(refused(() => model.plan(32)).error.code).toBe('TOO_LARGE');
    expect(model.compile(32, { memoryLimit: 1e6 }).batchSize).toBe(32);
    expect(refused(() => buildModel(spec).compile(1, { memoryLimit: 17_000 })).error.details).toMatchObject({ limit: 17_000 });
  });

  it('must be a positive number of bytes', () => {
    for (const bad of [0, -1, Number.NaN, '1GiB']) {
      const { error } = refused(() => buildModel(spec, { memoryLimit: bad as number }));
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toBe(`memoryLimit must be a positive number of bytes (or Infinity), got ${String(bad)}`);
      expect(refused(() => buildModel(spec).compile(1, { memoryLimit: bad as number })).error.code).toBe('INVALID_OPTION');
    }
  });
});
