/**
 * Typed errors of moving models to and from other frameworks (PyTorch projects, safetensors weights from
 * elsewhere, ONNX files). Messages are bounded in length whatever the file holds: a name or value quoted
 * from a file is cut to {@link MAX_QUOTED} characters.
 */
import { ConvnetError } from '../errors.js';

/** The longest stretch of text from a file that a message quotes. */
export const MAX_QUOTED = 80;

/** `text` cut to {@link MAX_QUOTED} characters and JSON-quoted, for a message. */
export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}

/** A model or file cannot be converted: malformed, over a limit, or outside what the converter maps. */
export class InteropError extends ConvnetError {}

/**
 * A layer of a convnet-ts architecture has no equivalent in the target format (e.g. a `Conv2d` with
 * `paddingMode: 'circular'` in ONNX). `layerIndex` and `layerType` say which.
 */
export class UnsupportedLayerError extends InteropError {
  constructor(
    op: string,
    /** Index of the layer in the architecture. */
    readonly layerIndex: number,
    /** Its type, e.g. `'GroupNorm'`. */
    readonly layerType: string,
    detail: string,
  ) {
    super(op, `layers[${layerIndex}]`, `${layerType} ${detail}`);
  }
}

/**
 * An ONNX node uses an operator (or an attribute value) that has no convnet-ts layer. `opType` and
 * `nodeName` say which node.
 */
export class UnsupportedOperatorError extends InteropError {
  constructor(
    op: string,
    /** The node's operator, e.g. `'Resize'`. */
    readonly opType: string,
    /** The node's name (its index when the file gives it none). */
    readonly nodeName: string,
    detail: string,
  ) {
    super(op, `node ${quote(nodeName)}`, `${quote(opType)} ${detail}`);
  }
}

/** The longest message detail an interop error carries over from another error. */
export const MAX_DETAIL = 400;

/** `detail` cut to {@link MAX_DETAIL} characters. */
export function bounded(detail: string): string {
  return detail.length > MAX_DETAIL
    ? `${detail.slice(0, MAX_DETAIL)}… (${detail.length} characters)`
    : detail;
}
