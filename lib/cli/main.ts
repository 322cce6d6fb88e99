// The one place that turns errors into messages and exit codes. A closed stdout ends quietly with 0.

import { stdout, whenWritten, writeErr } from './stdio.js';
import { VERSION } from './version.js';
import { DataError, EXIT_DATA, EXIT_OK, EXIT_USAGE, RuntimeError, UsageError, errnoMessage, isErrno } from './errors.js';

export type CommandRun = (args: string[]) => Promise<number | void>;

function isEpipe(e: unknown): boolean {
  return typeof e === 'object' && e !== null && ((e as { code?: string }).code === 'EPIPE' || (e as { name?: string }).name === 'BrokenPipe');
}

/**
 * Exit once what was written to stdout and stderr has left the process. A command's run() resolves after its
 * own files are closed; ending here rather than when the event loop empties spares the wait for V8's
 * background compiles still queued (an exit waits for them), ~10 ms of a short run.
 */
function exitWhenWritten(code: number): void {
  process.exitCode = code;
  whenWritten(() => process.exit(code));
}

export function main(command: string, run: CommandRun): void {
  stdout().on('error', (e) => {
    if (isEpipe(e)) process.exit(EXIT_OK);
    writeErr(`${command}: ${isErrno(e) ? errnoMessage(e) : (e as Error).message}\n`);
    process.exit(EXIT_DATA);
  });
  const args = process.argv.slice(2);
  // every command, as sysdig: --version anywhere on the line prints the version and nothing else
  if (args.includes('--version')) {
    stdout().write(`${command} ${VERSION}\n`);
    exitWhenWritten(EXIT_OK);
    return;
  }
  run(args).then(
    (code) => {
      exitWhenWritten(typeof code === 'number' ? code : EXIT_OK);
    },
    (e: unknown) => {
      if (isEpipe(e)) {
        exitWhenWritten(EXIT_OK);
        return;
      }
      if (e instanceof UsageError) {
        writeErr(`${command}: ${e.message}\n`);
        exitWhenWritten(EXIT_USAGE);
      } else if (e instanceof DataError || e instanceof RuntimeError) {
        writeErr(`${command}: ${e.message}\n`);
        exitWhenWritten(EXIT_DATA);
      } else if (isErrno(e)) {
        writeErr(`${command}: ${errnoMessage(e)}\n`);
        exitWhenWritten(EXIT_DATA);
      } else {
        writeErr(`${command}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
        exitWhenWritten(EXIT_DATA);
      }
    },
  );
}
