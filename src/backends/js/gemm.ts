/**
 * Matrix multiplication in the js backend. Both operands are first packed into panels (4 rows of op(A),
 * 4 columns of op(B), laid out so that one step along k reads 4 consecutive values of each), then a 4 × 4
 * block of C is accumulated in 16 local variables: 8 loads feed 16 multiply-adds, instead of 2 loads and a
 * store per multiply-add in the textbook loop. Accumulation is in float64.
 */
import type { GemmSpec } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';
import { dtypeOf, typedArrayFor } from '../../dtype.js';

/** Rows of op(A) per panel. */
const MR = 4;
/** Columns of op(B) per panel. */
const NR = 4;

/**
 * Packs a `rows × depth` matrix, read with strides `(rowStride, depthStride)` from `offset`, into panels of
 * `width` rows laid out depth-major: `panel[p * width + r]`. Rows past the end are zero.
 */
function pack(
  x: TypedArray,
  offset: number,
  rows: number,
  depth: number,
  rowStride: number,
  depthStride: number,
  width: number,
): Float64Array {
  const panels = Math.ceil(rows / width);
  const out = new Float64Array(panels * width * depth);
  for (let panel = 0; panel < panels; panel++) {
    const base = panel * width * depth;
    const count = Math.min(width, rows - panel * width);
    for (let r = 0; r < count; r++) {
      const start = offset + (panel * width + r) * rowStride;
      for (let p = 0; p < depth; p++) out[base + p * width + r] = x[start + p * depthStride]!;
    }
  }
  return out;
}

/** `C[b] = op(A[b]) · op(B[b])`, see {@link GemmSpec}. */
export function gemm(spec: GemmSpec): TypedArray {
  const { batch, m, k, n } = spec;
  const out = typedArrayFor(dtypeOf(spec.a), batch * m * n);
  const rowPanels = Math.ceil(m / MR);
  const colPanels = Math.ceil(n / NR);
  let packedB: Float64Array | null = null;
  for (let bi = 0; bi < batch; bi++) {
    // op(A) is m × k: element (i, p) is at i·k + p, or at p·m + i when transposed; likewise op(B) is k × n.
    const packedA = spec.transA
      ? pack(spec.a, bi * spec.aBatchStride, m, k, 1, m, MR)
      : pack(spec.a, bi * spec.aBatchStride, m, k, k, 1, MR);
    if (packedB === null || spec.bBatchStride !== 0) {
      packedB = spec.transB
        ? pack(spec.b, bi * spec.bBatchStride, n, k, k, 1, NR)
        : pack(spec.b, bi * spec.bBatchStride, n, k, 1, n, NR);
    }
    const a = packedA;
    const b = packedB;
    for (let ip = 0; ip < rowPanels; ip++) {
      for (let jp = 0; jp < colPanels; jp++) {
        let ai = ip * MR * k;
        let bj = jp * NR * k;
        let c00 = 0,
          c01 = 0,
          c02 = 0,
          c03 = 0;
        let c10 = 0,
          c11 = 0,
          c12 = 0,
          c13 = 0;
        let c20 = 0,
          c21 = 0,
          c22 = 0,
          c23 = 0;
        let c30 = 0,
          c31 = 0,
          c32 = 0,
          c33 = 0;
        for (let p = 0; p < k; p++) {
          const a0 = a[ai]!,
            a1 = a[ai + 1]!,
            a2 = a[ai + 2]!,
            a3 = a[ai + 3]!;
          const b0 = b[bj]!,
            b1 = b[bj + 1]!,
            b2 = b[bj + 2]!,
            b3 = b[bj + 3]!;
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
          ai += MR;
          bj += NR;
        }
        const i0 = ip * MR;
        const j0 = jp * NR;
        const rows = Math.min(MR, m - i0);
        const cols = Math.min(NR, n - j0);
        const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let r = 0; r < rows; r++) {
          const o = bi * m * n + (i0 + r) * n + j0;
          for (let c = 0; c < cols; c++) out[o + c] = tile[r * NR + c]!;
        }
      }
    }
  }
  return out;
}
