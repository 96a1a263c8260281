/**
 * Data types. Floating tensors are `float32` (the default) or `float64`; `int32` holds labels, indices,
 * `argmax` results and comparison masks (0 or 1).
 */
export type DType = 'float32' | 'float64' | 'int32';

/** The typed array that stores a tensor's values, row-major. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** Every dtype, in promotion order. */
export const DTYPES: readonly DType[] = ['int32', 'float32', 'float64'];

/** True for `float32` and `float64`. */
export function isFloating(dtype: DType): boolean {
  return dtype !== 'int32';
}

/** A zero-filled typed array of the given dtype. */
export function typedArrayFor(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
  }
}

/** The dtype of a typed array. */
export function dtypeOf(array: TypedArray): DType {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  return 'int32';
}

/** Bytes per element. */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'float64' ? 8 : 4;
}

/**
 * The dtype of a binary operation's result, as PyTorch promotes: the wider of the two, with any floating
 * type winning over `int32`.
 */
export function promoteTypes(a: DType, b: DType): DType {
  return DTYPES.indexOf(a) >= DTYPES.indexOf(b) ? a : b;
}
