/**
 * `convnet filter INPUT… -k SPEC… -o OUT`: applies image kernels to PNG and JPEG images with the library's
 * own convolution (`vision.applyKernel`), each kernel to the input independently or, with `--chain`, in
 * sequence; adds the edge magnitude (`--edges`) and a pooled image (`--pool`) as further results, and
 * draws a labelled contact sheet of the original and every result (`--sheet`).
 *
 * All or nothing: every option and kernel is checked before any image is read, every input is opened
 * before anything is written, and the outputs are renamed into place only once every result of every
 * input has been written; a failure removes everything the run wrote.
 */
import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { toGrayscale } from '../data/transforms.js';
import { ConvnetError, SerializationError } from '../errors.js';
import { describeFsError } from '../node/data/files.js';
import { writeFileAtomic } from '../node/files.js';
import type { ContactSheetTile } from '../node/vision/contact-sheet.js';
import { DEFAULT_TILE_SIZE, fitTile, renderContactSheet } from '../node/vision/contact-sheet.js';
import { readImageFile, writeImageFile } from '../node/vision/files.js';
import type { ReadLimitOptions } from '../serialization/limits.js';
import type { ImageFormat } from '../vision/codec.js';
import type { CliIo } from './io.js';
import { CliError, println } from './io.js';
import { kernelListing } from './filter-list.js';
import type { InputImage } from './filter-output.js';
import {
  StagedFiles,
  checkDistinct,
  folderResultPath,
  formatOfExtension,
  isFolderPath,
  listInputs,
  resultPath,
} from './filter-output.js';
import type { FilterComputeOptions, FilterResult, Picture } from './filter-plan.js';
import {
  EDGE_OPERATORS,
  OUTPUT_MODES,
  PADDING_MODES,
  collect,
  jpegQuality,
  planResults,
  poolSpec,
} from './filter-plan.js';
import { filterProgress } from './filter-progress.js';
import { DEFAULT_BACKEND, LIMIT_HELP, THREADS_HELP, parseLimit, useBackend, useThreads } from './shared.js';
import { threadCount } from './options.js';

/** The options of `convnet filter`, as parsed (absent when not given). */
export interface FilterOptions extends FilterComputeOptions {
  out?: string;
  sheet?: string;
  list?: boolean;
  quality?: number;
  bitDepth?: '8' | '16';
  gray?: boolean;
  format?: ImageFormat;
  limit?: ReadLimitOptions;
  backend?: string;
  threads?: number;
}

/** Adds `convnet filter` to `program`. */
export function registerFilter(program: Command, io: CliIo): void {
  program
    .command('filter')
    .description(
      'apply image kernels to PNG or JPEG images (files or folders), with edge magnitude, pooling and a contact sheet',
    )
    .argument('[inputs...]', 'PNG or JPEG files, or folders (every .png/.jpg/.jpeg inside)')
    .option(
      '-k, --kernel <spec>',
      'a kernel name with parameters (sobel-x, gaussian:5:1.4; see --list) or a matrix "[[1,0],[0,-1]]" or "1,0;0,-1"; repeatable',
      collect,
    )
    .option(
      '-o, --out <path>',
      'output file (one input; several results get the result name before the extension) or folder',
    )
    .option('--chain', 'apply the kernels in sequence, giving one result (--output applies to the last)')
    .option('--convolve', 'true convolution (the kernel flipped) instead of correlation')
    .addOption(new Option('--padding <kind>', 'output size (default: same)').choices(['same', 'valid']))
    .addOption(
      new Option('--padding-mode <mode>', 'values beyond the border (default: zeros)').choices(PADDING_MODES),
    )
    .addOption(
      new Option(
        '--output <mode>',
        'to [0, 1]: clip, |x| then clip, or min-max normalise (default: clip)',
      ).choices(OUTPUT_MODES),
    )
    .addOption(new Option('--edges <operator>', 'also write the edge magnitude').choices(EDGE_OPERATORS))
    .addOption(
      new Option(
        '--norm <norm>',
        'edge magnitude |gx|+|gy| (l1) or its Euclidean norm (default: l1)',
      ).choices(['l1', 'l2']),
    )
    .option('--pool <spec>', 'also write the image pooled: max:SIZE[:STRIDE] or avg:SIZE[:STRIDE]', poolSpec)
    .option('--sheet <file.png>', 'also write a contact sheet: the original and every result, labelled')
    .option('--list', 'list the named kernels with their parameters and matrices')
    .option('--quality <1-100>', 'JPEG quality (default: 90)', jpegQuality)
    .addOption(
      new Option('--bit-depth <bits>', "PNG bits per sample (default: the input's)").choices(['8', '16']),
    )
    .option('--gray', 'convert to gray first (ITU-R 601 luma)')
    .addOption(
      new Option('--format <format>', "format of files written into a folder (default: the input's)").choices(
        ['png', 'jpeg'],
      ),
    )
    .option('--backend <name>', `compute backend (default: ${DEFAULT_BACKEND})`)
    .option('--threads <n>', THREADS_HELP, threadCount)
    .option('--limit <name=value>', LIMIT_HELP, parseLimit)
    .action(async (inputs: string[], options: FilterOptions) => {
      await filterCommand(inputs, options, io);
    });
}

/** One file to write for one input. */
interface Output {
  readonly result: FilterResult;
  readonly path: string;
  readonly format: ImageFormat;
}

/** A line of the results table. */
interface Written {
  readonly path: string;
  readonly size: string;
  readonly what: string;
}

/**
 * Runs `convnet filter` on `inputs` with parsed `options`, writing to `io`.
 *
 * @throws {CliError} (or a library error naming the file) with a one-line message; nothing is left behind
 */
export async function filterCommand(
  inputs: readonly string[],
  options: FilterOptions,
  io: CliIo,
): Promise<void> {
  if (options.list === true) {
    println(io.stdout, kernelListing());
    return;
  }
  useBackend(options.backend ?? DEFAULT_BACKEND);
  useThreads(options.threads);
  const results = planResults(options);
  if (inputs.length === 0) throw new CliError('<inputs>', 'give at least one PNG or JPEG file or folder');
  const out = options.out;
  if (out === undefined)
    throw new CliError('--out', 'missing: the output file, or folder for several inputs');
  const sheet = options.sheet;
  if (sheet !== undefined && formatOfExtension(sheet) !== 'png') {
    throw new CliError('--sheet', `${sheet}: expected a file name ending in .png`);
  }
  const { images, hasFolder } = listInputs(inputs);
  const folder = hasFolder || images.length > 1 || isFolderPath(out);
  const outputs = images.map((input) => planOutputs(input, results, out, folder, options.format));
  const all = outputs.flat();
  checkDistinct(
    [
      ...all.map(({ path }) => ({ path, option: '--out' })),
      ...(sheet === undefined ? [] : [{ path: sheet, option: '--sheet' }]),
    ],
    images.map((input) => input.path),
  );
  const jpeg = all.find((output) => output.format === 'jpeg');
  if (options.bitDepth === '16' && jpeg !== undefined) {
    throw new CliError('--bit-depth', `16-bit samples need PNG, but ${jpeg.path} is a JPEG file`);
  }

  const staged = new StagedFiles();
  const progress = filterProgress(io, images.length);
  const written: Written[] = [];
  const tiles: ContactSheetTile[] = [];
  try {
    staged.makeFolder(folder ? out : dirname(out), '--out');
    if (sheet !== undefined) staged.makeFolder(dirname(sheet), '--sheet');
    images.forEach((input, index) => {
      const decoded = readImageFile(input.path, { limits: options.limit });
      const [, h, w] = decoded.image.shape as [number, number, number];
      progress.file(index, basename(input.path), h * w);
      const picture: Picture = {
        image: options.gray === true ? toGrayscale()(decoded.image) : decoded.image,
        alpha: decoded.alpha,
      };
      if (sheet !== undefined) tiles.push({ label: basename(input.path), image: fitTile(picture.image) });
      let alphaNoted = false;
      outputs[index]!.forEach(({ result, path, format }, r) => {
        const computed = computeResult(input, result, picture, (done, total) => {
          progress.rows(r, results.length, done, total);
        });
        if (format === 'jpeg' && computed.alpha !== null && !alphaNoted) {
          println(
            io.stderr,
            `note: ${input.path} has an alpha channel, which JPEG cannot hold; it is dropped`,
          );
          alphaNoted = true;
        }
        stageImage(staged, path, computed, {
          format,
          bitDepth: outputBitDepth(format, options.bitDepth, decoded.bitDepth),
          quality: options.quality,
        });
        const [, rh, rw] =
          computed.image.shape.length === 3 ? computed.image.shape : [1, ...computed.image.shape];
        written.push({ path, size: `${rw}×${rh}`, what: result.label });
        if (sheet !== undefined) tiles.push({ label: result.label, image: fitTile(computed.image) });
      });
    });
    if (sheet !== undefined) {
      const png = await renderContactSheet(tiles, {
        tileSize: DEFAULT_TILE_SIZE,
        columns: results.length + 1,
        title: images.length === 1 ? basename(images[0]!.path) : undefined,
      });
      staged.stage(sheet, (temporary) => {
        writeFile(sheet, () => {
          writeFileAtomic(temporary, png);
        });
      });
      written.push({ path: sheet, size: pngSize(png), what: `contact sheet of ${tiles.length} images` });
    }
    staged.commit();
  } catch (error) {
    staged.abort();
    throw error;
  } finally {
    progress.stop();
  }
  const pathWidth = Math.max(...written.map((w) => w.path.length));
  const sizeWidth = Math.max(...written.map((w) => w.size.length));
  for (const { path, size, what } of written) {
    println(io.stdout, `${path.padEnd(pathWidth)}  ${size.padStart(sizeWidth)}  ${what}`);
  }
}

/** Where each result of `input` goes, and in which format. */
function planOutputs(
  input: InputImage,
  results: readonly FilterResult[],
  out: string,
  folder: boolean,
  format: ImageFormat | undefined,
): Output[] {
  if (folder) {
    return results.map((result) => ({
      result,
      path: folderResultPath(out, input, result.slug, results.length, format),
      format: format ?? input.format,
    }));
  }
  const own = formatOfExtension(out);
  if (own === null) {
    throw new CliError('--out', `${out}: expected a file name ending in .png, .jpg or .jpeg, or a folder`);
  }
  if (format !== undefined && format !== own) {
    throw new CliError('--format', `${format} does not match the extension of ${out}`);
  }
  return results.map((result) => ({
    result,
    path: resultPath(out, result.slug, results.length),
    format: own,
  }));
}

/** `result` of `input`, a library error (an image too small for 'valid'…) becoming one naming the file. */
function computeResult(
  input: InputImage,
  result: FilterResult,
  picture: Picture,
  onProgress: (done: number, total: number) => void,
): Picture {
  try {
    return result.compute(picture, onProgress);
  } catch (error) {
    if (error instanceof ConvnetError) throw new CliError(input.path, `${result.label}: ${error.message}`);
    throw error;
  }
}

/** Bits per sample of an output: 8 for JPEG, else `--bit-depth`, else the input's own. */
function outputBitDepth(format: ImageFormat, requested: '8' | '16' | undefined, input: 8 | 16): 8 | 16 {
  if (format === 'jpeg') return 8;
  if (requested === undefined) return input;
  return requested === '16' ? 16 : 8;
}

/** Writes `picture` to a staged file for `path`; a JPEG drops the alpha. */
function stageImage(
  staged: StagedFiles,
  path: string,
  picture: Picture,
  options: { format: ImageFormat; bitDepth: 8 | 16; quality: number | undefined },
): void {
  staged.stage(path, (temporary) => {
    writeFile(path, () => {
      writeImageFile(temporary, picture.image, {
        ...options,
        alpha: options.format === 'jpeg' ? null : picture.alpha,
      });
    });
  });
}

/** Runs `write`, a failure to write becoming a {@link CliError} naming `path` rather than its temporary file. */
function writeFile(path: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    if (!(error instanceof SerializationError)) throw error;
    throw new CliError('--out', `cannot write ${path}: ${describeFsError(error.cause)}`);
  }
}

/** `W×H` of PNG bytes, from the IHDR chunk. */
function pngSize(png: Uint8Array): string {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return `${view.getUint32(16)}×${view.getUint32(20)}`;
}
