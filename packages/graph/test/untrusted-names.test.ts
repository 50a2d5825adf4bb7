import { afterEach, describe, expect, it } from 'vitest';
import '@gradstream/ops';
import { fromCheckpoint, fromSpec, toCheckpoint, type ModelSpec } from '@gradstream/graph';

/**
 * A spec or a checkpoint is data: no string in it may run as code. Layer names reach the plans'
 * generated code (as comments naming each node's function), so a name that tries to end the
 * comment and add a statement must stay inert.
 */
const probe = globalThis as { gradstreamInjected?: number };

const names = [
  'a\nglobalThis.gradstreamInjected = 1; //',
  'a\rglobalThis.gradstreamInjected = 2; //',
  'a\u2028globalThis.gradstreamInjected = 3; //',
  'a\u2029globalThis.gradstreamInjected = 4; //',
  'a */ globalThis.gradstreamInjected = 5; /*',
];

const specNamed = (name: string): ModelSpec => ({
  version: 1,
  inputShape: [2],
  layers: [{ op: 'linear', inFeatures: 2, outFeatures: 3, name }, { op: 'sigmoid' }, { op: 'linear', inFeatures: 3, outFeatures: 1 }],
  loss: { op: 'mse' },
});

describe('names from a spec or a checkpoint never run as code', () => {
  afterEach(() => {
    delete probe.gradstreamInjected;
  });

  for (const raw of names) {
    // Names may not hold "." (it separates a composite's parts): the statement reaches globalThis by index.
    const name = raw.replace('globalThis.gradstreamInjected', "globalThis['gradstreamInjected']");
    it(`a layer named ${JSON.stringify(name)} trains like any other, and nothing it spells out runs`, () => {
      const model = fromSpec(specNamed(name), { seed: 1, backend: 'ts' });
      const plan = model.compile(4);
      plan.x.data.set([0, 0, 0, 1, 1, 0, 1, 1]);
      plan.y.data.set([0, 1, 1, 0]);
      // Plans record each node's kernel calls on their first passes, then run generated code.
      for (let i = 0; i < 4; i++) {
        plan.forward();
        plan.backward();
      }
      const again = fromCheckpoint(toCheckpoint(model), { backend: 'ts' }).model.compile(4);
      for (let i = 0; i < 4; i++) again.forward();
      expect(probe.gradstreamInjected).toBeUndefined();
      expect(model.nodes[0]?.name).toBe(name);
    });
  }
});
