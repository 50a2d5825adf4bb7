import { describe, expect, it } from 'vitest';
import { xor } from '@gradstream/datasets';
import { formatXor, trainXor, xorModel } from '../src/index.js';

describe('the xor example', () => {
  it('learns the truth table with SGD', async () => {
    const r = await trainXor({ epochs: 1000, every: 100 });
    expect(r.mse).toBeLessThan(0.01);
    expect(r.rows.map((row) => Math.round(row.prediction))).toEqual([0, 1, 1, 0]);
    expect(r.losses.map((l) => l.epoch)).toEqual([1, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(r.losses.at(-1)?.loss).toBeLessThan((r.losses[0]?.loss ?? 0) / 100);
  });

  it('reports as the first loss ½ · mean (ŷ − y)² of the untrained network', async () => {
    const data = xor();
    const before = xorModel(1).predict(data.x).data;
    const expected = data.y.reduce((s, [y], i) => s + ((before[i] as number) - (y as number)) ** 2, 0) / (2 * data.y.length);
    const r = await trainXor({ epochs: 1 });
    expect(r.losses[0]?.loss).toBeCloseTo(expected, 6);
  });

  it('prints the loss curve and a table whose rounded column is the truth table', async () => {
    const text = formatXor(await trainXor({ epochs: 1000, every: 500 }));
    expect(text).toMatch(/^\s+500\s+\d\.\d{3}e[-+]\d+$/m);
    const rounded = [...text.matchAll(/^\s+([01])\s+([01])\s+([01])\s+\S+\s+(-?\d)$/gm)].map((m) => [m[1], m[2], m[3], m[4]]);
    expect(rounded).toEqual([['0', '0', '0', '0'], ['0', '1', '1', '1'], ['1', '0', '1', '1'], ['1', '1', '0', '0']]);
  });
});
