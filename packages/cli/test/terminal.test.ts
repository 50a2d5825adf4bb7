import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromSpec } from '@gradstream/graph';
import type { TrainEvent } from '@gradstream/trainer';
import { loadData } from '../src/index.js';
import { exitCodeOf } from '../src/exit-codes.js';
import { launchCwd } from '../src/launch-cwd.js';
import { terminalCapabilities } from '../src/terminal.js';
import { ROOT, run, tempDir } from './capture.js';

const XOR_SPEC = join(ROOT, 'examples/specs/xor.json');
// 3 epochs of XOR with a held-out quarter: a chart of two series (coloured, or two charts without colour)
const TRAIN = ['train', XOR_SPEC, '--data', 'builtin:spirals?samples=40', '--epochs', '3', '--batch', '8', '--val', '0.25'];
const ESC = '\u001b[';
const SGR = /\u001b\[[\d;]*m/;
const BLUE = '\u001b[34m';
/** Lines of stdout that are results: the train summary. */
const SUMMARY = /^(completed: |training {4}loss |validation {2}loss |checkpoint {2})/;

const dataLines = (stdout: string): string[] => stdout.split('\n').filter((l) => l !== '');

describe('terminalCapabilities', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    ['a terminal', tty, {}, { color: true, cursor: true }],
    ['a pipe', pipe, {}, { color: false, cursor: false }],
    ['a stream that does not say', {}, { FORCE_COLOR: '' }, { color: false, cursor: false }],
    ['NO_COLOR=1 on a terminal', tty, { NO_COLOR: '1' }, { color: false, cursor: true }],
    ['NO_COLOR= (empty) on a terminal', tty, { NO_COLOR: '' }, { color: true, cursor: true }],
    ['FORCE_COLOR=1 on a pipe', pipe, { FORCE_COLOR: '1' }, { color: true, cursor: false }],
    ['FORCE_COLOR=0 on a terminal', tty, { FORCE_COLOR: '0' }, { color: true, cursor: true }],
    ['FORCE_COLOR=0 on a pipe', pipe, { FORCE_COLOR: '0' }, { color: false, cursor: false }],
    ['NO_COLOR and FORCE_COLOR', pipe, { NO_COLOR: 'yes', FORCE_COLOR: '3' }, { color: false, cursor: false }],
    ['TERM=dumb on a terminal', tty, { TERM: 'dumb' }, { color: false, cursor: false }],
    ['TERM=dumb with FORCE_COLOR', tty, { TERM: 'dumb', FORCE_COLOR: '1' }, { color: true, cursor: false }],
  ])('%s', (_what, stream, env, expected) => {
    expect(terminalCapabilities(stream, env)).toEqual(expected);
  });
});

describe('progress and chart go to stderr, results to stdout', () => {
  it('a terminal: the bar, in colour, on stderr; stdout holds only the summary', async () => {
    const { code, stdout, stderr } = await run(TRAIN, { tty: true });
    expect(code).toBe(0);
    expect(stderr).toMatch(/epoch 3\/3 \S+ batch 4\/4 \| loss \S+/);
    expect(stderr).toContain(`${ESC}?25l`);
    expect(stderr).toContain(`loss per epoch (epochs 1…3): training, ${BLUE}validation`);
    expect(stdout).not.toContain(ESC);
    expect(dataLines(stdout).every((l) => SUMMARY.test(l))).toBe(true);
    expect(dataLines(stdout).map((l) => l.split(' ')[0])).toEqual(['completed:', 'training', 'validation']);
  });

  it('NO_COLOR: no colour in the bar or the chart, which becomes two charts', async () => {
    const { code, stdout, stderr } = await run(TRAIN, { tty: true, env: { NO_COLOR: '1' } });
    expect(code).toBe(0);
    expect(stderr).toMatch(/epoch 3\/3 \S+ batch 4\/4/); // still a bar: NO_COLOR is about colour only
    expect(stderr).not.toMatch(SGR);
    expect(stderr).toContain('training loss per epoch (epochs 1…3)');
    expect(stderr).toContain('validation loss per epoch');
    expect(stdout).not.toMatch(SGR);
  });

  it('FORCE_COLOR colours the chart on a pipe, without cursor codes; NO_COLOR wins over it', async () => {
    const forced = await run(TRAIN, { env: { FORCE_COLOR: '1' } });
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain(`training, ${BLUE}validation`);
    expect(forced.stderr).not.toContain(`${ESC}?25l`);
    expect(forced.stderr.split('\n').filter((l) => l.startsWith('epoch '))).toHaveLength(3);
    const both = await run(TRAIN, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(both.stderr).not.toMatch(SGR);
  });

  it('TERM=dumb: one plain line per epoch on stderr, no escape codes anywhere', async () => {
    const { code, stdout, stderr } = await run(TRAIN, { tty: true, env: { TERM: 'dumb' } });
    expect(code).toBe(0);
    expect(stderr).not.toContain(ESC);
    expect(stdout).not.toContain(ESC);
    expect(stderr.split('\n').filter((l) => l.startsWith('epoch ')).map((l) => l.slice(0, 9))).toEqual(['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
    expect(dataLines(stdout).every((l) => SUMMARY.test(l))).toBe(true);
  });

  it('stderr not a terminal (stdout one): no cursor codes, plain epoch lines on stderr, none on stdout', async () => {
    const { code, stdout, stderr } = await run(TRAIN, { stdoutTty: true, stderrTty: false });
    expect(code).toBe(0);
    expect(stderr).not.toContain(ESC);
    expect(stdout).not.toContain(ESC);
    expect(stderr.split('\n').filter((l) => l.startsWith('epoch '))).toHaveLength(3);
    expect(stderr).toContain('training loss per epoch (epochs 1…3)');
    expect(dataLines(stdout).map((l) => l.split(' ')[0])).toEqual(['completed:', 'training', 'validation']);
  });

  it('--json: only JSON events on stdout and nothing drawn on stderr', async () => {
    const { code, stdout, stderr } = await run([...TRAIN, '--json'], { tty: true });
    expect(code).toBe(0);
    const events = dataLines(stdout).map((l) => JSON.parse(l) as TrainEvent);
    expect(events[0]?.type).toBe('start');
    expect(events[events.length - 1]?.type).toBe('end');
    expect(stderr).toBe('');
  });
});

describe('--data - reads stdin', () => {
  const CSV = 'x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n';

  it('train takes CSV from stdin', async () => {
    const { code, stdout } = await run(['train', XOR_SPEC, '--data', '-', '--epochs', '1', '--batch', '4', '--json'], { stdin: CSV });
    expect(code).toBe(0);
    const start = JSON.parse(dataLines(stdout)[0] as string) as TrainEvent;
    expect(start.type === 'start' && start.config.samples).toBe(4);
  });

  it('eval takes JSON from stdin (it starts with { or [) and names it stdin', async () => {
    const t = tempDir();
    try {
      expect((await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--epochs', '2', '--checkpoint', 'c.json', '--json'], { cwd: t.dir })).code).toBe(0);
      const json = JSON.stringify([{ x: [0, 0], y: 0 }, { x: [0, 1], y: 1 }, { x: [1, 1], y: 0 }]);
      const { code, stdout } = await run(['eval', 'c.json', '--data', '-', '--json'], { cwd: t.dir, stdin: `  ${json}` });
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ data: 'stdin', samples: 3 });
    } finally {
      t.cleanup();
    }
  });

  it('explain takes its sample from the first row of stdin; a bad row names stdin', async () => {
    const explained = await run(['explain', XOR_SPEC, '--data', '-'], { stdin: '1,0,1\n0,0,0\n' });
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('(the first sample of stdin)');
    const bad = await run(['train', XOR_SPEC, '--data', '-'], { stdin: '0,0,0\n0,abc,1\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error (INVALID_DATA): stdin, row 2 (line 2), column 2: "abc" is not a number');
  });

  it('loadData reads chunks of text or bytes, split anywhere', async () => {
    const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } });
    async function* chunks(): AsyncGenerator<string | Uint8Array> {
      yield '0,0,0\n0,';
      yield new TextEncoder().encode('1,1\n1,0,1');
      yield '\n1,1,0\n';
    }
    const data = await loadData('-', model, ROOT, chunks());
    expect(data.source).toBe('stdin');
    expect(data.x).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(data.y).toEqual([[0], [1], [1], [0]]);
  });
});

describe('exit codes: 2 for a malformed command line, 1 for failed work', () => {
  it('an unknown built-in dataset is a usage error', async () => {
    const { code, stderr } = await run(['train', XOR_SPEC, '--data', 'builtin:nope']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error \(INVALID_USAGE\): --data builtin:nope: unknown built-in dataset "nope"; known: builtin:xor, /m);
  });

  it('so are an unknown or malformed setting and one the generator refuses, in every command', async () => {
    expect((await run(['train', XOR_SPEC, '--data', 'builtin:spirals?size=3'])).code).toBe(2);
    expect((await run(['explain', XOR_SPEC, '--data', 'builtin:spirals?samples=1.5'])).code).toBe(2);
    const digits = await run(['train', XOR_SPEC, '--data', 'builtin:digits?train=9000&test=2000']);
    expect(digits.code).toBe(2);
    expect(digits.stderr).toContain('error (INVALID_USAGE): --data builtin:digits?train=9000&test=2000: digits: train + test must be at most 10000');
  });

  it('bad data and a missing file stay failures', async () => {
    const t = tempDir({ 'bad.csv': '0,0,x\n' });
    try {
      expect((await run(['train', XOR_SPEC, '--data', 'bad.csv'], { cwd: t.dir })).code).toBe(1);
      expect((await run(['train', XOR_SPEC, '--data', 'missing.csv'], { cwd: t.dir })).code).toBe(1);
    } finally {
      t.cleanup();
    }
  });

  it('exitCodeOf maps by error code', async () => {
    const { GradstreamError } = await import('@gradstream/tensor');
    expect(exitCodeOf(new GradstreamError('INVALID_USAGE', 'x'))).toBe(2);
    expect(exitCodeOf(new GradstreamError('INVALID_OPTION', 'x'))).toBe(1);
    expect(exitCodeOf(new Error('x'))).toBe(1);
  });
});

describe('launchCwd: relative paths start where the command was run', () => {
  it.each([
    ['pnpm gradstream from a subdirectory', { INIT_CWD: '/repo/examples/specs', npm_lifecycle_event: 'gradstream', PNPM_SCRIPT_SRC_DIR: '/repo' }, '/repo/examples/specs'],
    ['npm run gradstream from a subdirectory', { INIT_CWD: '/repo/examples', npm_lifecycle_event: 'gradstream', npm_command: 'run' }, '/repo/examples'],
    ['the binary run directly', {}, '/repo'],
    ['the binary run directly under an inherited INIT_CWD', { INIT_CWD: '/home/me' }, '/repo'],
    ['another package script that runs the binary', { INIT_CWD: '/home/me', npm_lifecycle_event: 'start', npm_command: 'run-script' }, '/repo'],
    ['an empty INIT_CWD', { INIT_CWD: '', npm_lifecycle_event: 'gradstream' }, '/repo'],
  ])('%s', (_what, env, expected) => {
    expect(launchCwd(env, '/repo')).toBe(expected);
  });
});
