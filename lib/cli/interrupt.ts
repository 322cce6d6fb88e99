// Ctrl-C (SIGINT) and SIGTERM while a command reads its input. As sysdig does (sysdig.cpp's
// signal_callback sets g_terminate; its loop then ends as at the end of the file), the input ends there
// and the command ends as it ends at the end of its input: the chisels print their tables, -S its summary,
// tdig-filter closes its output whole. The exit status is 0, as sysdig's. In a live pipeline
// (tdig-capture | tdig-agg topconns) every command gets the Ctrl-C, and each ends this way.
//
// The first signal is taken; a second one ends the process at once (the default action is back once the
// handler has run). Reading code notices the signal where it pulls its next chunk (scap/reader.ts), and a
// wait for a pipe is cut short (scap/input.ts).

let watching = false;
let stopped = false;
const wakers = new Set<() => void>();

function onSignal(): void {
  stopped = true;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  for (const w of wakers) w();
  wakers.clear();
}

/** From now on, SIGINT and SIGTERM end the input instead of the process. */
export function watchInterrupts(): void {
  if (watching) return;
  watching = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Whether signals are watched (the readers then let the event loop run now and then, to hear them). */
export function watchingInterrupts(): boolean {
  return watching;
}

/** Whether a signal came: the input is over. */
export function interrupted(): boolean {
  return stopped;
}

/** Calls `wake` when a signal comes (at once if one came); returns what cancels that. */
export function onInterrupt(wake: () => void): () => void {
  if (stopped) {
    wake();
    return () => {};
  }
  wakers.add(wake);
  return () => wakers.delete(wake);
}

/** A turn of the event loop, in which a pending signal's handler runs. */
export function loopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
