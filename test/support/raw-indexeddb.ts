/**
 * Reads or writes gradstream's checkpoint store in IndexedDB past the library's API, as another
 * program (or a bad disk) would: the tests in Node (fake-indexeddb) and the browser page share it.
 */
export function rawIndexedDb<T>(work: (store: IDBObjectStore) => IDBRequest<T>, mode: IDBTransactionMode = 'readonly'): Promise<T> {
  return new Promise((done, fail) => {
    const open = indexedDB.open('gradstream-checkpoints', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('checkpoints');
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('checkpoints', mode);
      const request = work(tx.objectStore('checkpoints'));
      tx.oncomplete = () => {
        db.close();
        done(request.result);
      };
      tx.onabort = () => fail(tx.error);
    };
  });
}
