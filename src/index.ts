/** trustser's library API. */
export * from './torch/index.js';
