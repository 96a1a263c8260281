/**
 * Moving models between convnet-ts and other frameworks: ONNX export and import, PyTorch state_dict
 * weights through safetensors, and the text of a PyTorch project for training with torchrun.
 */
export { InteropError, UnsupportedLayerError, UnsupportedOperatorError } from './errors.js';
export { ONNX_OPSET, exportOnnx } from './onnx-export.js';
export type { OnnxExport, OnnxExportOptions } from './onnx-export.js';
export { importOnnx } from './onnx-import.js';
export type { OnnxImport, OnnxLimits } from './onnx-import.js';
export { checkpointFromWeights, outputsOf } from './safetensors-import.js';
export type { WeightsImportOptions } from './safetensors-import.js';
export {
  PYTORCH_WEIGHTS_FILE,
  pytorchProject,
  pytorchModelSource,
  torchLayer,
  trainDdpSource,
} from './pytorch-project.js';
export type { PytorchProject } from './pytorch-project.js';
