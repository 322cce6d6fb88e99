// Typed errors and their exit codes. Only lib/cli/main.ts turns them into messages.

/** Exit codes: 0 done, 1 bad data or runtime failure, 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_DATA = 1;
export const EXIT_USAGE = 2;

/** Bad usage: unknown flag, missing argument, filter syntax error. Exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input data. `where` says where: "byte 1234", "line 7", "file.scap byte 99". Exit 1. */
export class DataError extends Error {
  override name = 'DataError';
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${message} at ${where}` : message);
  }
}

/** A failure of the machine or the environment (missing privileges, I/O error). Exit 1. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

/**
 * A system error in one line, as the commands print it: the path it concerns, then the C library's words
 * for it ("/x/y.scap: no such file", "no space left on device"), without Node's code prefix and call name.
 */
export function errnoMessage(err: NodeJS.ErrnoException): string {
  const words = err.code === 'ENOENT' ? 'no such file' : err.message.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+(?: '[^']*')*$/, '');
  return `${err.path ? err.path + ': ' : ''}${words}`;
}

/** Whether e is a system error (it has an errno code such as ENOENT). */
export function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && 'code' in e && typeof (e as NodeJS.ErrnoException).code === 'string';
}
