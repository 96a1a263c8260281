/**
 * `convnet data download NAME`: fetches MNIST, Fashion-MNIST or CIFAR-10 into a folder that `--data` then
 * reads, verifying every file's published checksum.
 */
import type { Command } from 'commander';
import { Argument } from 'commander';
import { SingleBar } from 'cli-progress';
import type { DatasetName } from '../node/download/catalog.js';
import { DATASETS } from '../node/download/catalog.js';
import type { DownloadProgress } from '../node/download/download-dataset.js';
import { downloadDataset } from '../node/download/download-dataset.js';
import type { CliIo } from './io.js';
import { println } from './io.js';

/** The options of `convnet data download`, as parsed. */
export interface DownloadOptions {
  dir?: string;
  baseUrl?: string;
}

/** Adds `convnet data download` to `program`. */
export function registerData(program: Command, io: CliIo): void {
  const data = program.command('data').description('datasets');
  data
    .command('download')
    .description('download a dataset (checksums verified) into a folder for --data')
    .addArgument(new Argument('<name>', 'the dataset').choices(Object.keys(DATASETS)))
    .option('--dir <folder>', 'where to put it (default: data/<name>)')
    .option('--base-url <url>', "a mirror holding the same files (default: the dataset's usual source)")
    .action(async (name: string, options: DownloadOptions) => {
      await downloadCommand(name, options, io);
    });
}

/** Runs `convnet data download NAME` with parsed `options`, writing to `io`. */
export async function downloadCommand(name: string, options: DownloadOptions, io: CliIo): Promise<void> {
  const dir = options.dir ?? `data/${name}`;
  const bar =
    io.stderr.isTTY === true
      ? new SingleBar({
          stream: io.stderr as NodeJS.WritableStream,
          format: '{file} {bar} {percentage}% | {value}/{total} bytes',
          clearOnComplete: true,
        })
      : null;
  let active = '';
  const onProgress = (event: DownloadProgress): void => {
    if (event.type === 'progress' && bar !== null) {
      if (active !== event.file) {
        bar.stop();
        bar.start(event.totalBytes ?? event.receivedBytes, 0, { file: event.file });
        active = event.file;
      }
      bar.update(event.receivedBytes, { file: event.file });
    } else if (event.type === 'saved' || event.type === 'skip' || event.type === 'unpacked') {
      bar?.stop();
      active = '';
      const verb =
        event.type === 'skip' ? 'already there' : event.type === 'saved' ? 'downloaded' : 'unpacked';
      println(io.stdout, `${event.file}: ${verb}`);
    } else if (event.type === 'retry') {
      bar?.stop();
      active = '';
      println(
        io.stderr,
        `${event.file}: ${event.error.message}; retrying in ${Math.round(event.delayMs / 1000)} s`,
      );
    }
  };
  try {
    const result = await downloadDataset(name as DatasetName, { dir, baseUrl: options.baseUrl, onProgress });
    println(
      io.stdout,
      `${result.name} is in ${result.dir}; train on it with: convnet train --data ${result.dir}`,
    );
  } finally {
    bar?.stop();
  }
}
