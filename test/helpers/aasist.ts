/** Where the published AASIST weights live for tests, and the skip reason when they are absent. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths.js';

export const AASIST_DIR = join(packageRoot(), '..', 'shared', 'models', 'aasist');
/** `false` when the weights are present, else the reason a test that needs them is skipped. */
export const aasistSkip: false | string = existsSync(join(AASIST_DIR, 'AASIST.pth'))
  ? false
  : `AASIST weights not found in ${AASIST_DIR} (shared models absent)`;
