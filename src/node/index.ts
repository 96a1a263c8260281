/**
 * `convnet-ts/node`: the Node-only helpers, which read and write files. Everything else, including the
 * in-memory `saveSafetensors`/`loadSafetensors` re-exported here, lives in the core `convnet-ts` entry and
 * runs anywhere JavaScript does.
 */
export { saveSafetensors, loadSafetensors } from '../serialization/safetensors.js';
export type { SafetensorsContents } from '../serialization/safetensors.js';
export { saveFile, loadFile, removeStaleTemporaries, staleTemporaries } from './files.js';
export type { SaveFileOptions, Temporary } from './files.js';
export * from './data/index.js';
export * from './download/index.js';
export * from './report/index.js';
export * from './vision/index.js';
export {
  saveCheckpointFile,
  loadCheckpointFile,
  saveTrainingStateFile,
  loadTrainingStateFile,
  saveCheckpointWithState,
  loadCheckpointWithState,
  convnetFileKind,
  trainingStatePath,
} from './checkpoint-files.js';
export type { CheckpointWithState, ConvnetFileKind } from './checkpoint-files.js';
export { importOnnxFile, importWeightsFile } from './interop/import-files.js';
export { writePytorchProject } from './interop/pytorch-files.js';
import { installNodeThreads } from './wasm-threads.js';

export { installNodeThreads };

// The wasm backend's kernels run on every core once this entry is imported.
installNodeThreads();
