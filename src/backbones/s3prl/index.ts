/** APC and TERA (s3prl upstreams) on the engine: front ends, networks, checkpoint loading, backbones. */
export { FRONT_END_BLOCK_FRAMES } from './frontend.js';
export { Apc } from './apc.js';
export { Tera } from './tera.js';
export { loadApc, loadTera, s3prlCheckpointFiles } from './checkpoint.js';
export {
  PRETRAINED_BACKBONE_FILE,
  S3PRL_SETTINGS_KEY,
  TERA_INIT_STD,
  newS3prlNetwork,
  saveS3prlBackbone,
  type JsonSettings,
  type S3prlKind,
} from './native.js';
export { apcBackbone, teraBackbone } from './backbone.js';
export { APC_CHUNK_FRAMES, teraChunks, teraMaxFrames } from './chunked.js';
export type { ApcConfig, FrontEndConfig, TeraConfig } from './config.js';
export { engineApc, engineTera, newApc, newTera } from './source.js';
export { S3PRL_GRAPH_IO, openExportedApc, openExportedTera } from './onnx.js';
export { S3prlFeatures } from './features.js';
