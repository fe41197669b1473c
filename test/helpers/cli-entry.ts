// Runs the CLI from TypeScript sources (tests need no build step).
import { main } from '../../src/cli/index.js';

process.exitCode = await main(process.argv);
