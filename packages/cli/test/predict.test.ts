import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fromCheckpoint, type Checkpoint, type Model } from '@gradstream/graph';
import { runCli } from '../src/index.js';
import { ROOT, run, tempDir, type Ran } from './capture.js';
import { argmax, csvText, IRIS_HEADER, IRIS_SPEC, irisRows, softmaxRows } from './iris.js';

const TRAIN = ['--epochs', '5', '--batch', '8', '--optimizer', 'adam', '--lr', '0.05', '--checkpoint', 'best.json'];

/** Runs `gradstream …argv` with `input` as its stdin. */
async function runWithStdin(argv: readonly string[], input: string, cwd: string): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd,
    stdin: Readable.from([input]),
  });
  return { code, stdout, stderr };
}

const savedModel = (dir: string): Model => fromCheckpoint(JSON.parse(readFileSync(join(dir, 'best.json'), 'utf8')) as Checkpoint).model;

describe('gradstream predict', () => {
  const rows = irisRows();
  const inputs = rows.map((r) => r.slice(0, 4));

  it('prints the class and its probabilities as CSV, one row per sample', async () => {
    const t = tempDir({ 'iris.csv': csvText(rows), 'spec.json': IRIS_SPEC });
    try {
      expect((await run(['train', 'spec.json', '--data', 'iris.csv', ...TRAIN], { cwd: t.dir })).code).toBe(0);
      const probabilities = softmaxRows(savedModel(t.dir).predict(inputs).toArray() as number[][]);

      const r = await run(['predict', 'best.json', '--data', 'iris.csv'], { cwd: t.dir });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const [header, ...body] = r.stdout.trimEnd().split('\n');
      expect(header).toBe('class,p0,p1,p2');
      expect(body).toHaveLength(60);
      body.forEach((line, i) => {
        const [k, ...p] = line.split(',').map(Number);
        const expected = probabilities[i] as number[];
        expect(k).toBe(argmax(expected));
        p.forEach((v, j) => expect(v).toBeCloseTo(expected[j] as number, 6));
      });
    } finally {
      t.cleanup();
    }
  });

  it('--json prints {"class","probabilities"} lines; rows of inputs only, from a file or stdin, give the same', async () => {
    const t = tempDir({
      'iris.csv': csvText(rows),
      'inputs.csv': csvText(inputs, IRIS_HEADER.slice(0, 4)),
      'spec.json': IRIS_SPEC,
    });
    try {
      expect((await run(['train', 'spec.json', '--data', 'iris.csv', ...TRAIN], { cwd: t.dir })).code).toBe(0);
      const probabilities = softmaxRows(savedModel(t.dir).predict(inputs).toArray() as number[][]);

      const json = await run(['predict', 'best.json', '--data', 'iris.csv', '--json'], { cwd: t.dir });
      expect(json.code).toBe(0);
      const lines = json.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(60);
      lines.forEach((line, i) => {
        const p = JSON.parse(line) as { class: number; probabilities: number[] };
        expect(Object.keys(p)).toEqual(['class', 'probabilities']);
        expect(p.class).toBe(argmax(probabilities[i] as number[]));
        p.probabilities.forEach((v, j) => expect(v).toBeCloseTo((probabilities[i] as number[])[j] as number, 6));
      });

      const csv = (await run(['predict', 'best.json', '--data', 'iris.csv'], { cwd: t.dir })).stdout;
      expect((await run(['predict', 'best.json', '--data', 'inputs.csv'], { cwd: t.dir })).stdout).toBe(csv);
      const fromStdin = await runWithStdin(['predict', 'best.json', '--data', '-'], csvText(inputs, IRIS_HEADER.slice(0, 4)), t.dir);
      expect(fromStdin.code).toBe(0);
      expect(fromStdin.stdout).toBe(csv);
      const jsonStdin = await runWithStdin(['predict', 'best.json', '--data', '-', '--json'], JSON.stringify(inputs), t.dir);
      expect(jsonStdin.stdout).toBe(json.stdout);
    } finally {
      t.cleanup();
    }
  });

  it('--label-column leaves that column out of the inputs', async () => {
    const first = rows.map((r) => [r[4] as number, ...r.slice(0, 4)]);
    const t = tempDir({
      'iris.csv': csvText(rows),
      'first.csv': csvText(first, ['species', ...IRIS_HEADER.slice(0, 4)]),
      'spec.json': IRIS_SPEC,
    });
    try {
      expect((await run(['train', 'spec.json', '--data', 'iris.csv', ...TRAIN], { cwd: t.dir })).code).toBe(0);
      const csv = (await run(['predict', 'best.json', '--data', 'iris.csv'], { cwd: t.dir })).stdout;
      const byName = await run(['predict', 'best.json', '--data', 'first.csv', '--label-column', 'species'], { cwd: t.dir });
      expect(byName.code).toBe(0);
      expect(byName.stdout).toBe(csv);
      expect((await run(['predict', 'best.json', '--data', 'first.csv', '--label-column', '0'], { cwd: t.dir })).stdout).toBe(csv);
      // without it, the label would be read as the first input
      const wrong = await run(['predict', 'best.json', '--data', 'first.csv'], { cwd: t.dir });
      expect(wrong.stdout).not.toBe(csv);
    } finally {
      t.cleanup();
    }
  });

  it('prints the outputs of a model that is not a classifier under a `prediction` header', async () => {
    const t = tempDir();
    try {
      const xorSpec = join(ROOT, 'examples/specs/xor.json');
      expect((await run(['train', xorSpec, '--data', 'builtin:xor', ...TRAIN], { cwd: t.dir })).code).toBe(0);
      const expected = (savedModel(t.dir).predict([[0, 0], [0, 1], [1, 0], [1, 1]]).toArray() as number[][]).map((r) => r[0] as number);

      const csv = await run(['predict', 'best.json', '--data', 'builtin:xor'], { cwd: t.dir });
      expect(csv.code).toBe(0);
      const [header, ...body] = csv.stdout.trimEnd().split('\n');
      expect(header).toBe('prediction');
      // the shortest decimals that read back as the same float32 values
      expect(body.map((v) => Math.fround(Number(v)))).toEqual(expected);
      expect(body.every((v) => v.replace(/^-?0?\./, '').length <= 9)).toBe(true);

      const json = await run(['predict', 'best.json', '--data', 'builtin:xor', '--json'], { cwd: t.dir });
      expect(json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(body.map((v) => ({ prediction: [Number(v)] })));
    } finally {
      t.cleanup();
    }
  });

  it('says which widths it takes when the rows fit neither the inputs nor inputs and target', async () => {
    const t = tempDir({ 'iris.csv': csvText(rows), 'narrow.csv': '1,2,3\n4,5,6\n', 'spec.json': IRIS_SPEC, 'data.json': '{"x":[[1,2,3,4],[1,2]]}' });
    try {
      expect((await run(['train', 'spec.json', '--data', 'iris.csv', ...TRAIN], { cwd: t.dir })).code).toBe(0);
      const narrow = await run(['predict', 'best.json', '--data', 'narrow.csv'], { cwd: t.dir });
      expect(narrow.code).toBe(1);
      expect(narrow.stderr).toContain(
        'error (INVALID_DATA): narrow.csv, row 1 (line 1): 3 column(s), but the model takes 4 input column(s), optionally followed by 3 target column(s) or a class index',
      );
      const json = await run(['predict', 'best.json', '--data', 'data.json'], { cwd: t.dir });
      expect(json.stderr).toContain("error (INVALID_DATA): data.json, x/1: 2 input value(s), but the model's input takes 4");
      expect((await run(['predict', 'best.json'], { cwd: t.dir })).code).toBe(2);
    } finally {
      t.cleanup();
    }
  });
});
