/**
 * `F`, the functional API, as `torch.nn.functional`: stateless ops with PyTorch names, defaults and
 * semantics, and their backward rules (`…Backward`) for following the chain rule by hand.
 */
export * from './ops/activation.js';
export * from './ops/window.js';
export * from './ops/padding.js';
export * from './ops/convolution.js';
export * from './ops/pooling.js';
export * from './ops/interpolate.js';
export * from './ops/normalization.js';
export * from './ops/loss.js';
export * from './ops/dropout.js';
export { linear, linearBackward } from './ops/linalg.js';
export { oneHot, flatten } from './ops/shape.js';
