/**
 * The bottom of the stack, used by every stage: seeded random numbers, array helpers, atomic
 * file writes (temp + rename) and the clean-up of a killed process's temporary files, JSON files
 * read with their schema, package paths, running external programs, command-line flag parsers, batch-failure records, and
 * readable validation messages. ./pure.ts is the Node-free part.
 */
export * from './pure.js';
export { removeStaleTemps, tempPathFor, writeFileAtomic, writeFileAtomicSync } from './atomic.js';
export { readJsonFile, readJsonWith } from './json.js';
export { packageRoot, packageVersion } from './paths.js';
export { ProgramError, runProgram } from './program.js';
export { choiceFlag, choiceListFlag, intFlag, numberFlag, numberListFlag, positiveFlag, type NumberBounds } from './flags.js';
