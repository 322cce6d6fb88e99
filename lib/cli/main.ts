// The one place that turns errors into messages and exit codes. A closed stdout ends quietly with 0.

import { DataError, EXIT_DATA, EXIT_OK, EXIT_USAGE, RuntimeError, UsageError } from './errors.js';

export type CommandRun = (args: string[]) => Promise<number | void>;

function isEpipe(e: unknown): boolean {
  return typeof e === 'object' && e !== null && ((e as { code?: string }).code === 'EPIPE' || (e as { name?: string }).name === 'BrokenPipe');
}

export function main(command: string, run: CommandRun): void {
  process.stdout.on('error', (e) => {
    if (isEpipe(e)) process.exit(EXIT_OK);
    process.stderr.write(`${command}: ${(e as Error).message}\n`);
    process.exit(EXIT_DATA);
  });
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = typeof code === 'number' ? code : EXIT_OK;
    },
    (e: unknown) => {
      if (isEpipe(e)) {
        process.exitCode = EXIT_OK;
        return;
      }
      if (e instanceof UsageError) {
        process.stderr.write(`${command}: ${e.message}\n`);
        process.exitCode = EXIT_USAGE;
      } else if (e instanceof DataError || e instanceof RuntimeError) {
        process.stderr.write(`${command}: ${e.message}\n`);
        process.exitCode = EXIT_DATA;
      } else if (e instanceof Error && 'code' in e && typeof (e as NodeJS.ErrnoException).code === 'string') {
        const err = e as NodeJS.ErrnoException;
        process.stderr.write(`${command}: ${err.path ? err.path + ': ' : ''}${err.code === 'ENOENT' ? 'no such file' : err.message}\n`);
        process.exitCode = EXIT_DATA;
      } else {
        process.stderr.write(`${command}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = EXIT_DATA;
      }
    },
  );
}
