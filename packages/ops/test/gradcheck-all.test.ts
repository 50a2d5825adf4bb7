import { describe, expect, it } from 'vitest';
import { defaultRegistry, gradcheck } from '@gradstream/graph';
import { Rng } from '@gradstream/tensor';
import { builtinOps } from '../src/index.js';

// Every op registered in the default registry is checked, so a new op is covered by adding it.
const SEEDS = [1, 2, 3, 4, 5];

describe('gradient check of every registered op (central differences, float64)', () => {
  it('registers every built-in op under a unique name', () => {
    const names = builtinOps.map((op) => op.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(defaultRegistry.has(name)).toBe(true);
  });

  for (const plugin of defaultRegistry.plugins()) {
    describe(plugin.name, () => {
      it('declares a gradcheck case', () => {
        expect(typeof plugin.gradcheckCase).toBe('function');
      });
      for (const [seed, batchOne] of [...SEEDS.map((s) => [s, false] as const), [SEEDS[0] as number, true] as const]) {
        it(`backward matches finite differences on random shapes (seed ${seed}${batchOne ? ', batch 1' : ''})`, () => {
          const c = plugin.gradcheckCase!(Rng.fromSeed(seed));
          // Batch 1 as well: a layer that mixes rows (normalization, attention) must hold there too.
          const inputShapes = batchOne ? c.inputShapes.map((s) => [1, ...s.slice(1)]) : c.inputShapes;
          const report = gradcheck(plugin, { config: c.config, inputShapes, seed, ...(c.fillInput ? { fillInput: c.fillInput } : {}) });
          expect(report.entries.length).toBeGreaterThan(0);
          for (const e of report.entries) {
            expect(e.maxRelError, `${plugin.name} ${e.kind} ${e.name} ${JSON.stringify(e.worst)}`).toBeLessThan(1e-6);
          }
          expect(report.ok).toBe(true);
        });
      }
    });
  }
});
