// Block framing of the scap format: ids, lengths, padding. Facts in formats/scap.md
// (source: falcosecurity/libs userspace/libscap/scap_savefile.h).

export const SHB = 0x0a0d0d0a;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const MI = 0x201;
export const MI_LEGACY = 0x8002abcd;

/** Process list block ids, index = version - 1. */
export const PL_IDS = [0x202, 0x207, 0x209, 0x210, 0x211, 0x212, 0x213, 0x214, 0x215] as const;
export const PL_LEGACY_V1 = 0x8000abcd;
export const PL_LEGACY_V2 = 0x8013abcd;
export const PL_LEGACY_V3 = 0x8014abcd;

export const FDL_V1 = 0x203;
export const FDL_LEGACY = 0x8001abcd;
export const FDL_V2 = 0x218;

export const EV_V1 = 0x204;
export const EV_LEGACY = 0x8010abcd;
export const EV_V2 = 0x216;
export const EV_V2_LARGE = 0x221;

export const EVF_V1 = 0x208;
export const EVF_V2 = 0x217;
export const EVF_V2_LARGE = 0x222;

export const IL_V1 = 0x205;
export const IL_LEGACY = 0x8011abcd;
export const IL_V2 = 0x219;

export const UL_V1 = 0x206;
export const UL_LEGACY = 0x8012abcd;
export const UL_V2 = 0x220;

/** Dump flag: the event updates state but is never shown. */
export const DF_STATE_ONLY = 1;
/** SCAP_DF_TRACER: the event is a tracer (sysdig -w sets it on the write a tracer replaced) */
export const DF_TRACER = 2;

/** Size of the event header in v2 / large blocks (with nparams) and in v1 blocks (without). */
export const EVENT_HEADER_V2 = 26;
export const EVENT_HEADER_V1 = 22;

/** Non-large event blocks may not exceed this body size (block_total_length - 8). */
export const MAX_EVENT_BLOCK_BODY = 65536;

/** tdig refuses any block longer than this: bounded memory, and a corrupt length fails fast. */
export const DEFAULT_BLOCK_CAP = 64 * 1024 * 1024;

export const enum BlockKind {
  Section,
  MachineInfo,
  ProcList,
  FdList,
  Interfaces,
  Users,
  Event,
  Unknown,
}

/** What a block type id means: its kind and its format version. */
export interface BlockTypeInfo {
  kind: BlockKind;
  version: number;
  /** event blocks: carries a u32 dump-flags field after cpuid */
  hasFlags?: boolean;
  /** event blocks: v1 header (no nparams) */
  v1?: boolean;
}

const TYPES = new Map<number, BlockTypeInfo>();
TYPES.set(SHB, { kind: BlockKind.Section, version: 1 });
TYPES.set(MI, { kind: BlockKind.MachineInfo, version: 1 });
TYPES.set(MI_LEGACY, { kind: BlockKind.MachineInfo, version: 1 });
PL_IDS.forEach((id, i) => TYPES.set(id, { kind: BlockKind.ProcList, version: i + 1 }));
TYPES.set(PL_LEGACY_V1, { kind: BlockKind.ProcList, version: 1 });
TYPES.set(PL_LEGACY_V2, { kind: BlockKind.ProcList, version: 2 });
TYPES.set(PL_LEGACY_V3, { kind: BlockKind.ProcList, version: 3 });
TYPES.set(FDL_V1, { kind: BlockKind.FdList, version: 1 });
TYPES.set(FDL_LEGACY, { kind: BlockKind.FdList, version: 1 });
TYPES.set(FDL_V2, { kind: BlockKind.FdList, version: 2 });
TYPES.set(IL_V1, { kind: BlockKind.Interfaces, version: 1 });
TYPES.set(IL_LEGACY, { kind: BlockKind.Interfaces, version: 1 });
TYPES.set(IL_V2, { kind: BlockKind.Interfaces, version: 2 });
TYPES.set(UL_V1, { kind: BlockKind.Users, version: 1 });
TYPES.set(UL_LEGACY, { kind: BlockKind.Users, version: 1 });
TYPES.set(UL_V2, { kind: BlockKind.Users, version: 2 });
TYPES.set(EV_V1, { kind: BlockKind.Event, version: 1, v1: true });
TYPES.set(EV_LEGACY, { kind: BlockKind.Event, version: 1, v1: true });
TYPES.set(EV_V2, { kind: BlockKind.Event, version: 2 });
TYPES.set(EV_V2_LARGE, { kind: BlockKind.Event, version: 2 });
TYPES.set(EVF_V1, { kind: BlockKind.Event, version: 1, v1: true, hasFlags: true });
TYPES.set(EVF_V2, { kind: BlockKind.Event, version: 2, hasFlags: true });
TYPES.set(EVF_V2_LARGE, { kind: BlockKind.Event, version: 2, hasFlags: true });

const UNKNOWN: BlockTypeInfo = { kind: BlockKind.Unknown, version: 0 };

export function blockTypeInfo(id: number): BlockTypeInfo {
  return TYPES.get(id) ?? UNKNOWN;
}

export function roundup4(n: number): number {
  return (n + 3) & ~3;
}

/** Frame a body as one block: header, body, zero padding, trailer. */
export function frameBlock(type: number, body: Uint8Array): Buffer {
  const total = roundup4(8 + body.length + 4);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type >>> 0, 0);
  out.writeUInt32LE(total, 4);
  out.set(body, 8);
  out.writeUInt32LE(total, total - 4);
  return out;
}

/**
 * The 28-byte section header block that sysdig 0.29.3 and current libs both read: version 1.2, or, given the
 * bytes of another section header block at `at`, its version and section length without its pcapng options.
 */
export function sectionHeaderBlock(from?: Buffer, at = 0): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  if (from !== undefined) {
    from.copy(body, 4, at + 12, at + 24);
  } else {
    body.writeUInt16LE(1, 4);
    body.writeUInt16LE(2, 6);
    body.writeBigInt64LE(-1n, 8);
  }
  return frameBlock(SHB, body);
}

/**
 * The bytes a writer of scap writes for a header block it read: the block as it is, but a section header with
 * pcapng options (a capture re-saved by Wireshark's editcap), which sysdig 0.29.3 reports as truncated, without
 * them (scap readers skip them).
 */
export function portableHeader(buf: Buffer, start: number, end: number, kind: BlockKind): Buffer {
  return kind === BlockKind.Section && end - start !== 28 ? sectionHeaderBlock(buf, start) : Buffer.from(buf.subarray(start, end));
}
