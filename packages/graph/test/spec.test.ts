import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { GradstreamError, Tensor } from '@gradstream/tensor';
import { linearOp, mseOp, sigmoidOp } from '@gradstream/ops';
import { createRegistry, defineOp, fromSpec, sequential, specSchema, toSpec, validateSpec, type Model } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

// Only the three ops this file relies on, so ops added to the built-in set later change nothing here.
const fresh = () => createRegistry([linearOp, sigmoidOp, mseOp]);
const shared = fresh();
const registry = () => shared;

const good = () => ({
  version: 1,
  inputShape: [2],
  layers: [
    { op: 'linear', inFeatures: 2, outFeatures: 4 },
    { op: 'sigmoid' },
    { op: 'linear', inFeatures: 4, outFeatures: 1 },
  ],
  loss: { op: 'mse' },
});

const X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

const bits = (m: Model): number[] => Array.from(m.predict(X).data);

describe('specSchema', () => {
  it('is plain JSON that a stock ajv (draft-07) compiles and that accepts a valid spec', () => {
    const schema = specSchema(registry());
    const roundTripped = JSON.parse(JSON.stringify(schema)) as object;
    expect(roundTripped).toEqual(schema);
    const validate = new Ajv({ strict: false }).compile(roundTripped);
    expect(validate(good())).toBe(true);
    expect(validate({ ...good(), version: 2 })).toBe(false);
  });

  it('has one layer branch per registered op, tagged by op', () => {
    const schema = specSchema(registry()) as { definitions: { layer: { oneOf: { properties: { op: { const: string } } }[] } } };
    expect(schema.definitions.layer.oneOf.map((b) => b.properties.op.const)).toEqual(['linear', 'mse', 'sigmoid']);
  });

  it('lets the loss name only losses: ops of two inputs whose second takes no gradient', () => {
    type Union = { oneOf?: { properties: { op: { const: string } } }[]; properties: { op: { enum?: string[] } } };
    const tags = (r: ReturnType<typeof fresh>) => {
      const schema = specSchema(r) as { properties: { loss: { $ref: string } }; definitions: { loss: Union } };
      expect(schema.properties.loss).toEqual({ $ref: '#/definitions/loss' });
      return schema.definitions.loss.oneOf?.map((b) => b.properties.op.const) ?? schema.definitions.loss.properties.op.enum;
    };
    expect(tags(registry())).toEqual(['mse']);
    // sigmoid takes one input; a two-input op whose inputs both take a gradient is no loss either.
    const pairOp = (name: string, nonDifferentiable: ('a' | 'b')[]) =>
      defineOp({ ...sigmoidOp, name, inputs: ['a', 'b'], nonDifferentiable, save: {} });
    expect(tags(createRegistry([sigmoidOp, mseOp, pairOp('sum', []), pairOp('hinge', ['b']), pairOp('masked', ['a'])]))).toEqual(['hinge', 'mse']);
    // No loss registered: the one value listed says so (JSON Schema has no empty enum).
    expect(tags(createRegistry([sigmoidOp]))).toEqual(['(none registered: import @gradstream/ops or register plugins)']);
  });
});

describe('validateSpec', () => {
  const cases: [string, (s: ReturnType<typeof good>) => unknown, string][] = [
    ['not an object', () => [1, 2], '(root) must be object'],
    ['wrong version', (s) => ({ ...s, version: 2 }), 'version must be 1'],
    ['missing loss', ({ loss: _loss, ...s }) => s, 'loss is required'],
    ['zero in inputShape', (s) => ({ ...s, inputShape: [0] }), 'inputShape/0 must be >= 1'],
    ['fractional inputShape', (s) => ({ ...s, inputShape: [2, 1.5] }), 'inputShape/1 must be integer'],
    [
      'outFeatures below 1',
      (s) => ({ ...s, layers: [s.layers[0], s.layers[1], { op: 'linear', inFeatures: 4, outFeatures: 0 }] }),
      'layers/2/outFeatures must be >= 1',
    ],
    [
      'unknown op',
      (s) => ({ ...s, layers: [...s.layers, { op: 'relu' }] }),
      'layers/3/op must be one of ["linear","mse","sigmoid"], got "relu"',
    ],
    ['layer without op', (s) => ({ ...s, layers: [{ inFeatures: 2, outFeatures: 1 }] }), 'layers/0/op is required'],
    ['unknown property', (s) => ({ ...s, layers: [s.layers[0], { op: 'sigmoid', units: 3 }] }), 'layers/1/units is not a known property'],
    ['missing required config', (s) => ({ ...s, layers: [{ op: 'linear', inFeatures: 2 }] }), 'layers/0/outFeatures is required'],
    ['name not a string', (s) => ({ ...s, layers: [{ ...s.layers[0], name: 7 }] }), 'layers/0/name must be string'],
    ['inputs not strings', (s) => ({ ...s, layers: [{ ...s.layers[0], inputs: [1] }] }), 'layers/0/inputs/0 must be string'],
    ['unknown dtype', (s) => ({ ...s, dtype: 'int8' }), 'dtype must be one of ["float32","float64"]'],
    ['unknown top-level field', (s) => ({ ...s, optimizer: 'sgd' }), 'optimizer is not a known property'],
    ['no layers', (s) => ({ ...s, layers: [] }), 'layers must NOT have fewer than 1 items'],
    ['unknown loss op', (s) => ({ ...s, loss: { op: 'hinge' } }), 'loss/op must be one of ["mse"], got "hinge"'],
    ['a layer op as the loss', (s) => ({ ...s, loss: { op: 'sigmoid' } }), 'loss/op must be one of ["mse"], got "sigmoid"'],
    [
      'misspelt op',
      (s) => ({ ...s, layers: [s.layers[0], { op: 'sigmiod' }] }),
      'layers/1/op must be one of ["linear","mse","sigmoid"], got "sigmiod" (did you mean "sigmoid"?)',
    ],
    ['misspelt loss op', (s) => ({ ...s, loss: { op: 'MSE' } }), 'loss/op must be one of ["mse"], got "MSE" (did you mean "mse"?)'],
    [
      'misspelt property',
      (s) => ({ ...s, layers: [{ op: 'linear', inFeatures: 2, outFeature: 1 }] }),
      'layers/0/outFeature is not a known property (did you mean "outFeatures"?)',
    ],
    ['misspelt dtype', (s) => ({ ...s, dtype: 'flaot64' }), 'dtype must be one of ["float32","float64"] (did you mean "float64"?)'],
    ['op far from every name', (s) => ({ ...s, layers: [{ op: 'conv2d' }] }), 'layers/0/op must be one of ["linear","mse","sigmoid"], got "conv2d"'],
  ];

  it.each(cases)('rejects %s with its JSON path', (_what, mutate, line) => {
    const e = catchGradstream(() => validateSpec(mutate(good()), registry()));
    expect(e.code).toBe('INVALID_SPEC');
    expect(e.message.split('\n')).toContain(line);
  });

  it('lists every problem, one line each', () => {
    const bad = {
      version: 1,
      inputShape: [0],
      layers: [{ op: 'linear', inFeatures: 2, outFeatures: 0 }, { op: 'relu' }],
      loss: { op: 'mse', extra: true },
    };
    const e = catchGradstream(() => validateSpec(bad, registry()));
    expect(e.message.split('\n').slice(1).sort()).toEqual(
      [
        'inputShape/0 must be >= 1',
        'layers/0/outFeatures must be >= 1',
        'layers/1/op must be one of ["linear","mse","sigmoid"], got "relu"',
        'loss/extra is not a known property',
      ].sort(),
    );
    expect(e.details.problems).toHaveLength(4);
  });

  it('accepts a valid spec and returns it', () => {
    const spec = good();
    expect(validateSpec(spec, registry())).toBe(spec);
  });

  it('sees ops registered after a first validation', () => {
    const r = fresh();
    const spec = { ...good(), layers: [...good().layers, { op: 'negate' }] };
    expect(catchGradstream(() => validateSpec(spec, r)).message).toContain('layers/3/op must be one of ["linear","mse","sigmoid"]');
    r.register(
      defineOp({
        name: 'negate',
        inputs: ['x'],
        save: {},
        outputShape: ([x]: readonly (readonly number[])[]) => x!,
        forward: ({ inputs, out, backend }) => backend.scale(inputs.x.data, -1, out.data),
        backward: ({ dy, dInputs, backend }) => {
          if (dInputs.x) backend.scale(dy.data, -1, dInputs.x.data);
        },
      }),
    );
    expect(validateSpec(spec, r)).toBe(spec);
  });
});

describe('toSpec / fromSpec', () => {
  const build = (seed: number) =>
    sequential(
      [
        { op: 'linear', inFeatures: 2, outFeatures: 4 },
        { op: 'sigmoid' },
        { op: 'linear', inFeatures: 4, outFeatures: 1 },
      ],
      { inputShape: [2], loss: { op: 'mse' }, seed, registry: registry() },
    );

  it('is plain frozen JSON with names, inputs and defaults spelled out', () => {
    const spec = toSpec(build(1));
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(Object.isFrozen(spec)).toBe(true);
    expect(Object.isFrozen(spec.layers[0])).toBe(true);
    expect(spec.layers[0]).toEqual({
      op: 'linear',
      name: 'linear_1',
      inputs: ['x'],
      inFeatures: 2,
      outFeatures: 4,
      weightInit: { type: 'glorotUniform' },
      biasInit: { type: 'zeros' },
    });
    expect(spec.layers[2]?.inputs).toEqual(['sigmoid_1']);
    expect(spec.loss).toEqual({ op: 'mse', name: 'mse_1', inputs: ['linear_2', 'y'] });
    expect(spec.output).toBe('linear_2');
    expect(spec.dtype).toBe('float32');
  });

  it('rebuilds the same model from the spec and the same seed, a different one from another seed', () => {
    const original = build(11);
    const json = JSON.parse(JSON.stringify(toSpec(original))) as unknown;
    expect(bits(fromSpec(json, { seed: 11, registry: registry() }))).toEqual(bits(original));
    expect(bits(fromSpec(json, { seed: 12, registry: registry() }))).not.toEqual(bits(original));
  });

  it('gives bit-identical outputs when the parameters are carried over', () => {
    const trained = build(5);
    // Move the parameters away from anything a seed produces.
    for (const p of trained.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] = Math.sin(7 * i + p.value.size);
    const copy = fromSpec(JSON.parse(JSON.stringify(toSpec(trained))), { seed: 99, registry: registry() });
    expect(bits(copy)).not.toEqual(bits(trained));
    copy.parameters().forEach((p, i) => p.value.data.set(trained.parameters()[i]!.value.data));
    expect(bits(copy)).toEqual(bits(trained));
  });

  it('throws INVALID_SPEC before building anything', () => {
    const e = catchGradstream(() => fromSpec({ ...good(), layers: [{ op: 'linear', inFeatures: 2 }] }, { registry: registry() }));
    expect(e.code).toBe('INVALID_SPEC');
    expect(e.message).toContain('layers/0/outFeatures is required');
  });
});

describe('isolated registries', () => {
  // Two different ops both named "act": a sigmoid here, a configurable scale there.
  const actSigmoid = defineOp({ ...sigmoidOp, name: 'act' });
  const actScale = defineOp({
    name: 'act',
    paramsSchema: { type: 'object', properties: { factor: { type: 'number' } }, required: ['factor'], additionalProperties: false },
    inputs: ['x'],
    save: {},
    outputShape: ([x]: readonly (readonly number[])[], _c: { factor: number }) => x!,
    forward: ({ inputs, out, config, backend }) => backend.scale(inputs.x.data, config.factor, out.data),
    backward: ({ dy, dInputs, config, backend }) => {
      if (dInputs.x) backend.scale(dy.data, config.factor, dInputs.x.data);
    },
  });
  const a = createRegistry([linearOp, mseOp, actSigmoid]);
  const b = createRegistry([linearOp, mseOp, actScale]);
  const spec = (act: object) => ({
    version: 1,
    inputShape: [1],
    layers: [
      { op: 'linear', inFeatures: 1, outFeatures: 1, weightInit: { type: 'constant', value: 0.5 }, biasInit: { type: 'zeros' } },
      { op: 'act', ...act },
    ],
    loss: { op: 'mse' },
  });

  it('resolve the same op name against the registry passed', () => {
    // x = 2 → z = 0.5·2 = 1; registry a: σ(1) = 1 / (1 + e⁻¹); registry b: 3·1 = 3.
    const outA = fromSpec(spec({}), { registry: a }).predict(Tensor.from([[2]]));
    const outB = fromSpec(spec({ factor: 3 }), { registry: b }).predict(Tensor.from([[2]]));
    expect(outA.at(0, 0)).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(outB.at(0, 0)).toBe(3);
  });

  it('validate a layer against the op of the registry passed', () => {
    expect(catchGradstream(() => validateSpec(spec({ factor: 3 }), a)).message).toContain('layers/1/factor is not a known property');
    expect(catchGradstream(() => validateSpec(spec({}), b)).message).toContain('layers/1/factor is required');
  });
});
