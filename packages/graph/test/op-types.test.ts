/**
 * What `defineOp` lets TypeScript infer, asserted at the type level (`expectTypeOf`, `@ts-expect-error`)
 * and checked by compiling this very file in the last test, so an inference that regresses fails
 * `vitest run` as well as the type-check. The definitions also run, for the record forms of
 * `scratch` and `fromInputs` that `defineOp` turns into functions.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Shape, Tensor } from '@gradstream/tensor';
import { mse, mseOp } from '@gradstream/ops';
import {
  createRegistry,
  defineComposite,
  defineOp,
  expectRows,
  layerOf,
  sequential,
  type ConfigOf,
  type LayerConfig,
  type LayerConfigOf,
  type LayerSpec,
  type OpConfig,
} from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

/** A learnable scale per feature, written the new way: nothing is annotated, nothing is cast. */
const scaleOp = defineOp({
  name: 'scale',
  paramsSchema: {
    type: 'object',
    properties: { features: { type: 'integer', minimum: 1 }, bias: { type: 'number', default: 0 } },
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'], output: true },
  fromInputs: { features: ([x]) => x?.at(-1) },
  params: ({ features }) => ({ gain: { shape: [features], init: { type: 'ones' }, fanIn: features, fanOut: features } }),
  outputShape: ([x], { features }) => [expectRows('x', x, features), features],
  forward({ inputs: { x }, params: { gain }, scratch: { copy, twice }, out, config }) {
    expectTypeOf(config.features).toEqualTypeOf<number>();
    expectTypeOf(config.bias).toEqualTypeOf<number>();
    expectTypeOf(copy).toEqualTypeOf<Tensor>();
    expectTypeOf(twice).toEqualTypeOf<Tensor>();
    expectTypeOf(gain).toEqualTypeOf<Tensor>();
    for (let i = 0; i < out.data.length; i++) out.data[i] = x.data[i]! * gain.data[i % config.features]! + config.bias;
  },
  backward({ saved, scratch, dInputs }) {
    expectTypeOf(saved.inputs.x).toEqualTypeOf<Tensor>();
    expectTypeOf(saved.output).toEqualTypeOf<Tensor>();
    expectTypeOf(scratch.copy.data).toEqualTypeOf<Float32Array | Float64Array>();
    expectTypeOf(dInputs.x).toEqualTypeOf<Tensor | undefined>();
  },
  // Declared after forward and backward, which still know its names.
  scratch: { copy: 'x', twice: ([x], c) => [x?.[0] ?? 0, 2 * c.features] },
  gradcheckCase: (rng) => ({ config: {}, inputShapes: [[1 + rng.int(3), 2]] }),
  toOnnx: (ctx) => {
    expectTypeOf(ctx.params.gain).toEqualTypeOf<Tensor>();
    ctx.node('Mul', [...ctx.inputs, ctx.initializer('gain', ctx.params.gain)], [ctx.output]);
  },
});

interface Annotated {
  readonly units: number;
  readonly note?: string;
}

/** The way ops were written before: the annotation of `params` names the configuration type. */
const annotatedOp = defineOp({
  name: 'annotated',
  paramsSchema: { type: 'object', properties: { units: { type: 'integer' }, note: { type: 'string' } }, required: ['units'] },
  inputs: ['x'],
  save: {},
  params: (c: Annotated) => ({ w: { shape: [c.units], init: { type: 'zeros' }, fanIn: 1, fanOut: 1 } }),
  outputShape: ([x]) => x ?? [],
  forward({ config }) {
    expectTypeOf(config.note).toEqualTypeOf<string | undefined>();
  },
  backward() {},
  // A case written with nothing to read the configuration from does not decide its type.
  gradcheckCase: () => ({ config: { units: 2 }, inputShapes: [[2, 2]] }),
});

const plainOp = defineOp({ name: 'plain', inputs: ['x'], save: {}, outputShape: ([x]) => x ?? [], forward() {}, backward() {} });

describe('configuration types', () => {
  it('come from the schema, defaults and fields read off the inputs present', () => {
    expectTypeOf<OpConfig<typeof scaleOp>['features']>().toEqualTypeOf<number>();
    expectTypeOf<OpConfig<typeof scaleOp>['bias']>().toEqualTypeOf<number>();
    expectTypeOf<LayerConfig<typeof scaleOp>>().toEqualTypeOf<{ features?: number; bias?: number }>();
  });

  it('from an annotation win over the schema', () => {
    expectTypeOf<OpConfig<typeof annotatedOp>>().toEqualTypeOf<Annotated>();
  });

  it('are empty without a schema, as before', () => {
    expectTypeOf<OpConfig<typeof plainOp>>().toEqualTypeOf<Record<string, never>>();
  });

  it('can be named from a schema alone', () => {
    const schema = { type: 'object', properties: { rate: { type: 'number', default: 0.5 }, units: { type: 'integer' } }, required: ['units'], additionalProperties: false } as const;
    expectTypeOf<ConfigOf<typeof schema>>().toEqualTypeOf<{ rate: number; units: number }>();
    expectTypeOf<LayerConfigOf<typeof schema>>().toEqualTypeOf<{ rate?: number; units: number }>();
  });

  it('type the layer function of an op and of a composite', () => {
    const scale = layerOf(scaleOp);
    expectTypeOf(scale()).toEqualTypeOf<LayerSpec>();
    expect(scale({ bias: 1, name: 's' })).toEqual({ op: 'scale', bias: 1, name: 's' });
    // @ts-expect-error bias is a number
    scale({ bias: 'one' });
    const annotated = layerOf(annotatedOp);
    // @ts-expect-error units is required
    annotated();
    const block = defineComposite({
      name: 'block',
      paramsSchema: { type: 'object', properties: { width: { type: 'integer', minimum: 1 }, act: { enum: ['tanh', 'sigmoid'], default: 'tanh' } }, required: ['width'] },
      layers: (c) => [{ op: 'scale', features: c.width }, { op: c.act }],
    });
    expectTypeOf<OpConfig<typeof block>['act']>().toEqualTypeOf<'tanh' | 'sigmoid'>();
    expect(layerOf(block)({ width: 2 })).toEqual({ op: 'block', width: 2 });
  });

  it('refuse a scratch buffer shaped like an input the op does not have', () => {
    const define = () =>
      defineOp({
        name: 'badScratch',
        inputs: ['x'],
        save: {},
        outputShape: ([x]) => x ?? [],
        // @ts-expect-error y is not an input
        scratch: { m: 'y' },
        forward() {},
        backward() {},
      });
    const e = catchGradstream(define);
    expect(e.code).toBe('INVALID_PLUGIN');
    expect(e.message).toContain('scratch.m names "y", which is neither a function nor one of its inputs [x]');
  });
});

describe('the record forms of scratch and fromInputs', () => {
  it('become the functions the engine calls', () => {
    const shapes: readonly Shape[] = [[3, 4]];
    expect(scaleOp.scratch?.(shapes, { features: 4, bias: 0 })).toEqual({ copy: [3, 4], twice: [3, 8] });
    expect(scaleOp.fromInputs?.(shapes, { bias: 0 } as never)).toEqual({ features: 4 });
    // A field the layer gives is not read off the inputs: outputShape checks it instead.
    expect(scaleOp.fromInputs?.(shapes, { features: 2, bias: 0 })).toEqual({});
  });

  it('fill a model in: features from the input, the filled value in the spec', () => {
    const registry = createRegistry([scaleOp, mseOp]);
    const model = sequential([layerOf(scaleOp)()], { inputShape: [3], loss: mse(), registry });
    expect(model.parameters().map((p) => [p.id, p.value.shape])).toEqual([['scale_1.gain', [3]]]);
    expect(model.spec.layers[0]).toEqual({ op: 'scale', features: 3, name: 'scale_1', inputs: ['x'] });
    expect(model.layers[0]?.config).toEqual({ features: 3, bias: 0 });
    const wrong = catchGradstream(() => sequential([layerOf(scaleOp)({ features: 2 })], { inputShape: [3], loss: mse(), registry }));
    expect(wrong.code).toBe('SHAPE_MISMATCH');
    expect(wrong.message).toBe('node "scale_1" (scale), input x: expected [batch,2], got [1,3]');
  });
});

describe('this file', () => {
  it('type-checks: every inference asserted above holds', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
    const config = ts.readConfigFile(join(root, 'tsconfig.test.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const file = fileURLToPath(import.meta.url);
    const program = ts.createProgram([file], { ...options, noEmit: true });
    const source = program.getSourceFile(file);
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  }, 120_000);
});
