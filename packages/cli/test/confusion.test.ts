import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromCheckpoint, type Checkpoint } from '@gradstream/graph';
import { classScores, confusionMatrix, formatConfusion } from '../src/index.js';
import { ROOT, run, tempDir } from './capture.js';
import { argmax, csvText, IRIS_SPEC, irisRows } from './iris.js';

describe('confusion matrix', () => {
  it('counts (true, predicted) pairs and scores each class', () => {
    const matrix = confusionMatrix([0, 0, 0, 1, 1, 2, 2, 2], [0, 0, 1, 1, 1, 1, 2, 2], 3);
    expect(matrix).toEqual([[2, 1, 0], [0, 2, 0], [0, 1, 2]]);
    expect(classScores(matrix)).toEqual([
      { class: 0, precision: 1, recall: 2 / 3, samples: 3 },
      { class: 1, precision: 0.5, recall: 1, samples: 2 },
      { class: 2, precision: 1, recall: 2 / 3, samples: 3 },
    ]);
    // a class never predicted has no precision, one without samples no recall
    expect(classScores([[1, 0], [1, 0]])[1]).toEqual({ class: 1, precision: null, recall: 0, samples: 1 });
    expect(classScores([[1, 1], [0, 0]])[1]).toEqual({ class: 1, precision: 0, recall: null, samples: 0 });
  });

  it('formats a table: counts, totals, precision and recall', () => {
    expect(formatConfusion([[9, 1], [0, 10]])).toBe(
      [
        'true\\pred   0   1 | all  precision  recall',
        '        0   9   1 |  10     1.0000  0.9000',
        '        1   0  10 |  10     0.9091  1.0000',
        '      all   9  11 |  20',
      ].join('\n'),
    );
    expect(formatConfusion([[0, 0], [0, 2]]).split('\n')[1]).toBe('        0   0   0 |   0          —       —');
  });
});

describe('gradstream eval on a classifier', () => {
  it('prints the confusion matrix with per-class precision and recall, and --json holds them', async () => {
    const rows = irisRows();
    const t = tempDir({ 'iris.csv': csvText(rows), 'spec.json': IRIS_SPEC });
    try {
      const argv = ['--epochs', '20', '--batch', '8', '--optimizer', 'adam', '--lr', '0.05', '--normalize', 'standard', '--checkpoint', 'best.json'];
      expect((await run(['train', 'spec.json', '--data', 'iris.csv', ...argv], { cwd: t.dir })).code).toBe(0);
      const saved = JSON.parse(readFileSync(join(t.dir, 'best.json'), 'utf8')) as Checkpoint;
      const { mean, std } = (saved.meta as { preprocessing: { normalize: { mean: number[]; std: number[] } } }).preprocessing.normalize;
      const x = rows.map((r) => r.slice(0, 4).map((v, j) => (v - (mean[j] as number)) / (std[j] as number)));
      const logits = fromCheckpoint(saved).model.predict(x).toArray() as number[][];
      const expected = [0, 1, 2].map((truth) => [0, 1, 2].map((p) => rows.filter((r, i) => r[4] === truth && argmax(logits[i] as number[]) === p).length));
      const hits = expected[0]![0]! + expected[1]![1]! + expected[2]![2]!;
      expect(hits).toBeGreaterThan(50);

      const text = await run(['eval', 'best.json', '--data', 'iris.csv'], { cwd: t.dir });
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(new RegExp(`^accuracy +\\S+ \\(${hits}/60\\)$`, 'm'));
      expect(text.stdout).toContain(`\n\n${formatConfusion(expected)}\n`);
      expect(text.stdout).toMatch(/^true\\pred +0 +1 +2 \| +all {2}precision {2}recall$/m);

      const json = await run(['eval', 'best.json', '--data', 'iris.csv', '--json'], { cwd: t.dir });
      const result = JSON.parse(json.stdout) as { metrics: { accuracy: number }; confusion: number[][]; classes: unknown[] };
      expect(result.confusion).toEqual(expected);
      expect(result.classes).toEqual(classScores(expected));
      expect(result.metrics.accuracy).toBeCloseTo(hits / 60, 10);
    } finally {
      t.cleanup();
    }
  });

  it('reads 0/1 targets of a one-output model at 0.5, and prints no matrix for regression', async () => {
    const t = tempDir();
    try {
      const argv = ['--epochs', '3', '--checkpoint', 'best.json'];
      expect((await run(['train', join(ROOT, 'examples/specs/xor.json'), '--data', 'builtin:xor', ...argv], { cwd: t.dir })).code).toBe(0);
      const xor = JSON.parse((await run(['eval', 'best.json', '--data', 'builtin:xor', '--json'], { cwd: t.dir })).stdout) as {
        metrics: { accuracy: number };
        confusion: number[][];
      };
      expect(xor.confusion.flat().reduce((a, b) => a + b, 0)).toBe(4);
      expect(xor.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([2, 2]);
      expect((xor.confusion[0]![0]! + xor.confusion[1]![1]!) / 4).toBe(xor.metrics.accuracy);

      expect((await run(['train', join(ROOT, 'examples/specs/sine-residual.json'), '--data', 'builtin:sine', ...argv], { cwd: t.dir })).code).toBe(0);
      const sine = await run(['eval', 'best.json', '--data', 'builtin:sine'], { cwd: t.dir });
      expect(sine.code).toBe(0);
      expect(sine.stdout).not.toContain('true\\pred');
      const sineJson = JSON.parse((await run(['eval', 'best.json', '--data', 'builtin:sine', '--json'], { cwd: t.dir })).stdout) as object;
      expect('confusion' in sineJson).toBe(false);
    } finally {
      t.cleanup();
    }
  });
});
