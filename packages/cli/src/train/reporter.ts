import cliProgress from 'cli-progress';
import type { EpochEvent, TrainEvent } from '@gradstream/trainer';
import { formatNumber } from '../format.js';
import { println, type CliOutput } from '../io.js';
import { terminalCapabilities } from '../terminal.js';

/** Shows a training run as it goes. */
export interface TrainReporter {
  event(e: TrainEvent): void;
  /** Ends the display (also after a failure). */
  close(): void;
}

/** Every event as one line of JSON, for piping into other programs. */
export function jsonReporter(out: CliOutput): TrainReporter {
  return {
    event: (e) => println(out, JSON.stringify(e)),
    close: () => undefined,
  };
}

/** `loss 0.1234  accuracy 0.9000  val_loss …`: an epoch's scores on one line. */
export function epochScores(e: EpochEvent): string {
  const parts = [`loss ${formatNumber(e.loss)}`, ...Object.entries(e.metrics).map(([k, v]) => `${k} ${formatNumber(v)}`)];
  if (e.validation !== undefined) {
    parts.push(`val_loss ${formatNumber(e.validation.loss)}`, ...Object.entries(e.validation.metrics).map(([k, v]) => `val_${k} ${formatNumber(v)}`));
  }
  return parts.join('  ');
}

/** Samples per second as a whole number with thousands separators. */
function rate(samples: number, ms: number): string {
  return ms > 0 ? Math.round((samples * 1000) / ms).toLocaleString('en-US') : '–';
}

/** One line per epoch (for logs and pipes, where a redrawn bar would be noise). */
export function lineReporter(out: CliOutput): TrainReporter {
  let epochs = 0;
  let samples = 0;
  let since = 0;
  return {
    event(e) {
      if (e.type === 'start') epochs = e.config.epochs;
      else if (e.type === 'epochStart') {
        samples = 0;
        since = performance.now();
      } else if (e.type === 'batch') samples += e.size;
      else if (e.type === 'epoch') {
        const width = String(epochs).length;
        println(out, `epoch ${String(e.epoch).padStart(width)}/${epochs}  ${epochScores(e)}  ${rate(samples, performance.now() - since)} samples/s`);
      }
    },
    close: () => undefined,
  };
}

/** A progress bar redrawn in place: epoch, batch, loss, samples/s and the time left. */
export function barReporter(out: CliOutput): TrainReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream: out as unknown as NodeJS.WritableStream,
      format: 'epoch {epoch}/{epochs} {bar} batch {batch}/{batches} | loss {loss} | {speed} samples/s | ETA {eta_formatted}',
      barsize: 24,
      hideCursor: true,
      etaBuffer: 200,
      fps: 10,
      linewrap: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let samples = 0;
  let t0 = 0;
  let shown = 0;
  // One payload object, refreshed a few times a second: batches can come far faster than a terminal redraws.
  const payload = { epoch: 0, epochs: 0, batch: 0, batches: 0, loss: '–', speed: '–' };
  return {
    event(e) {
      if (e.type === 'start') {
        payload.epochs = e.config.epochs;
        payload.batches = e.config.samples === null ? 0 : Math.ceil(e.config.samples / e.config.batchSize);
        t0 = performance.now();
        bar.start(Math.max(1, payload.epochs * payload.batches), 0, payload);
        started = true;
      } else if (e.type === 'batch') {
        samples += e.size;
        const now = performance.now();
        if (now - shown < 100 && e.batch !== payload.batches) return;
        shown = now;
        payload.epoch = e.epoch;
        payload.batch = e.batch;
        payload.loss = formatNumber(e.loss);
        payload.speed = rate(samples, now - t0);
        bar.update(e.step, payload);
      } else if (e.type === 'epoch') {
        payload.loss = formatNumber(e.validation?.loss ?? e.loss);
        bar.update(payload);
      } else if (e.type === 'end' || e.type === 'error') {
        this.close();
      }
    },
    close() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/**
 * The progress display of a run on `out` (stderr, so that stdout holds only results): the bar
 * redrawn in place where `out` takes cursor codes ({@link terminalCapabilities}), one line per epoch
 * otherwise (a pipe, a log file, `TERM=dumb`).
 *
 * @param out - where to draw (the command's stderr)
 * @param env - the environment (default: the process's)
 * @example
 * ```ts
 * const reporter = progressReporter(process.stderr);
 * reporter.close();
 * ```
 */
export function progressReporter(out: CliOutput, env?: Readonly<Record<string, string | undefined>>): TrainReporter {
  return terminalCapabilities(out, env).cursor ? barReporter(out) : lineReporter(out);
}
