#!/usr/bin/env node
// Builds the libtorch addon (native/) with node-gyp. Checks for libtorch first so a missing
// install gives one clear line instead of a page of compiler errors.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const nativeDir = new URL('../native', import.meta.url).pathname;
const { problem } = require(join(nativeDir, 'torch-paths.cjs'));

const reason = problem();
if (reason) {
  console.error(`trustser: ${reason}`);
  process.exit(1);
}
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
const args = [gyp, 'rebuild', `--jobs=${cpus().length}`];
if (existsSync('/usr/include/node/node_api.h') && !process.env.npm_config_nodedir) args.push('--nodedir=/usr');
const r = spawnSync(process.execPath, args, { cwd: nativeDir, stdio: 'inherit' });
if (r.status !== 0) {
  console.error('trustser: building the libtorch addon failed (see the compiler output above)');
  process.exit(r.status ?? 1);
}
