import { describe, expect, it } from 'vitest';
import { checkSource, defaultRegistry } from '@gradstream/graph';
import { Rng } from '@gradstream/tensor';
import { builtinOps } from '../src/index.js';

// Every registered op that emits source for compiled plans is held to its own functions, bit for
// bit, in both dtypes: on its random gradcheck cases and on a small case it must inline.
const SEEDS = [1, 2, 3, 4, 5];

describe('emitted source of every registered op equals its forward and backward', () => {
  it('the layers of small networks emit source', () => {
    const emitting = builtinOps.filter((op) => op.emit !== undefined).map((op) => op.name);
    expect(emitting).toEqual(expect.arrayContaining(['linear', 'dense', 'sigmoid', 'mse', 'tanh', 'relu', 'leakyRelu', 'identity', 'add']));
  });

  for (const plugin of defaultRegistry.plugins().filter((p) => p.emit !== undefined)) {
    describe(plugin.name, () => {
      for (const dtype of ['float32', 'float64'] as const) {
        it(`matches on random cases (${dtype})`, () => {
          for (const seed of SEEDS) {
            const report = checkSource(plugin, { seed, dtype });
            expect(report.ok, report.format()).toBe(true);
          }
          // a case small enough to inline: one sample of the case drawn with seed 1
          const c = plugin.gradcheckCase!(Rng.fromSeed(1));
          const one = c.inputShapes.map((s) => [1, ...s.slice(1).map(() => 1)]);
          const small = checkSource(plugin, { shapes: one, config: shrink(c.config), seed: 9, dtype });
          expect(small.emitted, `${plugin.name} emits nothing for ${JSON.stringify(one)}`).toBe(true);
          expect(small.ok, small.format()).toBe(true);
        });
      }
    });
  }
});

/** The case's configuration with every feature count set to 1, so the layer fits [1, 1] inputs. */
function shrink(config: unknown): unknown {
  return Object.fromEntries(Object.entries(config as Record<string, unknown>).map(([k, v]) => [k, /Features$/.test(k) ? 1 : v]));
}
