/**
 * Progress of a pass over a dataset: a live bar on stderr (loss, accuracy, images/s, time left) when stderr
 * is a terminal, and nothing otherwise, so logs and tests get only the per-epoch lines.
 */
import { SingleBar } from 'cli-progress';
import type { BatchProgress } from '../train/loop.js';
import type { CliIo } from './io.js';

/** A progress display for one pass. */
export interface PassProgress {
  /** Shows the state after a batch. */
  update(progress: BatchProgress): void;
  /** Removes the bar. */
  stop(): void;
}

/**
 * A bar for a pass over `samples` samples labelled `label` (e.g. `epoch 2/5`), on `io.stderr` if it is a
 * terminal.
 */
export function passProgress(io: CliIo, label: string, samples: number): PassProgress {
  if (io.stderr.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: io.stderr as NodeJS.WritableStream,
    format: `${label} {bar} {percentage}% | {value}/{total} | loss {loss} | acc {accuracy} | {speed} img/s | ETA {eta_formatted}`,
    barsize: 24,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  const start = performance.now();
  bar.start(samples, 0, { loss: '-', accuracy: '-', speed: '-' });
  return {
    update(progress) {
      const seconds = (performance.now() - start) / 1000;
      bar.update(progress.samples, {
        loss: progress.loss.toFixed(4),
        accuracy: percent(progress.accuracy),
        speed: seconds > 0 ? Math.round(progress.samples / seconds) : '-',
      });
    },
    stop() {
      bar.stop();
    },
  };
}

/** A fraction as a percentage with two decimals: `0.8735` → `'87.35%'`. */
export function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}
