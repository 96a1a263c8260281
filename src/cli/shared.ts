/**
 * What several commands share: choosing the backend, raising the read limits with `--limit`, resolving
 * `--model` to an architecture, loading a checkpoint for a command, and writing a text file atomically.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { listBackends, setBackend } from '../backend/registry.js';
import { wasmRuntime } from '../backends/wasm/runtime.js';
import { setNumThreads } from '../backends/wasm/threads.js';
import type { Checkpoint } from '../checkpoint/model.js';
import { ConvnetError, SerializationError } from '../errors.js';
import type { Architecture } from '../models/architecture.js';
import { readArchitectureJson } from '../models/architecture.js';
import { MODEL_NAMES, isModelName, namedArchitecture } from '../models/named.js';
import { loadCheckpointFile } from '../node/checkpoint-files.js';
import { writeFileAtomic } from '../node/files.js';
import { describeFsError, isFile } from '../node/data/files.js';
import type { AnyModule } from '../nn/module.js';
import { groupDigits } from '../nn/format.js';
import type { ReadLimitOptions, ReadLimits } from '../serialization/limits.js';
import { DEFAULT_LIMITS } from '../serialization/limits.js';
import { countNonFinite } from '../train/finite.js';
import type { CliIo } from './io.js';
import { CliError, println } from './io.js';

/**
 * The backend the commands use without `--backend`: the js backend with WebAssembly SIMD matrix products,
 * about twice as fast as plain js at training the bench CNN (see BENCHMARKS.md).
 */
export const DEFAULT_BACKEND = 'wasm';

/** Switches to the backend `name`, or fails naming `--backend` and the backends there are. */
export function useBackend(name: string): void {
  if (!listBackends().includes(name)) {
    throw new CliError('--backend', `unknown backend "${name}" (available: ${listBackends().join(', ')})`);
  }
  setBackend(name);
}

/** The help of `--threads`, which every computing command has. */
export const THREADS_HELP = 'threads of the wasm backend (default: all cores)';

/** Applies `--threads` when given (else the wasm backend uses every core). */
export function useThreads(threads: number | undefined): void {
  if (threads !== undefined) setNumThreads(threads);
}

/**
 * How the wasm backend runs, for a run's header: `, 2 threads, relaxed SIMD`; empty for other backends.
 * Loads the backend's module if it is not loaded yet.
 */
export function describeThreads(backend: string): string {
  if (backend !== 'wasm') return '';
  const runtime = wasmRuntime();
  const threads = `${runtime.threads} thread${runtime.threads === 1 ? '' : 's'}`;
  return `, ${threads}, ${runtime.relaxedSimd ? 'relaxed SIMD' : 'SIMD'}`;
}

/** The help of `--limit`, which every command that reads files from users has. */
export const LIMIT_HELP = `raise a read limit for hostile-file checks, e.g. maxParameters=300000000 (repeatable; limits: ${Object.keys(DEFAULT_LIMITS).join(', ')})`;

/**
 * Parses one `--limit NAME=VALUE` for commander, adding it to the limits given before (the option is
 * repeatable). VALUE is a positive integer, in digits or exponent notation that is an exact integer
 * (`300000000`, `3e8`).
 *
 * @throws {CliError} naming `--limit` and the known limits for an unknown name or a bad value
 *
 * @example
 * parseLimit('maxPixels=2e8', { maxParameters: 3e8 })   // { maxParameters: 300000000, maxPixels: 200000000 }
 */
export function parseLimit(text: string, previous: ReadLimitOptions = {}): ReadLimitOptions {
  const names = Object.keys(DEFAULT_LIMITS);
  const known = `known limits: ${names.join(', ')}`;
  const match = /^([A-Za-z]+)=(.*)$/.exec(text);
  if (match === null)
    throw new CliError('--limit', `expected NAME=VALUE, got ${JSON.stringify(text)} (${known})`);
  const [, name, valueText] = match as unknown as [string, string, string];
  if (!names.includes(name))
    throw new CliError('--limit', `unknown limit ${JSON.stringify(name)} (${known})`);
  const value = Number(valueText);
  if (!/^\d+(\.\d+)?(e\+?\d+)?$/i.test(valueText) || !Number.isSafeInteger(value) || value < 1) {
    throw new CliError(
      '--limit',
      `${name}: expected a positive integer such as 300000000 or 3e8, got ${JSON.stringify(valueText)} (${known})`,
    );
  }
  return { ...previous, [name as keyof ReadLimits]: value };
}

/** What `--model` names: its label for output, and its architecture for a number of classes. */
export interface ModelChoice {
  /** The built-in name, or the file's architecture name (else its file name). */
  readonly label: string;
  /** The architecture, with `numClasses` outputs for a built-in one (a file fixes its own). */
  architecture(numClasses: number): Architecture;
}

/**
 * Resolves `--model`: a built-in name (sized for the number of classes when asked), or the JSON file at
 * that path, read (with the `--limit` overrides `limits`) and checked field by field now, so a bad value
 * fails before any data is loaded.
 */
export function resolveModel(model: string, limits?: ReadLimitOptions): ModelChoice {
  if (isModelName(model)) return { label: model, architecture: (n) => namedArchitecture(model, n) };
  if (!isFile(model)) {
    throw new CliError(
      '--model',
      `unknown model "${model}": expected ${MODEL_NAMES.join(', ')}, or the path of an architecture JSON file`,
    );
  }
  let text: string;
  try {
    text = readFileSync(model, 'utf8');
  } catch (error) {
    throw new CliError('--model', `${model}: ${describeFsError(error)}`);
  }
  try {
    const architecture = readArchitectureJson(text, { limits });
    return { label: architecture.name ?? basename(model), architecture: () => architecture };
  } catch (error) {
    if (error instanceof ConvnetError) throw new CliError('--model', `${model}: ${error.message}`);
    throw error;
  }
}

/**
 * The checkpoint at `path` for the argument `argument`, read with the `--limit` overrides `limits`; every
 * failure is a one-line {@link CliError}.
 */
export function readCheckpoint(path: string, argument: string, limits?: ReadLimitOptions): Checkpoint {
  try {
    return loadCheckpointFile(path, { limits });
  } catch (error) {
    if (error instanceof ConvnetError) throw new CliError(argument, error.message);
    throw error;
  }
}

/**
 * What is wrong with a model whose weights or buffers hold NaN or infinite values, e.g. `12 of 61,706
 * weights are NaN or infinite`, or `null` when every value is finite.
 */
export function describeNonFinite(model: AnyModule): string | null {
  const tensors = [...model.parameters(), ...model.buffers()];
  const bad = countNonFinite(tensors);
  if (bad === 0) return null;
  const total = tensors.reduce((n, t) => n + t.size, 0);
  return `${groupDigits(bad)} of ${groupDigits(total)} weights are NaN or infinite`;
}

/**
 * Prints one warning line to stderr if the checkpoint at `path` holds NaN or infinite weights, whose
 * outputs mean nothing (the run that wrote it diverged).
 */
export function warnNonFinite(io: CliIo, path: string, model: AnyModule): void {
  const problem = describeNonFinite(model);
  if (problem !== null) {
    println(
      io.stderr,
      `warning: ${path}: ${problem}; its outputs are meaningless (the run that wrote it diverged)`,
    );
  }
}

/**
 * Writes `text` to `path` through a temporary file in the same folder that is flushed and renamed over
 * `path`, so no reader ever sees a partial file.
 */
export function writeTextFile(path: string, text: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (error) {
    if (!(error instanceof SerializationError)) throw error;
    throw new CliError('--out', `cannot write ${path}: ${describeFsError(error.cause)}`);
  }
}
