// Command-line helpers shared by the commands.

import { fstatSync, statSync, type Stats } from 'node:fs';
import { ttyModule } from './lazy.js';
import { UsageError } from './errors.js';
import { isTerminal } from './stdio.js';
import { StdinSource, type InputSource } from '../scap/input.js';
import { parseDuration } from '../scap/duration.js';

/**
 * Whether a word that names no existing file still looks like a path to one (so that it gets "no such
 * file" rather than being read as a filter expression): a capture-like name or one with a "/", and
 * nothing a filter has and a path rarely does (spaces, comparison operators, parentheses).
 */
export function looksLikePath(word: string): boolean {
  if (/[\s=<>()!]/.test(word)) return false;
  return word.includes('/') || /\.(scap|gz|lz4|ndjson|json)$/.test(word);
}

/**
 * The inputs of a reading command: its files, "-" for standard input, or standard input when there are
 * none. Standard input that is a terminal is refused: nobody types a capture, and waiting for one would
 * look like a hang.
 */
export function inputSources(files: string[]): InputSource[] {
  const stdinWanted = files.length === 0 || files.includes('-');
  if (stdinWanted && ttyModule().isatty(0)) {
    throw new UsageError('no capture to read: name a file, or pipe one in (standard input is a terminal)');
  }
  const stdin = new StdinSource();
  return files.length === 0 ? [stdin] : files.map((f) => (f === '-' ? stdin : f));
}

/**
 * Refuses `-w OUT` when OUT is one of the input files (the same file, by device and inode): it would be
 * emptied before it is read.
 */
export function refuseOverwrite(out: string | undefined, sources: readonly InputSource[]): void {
  if (out === undefined) return;
  const o = statSync(out, { throwIfNoEntry: false });
  if (o === undefined || !o.isFile()) return;
  for (const src of sources) {
    let i: Stats | undefined;
    if (typeof src === 'string') i = statSync(src, { throwIfNoEntry: false });
    else if (src instanceof StdinSource) {
      try {
        i = fstatSync(0);
      } catch {
        i = undefined;
      }
    }
    if (i !== undefined && i.dev === o.dev && i.ino === o.ino) {
      const name = typeof src === 'string' ? src : 'standard input';
      throw new UsageError(`-w ${out} is the input ${name}: writing would empty it before it is read`);
    }
  }
}

/** -n's value: a number of events (0: no limit). */
export function countArg(v: string, flag = '-n'): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`${flag} needs a number, not "${v}"`);
  return Number(v);
}

/** A whole number above 0: -C MB, -G seconds, -e events, -W files (sysdig refuses 0: "invalid file size"...). */
export function positiveArg(v: string, flag: string): number {
  const n = countArg(v, flag);
  if (n === 0) throw new UsageError(`${flag} needs a number above 0, not "${v}"`);
  return n;
}

/** -n's value: a count above 0 (sysdig: "invalid event count 0"). */
export function eventCountArg(v: string): number {
  const n = countArg(v);
  if (n === 0) throw new UsageError('invalid event count 0');
  return n;
}

/** -M's value: whole seconds above 0, as sysdig takes them. */
export function secondsArg(v: string): number {
  const s = parseDuration(v);
  if (s === undefined) throw new UsageError(`-M needs a number of seconds above 0, not "${v}"`);
  return s;
}

/** A command's options, as far as getoptSplit needs them. */
export interface GetoptSpec {
  /** the letters of the short options that take a value ("pnt": -p FORMAT, -n N, -t T) */
  valued: string;
  /** the letters of the short options that take none */
  flags: string;
  /** the long options that take a value ("--numevents") */
  long: readonly string[];
}

/**
 * A word the command's parser does not know, in the words getopt makes of it, as sysdig takes them:
 * "-p%proc.name" is -p "%proc.name", "-n5" is -n "5", "-qS" is -q -S (and "-qn5" -q -n "5"),
 * "--numevents=5" is --numevents "5". Undefined when it is none of these forms. The parser calls it on a
 * word it met where an option belongs, never on an option's value.
 */
export function getoptSplit(word: string, spec: GetoptSpec): string[] | undefined {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    return eq > 2 && spec.long.includes(word.slice(0, eq)) ? [word.slice(0, eq), word.slice(eq + 1)] : undefined;
  }
  if (word.length < 3 || word[0] !== '-') return undefined;
  const out: string[] = [];
  for (let k = 1; k < word.length; k++) {
    const c = word[k]!;
    if (spec.valued.includes(c)) {
      out.push(`-${c}`);
      if (k + 1 < word.length) out.push(word.slice(k + 1));
      return out;
    }
    if (!spec.flags.includes(c)) return undefined;
    out.push(`-${c}`);
  }
  return out;
}

/** args[i] replaced by the words getoptSplit makes of it; whether it was (the parser then reads args[i] again). */
export function expandGetopt(args: string[], i: number, spec: GetoptSpec): boolean {
  const words = getoptSplit(args[i]!, spec);
  if (words === undefined) return false;
  args.splice(i, 1, ...words);
  return true;
}

/**
 * Refuses to write scap, a binary format, to a terminal (as gzip refuses to): a file (-w FILE) or a pipe
 * takes it. Throws UsageError when standard output is a terminal.
 */
export function refuseScapToTerminal(): void {
  if (isTerminal(1)) throw new UsageError('standard output is a terminal, and scap is binary: write it to a file (-w FILE) or a pipe (| tdig-fmt)');
}
