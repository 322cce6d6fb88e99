// -U COMM (sysdig's --suppress-comm): the events of the processes named COMM, and of the processes they
// start, are left out before anything else sees them: no engine, no filter, no event number.
//
// The rules are libscap's, which applies them to every event it hands out, live or read from a file
// (userspace/libscap/scap_procs.c, scap_check_suppressed and scap_update_suppressed, libs e5c53d64):
// - the exit of clone, fork, vfork (their _20 revisions), clone3, execve (revision 19) and execveat reads
//   the comm (parameter 13) and the parent tid (parameter 5). Its thread is suppressed when the parent
//   is, or when the comm is one of the names; otherwise a thread that was suppressed no longer is (an
//   exec into another program). The event itself is left out when its thread is then suppressed.
//   Fewer than 14 parameters is an error that ends the read.
// - procexit (revision 1) of a suppressed thread is left out, and the thread forgotten.
// - any other event is left out when its thread is suppressed.
// The comm compares as C strings do (up to the first NUL). At most 32 names (SCAP_MAX_SUPPRESSED_COMMS).

import { DataError, UsageError } from '../cli/errors.js';
import type { EventView } from '../scap/event.js';
import { hasNumberTrailer, type BlockHandler } from '../scap/reader.js';
import { E } from './engine.js';

/** libscap's SCAP_MAX_SUPPRESSED_COMMS */
export const MAX_SUPPRESSED_COMMS = 32;

/** The names given to -U, checked: one to 32 distinct names (sysdig refuses a 33rd). */
export function suppressedComms(names: readonly string[]): string[] {
  const set = [...new Set(names)];
  if (set.length > MAX_SUPPRESSED_COMMS) {
    throw new UsageError(`-U: at most ${MAX_SUPPRESSED_COMMS} distinct process names (${set.length} given)`);
  }
  return set;
}

/** The parameter that holds the comm in the events that read it. */
const COMM_PARAM = 13;
const PTID_PARAM = 5;

/** Which threads are suppressed, event by event (one per stream read: libscap keeps it per capture). */
export class CommSuppressor {
  private readonly comms: Buffer[];
  private readonly tids = new Set<number>();
  /** events left out so far */
  count = 0;

  constructor(comms: readonly string[]) {
    this.comms = comms.map((c) => Buffer.from(c, 'latin1'));
  }

  /** Whether `ev` is left out. Throws DataError where libscap fails the read. */
  suppressed(ev: EventView): boolean {
    const type = ev.type;
    let out: boolean;
    switch (type) {
      case E.CLONE_20_X:
      case E.FORK_20_X:
      case E.VFORK_20_X:
      case E.EXECVE_19_X:
      case E.EXECVEAT_X:
      case E.CLONE3_X:
        out = this.update(ev);
        break;
      case E.PROCEXIT_1_E:
        out = this.tids.delete(ev.tid);
        break;
      default:
        out = this.tids.size !== 0 && this.tids.has(ev.tid);
    }
    if (out) this.count++;
    return out;
  }

  private update(ev: EventView): boolean {
    if (ev.nparams <= COMM_PARAM) {
      throw new DataError(`could not find the process comm in the argument list of a ${ev.nparams}-parameter event of type ${ev.type} (-U)`, `byte ${ev.streamOffset}`);
    }
    const b = ev.buf;
    // libscap reads the 8 bytes where parameter 5 starts, whatever its length
    const p = ev.paramOff(PTID_PARAM);
    const ptid = p + 8 <= b.length ? Number(b.readBigInt64LE(p)) : NaN;
    const c = ev.paramOff(COMM_PARAM);
    let z = b.indexOf(0, c);
    if (z === -1) z = b.length;
    return this.decide(ev.tid, ptid, (name) => name.length === z - c && b.compare(name, 0, name.length, c, z) === 0);
  }

  /**
   * A thread of the process table scanned when a live capture starts: whether it is suppressed (and left
   * out of the table). libscap reads its comm with sscanf("Name:%1024s") from /proc/PID/status: up to the
   * first blank. The parent does not count there (libscap passes 0).
   */
  scanned(comm: string, tid: number): boolean {
    const word = Buffer.from(/^\s*(\S*)/.exec(comm)![1]!, 'latin1');
    return this.decide(tid, 0, (name: Buffer): boolean => name.equals(word));
  }

  /** scap_update_suppressed: the thread is suppressed when its parent is or its comm is a name */
  private decide(tid: number, ptid: number, named: (name: Buffer) => boolean): boolean {
    const hit = this.tids.has(ptid) || this.comms.some(named);
    if (hit) this.tids.add(tid);
    else this.tids.delete(tid);
    return hit;
  }
}

/**
 * `handler` behind -U: suppressed events never reach it, and the events after them are numbered as if
 * the suppressed ones were not in the stream (libscap leaves them out before they are counted). An event
 * that carries its number (a filtered stream's trailer) keeps it.
 */
/** The suppressors of a run's sources, for its count of events left out (sysdig -v's "Suppressed by Comm"). */
export class SuppressStats {
  readonly of: CommSuppressor[] = [];
  get count(): number {
    let n = 0;
    for (const s of this.of) n += s.count;
    return n;
  }
}

export function suppressing(handler: BlockHandler, comms: readonly string[], stats?: SuppressStats): BlockHandler {
  const s = new CommSuppressor(comms);
  if (stats !== undefined) stats.of.push(s);
  let skipped = 0;
  return {
    header: (b) => handler.header(b),
    release: handler.release ? () => handler.release!() : undefined,
    event(ev) {
      if (s.suppressed(ev)) {
        if (!hasNumberTrailer(ev)) skipped++;
        return true;
      }
      if (skipped !== 0 && !hasNumberTrailer(ev)) ev.num -= skipped;
      return handler.event(ev);
    },
  };
}
