/**
 * Progress of `convnet filter` on stderr: a live bar when stderr is a terminal and there is something
 * worth waiting for (several files, or a large image), nothing otherwise.
 */
import { SingleBar } from 'cli-progress';
import type { CliIo } from './io.js';

/** Images with at least this many pixels get a bar even when they are the only input. */
const LARGE_IMAGE_PIXELS = 1_000_000;

/** Bar units per input file. */
const UNITS_PER_FILE = 1000;

/** Reports the progress of `convnet filter` over its inputs and their results. */
export interface FilterProgress {
  /** Input `index` (from 0) named `name`, of `pixels` pixels, starts. */
  file(index: number, name: string, pixels: number): void;
  /** Rows done of the current file's result `result` out of `results`. */
  rows(result: number, results: number, rowsDone: number, rowsTotal: number): void;
  /** Removes the bar. */
  stop(): void;
}

/** A progress display for `files` inputs on `io.stderr`, if it is a terminal. */
export function filterProgress(io: CliIo, files: number): FilterProgress {
  if (io.stderr.isTTY !== true)
    return { file: () => undefined, rows: () => undefined, stop: () => undefined };
  let bar: SingleBar | null = null;
  let current = 0;
  return {
    file(index, name, pixels) {
      current = index;
      if (bar === null && (files > 1 || pixels >= LARGE_IMAGE_PIXELS)) {
        bar = new SingleBar({
          stream: io.stderr as NodeJS.WritableStream,
          format: 'filter {bar} {percentage}% | file {index}/{files} {name} | ETA {eta_formatted}',
          barsize: 24,
          clearOnComplete: true,
          etaBuffer: 20,
        });
        bar.start(files * UNITS_PER_FILE, 0, { index: 1, files, name });
      }
      bar?.update(index * UNITS_PER_FILE, { index: index + 1, name });
    },
    rows(result, results, rowsDone, rowsTotal) {
      const fraction = (result + (rowsTotal > 0 ? rowsDone / rowsTotal : 1)) / results;
      bar?.update(Math.round((current + fraction) * UNITS_PER_FILE));
    },
    stop() {
      bar?.stop();
    },
  };
}
