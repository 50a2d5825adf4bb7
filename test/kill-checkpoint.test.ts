/*
 * A checkpoint write killed with SIGKILL at a random moment leaves the previous checkpoint (or the
 * new one, if the rename was done) loadable and verified: never a torn or missing file.
 *
 * A child process (test/support/checkpoint-writer.mjs, bundled with the packages' sources) trains
 * a model of a million parameters a little and writes its checkpoint (a 5.6 MB file), again
 * and again, printing `begin` and `done` around each write with a hash of the parameters written.
 * The parent kills it at a random time in its third write or just after, then loads the file with
 * `loadCheckpoint` (which verifies the checksum) and checks that it holds the last completed write
 * or the one in flight, parameter for parameter. The next child writes to the same file beside
 * whatever temporary files the kills left; the last one resumes from the file.
 *
 * 20 kills by default (two chains of children in parallel, each in its own directory); more on demand:
 *   GRADSTREAM_KILL_RUNS=200 npx vitest run test/kill-checkpoint.test.ts
 * GRADSTREAM_KILL_SEED picks other kill times.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '@gradstream/graph';
import { loadCheckpoint } from '@gradstream/graph/node';
import '@gradstream/ops';
import { Rng } from '@gradstream/tensor';
import { recordFigure } from './support/figures.js';
import { packageSourcesPlugin } from './support/package-sources.js';

const KILLS = Number(process.env.GRADSTREAM_KILL_RUNS ?? 20);
const SEED = Number(process.env.GRADSTREAM_KILL_SEED ?? 1);
// Two children at a time: one per core of a CI machine, so 20 kills take about 10 s, not 20.
const CHAINS = 2;
const WRITER = fileURLToPath(new URL('./support/checkpoint-writer.mjs', import.meta.url));
const CHECKPOINT = 'model.ckpt.json';
/** Writes before the one a kill aims at: the first runs cold (code not yet optimized) and takes longer than the rest. */
const WARM_WRITES = 2;

/** What one child printed, and how it ended. */
interface ChildRun {
  readonly pid: number;
  /** Where it started: undefined for a fresh model, else the step and parameter hash it loaded. */
  readonly resumed: { readonly step: number; readonly hash: string } | undefined;
  /** Every write it began: step → parameter hash. */
  readonly begun: ReadonlyMap<number, string>;
  /** Every write that returned. */
  readonly done: readonly number[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** What a kill left behind, as the parent found it. */
interface KillOutcome {
  readonly run: ChildRun;
  /** The write running when the child died, if one was. */
  readonly inFlight: number | undefined;
  /** Temporary files the kill left (those earlier kills left are not counted). */
  readonly temps: readonly string[];
  /** The step the checkpoint file holds. */
  readonly step: number;
}

/** SHA-256 over every parameter's bytes in model order: the child computes the same over its parameters. */
function parameterHash(model: Model): string {
  const h = createHash('sha256');
  for (const p of model.parameters()) h.update(new Uint8Array(p.value.data.buffer, p.value.data.byteOffset, p.value.data.byteLength));
  return h.digest('hex');
}

/**
 * Runs the writer on `path`. With `killIn`, once `WARM_WRITES` writes have returned, the next
 * write's `begin` line arms a SIGKILL after `killIn(lastWriteMs)` milliseconds (`lastWriteMs`: how
 * long the last write took, `begin` to `done`, as the parent saw it).
 */
function runWriter(path: string, args: readonly string[], killIn?: (lastWriteMs: number) => number): Promise<ChildRun> {
  // The test runner's Node options are not the child's.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, path, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const begun = new Map<number, string>();
    const done: number[] = [];
    let resumed: ChildRun['resumed'];
    let out = '';
    let stderr = '';
    let lastBegin = 0;
    let lastWriteMs = 0;
    let armed = false;
    const line = (text: string): void => {
      const [word, step, hash] = text.split(' ');
      if (word === 'resumed') resumed = { step: Number(step), hash: hash as string };
      else if (word === 'begin') {
        begun.set(Number(step), hash as string);
        lastBegin = performance.now();
        if (killIn !== undefined && !armed && done.length >= WARM_WRITES) {
          armed = true;
          setTimeout(() => child.kill('SIGKILL'), killIn(lastWriteMs));
        }
      } else if (word === 'done') {
        done.push(Number(step));
        lastWriteMs = performance.now() - lastBegin;
      }
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
        line(out.slice(0, i));
        out = out.slice(i + 1);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    // 'close', not 'exit': every line the child wrote before it died has been read by then.
    child.on('close', (code, signal) => resolve({ pid: child.pid as number, resumed, begun, done, code, signal, stderr }));
  });
}

async function tempsIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.startsWith(`.${CHECKPOINT}.`) && f.endsWith('.tmp'));
}

/**
 * Starts a writer on the chain's checkpoint from `firstStep` on and kills it at a random time in
 * its third write (or just after it).
 */
async function killOnce(dir: string, rng: Rng, firstStep: number): Promise<Omit<KillOutcome, 'step'>> {
  const before = new Set(await tempsIn(dir));
  // Uniform over a write and a quarter: most kills land in the write, some after it.
  const run = await runWriter(join(dir, CHECKPOINT), ['--first-step', String(firstStep)], (lastWriteMs) => rng.next() * 1.25 * lastWriteMs);
  expect(run.stderr).toBe('');
  expect(run.signal).toBe('SIGKILL');
  expect(run.done.length).toBeGreaterThanOrEqual(WARM_WRITES);
  const lastDone = run.done[run.done.length - 1] as number;
  const lastBegun = Math.max(...run.begun.keys());
  const temps = (await tempsIn(dir)).filter((f) => !before.has(f));
  return { run, inFlight: lastBegun > lastDone ? lastBegun : undefined, temps };
}

/** Loads the checkpoint a kill left (verifying its checksum) and checks it holds a write of the killed child. */
async function verify(dir: string, killed: Omit<KillOutcome, 'step'>): Promise<KillOutcome & { hash: string }> {
  const { run, inFlight } = killed;
  const loaded = await loadCheckpoint(join(dir, CHECKPOINT), { backend: 'ts' });
  const step = loaded.step as number;
  const lastDone = run.done[run.done.length - 1] as number;
  // The last completed write, or the one in flight if its rename was done before the kill.
  expect(inFlight === undefined ? [lastDone] : [lastDone, inFlight]).toContain(step);
  const hash = parameterHash(loaded.model);
  expect(hash).toBe(run.begun.get(step));
  expect(loaded.meta).toEqual({ writer: run.pid });
  return { ...killed, step, hash };
}

/** The writer bundled into one file, made before the first test. */
let writer = '';

/**
 * Bundles the writer with `@gradstream/*` resolved to the packages' TypeScript sources, as vitest
 * resolves them: the child runs the code under test, not a dist/ that may predate it.
 */
async function bundleWriter(dir: string): Promise<string> {
  const outfile = join(dir, 'checkpoint-writer.mjs');
  await build({
    entryPoints: [WRITER],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // CommonJS dependencies bundled into ESM still `require` Node's built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [packageSourcesPlugin(fileURLToPath(new URL('../', import.meta.url)))],
  });
  return outfile;
}

describe('a checkpoint write killed with SIGKILL', () => {
  const dirs: string[] = [];
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradstream-kill-writer-'));
    dirs.push(dir);
    writer = await bundleWriter(dir);
  });
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it(`leaves the previous checkpoint loadable and verified (${KILLS} kills)`, { timeout: 60_000 + KILLS * 3_000 }, async () => {
    const started = performance.now();
    const chains = await Promise.all(
      Array.from({ length: CHAINS }, async (_, c) => {
        const dir = await mkdtemp(join(tmpdir(), 'gradstream-kill-'));
        dirs.push(dir);
        return {
          dir,
          rng: Rng.fromSeed(SEED * 1000 + c),
          outcomes: [] as KillOutcome[],
          previous: undefined as { step: number; hash: string } | undefined,
          firstStep: 1,
        };
      }),
    );
    for (let k = 0; k < KILLS; k += CHAINS) {
      const round = chains.slice(0, Math.min(CHAINS, KILLS - k));
      const killed = await Promise.all(round.map((chain) => killOnce(chain.dir, chain.rng, chain.firstStep)));
      // Checked once no child runs: a load in this process would hold up another child's kill timer.
      for (const [i, chain] of round.entries()) {
        const { hash, ...outcome } = await verify(chain.dir, killed[i] as Omit<KillOutcome, 'step'>);
        chain.outcomes.push(outcome);
        chain.previous = { step: outcome.step, hash };
        // Steps never repeat in a chain, so a file left by an earlier child cannot pass for this one's.
        chain.firstStep = Math.max(...outcome.run.begun.keys()) + 1;
      }
    }
    const outcomes = chains.flatMap((c) => c.outcomes);
    const midWrite = outcomes.filter((o) => o.inFlight !== undefined).length;
    const withTemp = outcomes.filter((o) => o.temps.length > 0).length;
    const renamed = outcomes.filter((o) => o.inFlight !== undefined && o.step === o.inFlight).length;
    const seconds = (performance.now() - started) / 1000;
    recordFigure({ kind: 'kill', runs: outcomes.length, survived: outcomes.length, midWrite, withTemp, afterRename: renamed, seconds: Math.round(seconds * 10) / 10 });
    expect(outcomes).toHaveLength(KILLS);
    // Kills that all landed between writes would prove nothing about torn files; some must have
    // caught the temporary file half written.
    expect(midWrite).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));
    expect(withTemp).toBeGreaterThanOrEqual(1);

    // Each chain ends with a child that resumes from what the last kill left, writes once and exits:
    // temporary files the kills left stand in the way of neither a load nor a later write.
    for (const chain of chains) {
      const path = join(chain.dir, CHECKPOINT);
      const run = await runWriter(path, ['--resume', '--saves', '1']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.resumed).toEqual(chain.previous);
      const loaded = await loadCheckpoint(path, { backend: 'ts' });
      expect(loaded.step).toBe((chain.previous?.step ?? 0) + 1);
      expect(parameterHash(loaded.model)).toBe(run.begun.get(loaded.step as number));
    }
    const leftovers = (await Promise.all(chains.map((c) => tempsIn(c.dir)))).flat();
    recordFigure({ kind: 'leftover', temporaryFiles: leftovers.length });
  });

  it('saves when a killed process with the same pid left its temporary file behind', async () => {
    // A container's process often has the same pid at every start, and a killed save leaves its
    // temporary file: the restarted process must still be able to save.
    const dir = await mkdtemp(join(tmpdir(), 'gradstream-kill-'));
    dirs.push(dir);
    const path = join(dir, CHECKPOINT);
    const run = await runWriter(path, ['--saves', '1', '--stale-temp']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.done).toEqual([1]);
    const loaded = await loadCheckpoint(path, { backend: 'ts' });
    expect(loaded.step).toBe(1);
    expect(parameterHash(loaded.model)).toBe(run.begun.get(1));
  });
});
