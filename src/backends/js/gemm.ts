/**
 * Matrix multiplication in the js backend: the textbook i-p-j loop over row-major operands, which streams
 * rows of B and C. Transposed operands are first copied to row-major.
 */
import type { GemmSpec } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';
import { dtypeOf, typedArrayFor } from '../../dtype.js';

/** Copies `rows × cols` starting at `offset` into a new `cols × rows` array. */
function transposed(x: TypedArray, offset: number, rows: number, cols: number): TypedArray {
  const out = typedArrayFor(dtypeOf(x), rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = x[offset + r * cols + c]!;
  }
  return out;
}

/** `C[b] = op(A[b]) · op(B[b])`, see {@link GemmSpec}. */
export function gemm(spec: GemmSpec): TypedArray {
  const { batch, m, k, n } = spec;
  const out = typedArrayFor(dtypeOf(spec.a), batch * m * n);
  const row = new Float64Array(n);
  for (let bi = 0; bi < batch; bi++) {
    const aOffset = bi * spec.aBatchStride;
    const bOffset = bi * spec.bBatchStride;
    const a = spec.transA ? transposed(spec.a, aOffset, k, m) : spec.a;
    const aBase = spec.transA ? 0 : aOffset;
    const b = spec.transB ? transposed(spec.b, bOffset, n, k) : spec.b;
    const bBase = spec.transB ? 0 : bOffset;
    const cBase = bi * m * n;
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const aip = a[aBase + i * k + p]!;
        if (aip === 0) continue;
        const bRow = bBase + p * n;
        for (let j = 0; j < n; j++) row[j]! += aip * b[bRow + j]!;
      }
      for (let j = 0; j < n; j++) out[cBase + i * n + j] = row[j]!;
    }
  }
  return out;
}
