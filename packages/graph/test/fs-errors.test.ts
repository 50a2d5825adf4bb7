import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GradstreamError } from '@gradstream/tensor';
import { linearOp, mseOp, sigmoidOp } from '@gradstream/ops';
import { fileError, loadCheckpoint, saveCheckpoint, withFileErrors, writeCheckpointFile } from '@gradstream/graph/node';
import { createRegistry, fromCheckpoint, loadParams, sequential, toCheckpoint, type Model } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

// Failures on demand, as the file system reports them: a rename (the one step of an atomic write a
// test cannot make fail through the file system itself), and permission denied on reading a file or
// creating one in a directory (mode bits mean nothing to root, which CI runs as).
const renameFailure = vi.hoisted(() => ({ code: undefined as string | undefined }));
const denied = vi.hoisted(() => ({ paths: new Set<string>() }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const { dirname } = await import('node:path');
  const deny = (path: string): never => {
    throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES', syscall: 'open', path });
  };
  return {
    ...fs,
    readFile: (async (path: string, ...rest: unknown[]) => (denied.paths.has(String(path)) ? deny(String(path)) : fs.readFile(path, ...(rest as [])))) as typeof fs.readFile,
    // Denied where the file system denies it: when a file is opened to be read, or created in a denied directory.
    open: (async (path: string, flags?: string, ...rest: unknown[]) =>
      (flags === 'wx' && denied.paths.has(dirname(String(path)))) || ((flags ?? 'r') === 'r' && denied.paths.has(String(path)))
        ? deny(String(path))
        : fs.open(path, flags, ...(rest as []))) as typeof fs.open,
    rename: async (from: string, to: string): Promise<void> => {
      const code = renameFailure.code;
      if (code === undefined) return fs.rename(from, to);
      throw Object.assign(new Error(`${code}: operation not permitted, rename '${from}' -> '${to}'`), { code, syscall: 'rename' });
    },
  };
});

const registry = createRegistry([linearOp, sigmoidOp, mseOp]);

function build(seed: number): Model {
  return sequential(
    [
      { op: 'linear', inFeatures: 2, outFeatures: 3 },
      { op: 'sigmoid' },
      { op: 'linear', inFeatures: 3, outFeatures: 1 },
    ],
    { inputShape: [2], loss: { op: 'mse' }, seed, registry },
  );
}

async function rejection(p: Promise<unknown>): Promise<GradstreamError> {
  try {
    await p;
  } catch (e) {
    // A raw Node error here is the failure this file is about: say what it was.
    if (e instanceof GradstreamError) return e;
    throw new Error(`expected a GradstreamError, got ${String(e)}`);
  }
  throw new Error('expected a rejection');
}

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradstream-fs-errors-'));
});
afterEach(async () => {
  renameFailure.code = undefined;
  denied.paths.clear();
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('fileError', () => {
  it('says what the operation was, on which path, and why, with the facts in details', () => {
    const cause = Object.assign(new Error("ENOENT: no such file or directory, open 'm.json'"), { code: 'ENOENT', syscall: 'open', path: 'm.json' });
    const e = fileError('loadCheckpoint', 'm.json', cause) as GradstreamError;
    expect(e).toBeInstanceOf(GradstreamError);
    expect(e.code).toBe('FILE_ERROR');
    expect(e.message).toBe('loadCheckpoint m.json: no such file');
    expect(e.details).toEqual({ path: 'm.json', operation: 'loadCheckpoint', errno: 'ENOENT', syscall: 'open' });
  });

  it.each([
    ['ENOENT', 'write', 'its directory does not exist'],
    ['EISDIR', 'read', 'it is a directory'],
    ['EACCES', 'read', 'permission denied'],
    ['EPERM', 'write', 'permission denied'],
    ['ENOSPC', 'write', 'disk full'],
    ['EROFS', 'write', 'read-only file system'],
    ['ENOTDIR', 'read', 'a part of the path is not a directory'],
  ] as const)('%s on a %s reads "%s"', (code, access, reason) => {
    const e = fileError('op', '/x/y.json', Object.assign(new Error(code), { code }), access) as GradstreamError;
    expect(e.message).toBe(`op /x/y.json: ${reason}`);
    expect(e.details.errno).toBe(code);
  });

  it("keeps Node's own words for a code it has no plain reason for", () => {
    const cause = Object.assign(new Error("EXDEV: cross-device link not permitted, rename 'a' -> 'b'"), { code: 'EXDEV', syscall: 'rename' });
    expect((fileError('writeCheckpointFile', 'b', cause) as GradstreamError).message).toBe('writeCheckpointFile b: cross-device link not permitted');
  });

  it('returns what is no file-system failure unchanged', () => {
    const argument = Object.assign(new TypeError('The "path" argument must be of type string'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(fileError('loadCheckpoint', '42', argument)).toBe(argument);
    const typed = new GradstreamError('CHECKPOINT_INVALID', 'invalid checkpoint: not UTF-8 text');
    expect(fileError('loadCheckpoint', 'a.json', typed)).toBe(typed);
  });

  it('withFileErrors passes the value through and types the failure', async () => {
    expect(await withFileErrors('read', 'x', async () => 7)).toBe(7);
    const e = await rejection(withFileErrors('loadData', join(dir, 'no.csv'), () => readFile(join(dir, 'no.csv'))));
    expect(e.message).toBe(`loadData ${join(dir, 'no.csv')}: no such file`);
  });
});

describe('loadCheckpoint on a file it cannot read', () => {
  it('a missing file is FILE_ERROR with the path, not ENOENT', async () => {
    const path = join(dir, 'missing.json');
    const e = await rejection(loadCheckpoint(path, { registry }));
    expect(e.code).toBe('FILE_ERROR');
    expect(e.message).toBe(`loadCheckpoint ${path}: no such file`);
    expect(e.details).toEqual({ path, operation: 'loadCheckpoint', errno: 'ENOENT', syscall: 'open' });
  });

  it('a relative path is named as given', async () => {
    const e = await rejection(loadCheckpoint('missing-gradstream-checkpoint.json', { registry }));
    expect(e.message).toBe('loadCheckpoint missing-gradstream-checkpoint.json: no such file');
  });

  it('a directory is FILE_ERROR "it is a directory"', async () => {
    const e = await rejection(loadCheckpoint(dir, { registry }));
    expect(e.code).toBe('FILE_ERROR');
    expect(e.message).toBe(`loadCheckpoint ${dir}: it is a directory`);
    expect(e.details.errno).toBe('EISDIR');
  });

  it('a path through a file is FILE_ERROR "a part of the path is not a directory"', async () => {
    await writeFile(join(dir, 'plain'), 'x');
    const path = join(dir, 'plain', 'model.json');
    const e = await rejection(loadCheckpoint(path, { registry }));
    expect(e.message).toBe(`loadCheckpoint ${path}: a part of the path is not a directory`);
  });

  it('an unreadable file is FILE_ERROR "permission denied"', async () => {
    const path = join(dir, 'locked.json');
    await saveCheckpoint(build(1), path);
    denied.paths.add(path);
    const e = await rejection(loadCheckpoint(path, { registry }));
    expect(e.message).toBe(`loadCheckpoint ${path}: permission denied`);
    expect(e.details.errno).toBe('EACCES');
  });
});

describe('writing a checkpoint where it cannot go', () => {
  it('into a missing directory: FILE_ERROR naming the target, by the function called', async () => {
    const path = join(dir, 'no-such-dir', 'model.json');
    const saved = await rejection(saveCheckpoint(build(1), path));
    expect(saved.code).toBe('FILE_ERROR');
    expect(saved.message).toBe(`saveCheckpoint ${path}: its directory does not exist`);
    expect(saved.details).toMatchObject({ path, operation: 'saveCheckpoint', errno: 'ENOENT' });
    const written = await rejection(writeCheckpointFile(toCheckpoint(build(1)), path));
    expect(written.message).toBe(`writeCheckpointFile ${path}: its directory does not exist`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('into a read-only directory: permission denied, the old checkpoint intact, no temporary file', async () => {
    const path = join(dir, 'model.json');
    await saveCheckpoint(build(1), path);
    const old = await readFile(path);
    denied.paths.add(dir);
    const e = await rejection(writeCheckpointFile(toCheckpoint(build(2)), path));
    expect(e.message).toBe(`writeCheckpointFile ${path}: permission denied`);
    expect(e.details.errno).toBe('EACCES');
    expect(await readFile(path)).toEqual(old);
    expect(await readdir(dir)).toEqual(['model.json']);
  });

  it('a failed rename removes the temporary file and leaves the previous checkpoint as it was', async () => {
    const path = join(dir, 'model.json');
    await saveCheckpoint(build(1), path);
    const old = await readFile(path);
    renameFailure.code = 'EPERM';
    const e = await rejection(writeCheckpointFile(toCheckpoint(build(2)), path));
    expect(e.code).toBe('FILE_ERROR');
    expect(e.message).toBe(`writeCheckpointFile ${path}: permission denied`);
    expect(e.details).toEqual({ path, operation: 'writeCheckpointFile', errno: 'EPERM', syscall: 'rename' });
    expect(await readFile(path)).toEqual(old);
    expect(await readdir(dir)).toEqual(['model.json']);
    // and the file still loads as the model it was
    renameFailure.code = undefined;
    expect((await loadCheckpoint(path, { registry })).model.parameters()[0]?.value.data).toEqual(build(1).parameters()[0]?.value.data);
  });

  it('a disk that fills up mid-write: FILE_ERROR "disk full", the temporary file removed, the previous checkpoint intact', async () => {
    const path = join(dir, 'model.json');
    await saveCheckpoint(build(1), path);
    const old = await readFile(path);
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    await rm(join(dir, 'probe'));
    vi.spyOn(proto, 'writeFile').mockImplementationOnce(async function (this: FileHandle, data) {
      await this.write(String(data).slice(0, 64));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    });
    const e = await rejection(writeCheckpointFile(toCheckpoint(build(2)), path));
    expect(e.message).toBe(`writeCheckpointFile ${path}: disk full`);
    expect(e.details).toMatchObject({ errno: 'ENOSPC', syscall: 'write' });
    expect(await readFile(path)).toEqual(old);
    expect(await readdir(dir)).toEqual(['model.json']);
  });

  it('over a directory: "it is a directory", the directory untouched', async () => {
    const path = join(dir, 'taken');
    await mkdir(path);
    const e = await rejection(saveCheckpoint(build(1), path));
    expect(e.message).toBe(`saveCheckpoint ${path}: it is a directory`);
    expect(await readdir(dir)).toEqual(['taken']);
  });
});

describe('a checkpoint naming an op the registry does not hold', () => {
  const withoutSigmoid = createRegistry([linearOp, mseOp]);

  it('loadCheckpoint: CHECKPOINT_INVALID starting with the path and naming the op', async () => {
    const path = join(dir, 'model.json');
    await saveCheckpoint(build(1), path);
    const e = await rejection(loadCheckpoint(path, { registry: withoutSigmoid }));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toBe(
      `${path}: invalid checkpoint: its spec names ops this registry does not hold:\nspec/layers/1/op must be one of ["linear","mse"], got "sigmoid"`,
    );
    expect(e.details).toMatchObject({ file: path, cause: 'UNKNOWN_OP', ops: ['sigmoid'] });
  });

  it('loadCheckpoint without a registry checks the default one and names the op', async () => {
    const path = join(dir, 'model.json');
    const checkpoint = toCheckpoint(build(1));
    const spec = { ...checkpoint.spec, layers: checkpoint.spec.layers.map((l, i) => (i === 1 ? { ...l, op: 'notAnOpAnywhere' } : l)) };
    await writeFile(path, JSON.stringify({ ...checkpoint, spec }));
    const e = await rejection(loadCheckpoint(path));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message.startsWith(`${path}: invalid checkpoint: its spec names ops this registry does not hold:\nspec/layers/1/op `)).toBe(true);
    expect(e.message).toContain('"notAnOpAnywhere"');
    expect(e.details.ops).toEqual(['notAnOpAnywhere']);
  });

  it('fromCheckpoint and loadParams, which have no path: CHECKPOINT_INVALID naming the op', () => {
    const checkpoint = JSON.parse(JSON.stringify(toCheckpoint(build(1)))) as unknown;
    const e = catchGradstream(() => fromCheckpoint(checkpoint, { registry: withoutSigmoid }));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toBe('invalid checkpoint: its spec names ops this registry does not hold:\nspec/layers/1/op must be one of ["linear","mse"], got "sigmoid"');
    const target = sequential([{ op: 'linear', inFeatures: 2, outFeatures: 1 }], { inputShape: [2], loss: { op: 'mse' }, registry: withoutSigmoid });
    const p = catchGradstream(() => loadParams(target, checkpoint));
    expect(p.code).toBe('CHECKPOINT_INVALID');
    expect(p.details.ops).toEqual(['sigmoid']);
  });
});
