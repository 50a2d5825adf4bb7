import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// The flag must be set before the function is looked up; a new context then hands out `gc`.
setFlagsFromString('--expose-gc');

/** A full garbage collection, in a test process started without `--expose-gc`. */
export const gc = runInNewContext('gc') as () => void;

/** `heapUsed` after full collections (twice: the first may leave what only finalizers release). */
export function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
