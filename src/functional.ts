/**
 * `F`, the functional API, as `torch.nn.functional`: stateless ops with PyTorch names, defaults and
 * semantics, and their backward rules (`…Backward`) for following the chain rule by hand.
 */
export * from './ops/activation.js';
export { linear, linearBackward } from './ops/linalg.js';
export { oneHot } from './ops/shape.js';
