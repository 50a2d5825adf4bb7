/**
 * Runs a run's workloads one at a time: logs what each does and when it is done, and keeps its
 * wall time (seconds, one decimal, its checks included) under its name in `seconds`.
 */
export function workloadTimer<W extends string>(log: (line: string) => void) {
  const seconds = {} as Record<W, number>;
  const run = async <T>(workload: W, what: string, work: () => Promise<T>): Promise<T> => {
    log(`${workload}: ${what}`);
    const t0 = performance.now();
    const out = await work();
    seconds[workload] = Math.round((performance.now() - t0) / 100) / 10;
    log(`${workload}: done in ${seconds[workload]} s`);
    return out;
  };
  return { seconds, run };
}
