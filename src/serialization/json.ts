/**
 * JSON from files: `JSON.parse` after a linear scan that refuses nesting deeper than a limit, so deeply
 * nested input (`[[[[…]]]]` a million times) is a typed error naming the limit, never a
 * `RangeError: Maximum call stack size exceeded` from the parser or from code that walks the result.
 */
import type { ReadLimits } from './limits.js';
import { clip, exceeds } from './limits.js';

/** Says what is wrong with a JSON text; throws the reader's own typed error. */
export type JsonFail = (detail: string) => never;

/**
 * The deepest nesting of arrays and objects in `text`, and where it first exceeds `max` (the offset of
 * the bracket that goes one level too deep), found in one pass that skips strings. The text need not be
 * valid JSON; `JSON.parse` judges that afterwards.
 */
export function jsonDepth(text: string, max: number): { depth: number; tooDeepAt: number | undefined } {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string: up to the next quote not escaped by a backslash.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (depth > max) return { depth, tooDeepAt: i };
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return { depth: deepest, tooDeepAt: undefined };
}

/**
 * `JSON.parse(text)`, refusing through `fail` a text nested deeper than `limits.maxJsonDepth` (before
 * parsing) or one that is not valid JSON (with the parser's message, clipped).
 *
 * @example
 * parseJson(text, DEFAULT_LIMITS, (detail) => { throw new SerializationError('loadX', name, detail); });
 */
export function parseJson(text: string, limits: ReadLimits, fail: JsonFail): unknown {
  const { tooDeepAt } = jsonDepth(text, limits.maxJsonDepth);
  if (tooDeepAt !== undefined) {
    fail(
      exceeds(
        `is JSON nested ${limits.maxJsonDepth + 1} levels deep at character ${tooDeepAt}`,
        'maxJsonDepth',
        limits,
      ),
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return fail(`is not valid JSON: ${clip(error instanceof Error ? error.message : String(error))}`);
  }
}
