import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromCheckpoint, fromSpec, type Checkpoint } from '@gradstream/graph';
import { evaluate, type TrainEvent } from '@gradstream/trainer';
import { classGaps, loadData, splitValidation, targetClasses, type LoadedData } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';
import { run, tempDir } from './capture.js';
import { csvText, IRIS_SPEC, irisRows } from './iris.js';

const events = (stdout: string): TrainEvent[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TrainEvent);

/** How many samples of each class (0…2) the one-hot targets hold. */
const perClass = (d: LoadedData): number[] => [0, 1, 2].map((k) => d.y.filter((row) => row[k] === 1).length);

const TRAIN = ['--epochs', '1', '--batch', '8', '--optimizer', 'adam', '--lr', '0.05'];

describe('splitValidation', () => {
  const model = fromSpec(JSON.parse(IRIS_SPEC));
  const data: LoadedData = {
    source: 'iris',
    x: irisRows().map((r) => r.slice(0, 4)),
    y: irisRows().map((r) => [0, 1, 2].map((k) => (r[4] === k ? 1 : 0))),
  };
  const classes = targetClasses(model, data.y)?.labels ?? [];

  it('stratified: each class holds out round(fraction · count) of its shuffled samples', () => {
    const split = splitValidation(data, 0.2, { seed: 0, classes });
    expect(split.stratified).toBe(true);
    expect(perClass(split.validation)).toEqual([4, 4, 4]);
    expect(perClass(split.train)).toEqual([16, 16, 16]);
    // every sample lands on exactly one side
    const key = (r: readonly number[]) => r.join(',');
    expect([...split.train.x, ...split.validation.x].map(key).sort()).toEqual(data.x.map(key).sort());
    // the same seed holds out the same samples, another seed others
    expect(splitValidation(data, 0.2, { seed: 0, classes }).validation.x).toEqual(split.validation.x);
    expect(splitValidation(data, 0.2, { seed: 1, classes }).validation.x).not.toEqual(split.validation.x);
  });

  it('holds out at least 1 of a class of 2 or more, and none of a class of 1', () => {
    const labels = [...new Array<number>(10).fill(0), 1, 1, 1, 2, 2, 3];
    const small: LoadedData = { source: 's', x: labels.map((_, i) => [i]), y: labels.map((c) => [c]) };
    const split = splitValidation(small, 0.2, { seed: 3, classes: labels });
    // 0.2·10 = 2, 0.2·3 → 1, 0.2·2 → at least 1, a single sample stays in training
    const held = split.validation.x.map((r) => labels[r[0] as number]);
    expect([0, 1, 2, 3].map((c) => held.filter((h) => h === c).length)).toEqual([2, 1, 1, 0]);
  });

  it('without classes: a shuffled fraction of all samples, not the last ones', () => {
    const split = splitValidation(data, 0.2, { seed: 0 });
    expect(split.stratified).toBe(false);
    expect(split.validation.x).toHaveLength(12);
    expect(split.validation.x).not.toEqual(data.x.slice(48));
    expect(perClass(split.validation).filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it('refuses a split that leaves a side empty', () => {
    const e = catchGradstream(() => splitValidation({ source: 'tiny.csv', x: [[0], [1], [2]], y: [[0], [1], [0]] }, 0.1, { seed: 0 }));
    expect(e.code).toBe('INVALID_USAGE');
    expect(e.message).toBe('--val 0.1 of 3 sample(s) in tiny.csv holds out no sample; use another fraction, or --val-data');
  });

  it('names classes only one side holds', () => {
    expect(classGaps([0, 0, 1, 2], [0, 1])).toEqual(['the validation split has no sample of class 2, which the training split has (1 sample)']);
    expect(classGaps([0, 1], [0, 1, 2, 2])).toEqual(['the training split has no sample of class 2, which the validation split has (2 samples)']);
    expect(classGaps([0, 1], [1, 0])).toEqual([]);
  });
});

describe('gradstream train --val, --no-stratify, --val-data', () => {
  /** The validation loss the run reported for its one epoch, and the model it saved then. */
  async function trainOnce(dir: string, argv: readonly string[]) {
    const r = await run(['train', 'spec.json', ...TRAIN, '--checkpoint', 'best.json', '--json', ...argv], { cwd: dir });
    expect(r.code).toBe(0);
    const all = events(r.stdout);
    const start = all[0];
    const epoch = all.find((e) => e.type === 'epoch');
    const { model } = fromCheckpoint(JSON.parse(readFileSync(join(dir, 'best.json'), 'utf8')) as Checkpoint);
    return {
      stderr: r.stderr,
      samples: start?.type === 'start' ? [start.config.samples, start.config.validationSamples] : [],
      valLoss: epoch?.type === 'epoch' ? (epoch.validation?.loss ?? Number.NaN) : Number.NaN,
      model,
    };
  }

  it('holds out each class in proportion from a file sorted by class (shuffled with --seed)', async () => {
    const t = tempDir({ 'iris.csv': csvText(irisRows()), 'spec.json': IRIS_SPEC });
    try {
      const ran = await trainOnce(t.dir, ['--data', 'iris.csv', '--val', '0.2']);
      expect(ran.samples).toEqual([48, 12]);
      expect(ran.stderr).not.toMatch(/warning/);
      // The validation loss is the saved model's loss on the stratified split: 4 samples of each class.
      const all = await loadData('iris.csv', ran.model, t.dir);
      const expected = splitValidation(all, 0.2, { seed: 0, classes: targetClasses(ran.model, all.y)?.labels ?? [] }).validation;
      expect(perClass(expected)).toEqual([4, 4, 4]);
      expect(ran.valLoss).toBeCloseTo(evaluate(ran.model, expected, []).loss, 6);
      // not the file's last rows (all of class 2)
      const last: LoadedData = { source: 'last', x: all.x.slice(48), y: all.y.slice(48) };
      expect(Math.abs(ran.valLoss - evaluate(ran.model, last, []).loss)).toBeGreaterThan(1e-3);

      const text = await run(['train', 'spec.json', ...TRAIN, '--data', 'iris.csv', '--val', '0.2'], { cwd: t.dir });
      expect(text.stdout).toMatch(/^validation {2}loss \S+ {2}accuracy \S+ {2}\(held out: 12 samples, 20% of the data, shuffled with --seed 0, stratified by class\)$/m);
    } finally {
      t.cleanup();
    }
  });

  it('--no-stratify holds out a shuffled fraction of all samples', async () => {
    const t = tempDir({ 'iris.csv': csvText(irisRows()), 'spec.json': IRIS_SPEC });
    try {
      const ran = await trainOnce(t.dir, ['--data', 'iris.csv', '--val', '0.2', '--no-stratify', '--seed', '2']);
      expect(ran.samples).toEqual([48, 12]);
      const all = await loadData('iris.csv', ran.model, t.dir);
      const expected = splitValidation(all, 0.2, { seed: 2 }).validation;
      expect(perClass(expected).filter((n) => n > 0).length).toBeGreaterThan(1);
      expect(ran.valLoss).toBeCloseTo(evaluate(ran.model, expected, []).loss, 6);

      const text = await run(['train', 'spec.json', ...TRAIN, '--data', 'iris.csv', '--val', '0.2', '--no-stratify', '--seed', '2'], { cwd: t.dir });
      expect(text.stdout).toMatch(/\(held out: 12 samples, 20% of the data, shuffled with --seed 2\)$/m);
    } finally {
      t.cleanup();
    }
  });

  it('warns on stderr when the held-out split lacks a class the training split has', async () => {
    // class 2 has a single sample: it stays in training
    const t = tempDir({ 'iris.csv': csvText(irisRows([20, 20, 1])), 'spec.json': IRIS_SPEC });
    try {
      const r = await run(['train', 'spec.json', ...TRAIN, '--data', 'iris.csv', '--val', '0.2'], { cwd: t.dir });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('warning: the validation split has no sample of class 2, which the training split has (1 sample)\n');
      expect(r.stdout).toMatch(/\(held out: 8 samples, /);
    } finally {
      t.cleanup();
    }
  });

  it('refuses to read stdin twice for --data - and --val-data -', async () => {
    const both = await run(['train', 'examples/specs/xor.json', '--data', '-', '--val-data', '-'], { stdin: '0,0,0\n1,1,0\n' });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('error (INVALID_USAGE): --data - and --val-data - would both read stdin');
  });

  it('--val-data validates on another file, and warns about classes only one side has', async () => {
    const t = tempDir({
      'train.csv': csvText(irisRows([20, 20, 0])),
      'val.csv': csvText(irisRows([5, 0, 5], 9)),
      'spec.json': IRIS_SPEC,
    });
    try {
      const ran = await trainOnce(t.dir, ['--data', 'train.csv', '--val-data', 'val.csv']);
      expect(ran.samples).toEqual([40, 10]);
      const val = await loadData('val.csv', ran.model, t.dir);
      expect(ran.valLoss).toBeCloseTo(evaluate(ran.model, val, []).loss, 6);
      expect(ran.stderr.split('\n').filter((l) => l.startsWith('warning: '))).toEqual([
        'warning: the validation data (val.csv) has no sample of class 1, which the training data (train.csv) has (20 samples)',
        'warning: the training data (train.csv) has no sample of class 2, which the validation data (val.csv) has (5 samples)',
      ]);
      const text = await run(['train', 'spec.json', ...TRAIN, '--data', 'train.csv', '--val-data', 'val.csv'], { cwd: t.dir });
      expect(text.stdout).toMatch(/\(held out: 10 samples, val\.csv\)$/m);

      const both = await run(['train', 'spec.json', '--data', 'train.csv', '--val', '0.2', '--val-data', 'val.csv'], { cwd: t.dir });
      expect(both.code).toBe(2);
      expect(both.stderr).toContain("option '--val-data <file>' cannot be used with option '--val <fraction>'");
    } finally {
      t.cleanup();
    }
  });
});
