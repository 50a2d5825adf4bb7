import { Session } from 'node:inspector/promises';

/** A node of V8's sampling heap profile. */
interface ProfileNode {
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

/**
 * Bytes of JavaScript heap that `fn` allocates, as V8's sampling heap profiler estimates them
 * (one sample per `interval` bytes on average), counting objects already collected too: a
 * measure of allocation, not of what stays alive. Typed arrays' backing stores live outside the
 * heap; `test/support/allocations.ts` counts those.
 */
export async function sampledAllocationBytes(fn: () => Promise<void>, interval = 64): Promise<number> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: interval,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await fn();
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
    const total = (n: ProfileNode): number => n.selfSize + n.children.reduce((s, c) => s + total(c), 0);
    return total(profile.head);
  } finally {
    session.disconnect();
  }
}
