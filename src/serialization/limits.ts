/**
 * Limits for reading files from strangers. Every reader (safetensors, checkpoints, architecture JSON, IDX,
 * CSV, CIFAR, PNG/JPEG, ONNX) checks what a file claims — its nesting depth, header size, element counts,
 * inflated size, image size, model size — against these limits and against the file's real length
 * *before* allocating anything the file asks for, so a small hostile file fails fast with the reader's
 * typed error instead of exhausting memory or time. Each limit has a default that ordinary files stay far
 * below, and every reader takes `{ limits: { … } }` to raise (or lower) any of them.
 *
 * The helpers here are shared by the readers: {@link resolveLimits} checks a caller's overrides,
 * {@link exceeds} words a refusal the same way everywhere (naming the limit and how to raise it) and
 * {@link clip} bounds any piece of a file echoed into a message.
 */
import { ArgumentError } from '../errors.js';

/** The limits a reader enforces; see {@link DEFAULT_LIMITS} for the defaults. */
export interface ReadLimits {
  /** Deepest nesting of arrays and objects in any JSON text a file holds (headers, metadata, architectures). */
  readonly maxJsonDepth: number;
  /** Longest header a file may declare, in bytes (a safetensors JSON header, an ONNX model's metadata). */
  readonly maxHeaderBytes: number;
  /** Most values a file may declare in all its tensors or images together. */
  readonly maxElements: number;
  /** Most bytes decompressing a file (gzip, a PNG's image data, an embedded profile) may produce. */
  readonly maxInflatedBytes: number;
  /** Most pixels (width × height) of one image. */
  readonly maxPixels: number;
  /** Most parameters (weights, biases and buffers) a model built from a file's architecture may have. */
  readonly maxParameters: number;
  /** Most values any one layer of that model may produce or need as workspace, for one sample. */
  readonly maxActivationElements: number;
  /** Most multiply-adds that model may spend on one sample. */
  readonly maxMultiplyAdds: number;
}

/** Overrides of some limits; the rest keep their defaults. */
export type ReadLimitOptions = Partial<ReadLimits>;

/**
 * The default limits: far above what this library's models and datasets need (Fashion-MNIST's training
 * images are 47 million values; the bench CNN has 0.4 million parameters), far below what would exhaust a
 * laptop.
 *
 * | limit                   | default              |
 * | ----------------------- | -------------------- |
 * | `maxJsonDepth`          | 64                   |
 * | `maxHeaderBytes`        | 16 MiB               |
 * | `maxElements`           | 2²⁸ (268 million)    |
 * | `maxInflatedBytes`      | 512 MiB              |
 * | `maxPixels`             | 64 megapixels (2²⁶)  |
 * | `maxParameters`         | 2²⁷ (134 million)    |
 * | `maxActivationElements` | 2²⁶ (67 million)     |
 * | `maxMultiplyAdds`       | 2³³ (8.6 billion)    |
 */
export const DEFAULT_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxJsonDepth: 64,
  maxHeaderBytes: 16 * 2 ** 20,
  maxElements: 2 ** 28,
  maxInflatedBytes: 512 * 2 ** 20,
  maxPixels: 2 ** 26,
  maxParameters: 2 ** 27,
  maxActivationElements: 2 ** 26,
  maxMultiplyAdds: 2 ** 33,
});

const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof ReadLimits)[];

/**
 * The limits a reader uses: the defaults with `given`'s overrides. Each override must be a positive safe
 * integer; an unknown name is refused (a misspelt limit would otherwise be silently ignored).
 *
 * @param op the reader, for the error message
 * @throws {ArgumentError} naming `limits.<name>` for a bad override
 *
 * @example
 * resolveLimits({ maxPixels: 2 ** 28 }, 'decodeImage').maxPixels   // 268435456
 */
export function resolveLimits(given: ReadLimitOptions | undefined, op: string): ReadLimits {
  if (given === undefined) return DEFAULT_LIMITS;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new ArgumentError(op, 'limits', `expected an object of limits, got ${typeof given}`);
  }
  for (const [name, value] of Object.entries(given) as [string, unknown][]) {
    if (!LIMIT_NAMES.includes(name as keyof ReadLimits)) {
      throw new ArgumentError(
        op,
        'limits',
        `unknown limit ${clip(name, 40)} (known: ${LIMIT_NAMES.join(', ')})`,
      );
    }
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) {
      throw new ArgumentError(
        op,
        `limits.${name}`,
        `expected a positive integer, got ${typeof value === 'number' ? value : typeof value}`,
      );
    }
  }
  const defined = Object.entries(given).filter(([, value]) => value !== undefined);
  return Object.freeze({ ...DEFAULT_LIMITS, ...Object.fromEntries(defined) });
}

/**
 * The words of a refusal: what the file claims, the limit it exceeds and how to raise it, e.g.
 * `declares 10000000000 values, more than the limit maxElements = 268435456 (raise it with the option
 * limits.maxElements)`.
 *
 * @param claim what the file claims, e.g. `'declares 10000000000 values'`
 */
export function exceeds(claim: string, limit: keyof ReadLimits, limits: ReadLimits): string {
  return `${claim}, more than the limit ${limit} = ${limits[limit]} (raise it with the option limits.${limit})`;
}

/** Longest piece of a file (or file name) any message echoes. */
export const MAX_ECHO_CHARS = 200;

/**
 * `text` if it has at most `max` characters, else its start and end around an ellipsis that says how much
 * was left out, so a message never grows with the hostile file it describes.
 *
 * @example
 * clip('x'.repeat(1000), 20)   // 'xxxxxxxx…(980 more)…xxxxxxxx'-like, at most about 20 + 16 characters
 */
export function clip(text: string, max = MAX_ECHO_CHARS): string {
  if (text.length <= max) return text;
  const head = Math.ceil(max / 2);
  const tail = Math.floor(max / 2);
  return `${text.slice(0, head)}…(${text.length - head - tail} more characters)…${text.slice(text.length - tail)}`;
}

/** The options every reader takes: limits to raise (or lower) for this call. */
export interface ReadOptions {
  /** Overrides of {@link DEFAULT_LIMITS}. */
  readonly limits?: ReadLimitOptions;
}
