/*
 * IndexedDB as promises, for the checkpoints kept in a page: open the database, run one request in
 * a transaction. Nothing else of gradstream is imported here: browser-storage.ts loads this module
 * on its first IndexedDB call (a dynamic import), so a page that never keeps a model in IndexedDB
 * does not download it, and the errors it raises are turned into gradstream's there.
 */

/** The IndexedDB database and object store checkpoints live in (out-of-line keys: the caller's). */
const DATABASE = 'gradstream-checkpoints';
const DATABASE_VERSION = 1;
const OBJECT_STORE = 'checkpoints';

/** The page has no IndexedDB, or refuses it; `reason` is what the browser threw, if anything. */
export class IndexedDbUnavailable extends Error {
  constructor(readonly reason: unknown) {
    super('IndexedDB is not available');
  }
}

export interface IdbRequest<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
export interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
}
export interface IdbFactory {
  open(name: string, version: number): IdbOpenRequest;
}
export interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite', options?: { durability: 'strict' }): IdbTransaction;
  close(): void;
  onversionchange: (() => void) | null;
}
export interface IdbTransaction {
  readonly error: unknown;
  objectStore(name: string): IdbObjectStore;
  abort(): void;
  oncomplete: (() => void) | null;
  onabort: (() => void) | null;
}
export interface IdbObjectStore {
  put(value: unknown, key: string): IdbRequest<unknown>;
  get(key: string): IdbRequest<unknown>;
  count(key: string): IdbRequest<number>;
  delete(key: string): IdbRequest<unknown>;
  getAllKeys(): IdbRequest<unknown[]>;
}
/**
 * The checkpoints database, opened (and made on first use). Rejects with
 * {@link IndexedDbUnavailable} where the page has no IndexedDB or refuses it: a sandboxed frame
 * throws on the very access, some private modes refuse the open.
 */
export function openDatabase(): Promise<IdbDatabase> {
  let factory: IdbFactory | undefined;
  try {
    factory = (globalThis as { indexedDB?: IdbFactory }).indexedDB;
  } catch (e) {
    return Promise.reject(new IndexedDbUnavailable(e));
  }
  if (factory === undefined || factory === null) return Promise.reject(new IndexedDbUnavailable(undefined));
  const idb = factory;
  return new Promise((resolve, reject) => {
    let request: IdbOpenRequest;
    try {
      request = idb.open(DATABASE, DATABASE_VERSION);
    } catch (e) {
      reject(new IndexedDbUnavailable(e));
      return;
    }
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(OBJECT_STORE)) db.createObjectStore(OBJECT_STORE);
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrading the database must not wait for this connection.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(new IndexedDbUnavailable(request.error));
  });
}

/**
 * Runs requests in one transaction of the checkpoint store and resolves with the result of the one
 * `body` returns once the transaction has completed: for a write, once it is committed (and with
 * strict durability, on disk). A failure anywhere aborts the whole transaction, so nothing of it lands.
 */
export function transact<T>(db: IdbDatabase, mode: 'readonly' | 'readwrite', body: (store: IdbObjectStore) => IdbRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    let tx: IdbTransaction;
    let request: IdbRequest<T>;
    try {
      // Strict: `complete` only once the data is on disk, as saveCheckpoint syncs its file before it returns.
      tx = mode === 'readwrite' ? db.transaction(OBJECT_STORE, mode, { durability: 'strict' }) : db.transaction(OBJECT_STORE, mode);
    } catch (e) {
      reject(e);
      return;
    }
    tx.oncomplete = () => resolve(request.result);
    tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
    try {
      request = body(tx.objectStore(OBJECT_STORE));
    } catch (e) {
      // A request that failed to start does not abort the transaction by itself: the others would commit.
      try {
        tx.abort();
      } catch {
        // already finished
      }
      reject(e);
    }
  });
}
