import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, defaultRegistry, defineOp, sequential, type Model } from '@gradstream/graph';
import { builtinOps, linear, mse, tanh } from '@gradstream/ops';
import { Rng } from '@gradstream/tensor';
import { buildFuzzModel, checkModelGradients, fuzzOpOf, isLoss, modelChoicesArb, type ModelChoices, type ModelGradEntry } from './support/fuzz-models.js';
import { configureFuzz, fuzzSettings } from './support/fuzz.js';

// Fuzz tests of whole models: random chains and DAGs of the registered ops (random widths, batch
// sizes from 1, a random loss that fits) pass a float64 central-difference gradient check of every
// parameter and of the input. The ops come from the registry, so a newly registered op is fuzzed
// as soon as test/support/fuzz-models.ts knows how to configure it (until then these tests fail).
// The seed is fixed so CI is deterministic; a larger run on demand:
//   GRADSTREAM_FUZZ_RUNS=10000 npx vitest run test/fuzz-graphs.test.ts
// (GRADSTREAM_FUZZ_SEED picks another seed; a failure prints the seed and path to replay it.)
const FUZZ = fuzzSettings(500);
const SEED = FUZZ.seed;
// The test timeout leaves room for the last run and shrinking after the time limit.
const TEST_TIMEOUT_MS = FUZZ.timeLimitMs + 60_000;
// As the op-level gradient check (packages/graph/src/check/gradcheck.ts).
const TOLERANCE = 1e-6;

beforeAll(() => {
  configureFuzz(FUZZ);
});
afterAll(() => {
  fc.resetConfigureGlobal();
});

/** Counts over every model checked, to see the checker compared (and did not just skip) elements. */
const tally = { models: 0, checked: 0, skipped: 0 };

function expectGradientsMatch(c: ModelChoices): void {
  const { spec, model, loss, kinked } = buildFuzzModel(c);
  const entries = checkModelGradients(model, { batch: c.batch, seed: c.seed, fillTarget: loss.fillTarget, kinked });
  tally.models++;
  for (const e of entries) {
    tally.checked += e.checked;
    tally.skipped += e.skipped;
  }
  const bad = entries.filter((e) => !(e.maxRelError < TOLERANCE));
  if (bad.length > 0) {
    throw new Error(
      `gradient mismatch at batch ${c.batch}, seed ${c.seed}:\n` +
        bad.map((e) => `  ${e.kind} ${e.name}: max rel ${e.maxRelError.toExponential(2)}, worst ${JSON.stringify(e.worst)}`).join('\n') +
        `\nspec: ${JSON.stringify(spec)}`,
    );
  }
}

describe('fuzz: the generator covers the registry', () => {
  it('knows how to configure every registered op', () => {
    const plugins = defaultRegistry.plugins();
    expect(plugins.length).toBe(builtinOps.length);
    for (const p of plugins) expect(() => fuzzOpOf(p), p.name).not.toThrow();
  });

  it('fails, naming the op, when a registered op is one it does not know', () => {
    const shout = defineOp({
      name: 'shout',
      inputs: ['x'],
      save: {},
      outputShape: ([x]) => x!,
      forward: ({ inputs, out, backend }) => backend.scale(inputs.x.data, 2, out.data),
      backward: ({ dy, dInputs, backend }) => dInputs.x && backend.scale(dy.data, 2, dInputs.x.data),
    });
    const registry = createRegistry([...builtinOps, shout]);
    const index = registry.plugins().filter((p) => !isLoss(p)).findIndex((p) => p.name === 'shout');
    const choices: ModelChoices = { batch: 1, inputShape: [2], layers: [{ op: index, picks: [] }], loss: { op: 0, picks: [] }, dag: false, seed: 1 };
    expect(() => buildFuzzModel(choices, registry)).toThrow(/op "shout" is registered, but the graph fuzzer does not know how to configure it as a layer/);
  });

  it('generates every registered op, every loss, branches and joins', () => {
    const used = new Set<string>();
    let skips = 0;
    let joins = 0;
    for (const dag of [false, true]) {
      for (const c of fc.sample(modelChoicesArb({ dag }), { seed: SEED, numRuns: 1000 })) {
        const { spec } = buildFuzzModel(c);
        spec.layers.forEach((l, i) => {
          used.add(l.op);
          const reads = l.inputs ?? [];
          // A DAG layer reading something other than the layer just before it.
          if (reads.some((v) => v !== (i === 0 ? 'x' : `n${i - 1}`))) skips++;
          if (reads.length === 2 && reads[0] !== reads[1]) joins++;
        });
        used.add(spec.loss.op);
      }
    }
    // embedding reads token ids, which a model of real-valued inputs never holds (its own gradient check covers it).
    expect([...used].sort()).toEqual(defaultRegistry.names().filter((n) => n !== 'embedding'));
    expect(skips).toBeGreaterThan(50);
    expect(joins).toBeGreaterThan(20);
  });
});

describe('fuzz: the model gradient checker', () => {
  it('passes a residual MLP and fails one op whose backward is off by 1%', () => {
    const choices = { batch: 3, seed: 5, fillTarget: (d: Float64Array, _s: readonly number[], rng: Rng) => d.forEach((_, i) => (d[i] = rng.uniform(-1, 1))) };
    const residual = sequential(
      [linear({ inFeatures: 3, outFeatures: 4, name: 'a' }), tanh({ name: 't' }), { op: 'add', inputs: ['t', 'a'] }, linear({ inFeatures: 4, outFeatures: 2 })],
      { inputShape: [3], loss: mse(), dtype: 'float64', backend: 'ts' },
    );
    const ok = checkModelGradients(residual, { ...choices, kinked: [] });
    expect(ok.map((e) => e.name)).toEqual(['a.weight', 'a.bias', 'linear_2.weight', 'linear_2.bias', 'x']);
    for (const e of ok) {
      expect(e.maxRelError, e.name).toBeLessThan(TOLERANCE);
      expect(e.checked, e.name).toBeGreaterThan(0);
    }

    const skewed = defineOp({
      name: 'skewed',
      inputs: ['x'],
      save: {},
      outputShape: ([x]) => x!,
      forward: ({ inputs, out, backend }) => backend.scale(inputs.x.data, 2, out.data),
      backward: ({ dy, dInputs, backend }) => dInputs.x && backend.scale(dy.data, 2.02, dInputs.x.data),
    });
    const registry = createRegistry([...builtinOps, skewed]);
    const wrong = sequential([linear({ inFeatures: 2, outFeatures: 2 }), { op: 'skewed' }], { inputShape: [2], loss: mse(), dtype: 'float64', backend: 'ts', registry });
    const report = checkModelGradients(wrong, { ...choices, kinked: [] });
    for (const e of report) expect(e.maxRelError, e.name).toBeGreaterThan(1e-3);
  });

  it('leaves out the elements whose differences cross a ReLU kink, and only those', () => {
    const model = sequential([linear({ inFeatures: 2, outFeatures: 3, name: 'l' }), { op: 'relu', name: 'r' }, linear({ inFeatures: 3, outFeatures: 1 })], {
      inputShape: [2],
      loss: mse(),
      dtype: 'float64',
      backend: 'ts',
    });
    // Sample 0's first pre-activation exactly at 0: moving its bias, its two weights or the
    // sample's two inputs by ±h crosses the kink; nothing else moves it.
    const atKink = (m: Model, x: Float64Array): void => {
      const w = m.node('l').params.weight!.data;
      const b = m.node('l').params.bias!.data;
      b[0] = -((x[0] as number) * (w[0] as number) + (x[1] as number) * (w[1] as number));
    };
    const fill = (d: Float64Array): void => void d.fill(0.5);
    const options = { batch: 2, seed: 3, fillTarget: fill, adjust: atKink };
    const skipped = Object.fromEntries(checkModelGradients(model, { ...options, kinked: ['r'] }).map((e) => [e.name, [e.skipped, e.maxRelError < TOLERANCE]]));
    expect(skipped).toEqual({ 'l.weight': [2, true], 'l.bias': [1, true], 'linear_2.weight': [0, true], 'linear_2.bias': [0, true], x: [2, true] });
    // Told of no kink, the checker compares those elements too, and their differences are no derivative.
    const blind = checkModelGradients(model, { ...options, kinked: [] });
    expect(blind.find((e) => e.name === 'l.bias')!.maxRelError).toBeGreaterThan(1e-3);
  });
});

describe('fuzz: gradients of random models against central differences (float64)', () => {
  it('random chains of the registered ops', { timeout: TEST_TIMEOUT_MS }, () => {
    fc.assert(fc.property(modelChoicesArb({ dag: false }), expectGradientsMatch));
  });

  it('random DAGs of the registered ops, branches joined by the multi-input ones', { timeout: TEST_TIMEOUT_MS }, () => {
    fc.assert(fc.property(modelChoicesArb({ dag: true }), expectGradientsMatch));
  });

  it('compared far more elements than it left out at kinks', () => {
    expect(tally.models).toBeGreaterThan(0);
    expect(tally.checked).toBeGreaterThan(10 * tally.models);
    expect(tally.skipped).toBeLessThan(0.02 * tally.checked);
  });
});
