import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './capture.js';

const spec = (layers: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ version: 1, inputShape: [2], layers, loss: { op: 'mse' }, ...extra });

describe('gradstream validate', () => {
  it('says a good spec is valid, with its layer and parameter counts', async () => {
    // xor.json: linear 2→8 (16 weights + 8 biases), tanh, linear 8→1 (8 + 1) = 33 parameters
    const { code, stdout } = await run(['validate', 'examples/specs/xor.json']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('valid: 3 layers, 33 parameters (132 B; to train at batch size 1: 420 B, 32: 4.9 KiB, 256: 37 KiB)');
  });

  it('accepts layers that leave inFeatures out, each width read off the layer before, and still checks a given one', async () => {
    // linear 2→8 (16 + 8), tanh, dense 8→1 (8 + 1): the same 33 parameters as xor.json, which spells the widths out
    const t = tempDir({
      'widths.json': spec([{ op: 'linear', outFeatures: 8 }, { op: 'tanh' }, { op: 'dense', outFeatures: 1 }]),
      'wrong.json': spec([{ op: 'linear', outFeatures: 8 }, { op: 'tanh' }, { op: 'dense', inFeatures: 4, outFeatures: 1 }]),
    });
    try {
      const ok = await run(['validate', 'widths.json'], { cwd: t.dir });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^valid: 3 layers, 33 parameters /);
      const wrong = await run(['validate', 'wrong.json'], { cwd: t.dir });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toBe('wrong.json: invalid model:\nlayers/2: node "dense_1" (dense), input x: expected [batch,4], got [1,8]\n');
    } finally {
      t.cleanup();
    }
  });

  it('prints every schema problem with its JSON path, one per line, all on stderr, and exits 1', async () => {
    const t = tempDir({
      'bad.json': spec([
        { op: 'linear', inFeatures: 2, outFeatures: 4 },
        { op: 'linear', inFeatures: 4, outFeatures: 0 },
        { op: 'sigmoidd' },
      ]),
    });
    try {
      const { code, stdout, stderr } = await run(['validate', 'bad.json'], { cwd: t.dir });
      expect(code).toBe(1);
      // the report is a diagnostic: header and problem lines together on stderr, nothing on stdout
      expect(stdout).toBe('');
      const [header, ...lines] = stderr.trim().split('\n');
      expect(header).toBe('bad.json: invalid model spec, 2 problem(s):');
      expect(lines).toContain('layers/1/outFeatures must be >= 1');
      expect(lines.some((l) => l.startsWith('layers/2/op must be one of ['))).toBe(true);
      expect(lines).toHaveLength(2);
    } finally {
      t.cleanup();
    }
  });

  it('suggests the closest op and option name for a misspelling', async () => {
    const t = tempDir({ 'typo.json': spec([{ op: 'linear', inFeatures: 2, outFeature: 4 }, { op: 'tanhh' }]) });
    try {
      const { code, stderr } = await run(['validate', 'typo.json'], { cwd: t.dir });
      expect(code).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toContain('layers/0/outFeature is not a known property (did you mean "outFeatures"?)');
      expect(lines.find((l) => l.startsWith('layers/1/op '))).toMatch(/^layers\/1\/op must be one of \[.*"relu".*\], got "tanhh" \(did you mean "tanh"\?\)$/);
    } finally {
      t.cleanup();
    }
  });

  it('offers only loss ops for the loss', async () => {
    const t = tempDir({ 'loss.json': spec([{ op: 'linear', inFeatures: 2, outFeatures: 1 }], { loss: { op: 'relu' } }) });
    try {
      const { code, stdout, stderr } = await run(['validate', 'loss.json'], { cwd: t.dir });
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe('loss.json: invalid model spec, 1 problem(s):\nloss/op must be one of ["huber","mae","mse","sigmoidCrossEntropy","softmaxCrossEntropy"], got "relu"\n');
    } finally {
      t.cleanup();
    }
  });

  it('names the layer of a wiring or shape problem found while building', async () => {
    const t = tempDir({
      'wiring.json': spec([{ op: 'linear', inFeatures: 2, outFeatures: 4 }, { op: 'add', inputs: ['linear_1', 'nowhere'] }]),
      'shapes.json': spec([{ op: 'linear', inFeatures: 2, outFeatures: 4 }, { op: 'tanh' }, { op: 'linear', inFeatures: 3, outFeatures: 1 }]),
    });
    try {
      const wiring = await run(['validate', 'wiring.json'], { cwd: t.dir });
      expect(wiring.code).toBe(1);
      expect(wiring.stdout).toBe('');
      expect(wiring.stderr).toMatch(/^wiring\.json: invalid model:\nlayers\/1\/inputs\/1: unknown value "nowhere"/);
      const shapes = await run(['validate', 'shapes.json'], { cwd: t.dir });
      expect(shapes.code).toBe(1);
      // the third layer (linear_2) expects 3 features but reads tanh_1's 4
      expect(shapes.stderr).toMatch(/^shapes\.json: invalid model:\nlayers\/2: node "linear_2" \(linear\)/);
    } finally {
      t.cleanup();
    }
  });

  it('names the layer whose window no longer fits the image a conv/pool chain shrank, with the shapes', async () => {
    // 6×6 → conv 3×3 → 4×4 → pool → 2×2 → pool → 1×1: the third pool's 2×2 window has 1×1 left.
    const t = tempDir({
      'cnn.json': spec(
        [
          { op: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' },
          { op: 'maxPool2d', poolSize: 2 },
          { op: 'maxPool2d', poolSize: 2 },
          { op: 'maxPool2d', poolSize: 2 },
          { op: 'flatten' },
        ],
        { inputShape: [6, 6, 1] },
      ),
    });
    try {
      const { code, stdout, stderr } = await run(['validate', 'cnn.json'], { cwd: t.dir });
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        /^cnn\.json: invalid model:\nlayers\/3: node "maxPool2d_3" \(maxPool2d\), input x: a 2×2 window \(stride 2, padding valid\) does not fit \[batch,1,1,16\]: it needs at least 2×2 pixels; use a smaller window, or padding 'same'/,
      );
    } finally {
      t.cleanup();
    }
  });

  it('says clearly when the file is not JSON', async () => {
    const t = tempDir({ 'data.csv': 'a,b\n1,2\n', 'empty.json': '' });
    try {
      const csv = await run(['validate', 'data.csv'], { cwd: t.dir });
      expect(csv.code).toBe(1);
      expect(csv.stderr).toMatch(/^error \(INVALID_SPEC\): data\.csv: not a JSON file/);
      const empty = await run(['validate', 'empty.json'], { cwd: t.dir });
      expect(empty.code).toBe(1);
      expect(empty.stderr).toContain('empty.json: the file is empty');
      const missing = await run(['validate', 'nope.json'], { cwd: t.dir });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(`error (FILE_ERROR): readSpec ${join(t.dir, 'nope.json')}: no such file\n`);
    } finally {
      t.cleanup();
    }
  });

  it('places a truncated file at the end of its text', async () => {
    // JSON.parse names no position here ("Unexpected end of JSON input"); the text ends on line 3 after 13 characters.
    const t = tempDir({ 'cut.json': '{\n  "version": 1,\n  "layers": [', 'cut-newline.json': '{"version":1,"inputShape":[\n' });
    try {
      const cut = await run(['validate', 'cut.json'], { cwd: t.dir });
      expect(cut.code).toBe(1);
      expect(cut.stderr).toMatch(/^error \(INVALID_SPEC\): cut\.json: not a JSON file \(line 3, column 14\): Unexpected end of JSON input;/);
      const newline = await run(['validate', 'cut-newline.json'], { cwd: t.dir });
      expect(newline.stderr).toMatch(/^error \(INVALID_SPEC\): cut-newline\.json: not a JSON file \(line 2, column 1\): Unexpected end of JSON input;/);
    } finally {
      t.cleanup();
    }
  });

  it('exits 2 on a usage error', async () => {
    const { code, stderr } = await run(['validate']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/missing required argument 'spec'/);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});

describe('gradstream with a convolutional spec', () => {
  // examples/specs/digits-cnn.json: conv 5×5×1→8 (200 + 8), conv 5×5×8→16 (3200 + 16), dense 784→10 (7840 + 10) = 11,274
  it('validates it, the channels and widths read off the layers before', async () => {
    const { code, stdout } = await run(['validate', 'examples/specs/digits-cnn.json']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^valid: 7 layers, 11274 parameters /);
  });

  it('trains it on the built-in digits: over 85% held out after one epoch', { timeout: 120_000 }, async () => {
    const { code, stdout } = await run(['train', 'examples/specs/digits-cnn.json', '--data', 'builtin:digits', '--epochs', '1', '--batch', '64', '--lr', '0.003', '--val', '0.2', '--json']);
    expect(code).toBe(0);
    const epoch = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; validation?: { metrics: { accuracy: number } } })
      .find((e) => e.type === 'epoch');
    expect(epoch?.validation?.metrics.accuracy).toBeGreaterThan(0.85);
  });
});
