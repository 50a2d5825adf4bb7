import { readFileSync } from 'node:fs';
import { resolveObjectURL } from 'node:buffer';
import { builtinModules } from 'node:module';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GradstreamError } from '@gradstream/tensor';
import { linearOp, mseOp, sigmoidOp } from '@gradstream/ops';
import { loadCheckpoint, saveCheckpoint } from '@gradstream/graph/node';
import {
  createRegistry,
  downloadCheckpoint,
  listIndexedDbCheckpoints,
  listLocalStorageCheckpoints,
  loadCheckpointFile,
  loadFromIndexedDb,
  loadFromLocalStorage,
  removeFromIndexedDb,
  removeFromLocalStorage,
  saveToIndexedDb,
  saveToLocalStorage,
  sequential,
  toCheckpoint,
  type Model,
} from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';
import { packageSources } from '../../../test/support/package-sources.js';
import { rawIndexedDb } from '../../../test/support/raw-indexeddb.js';

/* Checkpoints in the browser's stores, in Node: IndexedDB from fake-indexeddb (a fresh database
   for every test), localStorage from the small Storage below. The same checks run in Chromium in
   test/browser-storage.e2e.test.ts. */

const registry = createRegistry([linearOp, sigmoidOp, mseOp]);
const X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

function build(seed: number, hidden = 4): Model {
  return sequential(
    [
      { op: 'linear', inFeatures: 2, outFeatures: hidden },
      { op: 'sigmoid' },
      { op: 'linear', inFeatures: hidden, outFeatures: 1 },
    ],
    { inputShape: [2], loss: { op: 'mse' }, seed, registry },
  );
}

/** A model whose parameters no seed would produce, so a load that did nothing shows. */
function trained(seed = 3, hidden = 4): Model {
  const m = build(seed, hidden);
  for (const p of m.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] = Math.cos(3 * i + p.value.size + seed) / 3;
  return m;
}

/** Every parameter's bytes: equal bytes are equal bits (−0 and NaN included). */
const paramBytes = (m: Model): number[][] => m.parameters().map((p) => Array.from(new Uint8Array(p.value.data.buffer, p.value.data.byteOffset, p.value.data.byteLength)));
const outputs = (m: Model): number[] => Array.from(m.predict(X).data);

/** Changes one byte of the first parameter without changing the text's length: only the checksum can tell. */
function alterParameterBytes(text: string): string {
  const json = JSON.parse(text) as { params: Record<string, { data: string }> };
  const first = Object.values(json.params)[0]!;
  const bytes = Buffer.from(first.data, 'base64');
  bytes[0] = bytes[0]! ^ 0x01;
  first.data = bytes.toString('base64');
  return JSON.stringify(json);
}

async function rejection(p: Promise<unknown>): Promise<GradstreamError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GradstreamError) return e;
    throw e;
  }
  throw new Error('expected a GradstreamError, but the promise resolved');
}


/** A Storage kept in a Map, refusing a write past `quota` characters as browsers do (keys and values count). */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  constructor(private readonly quota = Infinity) {}
  get length(): number {
    return this.#items.size;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    let used = key.length + value.length;
    for (const [k, v] of this.#items) if (k !== key) used += k.length + v.length;
    if (used > this.quota) throw new DOMException(`Setting the value of '${key}' exceeded the quota.`, 'QuotaExceededError');
    this.#items.set(key, value);
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  clear(): void {
    this.#items.clear();
  }
  [name: string]: unknown;
}

beforeEach(() => {
  vi.stubGlobal('indexedDB', new IDBFactory());
  vi.stubGlobal('localStorage', new MemoryStorage());
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('IndexedDB', () => {
  it('gives back the parameters bit for bit, and the saved state', async () => {
    const model = trained();
    await saveToIndexedDb(model, 'xor', { step: 12, epoch: 3, meta: { run: 'xor' } });
    const loaded = await loadFromIndexedDb('xor', { registry });
    expect(paramBytes(loaded.model)).toEqual(paramBytes(model));
    expect(outputs(loaded.model)).toEqual(outputs(model));
    expect(outputs(build(3))).not.toEqual(outputs(model));
    expect([loaded.step, loaded.epoch, loaded.meta]).toEqual([12, 3, { run: 'xor' }]);
  });

  it('stores the very text saveCheckpoint writes to disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradstream-browser-storage-'));
    try {
      const model = trained();
      await saveCheckpoint(model, join(dir, 'xor.ckpt.json'), { step: 7 });
      await saveToIndexedDb(model, 'xor', { step: 7 });
      expect(await rawIndexedDb((s) => s.get('xor'))).toBe(await readFile(join(dir, 'xor.ckpt.json'), 'utf8'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stores a checkpoint taken earlier as it is, and refuses extra state with it', async () => {
    const model = trained();
    const snapshot = toCheckpoint(model, { epoch: 5 });
    // Training goes on after the snapshot: what is stored is the snapshot.
    model.parameters()[0]!.value.data[0] = 42;
    await saveToIndexedDb(snapshot, 'best');
    const loaded = await loadFromIndexedDb('best', { registry });
    expect(loaded.epoch).toBe(5);
    expect(loaded.model.parameters()[0]!.value.data[0]).not.toBe(42);
    expect(await rawIndexedDb((s) => s.get('best'))).toBe(JSON.stringify(snapshot));

    const e = await rejection(saveToIndexedDb(snapshot, 'best', { step: 1 }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toBe('saveToIndexedDb: extra state goes with a model; a checkpoint already holds its own');
    const notModel = await rejection(saveToIndexedDb({ format: 'something else' } as never, 'x'));
    expect(notModel.message).toBe('saveToIndexedDb: expected a Model or a Checkpoint, got an object');
    expect((await rejection(saveToIndexedDb(model, ''))).message).toBe('saveToIndexedDb: key must be a non-empty string, got ""');
  });

  it('refuses altered parameter bytes by their checksum, naming the store and the key', async () => {
    await saveToIndexedDb(trained(), 'xor');
    const text = (await rawIndexedDb((s) => s.get('xor'))) as string;
    await rawIndexedDb((s) => s.put(alterParameterBytes(text), 'xor'), 'readwrite');
    const e = await rejection(loadFromIndexedDb('xor', { registry }));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toMatch(/^indexeddb:\/\/xor: invalid checkpoint: checksum mismatch: parameter bytes were altered \(stored [0-9a-f]{64}, computed [0-9a-f]{64}\)$/);
    expect(e.details).toMatchObject({ path: 'checksum', store: 'indexedDB', key: 'xor' });
  });

  it('says where stored text was cut short, and what a value that is not text is', async () => {
    await saveToIndexedDb(trained(), 'xor');
    const text = (await rawIndexedDb((s) => s.get('xor'))) as string;
    await rawIndexedDb((s) => s.put(text.slice(0, 100), 'xor'), 'readwrite');
    const cut = await rejection(loadFromIndexedDb('xor', { registry }));
    expect(cut.code).toBe('CHECKPOINT_INVALID');
    expect(cut.message).toBe('indexeddb://xor: invalid checkpoint: not JSON (truncated at byte 100?): the text ends inside a value');

    await rawIndexedDb((s) => s.put({ params: {} }, 'xor'), 'readwrite');
    const notText = await rejection(loadFromIndexedDb('xor', { registry }));
    expect(notText.code).toBe('CHECKPOINT_INVALID');
    expect(notText.message).toBe('indexeddb://xor: invalid checkpoint: the stored value is an object, not checkpoint text');
  });

  it('reports a missing key as a FILE_ERROR naming the store and the key', async () => {
    const e = await rejection(loadFromIndexedDb('nothing-here', { registry }));
    expect(e.code).toBe('FILE_ERROR');
    expect(e.message).toBe('loadFromIndexedDb indexeddb://nothing-here: no checkpoint is stored under this key');
    expect(e.details).toEqual({ path: 'indexeddb://nothing-here', operation: 'loadFromIndexedDb', store: 'indexedDB', key: 'nothing-here', reason: 'missing' });
  });

  it('keeps the previous checkpoint when the browser aborts the write for quota', async () => {
    const before = trained(3);
    await saveToIndexedDb(before, 'xor');
    const put = IDBObjectStore.prototype.put;
    // What a browser does when the site's storage is full: it aborts the transaction with QuotaExceededError.
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      const request = put.call(this, value, key);
      (this.transaction as unknown as { _abort(name: string): void })._abort('QuotaExceededError');
      return request;
    });
    const e = await rejection(saveToIndexedDb(trained(5, 8), 'xor'));
    expect(e.code).toBe('FILE_ERROR');
    expect(e.message).toMatch(/^saveToIndexedDb indexeddb:\/\/xor: the site's storage quota is exceeded: the checkpoint takes \d+(\.\d)? KiB; nothing was changed$/);
    expect(e.details).toMatchObject({ store: 'indexedDB', key: 'xor', reason: 'quota', cause: 'QuotaExceededError' });
    vi.restoreAllMocks();
    expect(paramBytes((await loadFromIndexedDb('xor', { registry })).model)).toEqual(paramBytes(before));
  });

  it('rolls the write back when a request of its transaction fails', async () => {
    const before = trained(3);
    await saveToIndexedDb(before, 'xor');
    const put = IDBObjectStore.prototype.put;
    // The new value is queued in the transaction, then the call fails: unless the transaction is aborted, the value would commit.
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      put.call(this, value, key);
      throw new DOMException('the disk is gone', 'UnknownError');
    });
    const e = await rejection(saveToIndexedDb(trained(5, 8), 'xor'));
    expect(e.code).toBe('FILE_ERROR');
    expect(e.message).toBe('saveToIndexedDb indexeddb://xor: the write failed (UnknownError: the disk is gone); nothing was changed');
    expect(e.details).toMatchObject({ reason: 'failed', cause: 'UnknownError' });
    vi.restoreAllMocks();
    expect(paramBytes((await loadFromIndexedDb('xor', { registry })).model)).toEqual(paramBytes(before));
  });

  it('reports IndexedDB that is missing or refused as unavailable', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const missing = await rejection(saveToIndexedDb(trained(), 'xor'));
    expect(missing.code).toBe('FILE_ERROR');
    expect(missing.message).toBe('saveToIndexedDb indexeddb://xor: IndexedDB is not available here');
    expect(missing.details).toMatchObject({ reason: 'unavailable', store: 'indexedDB', key: 'xor' });

    // Some private modes refuse the open request itself.
    const refusing = {
      open() {
        const request: Record<string, unknown> = {};
        queueMicrotask(() => {
          request['error'] = new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
          (request['onerror'] as () => void)();
        });
        return request;
      },
    };
    vi.stubGlobal('indexedDB', refusing);
    const refused = await rejection(loadFromIndexedDb('xor'));
    expect(refused.message).toBe(
      'loadFromIndexedDb indexeddb://xor: IndexedDB is not available (InvalidStateError: A mutation operation was attempted on a database that did not allow mutations.)',
    );
    expect(refused.details).toMatchObject({ reason: 'unavailable', cause: 'InvalidStateError' });
    expect((await rejection(listIndexedDbCheckpoints())).message).toMatch(/^listIndexedDbCheckpoints indexedDB: IndexedDB is not available/);
  });

  it('lists and removes stored checkpoints', async () => {
    expect(await listIndexedDbCheckpoints()).toEqual([]);
    await saveToIndexedDb(trained(), 'b');
    await saveToIndexedDb(trained(), 'a');
    expect(await listIndexedDbCheckpoints()).toEqual(['a', 'b']);
    expect(await removeFromIndexedDb('a')).toBe(true);
    expect(await removeFromIndexedDb('a')).toBe(false);
    expect(await listIndexedDbCheckpoints()).toEqual(['b']);
    expect((await rejection(loadFromIndexedDb('a'))).details['reason']).toBe('missing');
  });
});

describe('localStorage', () => {
  it('gives back the parameters bit for bit, under its own keys only', async () => {
    const model = trained();
    localStorage.setItem('someone-else', 'not ours');
    saveToLocalStorage(model, 'xor', { step: 4 });
    const loaded = loadFromLocalStorage('xor', { registry });
    expect(paramBytes(loaded.model)).toEqual(paramBytes(model));
    expect(outputs(loaded.model)).toEqual(outputs(model));
    expect(loaded.step).toBe(4);
    expect(localStorage.getItem('gradstream-checkpoint/xor')).toBe(JSON.stringify(toCheckpoint(model, { step: 4 })));
    expect(listLocalStorageCheckpoints()).toEqual(['xor']);
  });

  it('keeps the previous checkpoint when the quota is exceeded', () => {
    const small = trained(3, 2);
    const size = JSON.stringify(toCheckpoint(small)).length;
    vi.stubGlobal('localStorage', new MemoryStorage(size + 100));
    saveToLocalStorage(small, 'xor');
    const e = catchGradstream(() => saveToLocalStorage(trained(5, 64), 'xor'));
    expect(e.code).toBe('FILE_ERROR');
    expect(e.message).toMatch(
      /^saveToLocalStorage localstorage:\/\/xor: the site's storage quota is exceeded: the checkpoint takes \d+(\.\d)? KiB, and localStorage keeps about 5 MB per site \(IndexedDB keeps far more\); nothing was changed$/,
    );
    expect(e.details).toMatchObject({ path: 'localstorage://xor', store: 'localStorage', key: 'xor', reason: 'quota', cause: 'QuotaExceededError' });
    expect(paramBytes(loadFromLocalStorage('xor', { registry }).model)).toEqual(paramBytes(small));
  });

  it('refuses altered parameter bytes by their checksum, naming the store and the key', () => {
    saveToLocalStorage(trained(), 'xor');
    localStorage.setItem('gradstream-checkpoint/xor', alterParameterBytes(localStorage.getItem('gradstream-checkpoint/xor')!));
    const e = catchGradstream(() => loadFromLocalStorage('xor', { registry }));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toMatch(/^localstorage:\/\/xor: invalid checkpoint: checksum mismatch: parameter bytes were altered/);
    expect(e.details).toMatchObject({ path: 'checksum', store: 'localStorage', key: 'xor' });
  });

  it('reports a missing key, and localStorage that is missing or refused', () => {
    const missing = catchGradstream(() => loadFromLocalStorage('nothing-here'));
    expect(missing.code).toBe('FILE_ERROR');
    expect(missing.message).toBe('loadFromLocalStorage localstorage://nothing-here: no checkpoint is stored under this key');
    expect(missing.details['reason']).toBe('missing');

    vi.stubGlobal('localStorage', undefined);
    expect(catchGradstream(() => saveToLocalStorage(trained(), 'xor')).message).toBe('saveToLocalStorage localstorage://xor: localStorage is not available here');
    // Browsers that block a site's storage throw on the access itself.
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException("Failed to read the 'localStorage' property from 'Window': Access is denied for this document.", 'SecurityError');
      },
    });
    const refused = catchGradstream(() => loadFromLocalStorage('xor'));
    expect(refused.code).toBe('FILE_ERROR');
    expect(refused.message).toMatch(/^loadFromLocalStorage localstorage:\/\/xor: localStorage is not available \(SecurityError: Failed to read/);
    expect(refused.details).toMatchObject({ reason: 'unavailable', store: 'localStorage', key: 'xor', cause: 'SecurityError' });
  });

  it('lists and removes stored checkpoints', () => {
    saveToLocalStorage(trained(), 'b');
    saveToLocalStorage(trained(), 'a');
    expect(listLocalStorageCheckpoints()).toEqual(['a', 'b']);
    expect(removeFromLocalStorage('a')).toBe(true);
    expect(removeFromLocalStorage('a')).toBe(false);
    expect(listLocalStorageCheckpoints()).toEqual(['b']);
  });
});

describe('files downloaded and picked', () => {
  it('loads a picked file bit for bit', async () => {
    const model = trained();
    const file = new File([JSON.stringify(toCheckpoint(model, { epoch: 2 }))], 'xor.ckpt.json', { type: 'application/json' });
    const loaded = await loadCheckpointFile(file, { registry });
    expect(paramBytes(loaded.model)).toEqual(paramBytes(model));
    expect(loaded.epoch).toBe(2);
  });

  it('reports a broken file as loadCheckpoint does the same file on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradstream-browser-storage-'));
    try {
      const path = join(dir, 'xor.ckpt.json');
      const good = JSON.stringify(toCheckpoint(trained()));
      for (const broken of [good.slice(0, good.length >> 1), alterParameterBytes(good), '{"format":"gradstream-checkpoint","formatVersion":2}']) {
        await writeFile(path, broken);
        const onDisk = await rejection(loadCheckpoint(path, { registry }));
        const picked = await rejection(loadCheckpointFile(new File([broken], 'xor.ckpt.json'), { registry }));
        expect(picked.code).toBe('CHECKPOINT_INVALID');
        expect(picked.message).toBe(onDisk.message.replace(path, 'xor.ckpt.json'));
        expect(picked.details).toEqual({ ...onDisk.details, file: 'xor.ckpt.json' });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses bytes that are not UTF-8, a file over maxBytes before reading it, and one that cannot be read', async () => {
    const notText = await rejection(loadCheckpointFile(new Blob([Uint8Array.of(0x7b, 0xff, 0x7d)]), { registry }));
    expect(notText.message).toBe('blob: invalid checkpoint: not UTF-8 text');

    const file = new File([JSON.stringify(toCheckpoint(trained()))], 'xor.ckpt.json');
    const read = vi.spyOn(file, 'arrayBuffer');
    const tooLarge = await rejection(loadCheckpointFile(file, { maxBytes: 100 }));
    expect(tooLarge.code).toBe('TOO_LARGE');
    expect(tooLarge.message).toBe(`loadCheckpointFile xor.ckpt.json: the file holds ${file.size} B, beyond the limit of 100 B (the \`maxBytes\` option raises it)`);
    expect(tooLarge.details).toEqual({ path: 'xor.ckpt.json', operation: 'loadCheckpointFile', bytes: file.size, limit: 100 });
    expect(read).not.toHaveBeenCalled();

    // A picked file changed or removed on disk since it was picked.
    read.mockRejectedValue(new DOMException('The requested file could not be read.', 'NotReadableError'));
    const unreadable = await rejection(loadCheckpointFile(file));
    expect(unreadable.code).toBe('FILE_ERROR');
    expect(unreadable.message).toBe('loadCheckpointFile xor.ckpt.json: the file cannot be read (NotReadableError: The requested file could not be read.)');
  });

  it('offers the checkpoint through a clicked link, and frees its blob a minute later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const clicked: { href: string; download: string; inDocument: boolean }[] = [];
    const body = new Set<object>();
    const link = {
      href: '',
      download: '',
      rel: '',
      style: { display: '' },
      click() {
        clicked.push({ href: this.href, download: this.download, inDocument: body.has(this) });
      },
      remove() {
        body.delete(this);
      },
    };
    vi.stubGlobal('document', { createElement: () => link, body: { append: (n: object) => body.add(n) }, documentElement: null });
    const model = trained();
    downloadCheckpoint(model, 'xor.ckpt.json', { step: 9 });
    expect(clicked).toHaveLength(1);
    expect(clicked[0]).toMatchObject({ download: 'xor.ckpt.json', inDocument: true });
    expect(body.size).toBe(0);
    const blob = resolveObjectURL(clicked[0]!.href);
    expect(blob?.type).toBe('application/json');
    expect(await blob!.text()).toBe(JSON.stringify(toCheckpoint(model, { step: 9 })));
    const loaded = await loadCheckpointFile(blob as unknown as Blob, { registry });
    expect(paramBytes(loaded.model)).toEqual(paramBytes(model));
    vi.advanceTimersByTime(60_000);
    expect(resolveObjectURL(clicked[0]!.href)).toBeUndefined();
  });

  it('says a download needs a page', () => {
    const e = catchGradstream(() => downloadCheckpoint(trained(), 'xor.ckpt.json'));
    expect(e.code).toBe('FILE_ERROR');
    expect(e.message).toBe("downloadCheckpoint xor.ckpt.json: a download needs a page's document (in a worker, post the checkpoint to the page)");
    expect(e.details['reason']).toBe('unavailable');
  });
});

/** The modules a source file loads when it runs: its imports and re-exports (type-only ones are erased) and dynamic imports. */
function loadedModules(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) specs.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) specs.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined && ts.isStringLiteral(node.arguments[0])) {
      specs.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specs;
}

describe('@gradstream/graph in a browser', () => {
  it('imports nothing from Node, browser storage included', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const sources = packageSources(root);
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    const nodeImports: string[] = [];
    const queue = [sources['@gradstream/graph']!];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of loadedModules(file)) {
        if (spec.startsWith('node:') || builtins.has(spec)) nodeImports.push(`${file.slice(root.length)} imports ${spec}`);
        else if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        else if (sources[spec] !== undefined) queue.push(sources[spec]);
      }
    }
    expect([...seen].some((f) => f.endsWith('io/browser-storage.ts'))).toBe(true);
    expect(nodeImports).toEqual([]);
  });
});
