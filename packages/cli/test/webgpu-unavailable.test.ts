import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { GradstreamError } from '@gradstream/tensor';
import { runCli, type CliIo } from '../src/index.js';
import { run, tempDir, type Ran } from './capture.js';
import { csvText, IRIS_SPEC, irisRows } from './iris.js';

// A machine whose Node finds no WebGPU adapter: the loader rejects as it does there, and whether
// SwiftShader's files are at hand is up to each test.
const NO_ADAPTER = 'webgpu: no WebGPU device here (requestAdapter: no adapter (no GPU or driver))';
const swiftShader = vi.hoisted(() => ({ present: false }));
vi.mock('@gradstream/backend-webgpu', async (original) => ({
  ...(await original<object>()),
  loadWebGpuBackend: () => Promise.reject(new GradstreamError('BACKEND_UNAVAILABLE', NO_ADAPTER, { tried: ['requestAdapter: no adapter'] })),
}));
vi.mock('@gradstream/backend-webgpu/node', async (original) => {
  const node = await original<typeof import('@gradstream/backend-webgpu/node')>();
  return {
    ...node,
    nodeWebGpu: () => Promise.resolve({}),
    hasSwiftShader: () => swiftShader.present,
    // The real decision, with the driver's files as this test says.
    swiftShaderForRerun: (env?: NodeJS.ProcessEnv) => (swiftShader.present && !node.onSwiftShader(env) ? tmpdir() : undefined),
  };
});

const ON_SWIFTSHADER = { VK_ICD_FILENAMES: `${tmpdir()}/vk_swiftshader_icd.json`, LD_LIBRARY_PATH: tmpdir() };

/** `gradstream …argv` in `cwd`, with the binary's re-run hook replaced by `rerun`. */
async function runWithRerun(argv: readonly string[], cwd: string, env: Record<string, string>, rerun: (dir: string) => Promise<number>): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd, env, stdin: Readable.from([]), rerunOnSwiftShader: rerun };
  return { code: await runCli(argv, io), stdout, stderr };
}

describe('--backend webgpu without an adapter', () => {
  const commands = [
    ['train', 'spec.json', '--data', 'iris.csv', '--epochs', '1'],
    ['eval', 'missing.json', '--data', 'iris.csv'],
    ['predict', 'missing.json', '--data', 'iris.csv'],
  ];

  it('says why with the BACKEND_UNAVAILABLE error and exits 1, before reading the checkpoint, in train, eval and predict', async () => {
    const t = tempDir({ 'iris.csv': csvText(irisRows()), 'spec.json': IRIS_SPEC });
    try {
      for (const argv of commands) {
        const r = await run([...argv, '--backend', 'webgpu'], { cwd: t.dir });
        expect(r.code, argv[0]).toBe(1);
        expect(r.stderr).toBe(`error (BACKEND_UNAVAILABLE): ${NO_ADAPTER}\n`);
        expect(r.stdout).toBe('');
      }
    } finally {
      t.cleanup();
    }
  });

  it('runs the command again on SwiftShader where its files are at hand, and exits with the rerun’s code', async () => {
    swiftShader.present = true;
    try {
      for (const argv of commands) {
        const rerun = vi.fn((_dir: string) => Promise.resolve(7));
        const r = await runWithRerun([...argv, '--backend', 'webgpu'], tmpdir(), {}, rerun);
        expect(r.code, argv[0]).toBe(7);
        expect(rerun).toHaveBeenCalledWith(tmpdir());
        expect(r.stderr).toMatch(/^No WebGPU adapter here: running again on SwiftShader/);
      }
    } finally {
      swiftShader.present = false;
    }
  });

  it('does not run again when the files are missing, when the process is already on SwiftShader, or in a program that gave no rerun', async () => {
    const t = tempDir({ 'iris.csv': csvText(irisRows()), 'spec.json': IRIS_SPEC });
    const rerun = vi.fn((_dir: string) => Promise.resolve(0));
    try {
      expect((await runWithRerun([...(commands[0] as string[]), '--backend', 'webgpu'], t.dir, {}, rerun)).code).toBe(1);
      swiftShader.present = true;
      const onIt = await runWithRerun([...(commands[0] as string[]), '--backend', 'webgpu'], t.dir, ON_SWIFTSHADER, rerun);
      expect(onIt.code).toBe(1);
      expect(onIt.stderr).toMatch(/^error \(BACKEND_UNAVAILABLE\)/);
      expect((await run([...(commands[0] as string[]), '--backend', 'webgpu'], { cwd: t.dir })).code).toBe(1);
      expect(rerun).not.toHaveBeenCalled();
    } finally {
      swiftShader.present = false;
      t.cleanup();
    }
  });

  it('leaves the CPU backends alone: they load nothing of WebGPU', async () => {
    const t = tempDir({ 'iris.csv': csvText(irisRows()), 'spec.json': IRIS_SPEC });
    try {
      expect((await run([...(commands[0] as string[]), '--backend', 'ts'], { cwd: t.dir })).code).toBe(0);
    } finally {
      t.cleanup();
    }
  });
});
