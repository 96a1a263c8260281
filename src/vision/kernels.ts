/**
 * The classic image kernels, in one table ({@link KERNEL_DEFINITIONS}): each entry's name, parameters with
 * their defaults, description and the builder of its matrix sit together. Matrices are in correlation
 * orientation (as `F.conv2d`, `scipy.ndimage.correlate` and OpenCV's `filter2D` apply them): `sobel-x` is
 * `[[-1,0,1],[-2,0,2],[-1,0,1]]`, positive where brightness rises to the right. Parameterised kernels are
 * written `name:p1:p2…` (`gaussian:5:1.4`); a kernel can also be a user matrix.
 */
import { ArgumentError } from '../errors.js';

/** A kernel's weights as rows (`kH` rows of `kW` numbers), in correlation orientation. */
export type KernelMatrix = readonly (readonly number[])[];

/** A kernel ready to apply: its canonical name, its matrix and, when it is separable, its two factors. */
export interface Kernel {
  /** Canonical spec with every parameter, e.g. `'gaussian:5:1.1'`, or `'matrix 3x3'` for a user matrix. */
  readonly name: string;
  /** `kH × kW` weights, in correlation orientation. */
  readonly matrix: KernelMatrix;
  /** `matrix[i][j] = column[i] * row[j]` for separable kernels (Gaussian, box/mean, Sobel, Prewitt, Scharr), else null. */
  readonly separable: {
    /** The vertical factor, `kH` values. */
    readonly column: readonly number[];
    /** The horizontal factor, `kW` values. */
    readonly row: readonly number[];
  } | null;
}

/** One parameter of a named kernel. */
export interface KernelParameter {
  /** Upper-case name used in the docs, e.g. `'SIZE'`. */
  readonly name: string;
  /** Value used when the spec leaves the parameter out (for a default that depends on another parameter, its value at the defaults). */
  readonly default: number;
  /** What the parameter means, with its unit and constraints. */
  readonly description: string;
}

/** One named kernel: its name, its parameters in spec order, and what it does. */
export interface KernelDefinition {
  /** The kernel's name in a spec, e.g. `'gaussian'`. */
  readonly name: string;
  /** Its parameters, in the order a spec gives them (`gaussian:SIZE:SIGMA`). */
  readonly parameters: readonly KernelParameter[];
  /** What the kernel does. */
  readonly description: string;
}

/** The largest SIZE a parameterised kernel accepts (a typo like `gaussian:55555` would otherwise allocate billions of weights). */
const MAX_SIZE = 1001;

/** How a parameter's value is checked. */
type ParameterKind = 'odd size' | 'size' | 'positive' | 'number';

interface ParameterRecipe extends KernelParameter {
  readonly kind: ParameterKind;
  /** The default when it depends on the parameters before it (the Gaussian's sigma on its size). */
  readonly defaultFrom?: (earlier: readonly number[]) => number;
}

/** What a builder returns. */
interface KernelValues {
  readonly matrix: KernelMatrix;
  readonly separable: Kernel['separable'];
}

/** A table entry: the public definition plus its builder. */
interface KernelRecipe extends KernelDefinition {
  readonly parameters: readonly ParameterRecipe[];
  readonly build: (parameters: readonly number[]) => KernelValues;
}

function fixed(matrix: KernelMatrix): KernelValues {
  return { matrix, separable: null };
}

/** The kernel `column ⊗ row`, remembering its factors. */
function outer(column: readonly number[], row: readonly number[]): KernelValues {
  return { matrix: column.map((c) => row.map((r) => c * r)), separable: { column, row } };
}

/** Offsets from the centre of an odd `size`: `[-h, …, 0, …, h]`. */
function offsets(size: number): number[] {
  const half = (size - 1) / 2;
  return Array.from({ length: size }, (_, i) => i - half);
}

/** `exp(−x²/2σ²)` at integer offsets from the centre, normalised to sum 1 (= `cv2.getGaussianKernel`). */
function gaussian1d(size: number, sigma: number): number[] {
  const samples = offsets(size).map((x) => Math.exp(-(x * x) / (2 * sigma * sigma)));
  const total = samples.reduce((a, b) => a + b, 0);
  return samples.map((v) => v / total);
}

/** OpenCV's rule for the sigma of a Gaussian of `size` (what `getGaussianKernel` uses for sigma ≤ 0 and sizes above 9; smaller sizes get fixed tables there). */
function opencvSigma(size: number): number {
  return Number((0.3 * ((size - 1) / 2 - 1) + 0.8).toPrecision(12));
}

/** `identity + amount · (identity − gaussian)`: adds back `amount` times what the blur removed. */
function unsharp(size: number, sigma: number, amount: number): KernelValues {
  const blur = outer(gaussian1d(size, sigma), gaussian1d(size, sigma)).matrix;
  const centre = (size - 1) / 2;
  return fixed(
    blur.map((row, i) => row.map((g, j) => (i === centre && j === centre ? 1 + amount : 0) - amount * g)),
  );
}

/**
 * scipy.ndimage.gaussian_laplace's kernel: `d²g(y)·g(x) + g(y)·d²g(x)` with `g` sampled over the radius
 * `floor(4σ + 0.5)` and normalised there, `d²g(x) = (x²/σ⁴ − 1/σ²)·g(x)`; cut to SIZE × SIZE (zero beyond
 * the radius) and shifted by its mean so that it sums to 0 (a flat image gives 0).
 */
function laplacianOfGaussian(size: number, sigma: number): KernelValues {
  const radius = Math.floor(4 * sigma + 0.5);
  const g = gaussian1d(2 * radius + 1, sigma);
  const at = (x: number): number => (Math.abs(x) <= radius ? g[x + radius]! : 0);
  const d2 = (x: number): number => ((x * x) / sigma ** 4 - 1 / sigma ** 2) * at(x);
  const raw = offsets(size).map((y) => offsets(size).map((x) => d2(y) * at(x) + at(y) * d2(x)));
  const mean = raw.flat().reduce((a, b) => a + b, 0) / (size * size);
  return fixed(raw.map((row) => row.map((v) => v - mean)));
}

function box(size: number): KernelValues {
  const ones = Array.from({ length: size }, () => 1 / size);
  return outer(ones, ones);
}

const SIZE_3: ParameterRecipe = {
  name: 'SIZE',
  default: 3,
  kind: 'size',
  description: 'width and height in pixels, a positive integer (even sizes need padding "valid")',
};
const GAUSSIAN_SIZE: ParameterRecipe = {
  name: 'SIZE',
  default: 5,
  kind: 'odd size',
  description: 'width and height in pixels, an odd positive integer',
};
const GAUSSIAN_SIGMA: ParameterRecipe = {
  name: 'SIGMA',
  default: opencvSigma(5),
  kind: 'positive',
  defaultFrom: ([size]) => opencvSigma(size!),
  description:
    "standard deviation in pixels; default OpenCV's rule 0.3·((SIZE−1)/2 − 1) + 0.8 (1.1 for SIZE 5)",
};

const DERIVATIVE = [-1, 0, 1];

/** Every named kernel: definition and builder side by side. */
const RECIPES: readonly KernelRecipe[] = [
  {
    name: 'identity',
    parameters: [],
    description: 'leaves the image unchanged',
    build: () =>
      fixed([
        [0, 0, 0],
        [0, 1, 0],
        [0, 0, 0],
      ]),
  },
  {
    name: 'sobel-x',
    parameters: [],
    description: 'Sobel derivative along x (lights up vertical edges): [1,2,1]ᵀ ⊗ [−1,0,1]',
    build: () => outer([1, 2, 1], DERIVATIVE),
  },
  {
    name: 'sobel-y',
    parameters: [],
    description: 'Sobel derivative along y (lights up horizontal edges): [−1,0,1]ᵀ ⊗ [1,2,1]',
    build: () => outer(DERIVATIVE, [1, 2, 1]),
  },
  {
    name: 'prewitt-x',
    parameters: [],
    description: 'Prewitt derivative along x: [1,1,1]ᵀ ⊗ [−1,0,1]',
    build: () => outer([1, 1, 1], DERIVATIVE),
  },
  {
    name: 'prewitt-y',
    parameters: [],
    description: 'Prewitt derivative along y: [−1,0,1]ᵀ ⊗ [1,1,1]',
    build: () => outer(DERIVATIVE, [1, 1, 1]),
  },
  {
    name: 'scharr-x',
    parameters: [],
    description: 'Scharr derivative along x (more rotation-invariant than Sobel): [3,10,3]ᵀ ⊗ [−1,0,1]',
    build: () => outer([3, 10, 3], DERIVATIVE),
  },
  {
    name: 'scharr-y',
    parameters: [],
    description: 'Scharr derivative along y: [−1,0,1]ᵀ ⊗ [3,10,3]',
    build: () => outer(DERIVATIVE, [3, 10, 3]),
  },
  {
    name: 'diagonal-ne',
    parameters: [],
    description: 'diagonal edges, positive where brightness rises toward the top-right corner',
    build: () =>
      fixed([
        [0, 1, 2],
        [-1, 0, 1],
        [-2, -1, 0],
      ]),
  },
  {
    name: 'diagonal-nw',
    parameters: [],
    description: 'diagonal edges, positive where brightness rises toward the top-left corner',
    build: () =>
      fixed([
        [2, 1, 0],
        [1, 0, -1],
        [0, -1, -2],
      ]),
  },
  {
    name: 'diagonal-se',
    parameters: [],
    description: 'diagonal edges, positive where brightness rises toward the bottom-right corner',
    build: () =>
      fixed([
        [-2, -1, 0],
        [-1, 0, 1],
        [0, 1, 2],
      ]),
  },
  {
    name: 'diagonal-sw',
    parameters: [],
    description: 'diagonal edges, positive where brightness rises toward the bottom-left corner',
    build: () =>
      fixed([
        [0, -1, -2],
        [1, 0, -1],
        [2, 1, 0],
      ]),
  },
  {
    name: 'laplacian-4',
    parameters: [],
    description:
      'negative Laplacian, 4 neighbours (positive centre; minus scipy.ndimage.laplace / cv2.Laplacian)',
    build: () =>
      fixed([
        [0, -1, 0],
        [-1, 4, -1],
        [0, -1, 0],
      ]),
  },
  {
    name: 'laplacian-8',
    parameters: [],
    description: "negative Laplacian, 8 neighbours (positive centre; the seed's edge kernel)",
    build: () =>
      fixed([
        [-1, -1, -1],
        [-1, 8, -1],
        [-1, -1, -1],
      ]),
  },
  {
    name: 'gaussian',
    parameters: [GAUSSIAN_SIZE, GAUSSIAN_SIGMA],
    description:
      'Gaussian blur sampled at integer offsets, normalised to sum 1 (= cv2.getGaussianKernel ⊗ itself)',
    build: ([size, sigma]) => outer(gaussian1d(size!, sigma!), gaussian1d(size!, sigma!)),
  },
  {
    name: 'gaussian-seed',
    parameters: [],
    description: "the seed's integer 5×5 Gaussian table divided by its sum 273",
    build: () =>
      fixed(
        [
          [1, 4, 7, 4, 1],
          [4, 16, 26, 16, 4],
          [7, 26, 41, 26, 7],
          [4, 16, 26, 16, 4],
          [1, 4, 7, 4, 1],
        ].map((row) => row.map((v) => v / 273)),
      ),
  },
  {
    name: 'box',
    parameters: [SIZE_3],
    description: 'mean of a SIZE × SIZE window, 1/SIZE² each (sums to 1)',
    build: ([size]) => box(size!),
  },
  {
    name: 'mean',
    parameters: [SIZE_3],
    description: 'the same kernel as box',
    build: ([size]) => box(size!),
  },
  {
    name: 'sharpen',
    parameters: [],
    description: 'identity plus the 4-neighbour Laplacian',
    build: () =>
      fixed([
        [0, -1, 0],
        [-1, 5, -1],
        [0, -1, 0],
      ]),
  },
  {
    name: 'unsharp',
    parameters: [
      GAUSSIAN_SIZE,
      GAUSSIAN_SIGMA,
      { name: 'AMOUNT', default: 1, kind: 'number', description: 'how much of the detail to add back' },
    ],
    description: 'unsharp masking: identity + AMOUNT · (identity − gaussian:SIZE:SIGMA)',
    build: ([size, sigma, amount]) => unsharp(size!, sigma!, amount!),
  },
  {
    name: 'emboss',
    parameters: [],
    description: 'relief lit from the bottom-right',
    build: () =>
      fixed([
        [-2, -1, 0],
        [-1, 1, 1],
        [0, 1, 2],
      ]),
  },
  {
    name: 'log',
    parameters: [
      { ...GAUSSIAN_SIZE, default: 9 },
      {
        name: 'SIGMA',
        default: 1.4,
        kind: 'positive',
        description: 'standard deviation of the Gaussian in pixels',
      },
    ],
    description:
      "Laplacian of Gaussian (scipy.ndimage.gaussian_laplace's kernel cut to SIZE, minus its mean: sums to 0)",
    build: ([size, sigma]) => laplacianOfGaussian(size!, sigma!),
  },
  {
    name: 'scale',
    parameters: [
      {
        name: 'F',
        default: 0.2,
        kind: 'number',
        description: "the factor (the seed's darken 0.2, brighten 3)",
      },
    ],
    description: 'multiplies every pixel by F: the 1×1 kernel [[F]]',
    build: ([factor]) => fixed([[factor!]]),
  },
];

/**
 * Every named kernel with its parameters (in spec order, with defaults) and description — the one table
 * behind {@link kernel} and `convnet filter --list`.
 *
 * @example
 * vision.KERNEL_DEFINITIONS.map((d) => d.name)   // ['identity', 'sobel-x', …, 'scale']
 */
export const KERNEL_DEFINITIONS: readonly KernelDefinition[] = RECIPES;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A decimal number, or null when `text` is not one. */
function parseNumber(text: string): number | null {
  return NUMBER.test(text) ? Number(text) : null;
}

function checkParameter(recipe: KernelRecipe, parameter: ParameterRecipe, value: number, op: string): void {
  const what = `${recipe.name}'s ${parameter.name}`;
  if (!Number.isFinite(value)) throw new ArgumentError(op, 'spec', `${what} must be finite, got ${value}`);
  const isSize = parameter.kind === 'odd size' || parameter.kind === 'size';
  if (isSize && (!Number.isInteger(value) || value < 1 || value > MAX_SIZE)) {
    throw new ArgumentError(op, 'spec', `${what} must be an integer from 1 to ${MAX_SIZE}, got ${value}`);
  }
  if (parameter.kind === 'odd size' && value % 2 === 0) {
    throw new ArgumentError(
      op,
      'spec',
      `${what} must be odd (the kernel needs a centre pixel), got ${value}`,
    );
  }
  if (parameter.kind === 'positive' && value <= 0) {
    throw new ArgumentError(op, 'spec', `${what} must be positive, got ${value}`);
  }
}

/** The kernel a `name[:p1[:p2…]]` spec names, with defaults filled in and every parameter checked. */
function namedKernel(spec: string, op: string): Kernel {
  const [name = '', ...texts] = spec.split(':');
  const recipe = RECIPES.find((r) => r.name === name);
  if (recipe === undefined) {
    throw new ArgumentError(
      op,
      'spec',
      `unknown kernel '${name}'; expected one of ${RECIPES.map((r) => r.name).join(', ')}, or a matrix such as '1,0;0,-1'`,
    );
  }
  const expected = recipe.parameters;
  if (texts.length > expected.length) {
    const list = expected.length === 0 ? 'none' : expected.map((p) => p.name).join(':');
    throw new ArgumentError(
      op,
      'spec',
      `'${spec}': ${recipe.name} takes at most ${expected.length} parameter(s) (${list}), got ${texts.length}`,
    );
  }
  const values: number[] = [];
  expected.forEach((parameter, i) => {
    const text = texts[i];
    let value: number;
    if (text === undefined) value = parameter.defaultFrom?.(values) ?? parameter.default;
    else {
      const parsed = parseNumber(text.trim());
      if (parsed === null)
        throw new ArgumentError(
          op,
          'spec',
          `'${spec}': ${recipe.name}'s ${parameter.name} '${text}' is not a number`,
        );
      value = parsed;
    }
    checkParameter(recipe, parameter, value, op);
    values.push(value);
  });
  const { matrix, separable } = recipe.build(values);
  return { name: [recipe.name, ...values.map(String)].join(':'), matrix, separable };
}

/** Checks that `value` is a non-empty, rectangular matrix of finite numbers and returns a copy. */
function checkMatrix(value: unknown, op: string, argument: string): number[][] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ArgumentError(op, argument, 'expected a non-empty list of rows, e.g. [[1, 0], [0, -1]]');
  }
  const rows = value as unknown[];
  return rows.map((row, i) => {
    if (!Array.isArray(row) || row.length === 0) {
      throw new ArgumentError(op, argument, `row ${i + 1} is not a non-empty list of numbers`);
    }
    const width = (rows[0] as unknown[]).length;
    if (row.length !== width) {
      throw new ArgumentError(
        op,
        argument,
        `row ${i + 1} has ${row.length} entries but row 1 has ${width}: a kernel must be rectangular`,
      );
    }
    return (row as unknown[]).map((entry, j) => {
      if (typeof entry !== 'number' || !Number.isFinite(entry)) {
        throw new ArgumentError(
          op,
          argument,
          `row ${i + 1}, entry ${j + 1} is not a finite number: ${String(entry)}`,
        );
      }
      return entry;
    });
  });
}

/** A matrix from text; see {@link parseKernelMatrix}. */
function parseMatrixText(text: string, op: string, argument: string): number[][] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new ArgumentError(op, argument, `'${text}' is not valid JSON: ${(error as Error).message}`);
    }
    return checkMatrix(value, op, argument);
  }
  const rows = trimmed.split(';').map((row, i) =>
    row
      .trim()
      .split(/\s*,\s*|\s+/)
      .map((entry, j) => {
        const value = parseNumber(entry);
        if (value === null) {
          throw new ArgumentError(op, argument, `row ${i + 1}, entry ${j + 1} '${entry}' is not a number`);
        }
        return value;
      }),
  );
  return checkMatrix(rows, op, argument);
}

/** True when a string spec is a matrix rather than a name. */
function looksLikeMatrix(spec: string): boolean {
  return /[[,;]/.test(spec);
}

/** The kernel of a spec or matrix, with errors naming `op` (the function the user called). */
function resolve(spec: unknown, op: string, argument: string): Kernel {
  if (typeof spec === 'string') {
    const trimmed = spec.trim();
    if (!looksLikeMatrix(trimmed)) return namedKernel(trimmed, op);
    return userKernel(parseMatrixText(trimmed, op, argument));
  }
  if (Array.isArray(spec)) return userKernel(checkMatrix(spec, op, argument));
  throw new ArgumentError(
    op,
    argument,
    `expected a kernel name or a matrix, got ${spec === null ? 'null' : typeof spec}`,
  );
}

function userKernel(matrix: number[][]): Kernel {
  return { name: `matrix ${matrix.length}x${matrix[0]!.length}`, matrix, separable: null };
}

/**
 * A kernel from a spec `name[:p1[:p2…]]` of {@link KERNEL_DEFINITIONS} (omitted parameters take their
 * defaults), from matrix text (see {@link parseKernelMatrix}), or from a matrix. A user matrix is never
 * treated as separable. Throws an `ArgumentError` for an unknown name (listing the valid ones), too many
 * parameters, a non-numeric, non-finite or out-of-range parameter, or a ragged or non-numeric matrix.
 *
 * @example
 * vision.kernel('gaussian').name                 // 'gaussian:5:1.1'
 * vision.kernel('sobel-x').separable             // { column: [1, 2, 1], row: [-1, 0, 1] }
 * vision.kernel([[1, 0], [0, -1]]).name          // 'matrix 2x2'
 */
export function kernel(spec: string | KernelMatrix): Kernel {
  return resolve(spec, 'kernel', 'spec');
}

/**
 * Parses a kernel matrix written as JSON (`'[[1,0],[0,-1]]'`) or as rows separated by `;` with entries
 * separated by `,` or spaces (`'1,0;0,-1'`). It must be non-empty and rectangular with finite entries;
 * otherwise an `ArgumentError` names the row at fault.
 *
 * @example
 * vision.parseKernelMatrix('1, 2, 1; 0, 0, 0; -1, -2, -1')   // [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]
 */
export function parseKernelMatrix(text: string): number[][] {
  if (typeof text !== 'string') {
    throw new ArgumentError('parseKernelMatrix', 'text', `expected a string, got ${typeof text}`);
  }
  return parseMatrixText(text, 'parseKernelMatrix', 'text');
}
