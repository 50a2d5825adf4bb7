import { describe, expect, it } from 'vitest';
import { run, tempDir } from './capture.js';
import { csvText, IRIS_HEADER, IRIS_SPEC, irisRows } from './iris.js';

describe('--label-column on the command line', () => {
  const rows = irisRows();
  const first = rows.map((r) => [r[4] as number, ...r.slice(0, 4)]);
  const argv = ['--epochs', '2', '--batch', '8', '--optimizer', 'adam', '--lr', '0.05', '--val', '0.2', '--normalize', 'standard'];

  it('train and eval read the target from the named column: the same run as with the target last', async () => {
    const t = tempDir({
      'last.csv': csvText(rows),
      'first.csv': csvText(first, ['species', ...IRIS_HEADER.slice(0, 4)]),
      'spec.json': IRIS_SPEC,
    });
    try {
      const last = await run(['train', 'spec.json', '--data', 'last.csv', ...argv, '--json', '--checkpoint', 'last.json'], { cwd: t.dir });
      expect(last.code).toBe(0);
      const epochs = (out: string) => out.split('\n').filter((l) => l.includes('"type":"epoch"')).map((l) => JSON.parse(l) as { loss: number; validation: { loss: number } });
      for (const label of ['species', '0']) {
        const byColumn = await run(['train', 'spec.json', '--data', 'first.csv', '--label-column', label, ...argv, '--json', '--checkpoint', 'first.json'], { cwd: t.dir });
        expect(byColumn.code).toBe(0);
        expect(epochs(byColumn.stdout).map((e) => [e.loss, e.validation.loss])).toEqual(epochs(last.stdout).map((e) => [e.loss, e.validation.loss]));
      }
      const scoreLast = JSON.parse((await run(['eval', 'last.json', '--data', 'last.csv', '--json'], { cwd: t.dir })).stdout) as { loss: number };
      const scoreFirst = await run(['eval', 'last.json', '--data', 'first.csv', '--label-column', 'species', '--json'], { cwd: t.dir });
      expect(scoreFirst.code).toBe(0);
      expect((JSON.parse(scoreFirst.stdout) as { loss: number }).loss).toBe(scoreLast.loss);
    } finally {
      t.cleanup();
    }
  });

  it('is an error for data that is not CSV, and for a name the header lacks', async () => {
    const t = tempDir({ 'first.csv': csvText(first, ['species', ...IRIS_HEADER.slice(0, 4)]), 'spec.json': IRIS_SPEC });
    try {
      const json = await run(['train', 'spec.json', '--data', 'builtin:xor', '--label-column', '2'], { cwd: t.dir });
      expect(json.code).toBe(2);
      expect(json.stderr).toContain('error (INVALID_USAGE): --label-column 2: builtin:xor is not a CSV file; --label-column chooses a column of CSV data');
      const unknown = await run(['train', 'spec.json', '--data', 'first.csv', '--label-column', 'class'], { cwd: t.dir });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('--label-column class: first.csv has no column named "class"; its columns: 0 species, 1 sepal_length');
    } finally {
      t.cleanup();
    }
  });
});
