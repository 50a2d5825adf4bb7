/*
 * Everything @gradstream/graph exports, without loading a backend: the package's entry in a
 * browser build (see package.json `exports`), where a page loads only the backends it asks for.
 * In Node the entry is index.ts, which also registers the wasm backend.
 */
export { GradstreamError, type ErrorCode } from '@gradstream/tensor';
import { installDevelopmentChecks } from './check/development-checks.js';

export type { AnyOpPlugin, BackwardContext, ForwardContext, GradcheckCase, JsonSchema, OpPlugin, ParamDecl, StateDecl } from './contract/op-plugin.js';
export type { OnnxAttribute, OnnxExportContext, OnnxExporter } from './contract/onnx-export.js';
export { defineComposite, isComposite, type CompositeDefinition, type CompositePlugin } from './contract/composite.js';
export { defineOp, expectRows, expectSameShape, shapeError, type OpDefinition } from './contract/define-op.js';
export type { ConfigOf, FilledConfig, InputFields, LayerConfig, LayerConfigOf, OpConfig, ScratchShapes, UnfilledConfig } from './contract/config-type.js';
export { layerOf, type LayerInput } from './contract/layer-of.js';
export { Registry, createRegistry, defaultRegistry, type RegisteredPlugin, type RegistryOptions } from './contract/registry.js';
export { formatSchemaErrors, problemLines, type SchemaChecked, type SchemaProblem } from './contract/schema-errors.js';
export { setSchemaCompiler, type CompiledSchema, type SchemaCompiler } from './contract/config-validator.js';
export { UnsupportedSchemaError, compileSchema } from './contract/schema-check.js';
export { INPUT, SPEC_VERSION, TARGET, type LayerSpec, type ModelSpec } from './model/spec.js';
export { GraphNode } from './model/node.js';
export { Model, type CompileOptions, type MemoryOptions, type ModelLayer, type ParamRef } from './model/model.js';
export { defaultMemoryLimit, formatBytes, type MemoryEstimate } from './model/memory.js';
export { buildModel, sequential, type BuildOptions } from './model/build.js';
export { backendSummary, type BackendChoice } from './model/select-backend.js';
export { Plan, type PlanKind } from './exec/plan.js';
export { Tape, localGradients, runNode, type RunOptions, type TapeEntry, type TapeGradients } from './exec/tape.js';
export { modelOperator, nodeOperator, type Batch, type ForwardResult } from './exec/operators.js';
export { backendParity, type ParityEntry, type ParityOptions, type ParityReport } from './check/backend-parity.js';
export { checkGradients, gradcheck, type CheckGradientsOptions, type GradcheckEntry, type GradcheckOptions, type GradcheckReport, type GradientReport } from './check/gradcheck.js';
export { SPEC_LIMITS, specSchema } from './model/spec-schema.js';
export { fromSpec, toSpec, validateSpec } from './io/spec-io.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_LIMITS,
  CHECKPOINT_VERSION,
  checkpointSchema,
  decodeOptimizerState,
  fromCheckpoint,
  loadParams,
  parseCheckpoint,
  toCheckpoint,
  validateCheckpoint,
  type Checkpoint,
  type CheckpointExtra,
  type CheckpointState,
  type CheckpointTensor,
  type LoadedCheckpoint,
} from './io/checkpoint.js';
export type { JsonValue } from './io/json.js';
export {
  downloadCheckpoint,
  listIndexedDbCheckpoints,
  listLocalStorageCheckpoints,
  loadCheckpointFile,
  loadFromIndexedDb,
  loadFromLocalStorage,
  removeFromIndexedDb,
  removeFromLocalStorage,
  saveToIndexedDb,
  saveToLocalStorage,
  type LoadCheckpointFileOptions,
} from './io/browser-storage.js';

installDevelopmentChecks();
