/** APC and TERA (s3prl upstreams) on the engine: front ends, networks, checkpoint loading, backbones. */
export { FRONT_END_BLOCK_FRAMES } from './frontend.js';
export type { Apc } from './apc.js';
export type { Tera } from './tera.js';
export { loadApc, loadTera, s3prlCheckpointFiles } from './checkpoint.js';
export { APC_CHUNK_FRAMES, apcBackbone, teraBackbone, teraChunks } from './backbone.js';
export { engineApc, engineTera } from './source.js';
