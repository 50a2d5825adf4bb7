import { GradstreamError } from '@gradstream/tensor';
import { CHECKPOINT_FORMAT, toCheckpoint, type Checkpoint, type CheckpointExtra, type LoadedCheckpoint } from './checkpoint.js';
import { checkpointFrom } from './checkpoint-source.js';
import type { BuildOptions } from '../model/build.js';
import { bytesText, formatBytes } from '../model/memory.js';
import { Model } from '../model/model.js';
import type { IdbDatabase } from './indexed-db.js';

/*
 * Checkpoints in a browser: IndexedDB, localStorage, a downloaded file, an uploaded one. Each holds
 * the same JSON text `saveCheckpoint` writes to disk, so one checksum covers them all and a value
 * read back goes through the same parser, with the same messages. This module runs in a page or a
 * worker: it imports nothing from Node, and the browser's objects are typed below by the few
 * members used, so the package compiles without the DOM's types.
 */

/** localStorage is shared by everything on the site: checkpoints keep to keys under this prefix. */
const LOCAL_PREFIX = 'gradstream-checkpoint/';

interface StorageLike {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}
interface AnchorLike {
  href: string;
  download: string;
  rel: string;
  style: { display: string };
  click(): void;
  remove(): void;
}
interface DocumentLike {
  createElement(tag: 'a'): AnchorLike;
  readonly body: { append(node: AnchorLike): void } | null;
  readonly documentElement: { append(node: AnchorLike): void };
}

/** A store as messages and `details` name it. */
interface Store {
  /** `details.store` and the sentences' subject. */
  readonly name: 'indexedDB' | 'localStorage';
  /** The key's prefix in messages and `details.path`: `indexeddb://xor`. */
  readonly scheme: string;
}
const INDEXED_DB: Store = { name: 'indexedDB', scheme: 'indexeddb://' };
const LOCAL_STORAGE: Store = { name: 'localStorage', scheme: 'localstorage://' };

/** Why a store refused, as `details.reason` tells programs (`errno` plays this part for files). */
type Failure = 'missing' | 'quota' | 'unavailable' | 'failed';

/**
 * Saves a checkpoint in the browser's IndexedDB under `key` (database `gradstream-checkpoints`), as
 * the JSON text {@link toCheckpoint} makes. It is written in one transaction that must reach disk
 * before the promise resolves: if the write fails, the value stored before stays as it was. A model
 * is checkpointed now, with `extra`; a checkpoint taken earlier (the `checkpoint` training event's)
 * is stored as it is. Failures are `FILE_ERROR`s naming the store and the key, `details.reason`
 * telling which: `'quota'` (the site's storage is full), `'unavailable'` (no IndexedDB here, or the
 * browser refuses it, as some private modes do), `'failed'` (anything else the browser reports).
 *
 * @param source - a model, or a {@link Checkpoint} taken earlier
 * @param key - any non-empty string; a checkpoint stored under it is replaced
 * @param extra - optimizer state, generator state, step, epoch, run, meta (only with a model)
 * @example
 * ```ts
 * import { saveToIndexedDb, sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
 * await saveToIndexedDb(model, 'xor', { step: 100 });
 * ```
 * @see {@link loadFromIndexedDb}
 */
export async function saveToIndexedDb(source: Model | Checkpoint, key: string, extra?: CheckpointExtra): Promise<void> {
  const operation = 'saveToIndexedDb';
  checkKey(operation, key);
  const text = checkpointText(operation, source, extra);
  const { db, transact } = await openDatabase(operation, key);
  try {
    await transact(db, 'readwrite', (store) => store.put(text, key));
  } catch (e) {
    throw writeError(operation, INDEXED_DB, key, e, text);
  } finally {
    db.close();
  }
}

/**
 * Loads the checkpoint stored in IndexedDB under `key` by {@link saveToIndexedDb} and rebuilds the
 * model ({@link fromCheckpoint}). No checkpoint under the key is a `FILE_ERROR` whose
 * `details.reason` is `'missing'` (`loadFromIndexedDb indexeddb://xor: no checkpoint is stored
 * under this key`); a stored value that is not a valid checkpoint, or whose parameters do not match
 * its checksum, is a `CHECKPOINT_INVALID` error whose message starts with where it came from
 * (`indexeddb://xor: invalid checkpoint: checksum mismatch …`).
 *
 * @param options - the registry to resolve ops in, the seed for the nodes' generators, the backend
 * @example
 * ```ts
 * import { loadFromIndexedDb } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const { model, step } = await loadFromIndexedDb('xor');
 * ```
 */
export async function loadFromIndexedDb(key: string, options: BuildOptions = {}): Promise<LoadedCheckpoint> {
  const operation = 'loadFromIndexedDb';
  checkKey(operation, key);
  const { db, transact } = await openDatabase(operation, key);
  let value: unknown;
  try {
    value = await transact(db, 'readonly', (store) => store.get(key));
  } catch (e) {
    throw storeError(operation, INDEXED_DB, key, 'failed', `the read failed (${describe(e)})`, e);
  } finally {
    db.close();
  }
  if (value === undefined) throw storeError(operation, INDEXED_DB, key, 'missing', 'no checkpoint is stored under this key');
  return fromStoredText(value, INDEXED_DB, key, options);
}

/**
 * The keys of the checkpoints stored in IndexedDB by {@link saveToIndexedDb}, sorted.
 *
 * @example
 * ```ts
 * import { listIndexedDbCheckpoints } from '@gradstream/graph';
 * for (const key of await listIndexedDbCheckpoints()) console.log(key);
 * ```
 */
export async function listIndexedDbCheckpoints(): Promise<string[]> {
  const operation = 'listIndexedDbCheckpoints';
  const { db, transact } = await openDatabase(operation, undefined);
  try {
    const keys = await transact(db, 'readonly', (store) => store.getAllKeys());
    return keys.filter((k): k is string => typeof k === 'string').sort();
  } catch (e) {
    throw storeError(operation, INDEXED_DB, undefined, 'failed', `the read failed (${describe(e)})`, e);
  } finally {
    db.close();
  }
}

/**
 * Removes the checkpoint stored in IndexedDB under `key`.
 *
 * @returns whether there was one
 * @example
 * ```ts
 * import { removeFromIndexedDb } from '@gradstream/graph';
 * if (!(await removeFromIndexedDb('xor'))) console.log('nothing was stored under "xor"');
 * ```
 */
export async function removeFromIndexedDb(key: string): Promise<boolean> {
  const operation = 'removeFromIndexedDb';
  checkKey(operation, key);
  const { db, transact } = await openDatabase(operation, key);
  try {
    // Counted in the delete's own transaction, so the answer is about the value it removed.
    const count = await transact(db, 'readwrite', (store) => {
      const counted = store.count(key);
      store.delete(key);
      return counted;
    });
    return count > 0;
  } catch (e) {
    throw storeError(operation, INDEXED_DB, key, 'failed', `the removal failed (${describe(e)})`, e);
  } finally {
    db.close();
  }
}

/**
 * Saves a checkpoint in the browser's localStorage under `key`, as the JSON text
 * {@link toCheckpoint} makes. localStorage keeps about 5 MB per site, enough for small models
 * (IndexedDB keeps far more); a checkpoint that does not fit is a `FILE_ERROR` whose
 * `details.reason` is `'quota'`, and the value stored before stays as it was. localStorage that the
 * browser refuses (some privacy settings do) is `'unavailable'`. A model is checkpointed now, with
 * `extra`; a checkpoint taken earlier is stored as it is.
 *
 * @param source - a model, or a {@link Checkpoint} taken earlier
 * @param key - any non-empty string; a checkpoint stored under it is replaced
 * @param extra - optimizer state, generator state, step, epoch, run, meta (only with a model)
 * @example
 * ```ts
 * import { saveToLocalStorage, sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
 * saveToLocalStorage(model, 'xor', { meta: { note: 'after 100 epochs' } });
 * ```
 * @see {@link loadFromLocalStorage}
 */
export function saveToLocalStorage(source: Model | Checkpoint, key: string, extra?: CheckpointExtra): void {
  const operation = 'saveToLocalStorage';
  checkKey(operation, key);
  const text = checkpointText(operation, source, extra);
  const storage = localStorageOf(operation, key);
  try {
    storage.setItem(LOCAL_PREFIX + key, text);
  } catch (e) {
    throw writeError(operation, LOCAL_STORAGE, key, e, text);
  }
}

/**
 * Loads the checkpoint stored in localStorage under `key` by {@link saveToLocalStorage} and rebuilds
 * the model ({@link fromCheckpoint}). No checkpoint under the key is a `FILE_ERROR` whose
 * `details.reason` is `'missing'`; a corrupted one a `CHECKPOINT_INVALID` error whose message
 * starts with where it came from (`localstorage://xor: invalid checkpoint: …`).
 *
 * @param options - the registry to resolve ops in, the seed for the nodes' generators, the backend
 * @example
 * ```ts
 * import { loadFromLocalStorage } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const { model } = loadFromLocalStorage('xor');
 * console.log(model.predict([[0, 1]]).data);
 * ```
 */
export function loadFromLocalStorage(key: string, options: BuildOptions = {}): LoadedCheckpoint {
  const operation = 'loadFromLocalStorage';
  checkKey(operation, key);
  const storage = localStorageOf(operation, key);
  let text: string | null;
  try {
    text = storage.getItem(LOCAL_PREFIX + key);
  } catch (e) {
    throw storeError(operation, LOCAL_STORAGE, key, 'failed', `the read failed (${describe(e)})`, e);
  }
  if (text === null) throw storeError(operation, LOCAL_STORAGE, key, 'missing', 'no checkpoint is stored under this key');
  return fromStoredText(text, LOCAL_STORAGE, key, options);
}

/**
 * The keys of the checkpoints stored in localStorage by {@link saveToLocalStorage}, sorted (other
 * entries of the site's localStorage are not listed).
 *
 * @example
 * ```ts
 * import { listLocalStorageCheckpoints } from '@gradstream/graph';
 * console.log(listLocalStorageCheckpoints()); // ['xor']
 * ```
 */
export function listLocalStorageCheckpoints(): string[] {
  const storage = localStorageOf('listLocalStorageCheckpoints', undefined);
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const k = storage.key(i);
    if (k !== null && k.startsWith(LOCAL_PREFIX)) keys.push(k.slice(LOCAL_PREFIX.length));
  }
  return keys.sort();
}

/**
 * Removes the checkpoint stored in localStorage under `key`.
 *
 * @returns whether there was one
 * @example
 * ```ts
 * import { removeFromLocalStorage } from '@gradstream/graph';
 * removeFromLocalStorage('xor');
 * ```
 */
export function removeFromLocalStorage(key: string): boolean {
  const operation = 'removeFromLocalStorage';
  checkKey(operation, key);
  const storage = localStorageOf(operation, key);
  try {
    const present = storage.getItem(LOCAL_PREFIX + key) !== null;
    storage.removeItem(LOCAL_PREFIX + key);
    return present;
  } catch (e) {
    throw storeError(operation, LOCAL_STORAGE, key, 'failed', `the removal failed (${describe(e)})`, e);
  }
}

/**
 * Offers a checkpoint to the person using the page as a downloaded file named `filename`: the JSON
 * text {@link toCheckpoint} makes (the same bytes `saveCheckpoint` writes in Node), through a
 * link clicked for them. It needs a page: in a worker, or outside a browser, it is a `FILE_ERROR`
 * whose `details.reason` is `'unavailable'` (post the checkpoint to the page and call it there). A
 * model is checkpointed now, with `extra`; a checkpoint taken earlier is offered as it is.
 *
 * @param source - a model, or a {@link Checkpoint} taken earlier
 * @param filename - the name the browser suggests for the file
 * @param extra - optimizer state, generator state, step, epoch, run, meta (only with a model)
 * @example
 * ```ts
 * import { downloadCheckpoint, sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
 * document.querySelector('#save')?.addEventListener('click', () => downloadCheckpoint(model, 'xor.ckpt.json'));
 * ```
 * @see {@link loadCheckpointFile}
 */
export function downloadCheckpoint(source: Model | Checkpoint, filename: string, extra?: CheckpointExtra): void {
  const operation = 'downloadCheckpoint';
  if (typeof filename !== 'string' || filename === '') {
    throw new GradstreamError('INVALID_OPTION', `${operation}: filename must be a non-empty string, got ${show(filename)}`, { option: 'filename' });
  }
  const text = checkpointText(operation, source, extra);
  // Through unknown: with the DOM's types in scope, `document` is typed far beyond the few members used here.
  const doc = (globalThis as unknown as { document?: DocumentLike }).document;
  const createUrl = (globalThis as { URL?: { createObjectURL?: (blob: Blob) => string } }).URL?.createObjectURL;
  if (doc === undefined || createUrl === undefined) {
    throw new GradstreamError('FILE_ERROR', `${operation} ${filename}: a download needs a page's document (in a worker, post the checkpoint to the page)`, {
      path: filename,
      operation,
      reason: 'unavailable' satisfies Failure,
    });
  }
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = doc.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.style.display = 'none';
  // In the document while clicked: some browsers ignore a click on a detached link.
  (doc.body ?? doc.documentElement).append(link);
  try {
    link.click();
  } finally {
    link.remove();
  }
  // The browser reads the blob after the click returns; revoking it at once can cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Options of {@link loadCheckpointFile}: those of building the model, and the most bytes the file
 * may hold.
 *
 * @example
 * ```ts
 * import type { LoadCheckpointFileOptions } from '@gradstream/graph';
 * const options: LoadCheckpointFileOptions = { backend: 'ts', maxBytes: 64 * 2 ** 20 };
 * ```
 */
export interface LoadCheckpointFileOptions extends BuildOptions {
  /**
   * The most bytes the file may hold (default: no limit). A larger file is a `TOO_LARGE` error,
   * raised before any of it is read.
   */
  readonly maxBytes?: number;
}

/**
 * Reads a checkpoint file the person using the page picked (an `<input type="file">`'s file, a
 * dropped one) or any `Blob` holding checkpoint text, and rebuilds the model ({@link fromCheckpoint}).
 * A truncated, corrupted or inconsistent file is a `CHECKPOINT_INVALID` error whose message starts
 * with the file's name, as `loadCheckpoint` does in Node (`xor.ckpt.json: invalid checkpoint: not
 * JSON (truncated at byte 1234?) …`); one the browser cannot read (removed since it was picked) a
 * `FILE_ERROR`; one larger than `maxBytes` a `TOO_LARGE` error, before it is read.
 *
 * @param file - a `File` or a `Blob` (named `blob` in messages)
 * @param options - the registry to resolve ops in, the seed for the nodes' generators, the backend, `maxBytes`
 * @example
 * ```ts
 * import { loadCheckpointFile } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const input = document.querySelector<HTMLInputElement>('input[type=file]')!;
 * input.addEventListener('change', async () => {
 *   const { model } = await loadCheckpointFile(input.files![0]!);
 *   console.log(model.predict([[0, 1]]).data);
 * });
 * ```
 * @see {@link downloadCheckpoint}
 */
export async function loadCheckpointFile(file: Blob, options: LoadCheckpointFileOptions = {}): Promise<LoadedCheckpoint> {
  const operation = 'loadCheckpointFile';
  const { maxBytes, ...build } = options;
  if (typeof file !== 'object' || file === null || typeof (file as Partial<Blob>).arrayBuffer !== 'function') {
    throw new GradstreamError('INVALID_OPTION', `${operation}: expected a File or a Blob, got ${show(file)}`, { option: 'file' });
  }
  if (maxBytes !== undefined && (typeof maxBytes !== 'number' || !(maxBytes > 0))) {
    throw new GradstreamError('INVALID_OPTION', `${operation}: maxBytes must be a positive number of bytes (or Infinity), got ${String(maxBytes)}`, {
      option: 'maxBytes',
      value: maxBytes,
    });
  }
  const name = (file as { name?: unknown }).name;
  const path = typeof name === 'string' && name !== '' ? name : 'blob';
  if (maxBytes !== undefined && file.size > maxBytes) {
    throw new GradstreamError(
      'TOO_LARGE',
      `${operation} ${path}: the file holds ${bytesText(file.size)}, beyond the limit of ${bytesText(maxBytes)} (the \`maxBytes\` option raises it)`,
      { path, operation, bytes: file.size, limit: maxBytes },
    );
  }
  let bytes: ArrayBuffer;
  try {
    bytes = await file.arrayBuffer();
  } catch (e) {
    throw new GradstreamError('FILE_ERROR', `${operation} ${path}: the file cannot be read (${describe(e)})`, {
      path,
      operation,
      reason: 'failed' satisfies Failure,
      ...causeOf(e),
    });
  }
  return checkpointFrom(bytes, path, build, { file: path });
}

function checkKey(operation: string, key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') {
    throw new GradstreamError('INVALID_OPTION', `${operation}: key must be a non-empty string, got ${show(key)}`, { option: 'key' });
  }
}

/** The text to store: a model's checkpoint taken now, or one taken earlier as it is. */
function checkpointText(operation: string, source: Model | Checkpoint, extra: CheckpointExtra | undefined): string {
  if (source instanceof Model) return JSON.stringify(toCheckpoint(source, extra));
  if (typeof source === 'object' && source !== null && (source as { format?: unknown }).format === CHECKPOINT_FORMAT) {
    // A checkpoint already holds its state: extra state would have nowhere to go without rewriting it.
    if (extra !== undefined) {
      throw new GradstreamError('INVALID_OPTION', `${operation}: extra state goes with a model; a checkpoint already holds its own`, { option: 'extra' });
    }
    return JSON.stringify(source);
  }
  throw new GradstreamError('INVALID_OPTION', `${operation}: expected a Model or a Checkpoint, got ${show(source)}`, { option: 'source' });
}

/**
 * The checkpoints database, through indexed-db.ts, loaded on the first call: pages that never keep
 * a model in IndexedDB do not download it. Its refusal becomes this module's `unavailable` error.
 */
async function openDatabase(operation: string, key: string | undefined): Promise<{ db: IdbDatabase; transact: typeof import('./indexed-db.js').transact }> {
  const idb = await import('./indexed-db.js');
  try {
    return { db: await idb.openDatabase(), transact: idb.transact };
  } catch (e) {
    if (!(e instanceof idb.IndexedDbUnavailable)) throw e;
    const why = e.reason === undefined ? 'IndexedDB is not available here' : `IndexedDB is not available (${describe(e.reason)})`;
    throw storeError(operation, INDEXED_DB, key, 'unavailable', why, e.reason);
  }
}

function localStorageOf(operation: string, key: string | undefined): StorageLike {
  let storage: StorageLike | undefined;
  try {
    storage = (globalThis as { localStorage?: StorageLike }).localStorage;
  } catch (e) {
    // Browsers that block a site's storage throw on the access itself.
    throw storeError(operation, LOCAL_STORAGE, key, 'unavailable', `localStorage is not available (${describe(e)})`, e);
  }
  if (storage === undefined || storage === null) throw storeError(operation, LOCAL_STORAGE, key, 'unavailable', 'localStorage is not available here');
  return storage;
}

function writeError(operation: string, store: Store, key: string, cause: unknown, text: string): GradstreamError {
  if (isQuotaError(cause)) {
    const size = formatBytes(new TextEncoder().encode(text).length);
    const room = store === LOCAL_STORAGE ? ', and localStorage keeps about 5 MB per site (IndexedDB keeps far more)' : '';
    return storeError(operation, store, key, 'quota', `the site's storage quota is exceeded: the checkpoint takes ${size}${room}; nothing was changed`, cause);
  }
  if (errorName(cause) === 'SecurityError') return storeError(operation, store, key, 'unavailable', `${store.name} is not available (${describe(cause)})`, cause);
  return storeError(operation, store, key, 'failed', `the write failed (${describe(cause)}); nothing was changed`, cause);
}

// Browsers name it QuotaExceededError; older Firefox spoke of NS_ERROR_DOM_QUOTA_REACHED (code 1014).
function isQuotaError(e: unknown): boolean {
  const { code } = (e ?? {}) as { code?: unknown };
  const name = errorName(e);
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014;
}

function storeError(operation: string, store: Store, key: string | undefined, reason: Failure, text: string, cause?: unknown): GradstreamError {
  const where = key === undefined ? store.name : store.scheme + key;
  return new GradstreamError('FILE_ERROR', `${operation} ${where}: ${text}`, {
    path: where,
    operation,
    store: store.name,
    ...(key === undefined ? {} : { key }),
    reason,
    ...causeOf(cause),
  });
}

function fromStoredText(value: unknown, store: Store, key: string, options: BuildOptions): LoadedCheckpoint {
  const where = store.scheme + key;
  if (typeof value !== 'string') {
    throw new GradstreamError('CHECKPOINT_INVALID', `${where}: invalid checkpoint: the stored value is ${show(value)}, not checkpoint text`, {
      store: store.name,
      key,
    });
  }
  // Prefixed with where it came from, as loadCheckpoint names the file.
  return checkpointFrom(value, where, options, { store: store.name, key });
}

function errorName(e: unknown): string | undefined {
  const name = (e as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The browser's own words: `QuotaExceededError: …`. */
function describe(e: unknown): string {
  const name = errorName(e);
  const message = (e as { message?: unknown } | null | undefined)?.message;
  const text = typeof message === 'string' ? message : '';
  if (name === undefined) return text === '' ? String(e) : text;
  return text === '' ? name : `${name}: ${text}`;
}

/** `details.cause`: the browser's name for the error (`'QuotaExceededError'`), when it gave one. */
function causeOf(e: unknown): { cause?: string } {
  const name = errorName(e);
  return name === undefined ? {} : { cause: name };
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  return typeof v === 'object' ? 'an object' : typeof v === 'undefined' ? 'nothing' : `${typeof v} ${String(v)}`;
}

