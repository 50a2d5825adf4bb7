import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT, run, tempDir } from './capture.js';

// A file that cannot be read, as the file system reports it: mode bits mean nothing to root, which
// CI runs as, so permission denied is made here for the files named `locked.*`.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const locked = (path: unknown): boolean => /[/\\]locked\.[a-z]+$/.test(String(path));
  const deny = (path: unknown): never => {
    throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: 'EACCES', syscall: 'open', path });
  };
  return {
    ...fs,
    readFile: (async (path: string, ...rest: unknown[]) => (locked(path) ? deny(path) : fs.readFile(path, ...(rest as [])))) as typeof fs.readFile,
    // Files are read whole through a handle (their size checked first): denied where they are opened.
    open: (async (path: string, ...rest: unknown[]) => (locked(path) ? deny(path) : fs.open(path, ...(rest as [])))) as typeof fs.open,
  };
});

const XOR_SPEC = join(ROOT, 'examples/specs/xor.json');

let t: ReturnType<typeof tempDir>;
beforeAll(() => {
  t = tempDir({ 'data.csv': '0,0,0\n0,1,1\n1,0,1\n1,1,0\n', 'locked.csv': '0,0,0\n' });
  mkdirSync(join(t.dir, 'folder'));
});
afterAll(() => t.cleanup());

/** What a run that fails on a file prints: one line on stderr, nothing on stdout, exit code 1. */
async function failsWith(argv: readonly string[], stderr: string): Promise<void> {
  const r = await run(argv, { cwd: t.dir });
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 1, stdout: '', stderr: `${stderr}\n` });
}

describe('a file the command cannot read or write is FILE_ERROR with its full path, exit code 1', () => {
  it('eval missing.json', async () => {
    await failsWith(['eval', 'missing.json', '--data', 'builtin:xor'], `error (FILE_ERROR): loadCheckpoint ${join(t.dir, 'missing.json')}: no such file`);
  });

  it('predict on a directory', async () => {
    await failsWith(['predict', 'folder', '--data', 'builtin:xor'], `error (FILE_ERROR): loadCheckpoint ${join(t.dir, 'folder')}: it is a directory`);
  });

  it('train missing-spec.json', async () => {
    await failsWith(['train', 'missing-spec.json', '--data', 'builtin:xor'], `error (FILE_ERROR): readSpec ${join(t.dir, 'missing-spec.json')}: no such file`);
  });

  it('validate and graph on a directory', async () => {
    await failsWith(['validate', 'folder'], `error (FILE_ERROR): readSpec ${join(t.dir, 'folder')}: it is a directory`);
    await failsWith(['graph', 'folder'], `error (FILE_ERROR): readSpec ${join(t.dir, 'folder')}: it is a directory`);
  });

  it('train --data missing.csv, and --val-data missing.csv', async () => {
    await failsWith(['train', XOR_SPEC, '--data', 'missing.csv'], `error (FILE_ERROR): loadData ${join(t.dir, 'missing.csv')}: no such file`);
    await failsWith(['train', XOR_SPEC, '--data', 'data.csv', '--val-data', 'missing.csv'], `error (FILE_ERROR): loadData ${join(t.dir, 'missing.csv')}: no such file`);
  });

  it('eval and predict with --data missing.csv', async () => {
    const trained = await run(['train', XOR_SPEC, '--data', 'data.csv', '--epochs', '1', '--json', '--checkpoint', 'xor.ckpt.json'], { cwd: t.dir });
    expect(trained.code).toBe(0);
    await failsWith(['eval', 'xor.ckpt.json', '--data', 'missing.csv'], `error (FILE_ERROR): loadData ${join(t.dir, 'missing.csv')}: no such file`);
    await failsWith(['predict', 'xor.ckpt.json', '--data', 'missing.csv'], `error (FILE_ERROR): loadInputs ${join(t.dir, 'missing.csv')}: no such file`);
  });

  it('explain --data folder', async () => {
    await failsWith(['explain', XOR_SPEC, '--data', 'folder'], `error (FILE_ERROR): loadData ${join(t.dir, 'folder')}: it is a directory`);
  });

  it('train --checkpoint into a missing directory: no temporary file left behind', async () => {
    const r = await run(['train', XOR_SPEC, '--data', 'builtin:xor', '--epochs', '2', '--json', '--checkpoint', 'nowhere/best.json'], { cwd: t.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error (FILE_ERROR): writeCheckpointFile ${join(t.dir, 'nowhere', 'best.json')}: its directory does not exist\n`);
    expect(existsSync(join(t.dir, 'nowhere'))).toBe(false);
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('train --data on an unreadable file', async () => {
    await failsWith(['train', XOR_SPEC, '--data', 'locked.csv'], `error (FILE_ERROR): loadData ${join(t.dir, 'locked.csv')}: permission denied`);
  });
});
