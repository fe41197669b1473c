import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { packageRoot } from '../src/core/paths.js';

const lock = JSON.parse(readFileSync(join(packageRoot(), 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }>;
};
const declared = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

test('every locked dependency runs on the Node version the package declares (no engine warnings at install)', () => {
  const lowest = semver.minVersion(declared)!.version;
  const misfits = Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && p.engines && !Array.isArray(p.engines) && p.engines.node)
    .filter(
      ([, p]) =>
        !semver.satisfies(lowest, (p.engines as { node: string }).node) ||
        !semver.satisfies(process.version, (p.engines as { node: string }).node),
    )
    .map(([path, p]) => `${path} wants node ${(p.engines as { node: string }).node}`);
  assert.deepEqual(misfits, [], `package.json declares node ${declared} (this is ${process.version})`);
});
