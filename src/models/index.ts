/**
 * `models`: architectures as JSON-shaped data (the schema of docs/architecture-schema.md), the built-in
 * ones by name (`bench-cnn`, `lenet5`, `seed-cnn`), and the builder that turns one into an `nn.Sequential`
 * sized from the input shape.
 */
export {
  ArchitectureError,
  LAYER_TYPES,
  buildModel,
  parseArchitecture,
  readArchitectureJson,
} from './architecture.js';
export { estimateModel, modelLimitExceeded } from './size.js';
export type { ModelEstimate, ModelLimitExceeded } from './size.js';
export type { Architecture, BuiltModel, JsonValue, LayerSpec, LayerType } from './architecture.js';
export { MODEL_NAMES, isModelName, namedArchitecture } from './named.js';
export type { ModelName } from './named.js';
