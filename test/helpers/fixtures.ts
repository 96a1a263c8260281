/**
 * The fixture-table driver: reads the PyTorch reference cases of an op family (written by
 * `scripts/reference/make_fixtures.py`) and checks every case's output and input gradients on every
 * backend, in float64 and float32.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type { Tensor } from '../../src/index.js';
import { tensor, zeros } from '../../src/index.js';
import { describeEachBackend } from './backends.js';
import { assertTensorClose } from './close.js';

/** A tensor as stored in a fixture. */
export interface TensorJson {
  shape: number[];
  dtype: 'float64' | 'int32';
  values: number[];
}

/** One reference case. */
export interface FixtureCase {
  op: string;
  name: string;
  inputs: (TensorJson | null)[];
  args: unknown[];
  options: Record<string, unknown>;
  output: TensorJson;
  upstream?: TensorJson;
  grads?: (TensorJson | null)[];
}

/** Calls the convnet-ts op a case names, with the case's inputs, positional arguments and options. */
export type Runner = (inputs: (Tensor | null)[], args: unknown[], options: Record<string, unknown>) => Tensor;

/** The cases of `test/fixtures/<family>.json`. */
export function loadFixtures(family: string): FixtureCase[] {
  const url = new URL(`../fixtures/${family}.json`, import.meta.url);
  const document = JSON.parse(readFileSync(url, 'utf8')) as { cases: FixtureCase[] };
  return document.cases;
}

/**
 * Registers one test per case, backend and float dtype. Also fails if a case names an op without a
 * runner, or a runner has no case.
 */
export function fixtureSuite(family: string, runners: Record<string, Runner>): void {
  const cases = loadFixtures(family);
  void it(`${family} fixtures cover every runner`, () => {
    const ops = new Set(cases.map((c) => c.op));
    assert.deepEqual(
      Object.keys(runners).filter((op) => !ops.has(op)),
      [],
      'runners without a reference case',
    );
    assert.deepEqual(
      [...ops].filter((op) => !(op in runners)),
      [],
      'cases without a runner',
    );
  });
  describeEachBackend(`${family} matches PyTorch`, () => {
    for (const dtype of ['float64', 'float32'] as const) {
      for (const c of cases) {
        void it(`${c.op}: ${c.name} (${dtype})`, () => {
          const runner = runners[c.op];
          assert.ok(runner, `no runner for op ${c.op}`);
          const withGrad = c.grads !== undefined;
          const inputs = c.inputs.map((j) =>
            j === null
              ? null
              : tensor(j.values, j.shape, {
                  dtype: j.dtype === 'int32' ? 'int32' : dtype,
                  requiresGrad: withGrad && j.dtype !== 'int32',
                }),
          );
          const out = runner(inputs, c.args, c.options);
          assertTensorClose(out, c.output, undefined, 'output');
          if (c.upstream === undefined || c.grads === undefined) return;
          out.backward(tensor(c.upstream.values, c.upstream.shape, { dtype }));
          c.grads.forEach((expected, i) => {
            if (expected === null) return;
            const input = inputs[i]!;
            assertTensorClose(
              input.grad ?? zeros(input.shape, { dtype }),
              expected,
              undefined,
              `gradient of input ${i}`,
            );
          });
        });
      }
    }
  });
}
