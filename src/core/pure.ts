/**
 * The platform-independent part of src/core (no Node built-ins), for code that also runs in
 * browsers: seeded random numbers, array helpers, batch-failure records, validation messages.
 */
export { drawUniform, makeRng, shuffle, type Rng } from './rng.js';
export { argmax } from './array.js';
export { failureReason, settleBatch, throwIfFailed, FailedFilesError, type FileFailure } from './batch.js';
export { closestName, formatIssues, issueLines, issuePath, keysAt, type IssueOptions } from './issues.js';
