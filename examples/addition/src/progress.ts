import { SingleBar } from 'cli-progress';
import { defer, finalize, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { GradstreamError } from '@gradstream/tensor';
import type { TrainEvent } from '@gradstream/trainer';

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** Training samples per epoch (default: the run's own count; required for a stream of samples, which does not say). */
  readonly samplesPerEpoch?: number;
  /** Where to write (default `process.stdout`). */
  readonly stream?: NodeJS.WriteStream;
  /** One line per epoch instead of a bar (default: when the stream is not a terminal, as in CI logs). */
  readonly lines?: boolean;
}

/**
 * Shows a run's progress: on a terminal, a bar over the whole run with the epoch, the batch within
 * it, the epoch's mean loss so far, training samples per second and the time left; elsewhere (a
 * pipe, a CI log) one line per epoch, since redrawing a bar there only fills the log.
 */
export function progress(options: ProgressOptions = {}): MonoTypeOperatorFunction<TrainEvent> {
  const stream = options.stream ?? process.stdout;
  const lines = options.lines ?? !stream.isTTY;
  const samplesIn = (counted: number | null): number => {
    const n = options.samplesPerEpoch ?? counted;
    if (n === null) {
      throw new GradstreamError('INVALID_OPTION', 'progress: a run on a stream of samples needs samplesPerEpoch (the stream does not say how many)', {});
    }
    return n;
  };
  return (source) =>
    defer(() => {
      let bar: SingleBar | undefined;
      let epochs = 0;
      let batches = 0;
      let started = 0;
      let seen = 0;
      let lossSum = 0;
      let lossCount = 0;
      const speed = (): number => seen / Math.max(1e-9, (performance.now() - started) / 1000);
      return source.pipe(
        tap((e) => {
          switch (e.type) {
            case 'start':
              epochs = e.config.epochs;
              batches = Math.ceil(samplesIn(e.config.samples) / e.config.batchSize);
              started = performance.now();
              if (!lines) {
                bar = new SingleBar({
                  stream,
                  format: 'epoch {epoch}/{epochs} {bar} batch {batch}/{batches} | loss {loss} | {speed} samples/s | ETA {eta_formatted}',
                  barsize: 24,
                  etaBuffer: 50,
                  hideCursor: true,
                });
                bar.start(epochs * batches, 0, { epoch: 1, epochs, batch: 0, batches, loss: '—', speed: '—' });
              }
              break;
            case 'epochStart':
              lossSum = 0;
              lossCount = 0;
              break;
            case 'batch':
              seen += e.size;
              lossSum += e.loss;
              lossCount++;
              bar?.update((e.epoch - 1) * batches + e.batch, {
                epoch: e.epoch,
                batch: e.batch,
                loss: (lossSum / lossCount).toFixed(4),
                speed: speed().toFixed(0),
              });
              break;
            case 'epoch':
              if (lines) {
                const seconds = (performance.now() - started) / 1000;
                stream.write(`epoch ${e.epoch}/${epochs}  loss ${e.loss.toFixed(4)}  ${speed().toFixed(0)} samples/s  ${seconds.toFixed(1)} s\n`);
              }
              break;
            default:
              break;
          }
        }),
        finalize(() => bar?.stop()),
      );
    });
}
