/**
 * Bad-input tables: each case calls a public function with a wrong argument and names the typed error it
 * must raise. The suite also checks that the error names the function the user called, and that every
 * public function of the listed source modules has at least one case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as api from '../../src/index.js';
import { ConvnetError } from '../../src/index.js';
import * as nodeApi from '../../src/node/index.js';

/** A typed error class of `src/errors.ts`. */
export type ErrorClass = new (...args: never[]) => ConvnetError;

/**
 * One bad call: the public function it exercises (its name in `src/index.ts`, or `Tensor.method`), what is
 * wrong, the call, the error class it must throw and, when it differs from the function's name, the op the
 * error should name.
 */
export type BadInputCase = [fn: string, what: string, call: () => unknown, error: ErrorClass, op?: string];

/**
 * Registers one test per case, plus one that fails if a function of one of `modules` that takes arguments
 * and that `src/index.ts` or `src/node/index.ts` exports, at the top level or in a namespace (`F`, `vision`,
 * `data`…), has no case.
 */
export function badInputSuite(
  title: string,
  cases: readonly BadInputCase[],
  modules: readonly Record<string, unknown>[] = [],
): void {
  void describe(title, () => {
    for (const [fn, what, call, error, op] of cases) {
      void it(`${fn}: ${what}`, () => {
        assert.throws(call, (e: unknown) => {
          assert.ok(e instanceof error, `expected ${error.name}, got ${String(e)}`);
          const expectedOp = op ?? fn.replace(/^Tensor\./, '');
          assert.equal(e.op, expectedOp, `error names op '${e.op}': ${e.message}`);
          return true;
        });
      });
    }
    if (modules.length > 0) {
      void it('covers every public function of its modules', () => {
        const covered = new Set(cases.map(([fn]) => fn));
        const exported = new Set(modules.flatMap((m) => Object.values(m)));
        const missing = publicFunctions()
          .filter(
            ([name, value]) =>
              typeof value === 'function' && value.length > 0 && exported.has(value) && !covered.has(name),
          )
          .map(([name]) => name);
        assert.deepEqual(missing, [], 'public functions without a bad-input case');
      });
    }
  });
}

/**
 * Every name and value the two entry points export (`convnet-ts` and `convnet-ts/node`), with the members of
 * their namespaces under their own names.
 */
function publicFunctions(): [string, unknown][] {
  const entries = [...Object.entries(api), ...Object.entries(nodeApi)];
  const namespaces = entries
    .map(([, value]) => value)
    .filter((value) => Object.prototype.toString.call(value) === '[object Module]') as Record<
    string,
    unknown
  >[];
  return [...entries, ...namespaces.flatMap((ns) => Object.entries(ns))];
}
