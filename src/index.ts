/**
 * trustser's library API: one namespace per pipeline stage (the same faces the CLI uses), and
 * the tensor engine's names at the top level.
 *
 * ```ts
 * import { audio, features, run, train, audit } from 'trustser';
 * ```
 * See the README ("The library") for a file → features → trained model → audit example, and
 * docs/architecture.md for what crosses each boundary.
 */
export * from './engine/index.js';
export * as core from './core/index.js';
export * as tensorIo from './tensor-io/index.js';
export * as engine from './engine/index.js';
export * as dsp from './dsp/index.js';
export * as audio from './audio/index.js';
export * as backbones from './backbones/index.js';
export * as features from './features/index.js';
export * as data from './data/index.js';
export * as models from './models/index.js';
export * as metrics from './metrics/index.js';
export * as report from './report/index.js';
export * as run from './run/index.js';
export * as train from './train/index.js';
export * as pretrain from './pretrain/index.js';
export * as audit from './audit/index.js';
export * as dimensional from './dimensional/index.js';
export * as queue from './queue/index.js';
export * as spoof from './spoof/index.js';
export * as runtime from './runtime/index.js';
export * as serve from './serve/index.js';
