/**
 * In-place optimizer steps in the wasm backend (`optim.c`): float32 SGD and Adam/AdamW, with the tensor-op
 * version's operations in its order, each rounded to float32 (scalars too), so the results match it. The
 * updated arrays are copied back into the caller's. Other dtypes go to the js backend.
 */
import type { AdamStepSpec, SgdStepSpec } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';
import { adamStep as jsAdamStep, sgdStep as jsSgdStep } from '../js/optim.js';
import { PARALLEL_MIN_ELEMENTS, orJs } from './fallback.js';
import { f32bits, wasmRuntime } from './runtime.js';

/** Flags of `sgd_step_f32`. */
const SGD = { maximize: 1, decay: 2, momentum: 4, first: 8, nesterov: 16 } as const;
/** Flags of `adam_step_f32`. */
const ADAM = { maximize: 1, l2: 2, decoupled: 4, amsgrad: 8 } as const;

/** One SGD step on `param` (and `momentumBuffer`) in place, as `torch.optim.SGD`; float32 in wasm. */
export function sgdStep(
  param: TypedArray,
  grad: TypedArray,
  momentumBuffer: TypedArray | null,
  firstStep: boolean,
  spec: SgdStepSpec,
): void {
  const withMomentum = momentumBuffer !== null;
  if (
    !(param instanceof Float32Array) ||
    !(grad instanceof Float32Array) ||
    (withMomentum && !(momentumBuffer instanceof Float32Array))
  ) {
    jsSgdStep(param, grad, momentumBuffer, firstStep, spec);
    return;
  }
  if (param.length === 0) return;
  orJs(
    () => {
      const arena = wasmRuntime().arena();
      const paramAt = arena.put(param);
      const gradAt = arena.put(grad);
      const bufferAt = withMomentum ? arena.put(momentumBuffer) : 0;
      const flags =
        (spec.maximize ? SGD.maximize : 0) |
        (spec.weightDecay !== 0 ? SGD.decay : 0) |
        (withMomentum ? SGD.momentum : 0) |
        (firstStep ? SGD.first : 0) |
        (spec.nesterov ? SGD.nesterov : 0);
      arena.run(
        'sgd_step_f32',
        [
          paramAt,
          gradAt,
          bufferAt,
          param.length,
          flags,
          f32bits(spec.weightDecay),
          f32bits(spec.momentum),
          f32bits(1 - spec.dampening),
          f32bits(-spec.lr),
        ],
        { parallel: param.length >= PARALLEL_MIN_ELEMENTS },
      );
      arena.readInto(paramAt, param);
      if (withMomentum) arena.readInto(bufferAt, momentumBuffer);
    },
    () => {
      jsSgdStep(param, grad, momentumBuffer, firstStep, spec);
    },
  );
}

/** One Adam or AdamW step in place, as `torch.optim.Adam`/`AdamW`; float32 in wasm. */
export function adamStep(
  param: TypedArray,
  grad: TypedArray,
  expAvg: TypedArray,
  expAvgSq: TypedArray,
  maxExpAvgSq: TypedArray | null,
  spec: AdamStepSpec,
): void {
  const arrays = [param, grad, expAvg, expAvgSq, ...(spec.amsgrad ? [maxExpAvgSq] : [])];
  if (!arrays.every((a) => a instanceof Float32Array)) {
    jsAdamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, spec);
    return;
  }
  if (param.length === 0) return;
  orJs(
    () => {
      const arena = wasmRuntime().arena();
      const paramAt = arena.put(param as Float32Array);
      const gradAt = arena.put(grad as Float32Array);
      const mAt = arena.put(expAvg as Float32Array);
      const vAt = arena.put(expAvgSq as Float32Array);
      const maxAt = spec.amsgrad ? arena.put(maxExpAvgSq as Float32Array) : 0;
      const { lr, beta1, beta2, weightDecay, step } = spec;
      const flags =
        (spec.maximize ? ADAM.maximize : 0) |
        (!spec.decoupled && weightDecay !== 0 ? ADAM.l2 : 0) |
        (spec.decoupled ? ADAM.decoupled : 0) |
        (spec.amsgrad ? ADAM.amsgrad : 0);
      const scalars = [
        weightDecay,
        1 - lr * weightDecay,
        beta1,
        1 - beta1,
        beta2,
        1 - beta2,
        Math.sqrt(1 - beta2 ** step),
        spec.eps,
        -(lr / (1 - beta1 ** step)),
      ];
      arena.run(
        'adam_step_f32',
        [paramAt, gradAt, mAt, vAt, maxAt, param.length, flags, ...scalars.map(f32bits)],
        {
          parallel: param.length >= PARALLEL_MIN_ELEMENTS,
        },
      );
      arena.readInto(paramAt, param as Float32Array);
      arena.readInto(mAt, expAvg as Float32Array);
      arena.readInto(vAt, expAvgSq as Float32Array);
      if (spec.amsgrad) arena.readInto(maxAt, maxExpAvgSq as Float32Array);
    },
    () => {
      jsAdamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, spec);
    },
  );
}
