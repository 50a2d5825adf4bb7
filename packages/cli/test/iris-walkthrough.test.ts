import { describe, expect, it } from 'vitest';
import { ROOT, run, tempDir } from './capture.js';

const SPEC = `${ROOT}examples/specs/iris.json`;
const CSV = `${ROOT}examples/data/iris.csv`;

/** The command line guide's walkthrough, on the iris file it ships (150 rows sorted by species). */
describe('the iris walkthrough of the command line guide', () => {
  it('validates on every class, scores every class, and predicts new rows from stdin', async () => {
    const t = tempDir();
    try {
      const trained = await run(['train', SPEC, '--data', CSV, '--val', '0.2', '--normalize', 'standard', '--checkpoint', 'iris.ckpt.json'], { cwd: t.dir });
      expect(trained.code).toBe(0);
      expect(trained.stdout).toMatch(/held out: 30 samples, 20% of the data, shuffled with --seed 0, stratified by class/);
      expect(trained.stderr).not.toMatch(/warning/);
      const accuracy = Number(/^validation .*accuracy (\S+)/m.exec(trained.stdout)?.[1]);
      expect(accuracy).toBeGreaterThanOrEqual(0.9);

      const scored = await run(['eval', 'iris.ckpt.json', '--data', CSV, '--json'], { cwd: t.dir });
      expect(scored.code).toBe(0);
      const result = JSON.parse(scored.stdout) as { metrics: { accuracy: number }; confusion: number[][]; classes: { class: number; samples: number }[] };
      expect(result.metrics.accuracy).toBeGreaterThanOrEqual(0.9);
      // every species is scored: 50 rows each, one row of the matrix each
      expect(result.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([50, 50, 50]);
      expect(result.classes.map((c) => c.samples)).toEqual([50, 50, 50]);

      const rows = 'sepal_length,sepal_width,petal_length,petal_width\n5.0,3.4,1.5,0.2\n6.1,2.8,4.7,1.2\n7.7,3.0,6.1,2.3\n';
      const predicted = await run(['predict', 'iris.ckpt.json', '--data', '-'], { cwd: t.dir, stdin: rows });
      expect(predicted.code).toBe(0);
      const lines = predicted.stdout.trim().split('\n');
      expect(lines[0]).toBe('class,p0,p1,p2');
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['0', '1', '2']);
    } finally {
      t.cleanup();
    }
  });
});
