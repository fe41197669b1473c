/**
 * Running the synthesizers and signal-processing programs a spoof set is made with (the core's
 * `runProgram`), with errors that name the program, what it was doing and the Debian packages to
 * install when it is missing.
 */
import { ProgramError, runProgram } from '../core/index.js';

/** Options of {@link runTool}. */
export interface ToolOptions {
  /** What the call is about, for the error (e.g. `voice 'kal16'`). */
  what: string;
  /** Debian packages that provide the program. */
  packages: readonly string[];
  /** Bytes (or text) written to the program's stdin. */
  input?: Uint8Array | string;
}

/**
 * Runs `program args` and resolves with its stdout. Rejects when the program is missing (naming
 * the packages), exits non-zero or is killed (with the first line of its stderr).
 */
export async function runTool(program: string, args: readonly string[], o: ToolOptions): Promise<Buffer> {
  try {
    return await runProgram(program, args, o.input);
  } catch (e) {
    if (!(e instanceof ProgramError)) throw e;
    if (e.kind === 'missing')
      throw new Error(`spoof: '${program}' is not installed (apt-get install ${o.packages.join(' ')}, or run scripts/setup)`);
    if (e.kind === 'start') throw new Error(`spoof: ${program} could not start for ${o.what}: ${e.detail}`);
    const exit = e.exit.signal ? `killed by ${e.exit.signal}` : `exit code ${e.exit.code}`;
    throw new Error(`spoof: ${program} failed for ${o.what}: ${e.detail || exit}`);
  }
}
