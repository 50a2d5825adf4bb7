import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromCheckpoint, type Checkpoint } from '@gradstream/graph';
import { evaluate } from '@gradstream/trainer';
import { loadData, splitValidation, targetClasses } from '../src/index.js';
import { run, tempDir } from './capture.js';
import { csvText, IRIS_SPEC, irisRows, softmaxRows } from './iris.js';

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const column = (rows: readonly (readonly number[])[], j: number): number[] => rows.map((r) => r[j] as number);

describe('gradstream train --normalize', () => {
  const argv = ['--epochs', '3', '--batch', '8', '--optimizer', 'adam', '--lr', '0.05', '--val', '0.2', '--checkpoint', 'best.json'];

  it('standard: statistics of the training split only, kept in the checkpoint, applied by eval and predict', async () => {
    const rows = irisRows();
    const t = tempDir({ 'iris.csv': csvText(rows), 'spec.json': IRIS_SPEC });
    try {
      const trained = await run(['train', 'spec.json', '--data', 'iris.csv', '--normalize', 'standard', ...argv], { cwd: t.dir });
      expect(trained.code).toBe(0);
      const saved = JSON.parse(readFileSync(join(t.dir, 'best.json'), 'utf8')) as Checkpoint;
      const meta = saved.meta as { monitor: string; value: number; preprocessing: { normalize: { method: string; mean: number[]; std: number[] } } };
      expect(meta.monitor).toBe('val_loss');
      expect(typeof meta.value).toBe('number');
      const stats = meta.preprocessing.normalize;
      expect(stats.method).toBe('standard');

      // The training split's rows (the stratified split of --seed 0), not all rows.
      const { model } = fromCheckpoint(saved);
      const all = await loadData('iris.csv', model, t.dir);
      const train = splitValidation(all, 0.2, { seed: 0, classes: targetClasses(model, all.y)?.labels ?? [] }).train;
      for (let j = 0; j < 4; j++) {
        const values = column(train.x, j);
        const m = mean(values);
        expect(stats.mean[j]).toBeCloseTo(m, 10);
        expect(stats.std[j]).toBeCloseTo(Math.sqrt(mean(values.map((v) => (v - m) ** 2))), 10);
      }
      expect(stats.mean[3]).not.toBeCloseTo(mean(column(all.x, 3)), 6);

      // eval scores the model on the normalized inputs…
      const normalized = all.x.map((r) => r.map((v, j) => (v - (stats.mean[j] as number)) / (stats.std[j] as number)));
      const scored = await run(['eval', 'best.json', '--data', 'iris.csv', '--json'], { cwd: t.dir });
      expect(scored.code).toBe(0);
      const result = JSON.parse(scored.stdout) as { loss: number };
      expect(result.loss).toBeCloseTo(evaluate(model, { x: normalized, y: all.y }, []).loss, 6);
      expect(Math.abs(result.loss - evaluate(model, all, []).loss)).toBeGreaterThan(1e-3);

      // …and predict gives the model's softmax on them.
      const expected = softmaxRows(model.predict(normalized).toArray() as number[][]);
      const predicted = await run(['predict', 'best.json', '--data', 'iris.csv', '--json'], { cwd: t.dir });
      expect(predicted.code).toBe(0);
      const lines = predicted.stdout.trim().split('\n').map((l) => JSON.parse(l) as { class: number; probabilities: number[] });
      expect(lines).toHaveLength(60);
      lines.forEach((p, i) => {
        (expected[i] as number[]).forEach((q, k) => expect(p.probabilities[k]).toBeCloseTo(q, 6));
      });
    } finally {
      t.cleanup();
    }
  });

  it('minmax: the training split rescaled into [0, 1], and predict applies the same', async () => {
    const t = tempDir({ 'iris.csv': csvText(irisRows()), 'spec.json': IRIS_SPEC });
    try {
      const trained = await run(['train', 'spec.json', '--data', 'iris.csv', '--normalize', 'minmax', ...argv], { cwd: t.dir });
      expect(trained.code).toBe(0);
      const saved = JSON.parse(readFileSync(join(t.dir, 'best.json'), 'utf8')) as Checkpoint;
      const stats = (saved.meta as { preprocessing: { normalize: { method: string; min: number[]; max: number[] } } }).preprocessing.normalize;
      const { model } = fromCheckpoint(saved);
      const all = await loadData('iris.csv', model, t.dir);
      const train = splitValidation(all, 0.2, { seed: 0, classes: targetClasses(model, all.y)?.labels ?? [] }).train;
      expect(stats).toEqual({
        method: 'minmax',
        min: [0, 1, 2, 3].map((j) => Math.min(...column(train.x, j))),
        max: [0, 1, 2, 3].map((j) => Math.max(...column(train.x, j))),
      });
      const scaled = all.x.map((r) => r.map((v, j) => (v - (stats.min[j] as number)) / ((stats.max[j] as number) - (stats.min[j] as number))));
      const expected = softmaxRows(model.predict(scaled).toArray() as number[][]);
      const predicted = await run(['predict', 'best.json', '--data', 'iris.csv'], { cwd: t.dir });
      const body = predicted.stdout.trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
      body.forEach((row, i) => row.slice(1).forEach((p, k) => expect(p).toBeCloseTo((expected[i] as number[])[k] as number, 6)));
    } finally {
      t.cleanup();
    }
  });

  it('a malformed preprocessing record in a checkpoint is a CHECKPOINT_INVALID error', async () => {
    const t = tempDir({ 'iris.csv': csvText(irisRows()), 'spec.json': IRIS_SPEC });
    try {
      expect((await run(['train', 'spec.json', '--data', 'iris.csv', '--normalize', 'standard', ...argv], { cwd: t.dir })).code).toBe(0);
      const saved = JSON.parse(readFileSync(join(t.dir, 'best.json'), 'utf8')) as Checkpoint;
      const meta = saved.meta as { preprocessing: { normalize: { mean: number[] } } };
      writeFileSync(join(t.dir, 'bad.json'), JSON.stringify({ ...saved, meta: { ...meta, preprocessing: { normalize: { ...meta.preprocessing.normalize, mean: [1, 2] } } } }));
      const r = await run(['predict', 'bad.json', '--data', 'iris.csv'], { cwd: t.dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error (CHECKPOINT_INVALID): bad.json: meta/preprocessing/normalize/mean holds 2 value(s), but the model takes 4 input(s)');
    } finally {
      t.cleanup();
    }
  });
});
