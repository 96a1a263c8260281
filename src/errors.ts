/**
 * Typed errors. Every error thrown where a user's call enters the library is one of these, and its message
 * names the operation, the argument and (for shape errors) the shapes involved, e.g.
 * `conv2d(weight): expected a 4-D tensor (Cout, Cin/groups, kH, kW), got shape [3, 3]`.
 */
export class ConvnetError extends Error {
  /** The operation that rejected the call, e.g. `'conv2d'`. */
  readonly op: string;
  /** The argument at fault, e.g. `'weight'`, or `''` when the call as a whole is at fault. */
  readonly argument: string;

  constructor(op: string, argument: string, detail: string) {
    super(
      `${op}${argument ? `(${bounded(argument, MAX_ARGUMENT_CHARS)})` : ''}: ${bounded(detail, MAX_DETAIL_CHARS)}`,
    );
    this.name = new.target.name;
    this.op = op;
    this.argument = argument;
  }
}

/**
 * Longest argument (often a file name) and detail a message holds: whatever a hostile file makes a
 * reader echo, a message stays a line, not megabytes. Readers clip what they echo themselves; this is
 * the backstop.
 */
const MAX_ARGUMENT_CHARS = 240;
const MAX_DETAIL_CHARS = 2000;

/** `text`, or its start and end around a note of how much was cut when it is longer than `max`. */
function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}…(${text.length - 2 * half} characters cut)…${text.slice(text.length - half)}`;
}

/** A tensor has the wrong rank or size, or two tensors' shapes do not fit together. */
export class ShapeError extends ConvnetError {}

/** A tensor has a dtype the operation does not accept. */
export class DTypeError extends ConvnetError {}

/** A non-tensor argument has a value the operation does not accept (a negative size, an unknown mode…). */
export class ArgumentError extends ConvnetError {}

/** Autograd was used in a way that cannot work (backward of a non-scalar without a gradient, …). */
export class AutogradError extends ConvnetError {}

/** A backend is unknown or does not implement what was asked of it. */
export class BackendError extends ConvnetError {}

/** Bytes could not be read as a tensor file, or a value cannot be written to one. */
export class SerializationError extends ConvnetError {}

/** `gradcheck` found an analytical gradient that differs from the numerical one. */
export class GradcheckError extends ConvnetError {
  constructor(
    detail: string,
    /** Which input of the checked function (0-based). */
    readonly inputIndex: number,
    /** Row-major index of the worst entry inside that input. */
    readonly elementIndex: number,
    /** That entry of the vector-Jacobian product `vᵀJ` as autograd computed it. */
    readonly analytical: number,
    /** That entry of `vᵀJ` by central differences of `⟨f(x), v⟩`, step `eps`. */
    readonly numerical: number,
  ) {
    super('gradcheck', `inputs[${inputIndex}]`, detail);
  }
}
