// Resolves libtorch's include and library folders for binding.gyp.
// LIBTORCH=/path/to/libtorch (an unpacked libtorch distribution, as tch-rs accepts) overrides the
// Debian layout (package libtorch-dev: headers in /usr/include, libraries in the multiarch folder).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function locate() {
  const root = process.env.LIBTORCH;
  if (root) {
    return { include: path.join(root, 'include'), lib: path.join(root, 'lib') };
  }
  const multiarch = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
  const lib = multiarch.find((d) => fs.existsSync(path.join(d, 'libtorch_cpu.so'))) ?? multiarch[0];
  return { include: '/usr/include', lib };
}

/** Returns a one-line reason when libtorch is not usable, else null. */
function problem() {
  const { include, lib } = locate();
  const header = path.join(include, 'torch', 'csrc', 'api', 'include', 'torch', 'torch.h');
  if (!fs.existsSync(header)) {
    return `libtorch headers not found (${header}): install them with 'apt-get install libtorch-dev' or set LIBTORCH to an unpacked libtorch folder`;
  }
  if (!fs.existsSync(path.join(lib, 'libtorch_cpu.so'))) {
    return `libtorch libraries not found in ${lib}: install 'libtorch-dev' or set LIBTORCH to an unpacked libtorch folder`;
  }
  return null;
}

module.exports = { locate, problem };

if (require.main === module) {
  const what = process.argv[2];
  const p = locate();
  if (what === 'include') process.stdout.write(p.include);
  else if (what === 'api-include') process.stdout.write(path.join(p.include, 'torch', 'csrc', 'api', 'include'));
  else if (what === 'lib') process.stdout.write(p.lib);
  else if (what === 'check') {
    const reason = problem();
    if (reason) {
      process.stderr.write(`trustser: ${reason}\n`);
      process.exit(1);
    }
  } else {
    process.stderr.write('usage: torch-paths.cjs include|api-include|lib|check\n');
    process.exit(2);
  }
}
