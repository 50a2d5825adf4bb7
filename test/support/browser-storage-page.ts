/**
 * The page of test/browser-storage.e2e.test.ts, bundled for the browser: it trains XOR, keeps the
 * model in IndexedDB and localStorage, offers it as a download and loads an uploaded one, all
 * through `@gradstream/graph`'s browser storage. The test drives it through `window.storageTest`.
 */
import {
  downloadCheckpoint,
  GradstreamError,
  listIndexedDbCheckpoints,
  listLocalStorageCheckpoints,
  loadCheckpointFile,
  loadFromIndexedDb,
  loadFromLocalStorage,
  saveToIndexedDb,
  saveToLocalStorage,
  sequential,
  type LoadedCheckpoint,
  type Model,
} from '@gradstream/graph';
import { dense, linear, mse } from '@gradstream/ops';
import { adam, checkpointBest, end$, fit } from '@gradstream/trainer';
import { lastValueFrom } from 'rxjs';
import { rawIndexedDb } from './raw-indexeddb.js';

/** What the test compares: outputs on the four XOR inputs, and every parameter's values. */
export interface ModelFacts {
  readonly predictions: number[];
  readonly params: number[][];
  readonly step: number | undefined;
  readonly epoch: number | undefined;
}

/** A failure as the page saw it. */
export interface Failure {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export interface StorageTestPage {
  /** Trains XOR, then saves the model in IndexedDB and localStorage under `xor`; the best epoch's checkpoint goes to IndexedDB under `best`. */
  train(): Promise<ModelFacts>;
  /** After a reload: the models loaded back from both stores, and what each store lists. */
  loadStored(): Promise<{ indexedDb: ModelFacts; localStorage: ModelFacts; best: ModelFacts; keys: { indexedDb: string[]; localStorage: string[] } }>;
  /** Offers the model stored under `xor` as `xor.ckpt.json`. */
  download(): Promise<void>;
  /** The model loaded from the file picked in the page's file input (waits for the pick). */
  uploaded(): Promise<ModelFacts>;
  /** What loading altered, missing and oversized values does. */
  failures(): Promise<{ indexedDb: Failure; localStorage: Failure; missing: Failure; quota: Failure; afterQuota: ModelFacts }>;
}

const XOR = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };

function facts(model: Model, state: Partial<LoadedCheckpoint> = {}): ModelFacts {
  return {
    predictions: Array.from(model.predict(XOR.x).data),
    params: model.parameters().map((p) => Array.from(p.value.data)),
    step: state.step,
    epoch: state.epoch,
  };
}

function failure(e: unknown): Failure {
  if (!(e instanceof GradstreamError)) throw e;
  return { code: e.code, message: e.message, details: { ...e.details } };
}

async function caught(work: () => unknown): Promise<Failure> {
  try {
    await work();
  } catch (e) {
    return failure(e);
  }
  throw new Error('expected a GradstreamError, but nothing was thrown');
}

/** Flips one bit of the first parameter's bytes, keeping the text's length: only the checksum can tell. */
function alter(text: string): string {
  const json = JSON.parse(text) as { params: Record<string, { data: string }> };
  const first = Object.values(json.params)[0]!;
  const bytes = Uint8Array.from(atob(first.data), (c) => c.charCodeAt(0));
  bytes[0] = bytes[0]! ^ 0x01;
  first.data = btoa(String.fromCharCode(...bytes));
  return JSON.stringify(json);
}


const input = document.querySelector<HTMLInputElement>('#upload')!;
const picked = new Promise<LoadedCheckpoint>((resolve, reject) => {
  input.addEventListener('change', () => loadCheckpointFile(input.files![0]!).then(resolve, reject), { once: true });
});

const page: StorageTestPage = {
  async train() {
    const model = sequential(
      [dense({ inFeatures: 2, outFeatures: 8, activation: 'tanh' }), dense({ inFeatures: 8, outFeatures: 1, activation: 'sigmoid' })],
      { inputShape: [2], loss: mse(), seed: 1 },
    );
    const end = await lastValueFrom(
      end$(
        fit(model, XOR, {
          epochs: 60,
          batchSize: 4,
          optimizer: adam({ lr: 0.05 }),
          // The checkpoint object a training run hands out, stored as it is.
          policies: [checkpointBest({ monitor: 'loss', save: (c) => saveToIndexedDb(c, 'best') })],
        }),
      ),
    );
    const state = { step: end.steps, epoch: end.epochs };
    await saveToIndexedDb(model, 'xor', state);
    saveToLocalStorage(model, 'xor', state);
    return facts(model, state);
  },

  async loadStored() {
    const fromDb = await loadFromIndexedDb('xor');
    const fromLocal = loadFromLocalStorage('xor');
    const best = await loadFromIndexedDb('best');
    return {
      indexedDb: facts(fromDb.model, fromDb),
      localStorage: facts(fromLocal.model, fromLocal),
      best: facts(best.model, best),
      keys: { indexedDb: await listIndexedDbCheckpoints(), localStorage: listLocalStorageCheckpoints() },
    };
  },

  async download() {
    const { model, step, epoch } = await loadFromIndexedDb('xor');
    downloadCheckpoint(model, 'xor.ckpt.json', { ...(step === undefined ? {} : { step }), ...(epoch === undefined ? {} : { epoch }) });
  },

  async uploaded() {
    const loaded = await picked;
    return facts(loaded.model, loaded);
  },

  async failures() {
    const key = 'gradstream-checkpoint/xor';
    const good = localStorage.getItem(key)!;
    localStorage.setItem(key, alter(good));
    const local = await caught(() => loadFromLocalStorage('xor'));
    localStorage.setItem(key, good);

    const stored = (await rawIndexedDb((s) => s.get('xor'), 'readonly')) as string;
    await rawIndexedDb((s) => s.put(alter(stored), 'xor'), 'readwrite');
    const db = await caught(() => loadFromIndexedDb('xor'));
    await rawIndexedDb((s) => s.put(stored, 'xor'), 'readwrite');

    const missing = await caught(() => loadFromIndexedDb('no-such-model'));
    // 1500 × 1000 float32 weights: 6 MB, 8 million characters of base64, beyond the browser's localStorage quota.
    const large = sequential([linear({ inFeatures: 1000, outFeatures: 1500 })], { inputShape: [1000], loss: mse(), seed: 1 });
    const quota = await caught(() => saveToLocalStorage(large, 'xor'));
    const kept = loadFromLocalStorage('xor');
    return { indexedDb: db, localStorage: local, missing, quota, afterQuota: facts(kept.model, kept) };
  },
};

(window as unknown as { storageTest: StorageTestPage }).storageTest = page;
document.body.dataset['ready'] = 'true';
