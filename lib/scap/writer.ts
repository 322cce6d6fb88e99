// Producing scap blocks: the header blocks of a section and event blocks.
// Emits the layout both sysdig 0.29.3 and current libs read (scap-facts.md §1.10, §1.11, §8):
// SHB 1.2 (28 bytes), MI, ILv2, ULv2, PLv9 (entries ending after `root`), one FDLv2 per thread, then
// EVv2/EVFv2 blocks (LARGE variants on request).

import { DataError } from '../cli/errors.js';
import {
  EVF_V2,
  EVF_V2_LARGE,
  EV_V2,
  EV_V2_LARGE,
  FDL_V2,
  IL_V2,
  MAX_EVENT_BLOCK_BODY,
  MI,
  PL_IDS,
  UL_V2,
  frameBlock,
  roundup4,
  sectionHeaderBlock,
} from './blocks.js';
import {
  encodeFdList,
  encodeInterfaces,
  encodeMachineInfo,
  encodeProcList,
  encodeUsers,
  type ProcEncodeOptions,
} from './records.js';
import type { FdList, MachineInfo, NetInterface, ProcRecord, UserList } from './types.js';

const PL_V9 = PL_IDS[8];

export interface SectionContents {
  machine?: MachineInfo;
  interfaces?: NetInterface[];
  users?: UserList;
  procs?: ProcRecord[];
  fds?: FdList[];
}

/**
 * The header blocks of one section, in writer order: SHB, MI (if given), ILv2 (if given), ULv2 (if given),
 * PLv9 (if non-empty), one FDLv2 per FdList.
 */
export function sectionBlocks(section: SectionContents, procOpts: ProcEncodeOptions = {}): Buffer[] {
  const out: Buffer[] = [sectionHeaderBlock()];
  if (section.machine) out.push(frameBlock(MI, encodeMachineInfo(section.machine)));
  if (section.interfaces) out.push(frameBlock(IL_V2, encodeInterfaces(section.interfaces)));
  if (section.users) out.push(frameBlock(UL_V2, encodeUsers(section.users)));
  if (section.procs && section.procs.length > 0) out.push(frameBlock(PL_V9, encodeProcList(section.procs, procOpts)));
  if (section.fds) for (const f of section.fds) out.push(frameBlock(FDL_V2, encodeFdList(f)));
  return out;
}

/** Block type id for an event block with these dump flags. */
export function eventBlockType(flags: number, large: boolean): number {
  if (flags === 0) return large ? EV_V2_LARGE : EV_V2;
  return large ? EVF_V2_LARGE : EVF_V2;
}

/** Total size in bytes of the event block eventBlock()/writeEventBlockInto() produce. */
export function eventBlockSize(flags: number, eventLen: number, large: boolean, trailerLen = 0): number {
  const body = 2 + (flags === 0 ? 0 : 4) + eventLen + trailerLen;
  if (!large && body > MAX_EVENT_BLOCK_BODY) {
    throw new DataError(`event block body of ${body} bytes exceeds ${MAX_EVENT_BLOCK_BODY}; use a LARGE block`);
  }
  return roundup4(8 + body + 4);
}

/**
 * Write one event block at `offset` into `target` and return the offset after it.
 * Body: u16 cpuid, [u32 flags when flags != 0], event, trailer, zero padding. The caller makes sure
 * `target` has eventBlockSize(...) bytes free at `offset`.
 */
export function writeEventBlockInto(
  target: Buffer,
  offset: number,
  cpuid: number,
  flags: number,
  event: Uint8Array,
  large: boolean,
  trailer?: Uint8Array,
): number {
  const tlen = trailer ? trailer.length : 0;
  const total = eventBlockSize(flags, event.length, large, tlen);
  const end = offset + total;
  if (end > target.length) throw new RangeError(`event block of ${total} bytes does not fit at ${offset}`);
  target.writeUInt32LE(eventBlockType(flags, large), offset);
  target.writeUInt32LE(total, offset + 4);
  target.writeUInt16LE(cpuid, offset + 8);
  let o = offset + 10;
  if (flags !== 0) {
    target.writeUInt32LE(flags >>> 0, o);
    o += 4;
  }
  target.set(event, o);
  o += event.length;
  if (tlen > 0) {
    target.set(trailer!, o);
    o += tlen;
  }
  const trailerAt = end - 4;
  if (o < trailerAt) target.fill(0, o, trailerAt);
  target.writeUInt32LE(total, trailerAt);
  return end;
}

/** One event block as a fresh Buffer (a single allocation). */
export function eventBlock(
  cpuid: number,
  flags: number,
  event: Uint8Array,
  large: boolean,
  trailer?: Uint8Array,
): Buffer {
  const total = eventBlockSize(flags, event.length, large, trailer ? trailer.length : 0);
  const out = Buffer.allocUnsafe(total);
  writeEventBlockInto(out, 0, cpuid, flags, event, large, trailer);
  return out;
}

/** The same functions bundled, with fixed PL encoding options. */
export class ScapWriter {
  constructor(private readonly procOpts: ProcEncodeOptions = {}) {}

  sectionBlocks(section: SectionContents): Buffer[] {
    return sectionBlocks(section, this.procOpts);
  }

  eventBlock(cpuid: number, flags: number, event: Uint8Array, large: boolean, trailer?: Uint8Array): Buffer {
    return eventBlock(cpuid, flags, event, large, trailer);
  }

  writeEventBlockInto(
    target: Buffer,
    offset: number,
    cpuid: number,
    flags: number,
    event: Uint8Array,
    large: boolean,
    trailer?: Uint8Array,
  ): number {
    return writeEventBlockInto(target, offset, cpuid, flags, event, large, trailer);
  }

  eventBlockSize(flags: number, eventLen: number, large: boolean, trailerLen = 0): number {
    return eventBlockSize(flags, eventLen, large, trailerLen);
  }
}
