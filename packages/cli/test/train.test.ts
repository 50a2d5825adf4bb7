import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromCheckpoint, type Checkpoint } from '@gradstream/graph';
import { xor } from '@gradstream/datasets';
import type { TrainEvent } from '@gradstream/trainer';
import { ROOT, run, tempDir } from './capture.js';

const XOR_SPEC = join(ROOT, 'examples/specs/xor.json');

const jsonLines = (stdout: string): TrainEvent[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TrainEvent);

/** Index of the first smallest value (a later equal value is no improvement). */
const argmin = (values: readonly number[]): number => values.reduce((best, v, i) => (v < (values[best] as number) ? i : best), 0);

describe('gradstream train', () => {
  it('--json prints one JSON event per line, in protocol order', async () => {
    // XOR's 4 samples in batches of 2: two steps per epoch
    const { code, stdout } = await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--epochs', '3', '--batch', '2', '--json']);
    expect(code).toBe(0);
    const events = jsonLines(stdout);
    const epoch = ['epochStart', 'batch', 'batch', 'epoch'];
    expect(events.map((e) => e.type)).toEqual(['start', ...epoch, ...epoch, ...epoch, 'end']);
    expect(events.flatMap((e) => (e.type === 'batch' ? [e.step] : []))).toEqual([1, 2, 3, 4, 5, 6]);
    const start = events[0];
    expect(start?.type === 'start' && start.config).toMatchObject({ epochs: 3, batchSize: 2, samples: 4, optimizer: { name: 'adam', lr: 0.01 } });
    const end = events[events.length - 1];
    expect(end).toMatchObject({ type: 'end', reason: 'completed', epochs: 3, steps: 6 });
  });

  it('--backend and --threads choose the kernels, --verbose says which on stderr, the start event carries it', async () => {
    const ts = await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--epochs', '1', '--json', '--backend', 'ts', '--verbose']);
    expect(ts.code).toBe(0);
    expect(ts.stderr).toMatch(/^backend {5}ts: TypeScript \(reference kernels, one thread\)$/m);
    const start = jsonLines(ts.stdout)[0];
    expect(start?.type === 'start' && start.config.backend).toBe('ts: TypeScript (reference kernels, one thread)');
    const wasm = await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--epochs', '1', '--json', '--backend', 'wasm', '--threads', '1']);
    expect(wasm.code).toBe(0);
    const wasmStart = jsonLines(wasm.stdout)[0];
    expect(wasmStart?.type === 'start' && wasmStart.config.backend).toBe('wasm: WebAssembly SIMD128, 1 thread');
    const bad = await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--backend', 'gpu']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--backend <name>' argument 'gpu' is invalid\. expected ts, wasm, webgpu or auto\./);
    // the same numbers within float32 rounding on either backend
    const loss = (out: string) => (jsonLines(out).find((e) => e.type === 'epoch') as { loss: number }).loss;
    expect(Math.abs(loss(ts.stdout) - loss(wasm.stdout))).toBeLessThan(1e-5);
  });

  it('prints one line per epoch and the loss chart on stderr when it is not a terminal, the scores on stdout', async () => {
    const { code, stdout, stderr } = await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--epochs', '3', '--batch', '4', '--optimizer', 'adam', '--lr', '0.05']);
    expect(code).toBe(0);
    const epochLines = stderr.split('\n').filter((l) => l.startsWith('epoch '));
    expect(epochLines.map((l) => l.slice(0, 9))).toEqual(['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
    // targets 0/1 under an mse loss: regression metrics and accuracy
    expect(epochLines[0]).toMatch(/loss \S+ {2}mse \S+ {2}mae \S+ {2}accuracy \S+ {2}[\d,]+ samples\/s$/);
    expect(stderr).toContain('loss per epoch (epochs 1…3)');
    expect(stderr).toMatch(/┼/);
    expect(stdout).not.toMatch(/^epoch |┼|loss per epoch/m);
    expect(stdout).toMatch(/^completed: 3 epoch\(s\), 3 step\(s\) in /m);
    expect(stdout).toMatch(/^training {4}loss /m);
  });

  it('draws a progress bar on stderr when it is a terminal', async () => {
    const { code, stdout, stderr } = await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--epochs', '4', '--batch', '2'], { tty: true });
    expect(code).toBe(0);
    expect(stderr).toMatch(/epoch 4\/4 \S+ batch 2\/2 \| loss \S+ \| [\d,]+ samples\/s \| ETA \S+/);
    expect(stderr).toContain('\u001b[?25l'); // the cursor is hidden while the bar is drawn…
    expect(stderr).toContain('\u001b[?25h'); // …and shown again
    expect(stderr.split('\n').filter((l) => l.startsWith('epoch '))).toHaveLength(0);
    expect(stdout).not.toContain('\u001b[');
  });

  it('keeps the epoch of lowest training loss in --checkpoint, and eval scores it', async () => {
    const t = tempDir();
    try {
      const trained = await run(
        // a learning rate high enough that the loss goes up again after its lowest epoch
        ['train', XOR_SPEC, '--data', 'builtin:xor', '--epochs', '40', '--batch', '4', '--optimizer', 'adam', '--lr', '0.2', '--seed', '3', '--checkpoint', 'best.json', '--json'],
        { cwd: t.dir },
      );
      expect(trained.code).toBe(0);
      const losses = jsonLines(trained.stdout).flatMap((e) => (e.type === 'epoch' ? [e.loss] : []));
      expect(losses).toHaveLength(40);
      const saved = JSON.parse(readFileSync(join(t.dir, 'best.json'), 'utf8')) as Checkpoint;
      expect(argmin(losses)).toBeLessThan(39);
      expect(saved.epoch).toBe(argmin(losses) + 1);
      expect(saved.meta).toMatchObject({ monitor: 'loss', value: Math.min(...losses) });

      // The loss eval reports is ½·mean Σ(ŷ − y)² of the saved parameters' predictions.
      const { model } = fromCheckpoint(saved);
      const data = xor();
      const pred = model.predict(data.x).toArray() as number[][];
      const expected = pred.reduce((s, [p], i) => s + 0.5 * ((p as number) - (data.y[i]?.[0] as number)) ** 2, 0) / pred.length;
      const hits = pred.filter(([p], i) => ((p as number) >= 0.5) === ((data.y[i]?.[0] as number) >= 0.5)).length;

      const scored = await run(['eval', 'best.json', '--data', 'builtin:xor', '--json'], { cwd: t.dir });
      expect(scored.code).toBe(0);
      const result = JSON.parse(scored.stdout) as { epoch: number; samples: number; loss: number; metrics: Record<string, number> };
      expect(result.epoch).toBe(saved.epoch);
      expect(result.samples).toBe(4);
      expect(result.loss).toBeCloseTo(expected, 6);
      expect(result.metrics.accuracy).toBe(hits / 4);

      const text = await run(['eval', 'best.json', '--data', 'builtin:xor'], { cwd: t.dir });
      expect(text.stdout).toMatch(new RegExp(`^accuracy +\\S+ \\(${hits}/4\\)$`, 'm'));
      expect(text.stdout).toMatch(/^mae +\S+$/m);
    } finally {
      t.cleanup();
    }
  });

  it('with --val scores the held-out samples each epoch and keeps the epoch of lowest validation loss', async () => {
    const t = tempDir();
    try {
      const argv = ['train', XOR_SPEC, '--data', 'builtin:spirals?samples=40', '--epochs', '12', '--batch', '8', '--val', '0.25', '--optimizer', 'adam', '--lr', '0.02'];
      const json = await run([...argv, '--checkpoint', 'best.json', '--json'], { cwd: t.dir });
      expect(json.code).toBe(0);
      const events = jsonLines(json.stdout);
      const start = events[0];
      expect(start?.type === 'start' && start.config.samples).toBe(30);
      expect(start?.type === 'start' && start.config.validationSamples).toBe(10);
      const val = events.flatMap((e) => (e.type === 'epoch' && e.validation ? [e.validation.loss] : []));
      expect(val).toHaveLength(12);
      expect(argmin(val)).toBeLessThan(11);
      const saved = JSON.parse(readFileSync(join(t.dir, 'best.json'), 'utf8')) as Checkpoint;
      expect(saved.epoch).toBe(argmin(val) + 1);
      expect(saved.meta).toMatchObject({ monitor: 'val_loss', value: Math.min(...val) });

      const text = await run(argv, { cwd: t.dir });
      expect(text.stdout).toMatch(/^validation {2}loss \S+ {2}mse \S+ {2}mae \S+ {2}accuracy \S+ {2}\(held out: 10 samples, 25% of the data, shuffled with --seed 0, stratified by class\)$/m);
      expect(text.stderr.split('\n').filter((l) => l.startsWith('epoch '))[0]).toMatch(/val_loss \S+ {2}val_mse/);
    } finally {
      t.cleanup();
    }
  });

  it('exits 1 when training diverges, and 1 with the data error for bad data', async () => {
    const diverged = await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--lr', '1e30', '--epochs', '5', '--batch', '2']);
    expect(diverged.code).toBe(1);
    expect(diverged.stdout).toMatch(/^diverged at step \d+/m);
    const t = tempDir({ 'wide.csv': '0,1,2,3\n' });
    try {
      const bad = await run(['train', XOR_SPEC, '--data', 'wide.csv'], { cwd: t.dir });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('error (INVALID_DATA): wide.csv, row 1 (line 1): 4 column(s), but the model takes 2 input column(s) followed by 1 target column(s) = 3');
    } finally {
      t.cleanup();
    }
  });

  it('exits 2 on bad options', async () => {
    const epochs = await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--epochs', '0']);
    expect(epochs.code).toBe(2);
    expect(epochs.stderr).toMatch(/--epochs.*expected a positive integer/);
    const optimizer = await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--optimizer', 'rmsprop']);
    expect(optimizer.code).toBe(2);
    expect(optimizer.stderr).toMatch(/Allowed choices are sgd, momentum, adam, adamw/);
    expect((await run(['train', XOR_SPEC])).code).toBe(2);
  });
});
