import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);

/** The machine a run was measured on. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
}

/** CPU model, logical cores, memory, Node version and OS of this machine. */
export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

const PACKAGES = [
  '@gradstream/tensor',
  '@gradstream/graph',
  '@gradstream/ops',
  '@gradstream/trainer',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  'brain.js',
  'mnist',
] as const;

/** The installed version of every library compared (and of `extra` packages), read from its package.json. */
export function versions(extra: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...PACKAGES, ...extra]) out[name] = (require(`${name}/package.json`) as { version: string }).version;
  // The wasm backend is a dependency of @gradstream/graph, not of the bench: resolved from there.
  const fromGraph = createRequire(require.resolve('@gradstream/graph/package.json'));
  out['@gradstream/backend-wasm'] = (fromGraph('@gradstream/backend-wasm/package.json') as { version: string }).version;
  return out;
}
