/**
 * Matrix products: `matmul` with PyTorch's rules for 1-D and batched operands, and `linear`, the fully
 * connected layer `y = x Wᵀ + b`.
 */
import { isFloating } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { broadcastShapes, formatShape, shapesEqual, sizeOf } from '../shape.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Tensor, checkTensor } from '../tensor.js';
import { add, sumToShape } from './elementwise.js';
import { expand } from './shape.js';
import { sum } from './reduction.js';

/**
 * Raw batched product of `(batch, m, k)`-shaped `a` and `(batch, k, n)`-shaped `b` (either may hold a
 * single matrix used for the whole batch); `transA`/`transB` read the stored matrices transposed.
 */
export function rawGemm(
  a: Tensor,
  b: Tensor,
  dims: { batch: number; m: number; k: number; n: number },
  transA = false,
  transB = false,
): Tensor {
  const { batch, m, k, n } = dims;
  const data = backend().gemm({
    a: a.data,
    b: b.data,
    batch,
    m,
    k,
    n,
    transA,
    transB,
    aBatchStride: a.size === m * k ? 0 : m * k,
    bBatchStride: b.size === k * n ? 0 : k * n,
  });
  return new Tensor(data, [batch, m, n]);
}

function checkFloatPair(op: string, a: Tensor, b: Tensor, names: [string, string]): void {
  checkTensor(a, op, names[0]);
  checkTensor(b, op, names[1]);
  for (const [t, name] of [
    [a, names[0]],
    [b, names[1]],
  ] as const) {
    if (!isFloating(t.dtype)) throw new DTypeError(op, name, `expected a floating tensor, got ${t.dtype}`);
  }
  if (a.dtype !== b.dtype)
    throw new DTypeError(op, names[1], `expected dtype ${a.dtype} like ${names[0]}, got ${b.dtype}`);
}

/**
 * Matrix product with `torch.matmul` semantics: 1-D operands are vectors (a dot product for two of them),
 * and leading dims of ≥ 3-D operands are batch dims that broadcast.
 */
export function matmul(input: Tensor, other: Tensor): Tensor {
  checkFloatPair('matmul', input, other, ['input', 'other']);
  if (input.ndim === 0 || other.ndim === 0)
    throw new ShapeError('matmul', '', 'both arguments need at least 1 dimension');
  const a = input.ndim === 1 ? input.reshape([1, input.shape[0]!]) : input;
  const b = other.ndim === 1 ? other.reshape([other.shape[0]!, 1]) : other;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) {
    throw new ShapeError(
      'matmul',
      '',
      `shapes ${formatShape(input.shape)} and ${formatShape(other.shape)} cannot be multiplied (${k} vs ${k2})`,
    );
  }
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  const batch = sizeOf(batchShape);
  const aFull = sizeOf(a.shape.slice(0, -2)) === 1 ? a : noGrad(() => expand(a, [...batchShape, m, k]));
  const bFull = sizeOf(b.shape.slice(0, -2)) === 1 ? b : noGrad(() => expand(b, [...batchShape, k, n]));
  let outShape = [...batchShape, m, n];
  if (input.ndim === 1) outShape = outShape.filter((_, i) => i !== outShape.length - 2);
  if (other.ndim === 1) outShape = outShape.slice(0, -1);
  const out = rawGemm(aFull, bFull, { batch, m, k, n }).reshape(outShape);
  return record(out, 'matmul', [input, other], (g) => matmulBackward(g, input, other));
}
/** For C = A B: dA = dC Bᵀ and dB = Aᵀ dC, each summed over the batch dims its operand was broadcast along. */
export function matmulBackward(grad: Tensor, input: Tensor, other: Tensor): [Tensor, Tensor] {
  const a = input.ndim === 1 ? input.reshape([1, input.shape[0]!]) : input;
  const b = other.ndim === 1 ? other.reshape([other.shape[0]!, 1]) : other;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.ndim - 1]!;
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  const batch = sizeOf(batchShape);
  const g = grad.reshape([batch, m, n]);
  const aFull = sizeOf(a.shape.slice(0, -2)) === 1 ? a : expand(a, [...batchShape, m, k]);
  const bFull = sizeOf(b.shape.slice(0, -2)) === 1 ? b : expand(b, [...batchShape, k, n]);
  const da = rawGemm(g, bFull, { batch, m, k: n, n: k }, false, true).reshape([...batchShape, m, k]);
  const db = rawGemm(aFull, g, { batch, m: k, k: m, n }, true, false).reshape([...batchShape, k, n]);
  return [sumToShape(da, a.shape).reshape(input.shape), sumToShape(db, b.shape).reshape(other.shape)];
}

/** Checks the arguments of `linear` and returns the weight's `[outFeatures, inFeatures]`. */
function checkLinear(input: Tensor, weight: Tensor, bias: Tensor | null | undefined): [number, number] {
  checkFloatPair('linear', input, weight, ['input', 'weight']);
  if (weight.ndim !== 2)
    throw new ShapeError(
      'linear',
      'weight',
      `expected a 2-D weight (out, in), got shape ${formatShape(weight.shape)}`,
    );
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== inFeatures) {
    throw new ShapeError(
      'linear',
      'input',
      `expected last dimension ${inFeatures} (weight ${formatShape(weight.shape)}), got shape ${formatShape(input.shape)}`,
    );
  }
  if (bias !== undefined && bias !== null) {
    checkTensor(bias, 'linear', 'bias');
    if (bias.ndim !== 1 || bias.shape[0] !== outFeatures) {
      throw new ShapeError(
        'linear',
        'bias',
        `expected shape [${outFeatures}], got ${formatShape(bias.shape)}`,
      );
    }
    if (bias.dtype !== input.dtype)
      throw new DTypeError('linear', 'bias', `expected dtype ${input.dtype}, got ${bias.dtype}`);
  }
  return [outFeatures, inFeatures];
}

/**
 * Fully connected layer: `y = x Wᵀ + b` for `x` of shape `(*, in)`, `weight` `(out, in)` and `bias` `(out)`;
 * `y` has shape `(*, out)`.
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const [outFeatures, inFeatures] = checkLinear(input, weight, bias);
  const rows = input.size / inFeatures;
  const outShape = [...input.shape.slice(0, -1), outFeatures];
  const product = rawGemm(
    input,
    weight,
    { batch: 1, m: rows, k: inFeatures, n: outFeatures },
    false,
    true,
  ).reshape(outShape);
  const out = bias ? noGrad(() => add(product, bias)) : product;
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return record(out, 'linear', inputs, (g) => linearBackward(g, input, weight, bias ?? null));
}
/** For y = x Wᵀ + b: dx = dy W, dW = dyᵀ x, db = Σ dy over every row. */
export function linearBackward(
  grad: Tensor,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
): (Tensor | null)[] {
  const [outFeatures, inFeatures] = checkLinear(input, weight, bias);
  checkTensor(grad, 'linear', 'grad');
  const outShape = [...input.shape.slice(0, -1), outFeatures];
  if (!shapesEqual(grad.shape, outShape)) {
    throw new ShapeError(
      'linear',
      'grad',
      `expected the output shape ${formatShape(outShape)}, got ${formatShape(grad.shape)}`,
    );
  }
  const rows = input.size / inFeatures;
  const dx = rawGemm(grad, weight, { batch: 1, m: rows, k: outFeatures, n: inFeatures }).reshape(input.shape);
  const dw = rawGemm(grad, input, { batch: 1, m: outFeatures, k: rows, n: inFeatures }, true, false).reshape(
    weight.shape,
  );
  const grads: (Tensor | null)[] = [dx, dw];
  if (bias) grads.push(sum(grad.reshape([rows, outFeatures]), { dim: 0 }));
  return grads;
}
