/**
 * `nn`, as `torch.nn`: the `Module` base class, `Sequential`, the layers (thin modules over the functional
 * ops in `F`), losses, `nn.init` and `nn.utils`.
 *
 * @example
 * const model = new nn.Sequential(
 *   new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
 *   new nn.Conv2d(32, 64, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
 *   new nn.Flatten(), new nn.Linear(3136, 128), new nn.ReLU(), new nn.Linear(128, 10),
 * );
 * const loss = new nn.CrossEntropyLoss().forward(model.forward(images), labels);
 */
export { Module, StateDictError } from './module.js';
export type {
  AnyModule,
  StateDict,
  LoadStateDictResult,
  ParameterOptions,
  BufferOptions,
  RecurseOptions,
} from './module.js';
export { ModelSummary } from './summary.js';
export type { SummaryOptions, SummaryRow } from './summary.js';
export type { FactoryOptions, FloatDType } from './checks.js';
export { Sequential } from './sequential.js';
export { Linear, Identity } from './layers/linear.js';
export type { LinearOptions } from './layers/linear.js';
export { ReLU, ELU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Softmax, LogSoftmax } from './layers/activation.js';
export type { SoftmaxOptions } from './layers/activation.js';
export { Flatten } from './layers/flatten.js';
export type { FlattenLayerOptions } from './layers/flatten.js';
export { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d } from './layers/conv.js';
export type { ConvLayerOptions, ConvTransposeLayerOptions } from './layers/conv.js';
export * as init from './init.js';
export * as utils from './utils.js';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d } from './layers/pooling.js';
export type { MaxPoolLayerOptions, AvgPoolLayerOptions, WindowSize } from './layers/pooling.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm } from './layers/normalization.js';
export type {
  BatchNormLayerOptions,
  LayerNormLayerOptions,
  GroupNormLayerOptions,
} from './layers/normalization.js';
export { Dropout } from './layers/dropout.js';
export { CrossEntropyLoss, NLLLoss, MSELoss } from './layers/loss.js';
export type { NLLLossOptions, CrossEntropyLossOptions } from './layers/loss.js';
