// The command line shared by tdig-agg and tdig-echo: CHISEL [ARGS] [FILTER] [FILE...], taken the way
// sysdig takes `-c CHISEL ARGS FILTER` (sysdig.cpp parse_chisel_args, chisel.cpp set_args):
// - a chisel with a required argument consumes the next word as its argument string;
// - a chisel with only optional arguments consumes it unless the rest of the words is a valid filter;
// - the argument string splits at spaces ('...' or `...` keep spaces);
// - the words left are the filter. Trailing words that are files (or "-") are the input.

import { setPortResolution } from '../events/ports.js';
import { existsSync } from 'node:fs';
import { countArg, eventCountArg, expandGetopt, looksLikePath, inputSources, secondsArg, type GetoptSpec } from '../cli/args.js';
import { UsageError } from '../cli/errors.js';
import { suppressedComms } from '../state/suppress.js';
import { compileFilter, compilesIn0293 } from '../filter/index.js';
import { BufferFormat, NUMBER_TYPES } from '../fields/types.js';
import { resolveField } from '../fields/registry.js';
import { TextOut } from '../output/writer.js';
import { CHISELS, chiselByName, infoText, listText } from './registry.js';
import { tableChisel } from './table-chisel.js';
import type { Units } from './table.js';
import { createChisel, runChisels, type RunOptions } from './run.js';
import type { Chisel, ChiselDef } from './types.js';
import { setBeforeWait, type InputSource } from '../scap/input.js';
import { watchInterrupts } from '../cli/interrupt.js';
import type { EchoHost } from './echo.js';
import { isChiselPath, loadUserChisel, pathChisels } from './user.js';
import { isTerminal, stdout, writeErr } from '../cli/stdio.js';
import { RunStats } from '../output/stats.js';

export interface CliOptions {
  chisel?: string;
  words: string[];
  /** -c given more than once: the chisels with their bound arguments, in order (then `filter` is the filter) */
  chain?: { def: ChiselDef; args: (string | undefined)[] }[];
  /** -c given more than once, before the chisels are looked up (user chisels load asynchronously): see bindChain */
  chainWords?: ChainWords;
  filter?: string;
  files: string[];
  list: boolean;
  info?: string;
  json: boolean;
  live: boolean;
  buf: BufferFormat;
  progress: boolean;
  /** --unbuffered: each line is written as it is printed */
  unbuffered?: boolean;
  color: 'auto' | 'always' | 'never';
  by?: { keys: string; sum: string; top: number; units: Units };
  /** -pc (-pcontainer, -pk, -pm...): sysdig's print_container_data, container columns in the chisels that have them */
  printContainer?: boolean;
  /** -R: port numbers as service names */
  resolvePorts?: boolean;
  /** -E: the capture's user and group tables are not used */
  excludeUsers?: boolean;
  /** -D: internal events too */
  debug?: boolean;
  /** -v: sysdig -v's counters on stderr at the end */
  stats?: RunStats;
  /** -n: stop after N events; -M: after SECONDS of capture time (sysdig's -n and -M) */
  limit?: number;
  seconds?: number;
  /** -U: process names whose events are left out */
  suppress: string[];
}

const UNITS = new Set(['bytes', 'none', 'time', 'timepct']);

/** tdig-agg's and tdig-echo's options in getopt's other spellings (-ctopconns, -n5, -AP, --numevents=5) */
const CHISEL_GETOPT: GetoptSpec = {
  valued: 'ircnMUs',
  flags: 'ljAxXbPREDvFT',
  long: ['--info', '--read', '--chisel', '--numevents', '--suppress-comm', '--sum', '--top', '--units', '--snaplen'],
};

export function parseCli(cmd: string, argv: string[]): CliOptions {
  const args = [...argv];
  const o: CliOptions = { words: [], files: [], list: false, json: false, live: false, buf: BufferFormat.Normal, progress: false, color: 'auto', suppress: [] };
  let sum: string | undefined;
  let top: number | undefined;
  let units: Units | undefined;
  const value = (i: number, flag: string): string => {
    const v = args[i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const setBuf = (b: BufferFormat) => {
    if (o.buf !== BufferFormat.Normal && o.buf !== b) throw new UsageError('you cannot specify more than one output format');
    o.buf = b;
  };
  const pos: string[] = [];
  /** -r FILE */
  const read: string[] = [];
  /** argv index of each word of pos */
  const posAt: number[] = [];
  /** -c CHISEL (sysdig's spelling; the same as naming the chisel first), with the argv index of the name */
  const named: { name: string; at: number }[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    switch (a) {
      case '--list': case '-l': case '-cl': o.list = true; break;
      case '-i': case '--info': o.info = value(++i, a); break;
      case '-r': case '--read': read.push(value(++i, a)); break;
      case '-c': case '--chisel': {
        const name = value(++i, a);
        // (sysdig's -cl is -c l: getopt's spelling of -c with the value l)
        if (name === 'l') o.list = true;
        else named.push({ name, at: i });
        break;
      }
      case '--json': case '-j': o.json = true; break;
      case '--interval': o.live = true; break;
      case '-pc': case '-pcontainer': case '-pk': case '-pkubernetes': case '-pm': case '-pmesos': o.printContainer = true; break;
      case '-A': case '--print-ascii': setBuf(BufferFormat.Ascii); break;
      case '-x': case '--print-hex': setBuf(BufferFormat.Hex); break;
      case '-X': case '--print-hex-ascii': setBuf(BufferFormat.HexAscii); break;
      case '-b': case '--print-base64': setBuf(BufferFormat.Base64); break;
      case '-P': case '--progress': o.progress = true; break;
      case '--unbuffered': o.unbuffered = true; break;
      case '-n': case '--numevents': o.limit = eventCountArg(value(++i, a)); break;
      case '-M': o.seconds = secondsArg(value(++i, a)); break;
      case '-U': case '--suppress-comm': o.suppress.push(value(++i, a)); break;
      case '-R': case '--resolve-ports': o.resolvePorts = true; break;
      case '-E': case '--exclude-users': o.excludeUsers = true; break;
      // sysdig's capture options, which change nothing when a capture is read (as in sysdig)
      case '-s': case '--snaplen': countArg(value(++i, a), a); break;
      case '-F': case '--fatfile': case '--large-environment': case '--page-faults': case '-T': break;
      case '-D': case '--debug': o.debug = true; break;
      case '-v': case '--verbose': o.stats = new RunStats(); break;
      case '--no-color': o.color = 'never'; break;
      case '--color': o.color = 'always'; break;
      case '--sum': sum = value(++i, a); break;
      case '--top': {
        const v = value(++i, a);
        if (!/^\d+$/.test(v)) throw new UsageError(`--top needs a number, not "${v}"`);
        top = Number(v);
        break;
      }
      case '--units': {
        const v = value(++i, a);
        if (!UNITS.has(v)) throw new UsageError(`--units takes bytes, none, time or timepct, not "${v}"`);
        units = v as Units;
        break;
      }
      case '--':
        for (let j = i + 1; j < args.length; j++) {
          pos.push(args[j]!);
          posAt.push(j);
        }
        i = args.length;
        break;
      default: {
        if (expandGetopt(args, i, CHISEL_GETOPT)) {
          i--;
          break;
        }
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a} (see ${cmd} --help)`);
        pos.push(a);
        posAt.push(i);
      }
    }
  }
  if (named.length > 1) {
    if (sum !== undefined || top !== undefined || units !== undefined) throw new UsageError('--sum, --top and --units go with "by"');
    o.chainWords = { named, pos, posAt, read };
    o.suppress = suppressedComms(o.suppress);
    return o;
  }
  if (named.length === 1) pos.unshift(named[0]!.name);
  // trailing inputs: existing files, "-", or names that look like captures. The word right after a chisel
  // that takes arguments is its argument when it does not exist yet, or, for a required argument, once
  // other inputs were named (around's dump file, even one left by an earlier run)
  const def = chiselByName(pos[0] ?? '');
  const takesArgs = (def?.args.length ?? 0) > 0;
  const needsArgs = def?.args.some((a) => !a.optional) ?? false;
  while (pos.length > 1) {
    const last = pos[pos.length - 1]!;
    const argWord = pos.length === 2 && takesArgs;
    if (argWord && needsArgs && o.files.length > 0) break;
    const looksLike = looksLikePath(last) && !argWord;
    if (last === '-' || existsSync(last) || looksLike) o.files.unshift(pos.pop()!);
    else break;
  }
  o.files.unshift(...read);
  o.chisel = pos.shift();
  if (o.chisel === 'by') {
    const keys = pos.shift();
    if (!keys) throw new UsageError('by needs KEY[,KEY...]');
    o.by = { keys, sum: sum ?? 'evt.count', top: top ?? 0, units: units ?? 'none' };
  } else if (sum !== undefined || top !== undefined || units !== undefined) {
    throw new UsageError('--sum, --top and --units go with "by"');
  }
  o.words = pos;
  o.suppress = suppressedComms(o.suppress);
  return o;
}

interface ChainWords {
  /** each -c's chisel, with the argv index of its name */
  named: { name: string; at: number }[];
  /** the positional words, and the argv index of each */
  pos: string[];
  posAt: number[];
  /** -r FILE */
  read: string[];
}

/** The chisels of several -c: built-in ones, or user chisels (a path, or a name in TDIG_CHISEL_PATH). */
export async function chainDefs(cmd: string, kind: 'agg' | 'echo', named: ChainWords['named']): Promise<ChiselDef[]> {
  const defs: ChiselDef[] = [];
  for (const { name } of named) {
    if (name === 'by') throw new UsageError('-c by: "by" runs alone (tdig-agg by KEY...)');
    const def = (isChiselPath(name) ? undefined : chiselByName(name)) ?? (await loadUserChisel(name, kind));
    if (def === undefined) throw new UsageError(`unknown chisel ${name} (${cmd} --list lists them)`);
    defs.push(def);
  }
  return defs;
}

/**
 * Several -c (sysdig runs them all over one capture). Each chisel takes its arguments from the word right
 * after its name, as sysdig.cpp's parse_chisel_args decides: always when it has required arguments, and for
 * optional ones when that word does not start with '-' and either the chisel's one argument is a filter or
 * the rest of the command line is not a valid filter. The words left are the filter, then the inputs.
 */
function bindChain(o: CliOptions, defs: ChiselDef[]): void {
  const { named, pos, posAt, read } = o.chainWords!;
  // the word after each chisel's name, when it is a positional one
  const candidate = named.map(({ at }) => posAt.indexOf(at + 1));
  // trailing inputs (existing files, "-", names that look like captures), but not a required argument
  let end = pos.length;
  while (end > 0) {
    const last = pos[end - 1]!;
    if (defs.some((d, k) => candidate[k] === end - 1 && d.args.length > 0 && requiredArgs(d) !== 0)) break;
    if (last === '-' || existsSync(last) || looksLikePath(last)) end--;
    else break;
  }
  o.files.push(...read, ...pos.slice(end));
  const taken = new Set<number>();
  o.chain = defs.map((def, n) => {
    const nargs = def.args.length;
    const nreq = requiredArgs(def);
    const k = candidate[n]!;
    let word: string | undefined;
    if (nargs !== 0 && k !== -1 && k < end && !taken.has(k)) {
      const w = pos[k]!;
      // sysdig tries the rest of its command line as a filter, with its own compiler (here: the words before the inputs)
      const rest = pos.slice(k, end).filter((_, i) => !taken.has(k + i)).join(' ');
      if (nreq !== 0 || (!w.startsWith('-') && ((nargs === 1 && def.args[0]!.type === 'filter') || !compilesIn0293(rest)))) {
        word = w;
        taken.add(k);
      }
    }
    if (word === undefined && nreq !== 0) {
      throw missingArgs(def);
    }
    const given = word !== undefined ? givenArgs(def, word) : undefined;
    return { def, args: def.args.map((_, i) => given?.[i]) };
  });
  const words = pos.slice(0, end).filter((_, i) => !taken.has(i));
  if (words.length > 0) o.filter = words.join(' ');
}

/** How many arguments a chisel requires. */
function requiredArgs(def: ChiselDef): number {
  return def.args.filter((a) => !a.optional).length;
}

/** sysdig's error for a chisel whose required arguments are not given. */
function missingArgs(def: ChiselDef): UsageError {
  return new UsageError(`${def.name}: missing arguments for chisel ${def.name} (${def.args.filter((a) => !a.optional).map((a) => a.name).join(', ')})`);
}

/** The values of a chisel's argument word, checked against how many it takes. */
function givenArgs(def: ChiselDef, word: string): string[] {
  const nargs = def.args.length;
  const nreq = requiredArgs(def);
  const given = splitChiselArgs(def.name, word);
  if (given.length < nreq) throw new UsageError(`${def.name}: wrong number of parameters for chisel ${def.name}, ${nreq} required, ${given.length} given`);
  if (given.length > nargs) throw new UsageError(`${def.name}: too many parameters for chisel ${def.name}, ${nreq} required, ${nargs - nreq} optional, ${given.length} given`);
  return given;
}

/** chisel.cpp set_args: split at spaces outside '...' or `...`. */
export function splitChiselArgs(name: string, s: string): string[] {
  const a = s.trim();
  const out: string[] = [];
  let begin = 0;
  let inq = false;
  let corr = 0;
  let j = 0;
  for (; j < a.length; j++) {
    const c = a[j];
    if (c === ' ' && !inq) {
      out.push(a.slice(begin, j - corr));
      begin = j + 1;
      corr = 0;
    } else if (c === "'" || c === '`') {
      if (inq) {
        corr = 1;
        inq = false;
      } else {
        begin++;
        inq = true;
      }
    }
  }
  if (inq) throw new UsageError(`${name}: corrupted parameters for chisel ${name}`);
  out.push(a.slice(begin, j - corr));
  return out;
}

/** The chisel's argument values and the filter, from the words after the chisel name. */
export function bindArgs(def: ChiselDef, words: string[]): { args: (string | undefined)[]; filter?: string } {
  const nargs = def.args.length;
  const nreq = requiredArgs(def);
  let rest = words;
  let given: string[] | undefined;
  if (nargs !== 0) {
    if (rest.length === 0) {
      if (nreq !== 0) throw missingArgs(def);
    } else if (nreq !== 0 || (nargs === 1 && def.args[0]!.type === 'filter') || !compilesIn0293(rest.join(' '))) {
      // sysdig: a chisel whose one optional argument is a filter (ps, lsof, netstat) always takes the next word
      given = givenArgs(def, rest[0]!);
      rest = rest.slice(1);
    }
  }
  const args = def.args.map((_, i) => given?.[i]);
  const filter = rest.length ? rest.join(' ') : undefined;
  return { args, filter };
}

/** `by KEY[,KEY] --sum FIELD --top N --units U`: the table engine with the user's keys. */
function byChisel(by: NonNullable<CliOptions['by']>): ChiselDef {
  const keys = by.keys.split(',');
  // a sum of text, addresses or booleans fails at its first event; say so before any event is read
  const sum = resolveField(by.sum);
  if (sum !== undefined && !by.sum.startsWith('evt.rawarg') && !NUMBER_TYPES.has(sum.def.type)) {
    throw new UsageError(`by: --sum takes a number field; ${by.sum} is ${sum.def.type}`);
  }
  return {
    name: 'by', category: 'Misc', shortDesc: 'group by keys, sum a field, top N', desc: '', args: [], kind: 'agg',
    create: (_args, host) => tableChisel('by', { keys, keyDescs: keys, value: by.sum, valueDesc: by.sum, filter: '', top: by.top, units: by.units }, host),
  };
}

export async function runCli(cmd: string, kind: 'agg' | 'echo', usage: string, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    stdout().write(usage);
    return 0;
  }
  const o = parseCli(cmd, argv);
  if (o.resolvePorts === true) setPortResolution(true);
  if (o.list) {
    const builtin = CHISELS.filter((c) => c.kind === kind && !c.hidden);
    const names = new Set(CHISELS.map((c) => c.name));
    const user = (await pathChisels(kind)).filter((c) => c.kind === kind && !names.has(c.name));
    stdout().write(listText([...builtin, ...user]));
    return 0;
  }
  if (o.info !== undefined) {
    const c = (isChiselPath(o.info) ? undefined : chiselByName(o.info)) ?? (await loadUserChisel(o.info, kind));
    if (!c) throw new UsageError(`chisel ${o.info} not found - use --list to list them.`);
    stdout().write(infoText(c));
    return 0;
  }
  if (o.chainWords !== undefined) {
    bindChain(o, await chainDefs(cmd, kind, o.chainWords.named));
    return runChain(o);
  }
  if (o.chisel === undefined) throw new UsageError(`which chisel? (${cmd} --list lists them)`);
  let def: ChiselDef;
  if (o.by) def = byChisel(o.by);
  else {
    const d = (isChiselPath(o.chisel) ? undefined : chiselByName(o.chisel)) ?? (await loadUserChisel(o.chisel, kind));
    if (!d) throw new UsageError(`unknown chisel ${o.chisel} (${cmd} --list lists them)`);
    def = d;
  }
  const { args, filter } = o.by ? { args: [], filter: o.words.length ? o.words.join(' ') : undefined } : bindArgs(def, o.words);
  if (filter !== undefined) compileFilter(filter);
  // memcachelog sets sysdig's capture filter itself, and sysdig then refuses a second one
  if (filter !== undefined && def.name === 'memcachelog') throw new UsageError('memcachelog: invalid filter in chisel memcachelog: filter can only be set once');
  const { out, host, tty, colors, ended } = hostFor(o, filter);
  let chisel;
  try {
    chisel = createChisel(def, args, host);
  } catch (e) {
    // what the chisel printed before failing (sysdig's chisels print their reason) goes out first
    await out.end();
    throw e;
  }
  const sources = inputSources(o.files);
  try {
    await runChisels([{ def, chisel }], runOptions(o, sources, filter, out, tty && colors, ended));
  } finally {
    await out.end();
  }
  if (o.stats !== undefined) writeErr(o.stats.text());
  return 0;
}

/** The output and the host every chisel of a run shares. */
function hostFor(o: CliOptions, filter: string | undefined): { out: TextOut; host: EchoHost; tty: boolean; colors: boolean; ended: () => boolean } {
  const out = new TextOut(stdout());
  setBeforeWait(() => out.flush());
  watchInterrupts();
  let ended = false;
  const tty = isTerminal(1);
  const colors = o.color === 'always' || (o.color === 'auto' && !process.env['NO_COLOR'] && tty);
  const host: EchoHost = {
    endCapture: () => {
      ended = true;
    },
    print: o.unbuffered === true ? (s) => (out.lineNl(s), out.flush()) : (s) => out.lineNl(s),
    write: o.unbuffered === true ? (s) => (out.line(s), out.flush()) : (s) => out.line(s),
    // sysdig asks the terminal (TIOCGWINSZ) and gets -1 when it cannot
    terminal: tty ? { width: process.stdout.columns ?? -1, height: process.stdout.rows ?? -1 } : undefined,
    json: o.json,
    live: o.live,
    userBufferFormat: o.buf,
    printContainer: o.printContainer === true,
    colors,
    filter,
    inputs: o.files.filter((f) => f !== '-'),
  };
  return { out, host, tty, colors, ended: () => ended };
}

function runOptions(o: CliOptions, sources: InputSource[], filter: string | undefined, out: TextOut, resetColors: boolean, ended: () => boolean): RunOptions {
  return { sources, filter, bufferFormat: o.buf, json: o.json, live: o.live, progress: o.progress, out, resetColors, limit: o.limit, seconds: o.seconds, suppress: o.suppress, excludeUsers: o.excludeUsers, debug: o.debug, stats: o.stats, ended };
}

/** Several -c: every chisel over one pass of the input, in the order given (sysdig's order). */
async function runChain(o: CliOptions): Promise<number> {
  const filter = o.filter;
  if (filter !== undefined) compileFilter(filter);
  if (filter !== undefined && o.chain!.some(({ def }) => def.name === 'memcachelog')) {
    throw new UsageError('memcachelog: invalid filter in chisel memcachelog: filter can only be set once');
  }
  const { out, host, tty, colors, ended } = hostFor(o, filter);
  const list: { def: ChiselDef; chisel: Chisel }[] = [];
  try {
    for (const { def, args } of o.chain!) list.push({ def, chisel: createChisel(def, args, host) });
  } catch (e) {
    await out.end();
    throw e;
  }
  try {
    await runChisels(list, runOptions(o, inputSources(o.files), filter, out, tty && colors, ended));
  } finally {
    await out.end();
  }
  if (o.stats !== undefined) writeErr(o.stats.text());
  return 0;
}
