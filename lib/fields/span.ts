// Field classes "span" and "evtin": the tracers (lib/state/tracer.ts) as fields (libsinsp filterchecks.cpp
// sinsp_filter_check_tracer and sinsp_filter_check_evtin, 0.29.3).
// span.* read a tracer event's parser: its id, tags and args, and (with the spans tracked) the enter
// tracer it closes. evtin.span.* read the open spans (newest first): the first one that fits the event
// gives the value; the .p/.s/.m variants widen who fits (see each). Quirks kept: span.args joins with
// '=', evtin.span.args with ':'; span.arg.NAME takes the rest of a -p format as its name; evtin.span.arg.NAME
// accepts only an event parameter's name and then reads the span's last argument.

import { requestTracerTracking, type PartialTracer, type TracerParser } from '../state/tracer.js';
import type { Thread } from '../state/model.js';
import { paramIndexFor } from '../events/table.js';
import { humanTime, quantize, timeOfDay } from './evt.js';
import type { Ctx, FieldArg, FieldClass, FieldDef, FieldType, FieldValue } from './types.js';

const TRACER_E = 268;
const TRACER_X = 269;

/** The context's open spans (the state engine's); undefined for contexts without the engine. */
function openSpans(c: Ctx): PartialTracer[] | undefined {
  return c.tracers?.open;
}

/** The parser of a tracer event's thread; undefined for other events (sinsp_filter_check_tracer::extract). */
function parserOf(c: Ctx): TracerParser | undefined {
  const type = c.ev.type;
  if (type !== TRACER_E && type !== TRACER_X) return undefined;
  return c.thread?.tracer;
}

/** an index argument, negative from the end */
function pick<T>(list: readonly T[], i: number): T | undefined {
  const j = i >= 0 ? i : list.length + i;
  return j >= 0 && j < list.length ? list[j] : undefined;
}

function argOf(p: PartialTracer | null, a: FieldArg | undefined): FieldValue {
  if (p === null || a === undefined) return undefined;
  if (a.index === undefined) {
    const j = p.argnames.indexOf(a.raw);
    return j === -1 ? undefined : p.argvals[j];
  }
  return pick(p.argvals, a.index);
}

function joinArgs(p: PartialTracer | null, sep: string): FieldValue {
  if (p === null) return undefined;
  return p.argnames.map((n, i) => n + sep + p.argvals[i]).join(',');
}

/** the span's duration: an exit tracer's time since its enter */
function duration(c: Ctx, p: TracerParser): number | undefined {
  if (c.ev.type !== TRACER_X || p.enterPae === null) return undefined;
  const d = Number(p.exitPae.time - p.enterPae.time);
  return d < 0 ? 0 : d;
}

interface SpanSpec {
  name: string;
  type: FieldType;
  desc: string;
  get: (c: Ctx, p: TracerParser, a: FieldArg | undefined) => FieldValue;
  /** reads the tracked spans: asks the engine to track them, and is missing without the enter's span */
  tracked?: boolean;
  extra?: Partial<FieldDef>;
}

function spanField(s: SpanSpec): FieldDef {
  const extract = (c: Ctx, a: FieldArg | undefined): FieldValue => {
    const p = parserOf(c);
    if (p === undefined) return undefined;
    if (s.tracked === true && p.enterPae === null) return undefined;
    return s.get(c, p, a);
  };
  const def: FieldDef = { name: s.name, type: s.type, desc: s.desc, extract, ...s.extra };
  if (s.tracked === true)
    def.instance = () => {
      requestTracerTracking();
      return extract;
    };
  return def;
}

const TABLE_ONLY = { hidden: true } as const;

export const spanClass: FieldClass = {
  name: 'span',
  desc: 'Fields used if information about distributed tracing is available.',
  fields: [
    spanField({ name: 'span.id', type: 'INT64', desc: 'ID of the span. This is a unique identifier that is used to match the enter and exit tracer events for this span. It can also be used to match different spans belonging to a trace.', get: (_c, p) => p.id, extra: { fmt: 'ID' } }),
    spanField({ name: 'span.time', type: 'CHARBUF', desc: "time of the span's enter tracer as a human readable string that includes the nanosecond part.", get: (c) => timeOfDay(c.ev.tsHi, c.ev.tsLo), tracked: true }),
    spanField({ name: 'span.ntags', type: 'UINT32', desc: 'number of tags that this span has.', get: (_c, p) => p.tags.length }),
    spanField({ name: 'span.nargs', type: 'UINT32', desc: 'number of arguments that this span has.', get: (_c, p) => (p.enterPae === null ? undefined : p.enterPae.argvals.length) }),
    spanField({ name: 'span.tags', type: 'CHARBUF', desc: "dot-separated list of all of the span's tags.", get: (_c, p) => p.tagsText() }),
    spanField({ name: 'span.tag', type: 'CHARBUF', desc: "one of the span's tags, specified by 0-based offset, e.g. 'span.tag[1]'. You can use a negative offset to pick elements from the end of the tag list. For example, 'span.tag[-1]' returns the last tag.", get: (_c, p, a) => (a?.index === undefined ? undefined : pick(p.tags, a.index)), extra: { arg: 'required' } }),
    spanField({ name: 'span.args', type: 'CHARBUF', desc: "comma-separated list of the span's arguments.", get: (c, p) => joinArgs((c.ev.type & 1) === 0 ? p.enterPae : p.exitPae, '='), tracked: true }),
    spanField({ name: 'span.arg', type: 'CHARBUF', desc: "one of the span arguments, specified by name or by 0-based offset. E.g. 'span.arg.xxx' or 'span.arg[1]'. You can use a negative offset to pick elements from the end of the tag list. For example, 'span.arg[-1]' returns the last argument.", get: (c, p, a) => argOf((c.ev.type & 1) === 0 ? p.enterPae : p.exitPae, a), tracked: true, extra: { arg: 'required', dotArg: true, dotArgRest: true } }),
    spanField({ name: 'span.enterargs', type: 'CHARBUF', desc: "comma-separated list of the span's enter tracer event arguments. For enter tracers, this is the same as evt.args. For exit tracers, this is the evt.args of the corresponding enter tracer.", get: (_c, p) => joinArgs(p.enterPae, '='), tracked: true }),
    spanField({ name: 'span.enterarg', type: 'CHARBUF', desc: "one of the span's enter arguments, specified by name or by 0-based offset. For enter tracer events, this is the same as evt.arg. For exit tracer events, this is the evt.arg of the corresponding enter event.", get: (_c, p, a) => argOf(p.enterPae, a), tracked: true, extra: { arg: 'required', dotArg: true, dotArgRest: true } }),
    spanField({ name: 'span.duration', type: 'RELTIME', desc: "delta between this span's exit tracer event and the enter tracer event.", get: (c, p) => duration(c, p), tracked: true }),
    spanField({ name: 'span.duration.quantized', type: 'UINT64', desc: '10-base log of the delta between an exit tracer event and the correspondent enter event.', get: (c, p) => quantized(duration(c, p)), tracked: true, extra: TABLE_ONLY }),
    spanField({ name: 'span.duration.human', type: 'CHARBUF', desc: "delta between this span's exit tracer event and the enter event, as a human readable string (e.g. 10.3ms).", get: (c, p) => { const d = duration(c, p); return d === undefined ? undefined : humanTime(d); }, tracked: true }),
    spanField({ name: 'span.duration.fortag', type: 'RELTIME', desc: 'duration of the span if the number of tags matches the field argument, otherwise 0. For example, span.duration.fortag[1] returns the duration of all the spans with 1 tag, and zero for all the other ones.', get: (c, p, a) => (a?.index !== undefined && p.tags.length - 1 === a.index ? duration(c, p) : undefined), tracked: true, extra: { ...TABLE_ONLY, arg: 'required' } }),
    spanField({ name: 'span.count', type: 'UINT64', desc: '1 for span exit events.', get: (c) => (c.ev.type === TRACER_X ? 1 : 0), extra: TABLE_ONLY }),
    spanField({ name: 'span.count.fortag', type: 'UINT64', desc: "1 if the span's number of tags matches the field argument, and zero for all the other ones.", get: (c, p, a) => ((c.ev.type & 1) === 1 && a?.index !== undefined && p.tags.length - 1 === a.index ? 1 : 0), extra: { ...TABLE_ONLY, arg: 'required' } }),
    spanField({ name: 'span.childcount.fortag', type: 'UINT64', desc: "1 if the span's number of tags is greater than the field argument, and zero for all the other ones.", get: (c, p, a) => ((c.ev.type & 1) === 1 && a?.index !== undefined && p.tags.length > a.index + 1 ? 1 : 0), extra: { ...TABLE_ONLY, arg: 'required' } }),
    spanField({ name: 'span.idtag', type: 'CHARBUF', desc: 'id used by the span list view.', get: (_c, p, a) => String(p.id) + (a?.index === undefined ? '' : (pick(p.tags, a.index) ?? '')), tracked: true, extra: { ...TABLE_ONLY, arg: 'required' } }),
    spanField({ name: 'span.rawtime', type: 'CHARBUF', desc: 'id used by the span list view.', get: (_c, p) => String(p.enterPae!.time), tracked: true, extra: TABLE_ONLY }),
    spanField({ name: 'span.rawparenttime', type: 'CHARBUF', desc: 'id used by the span list view.', get: (c, p) => { const o = openSpans(c); const par = o && p.parentOf(o); return par === undefined ? undefined : String(par.time); }, tracked: true, extra: TABLE_ONLY }),
  ],
};

/** span.duration.quantized: as evt.latency.quantized */
function quantized(d: number | undefined): number | undefined {
  return d === undefined || d === 0 ? undefined : quantize(d);
}

/** Which open spans an evtin field accepts for the event's thread `t`. */
const enum Scope {
  Thread = 0,
  Process = 1,
  Script = 2,
  Machine = 3,
}

const enum What {
  Id,
  Ntags,
  Nargs,
  Tags,
  Tag,
  Args,
  Arg,
}

/** sinsp_filter_check_evtin::extract_tracer: the span's value, when the span fits the event */
function spanValue(c: Ctx, t: Thread, p: PartialTracer, scope: Scope, what: What, a: FieldArg | undefined): FieldValue {
  if (scope === Scope.Thread) {
    if (p.tid !== t.tid) return undefined;
  } else if (scope === Scope.Process) {
    // (libsinsp compares the span's thread with the event's, as for the thread fields, once it exists)
    const owner = c.tables.threads.get(p.tid);
    if (owner === undefined || owner.tid !== t.tid) return undefined;
  } else if (scope === Scope.Script) {
    const owner = c.tables.threads.get(p.tid);
    if (owner === undefined || owner.pid !== t.ptid) return undefined;
  }
  switch (what) {
    case What.Id:
      return p.id;
    case What.Ntags:
      return p.tags.length;
    case What.Nargs:
      return p.argvals.length;
    case What.Tags:
      return p.tags.join('.');
    case What.Tag:
      return a?.index === undefined ? undefined : pick(p.tags, a.index);
    case What.Args:
      return p.argnames.map((n, i) => n + ':' + p.argvals[i]).join(',');
    case What.Arg:
      // a dotted name is only checked against the event parameters' names; the index is then -1
      return pick(p.argvals, a?.index ?? -1);
  }
}

function evtinField(name: string, type: FieldType, desc: string, scope: Scope, what: What, extra: Partial<FieldDef> = {}): FieldDef {
  const extract = (c: Ctx, a: FieldArg | undefined): FieldValue => {
    const type = c.ev.type;
    if (type === TRACER_E || type === TRACER_X) return undefined;
    const t = c.thread;
    const open = openSpans(c);
    if (t === undefined || t.tracer === undefined || open === undefined) return undefined;
    for (const p of open) {
      const v = spanValue(c, t, p, scope, what, a);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  // In a filter any open span that fits and compares true matches (not only the first), but an enter
  // tracer's own span (the newest) that compares true fails it; an exit tracer's own span, already back
  // in the pool, is tried last.
  const anyOf = (c: Ctx, a: FieldArg | undefined): FieldValue[] | undefined => {
    const t = c.thread;
    const open = openSpans(c);
    if (t === undefined || open === undefined) return [];
    const out: FieldValue[] & { veto?: FieldValue } = [];
    const type = c.ev.type;
    const own = type === TRACER_E || type === TRACER_X ? t.tracer?.enterPae ?? null : null;
    for (const p of open) {
      const v = spanValue(c, t, p, scope, what, a);
      if (type === TRACER_E && p === own) out.veto = v;
      else if (v !== undefined) out.push(v);
    }
    if (type === TRACER_X && own !== null) {
      const v = spanValue(c, t, own, scope, what, a);
      if (v !== undefined) out.push(v);
    }
    return out;
  };
  const def: FieldDef = { name, type, desc, extract, anyOf, anyOfNe: 'any', ...extra };
  def.instance = () => {
    requestTracerTracking();
    return extract;
  };
  return def;
}

const PER: [Scope, string, string][] = [
  [Scope.Thread, '', ''],
  [Scope.Process, '.p', 'process'],
  [Scope.Script, '.s', 'script'],
  [Scope.Machine, '.m', 'machine'],
];

const DESC = {
  id: 'accepts all the events that are between the enter and exit tracers of the spans with the given ID and are generated by the same thread that generated the tracers.',
  ntags: 'accepts all the events that are between the enter and exit tracers of the spans with the given number of tags and are generated by the same thread that generated the tracers.',
  nargs: 'accepts all the events that are between the enter and exit tracers of the spans with the given number of arguments and are generated by the same thread that generated the tracers.',
  tags: 'accepts all the events that are between the enter and exit tracers of the spans with the given tags and are generated by the same thread that generated the tracers.',
  tag: 'accepts all the events that are between the enter and exit tracers of the spans with the given tag and are generated by the same thread that generated the tracers. See the description of span.tag for information about the syntax accepted by this field.',
  args: 'accepts all the events that are between the enter and exit tracers of the spans with the given arguments and are generated by the same thread that generated the tracers.',
  arg: 'accepts all the events that are between the enter and exit tracers of the spans with the given argument and are generated by the same thread that generated the tracers. See the description of span.arg for information about the syntax accepted by this field.',
};
const WIDER: Record<string, (f: string) => string> = {
  process: (f) => `same as evtin.span.${f}, but also accepts events generated by other threads in the same process that produced the span.`,
  script: () => 'same as evtin.span.id, but also accepts events generated by the script that produced the span, i.e. by the processes whose parent PID is the same as the one of the process generating the span.',
  machine: () => 'same as evtin.span.id, but accepts all the events generated on the machine during the span, including other threads and other processes.',
};

/** evtin.span.arg.NAME: NAME must name an event parameter (find_longest_matching_evt_param) */
const argOpts: Partial<FieldDef> = { arg: 'required', dotArg: true, dotArgValid: (raw) => paramIndexFor(raw) !== undefined };

export const evtinClass: FieldClass = {
  name: 'evtin',
  desc: 'Fields used if information about distributed tracing is available.',
  fields: PER.flatMap(([scope, infix, kind]) => {
    const d = (f: keyof typeof DESC): string => (kind === '' ? DESC[f] : WIDER[kind]!(f));
    const n = (f: string): string => `evtin.span${infix}.${f}`;
    return [
      evtinField(n('id'), 'INT64', d('id'), scope, What.Id, { fmt: 'ID' }),
      evtinField(n('ntags'), 'UINT32', d('ntags'), scope, What.Ntags),
      evtinField(n('nargs'), 'UINT32', d('nargs'), scope, What.Nargs),
      evtinField(n('tags'), 'CHARBUF', d('tags'), scope, What.Tags),
      evtinField(n('tag'), 'CHARBUF', d('tag'), scope, What.Tag, { arg: 'required' }),
      evtinField(n('args'), 'CHARBUF', d('args'), scope, What.Args),
      evtinField(n('arg'), 'CHARBUF', d('arg'), scope, What.Arg, argOpts),
    ];
  }),
};
