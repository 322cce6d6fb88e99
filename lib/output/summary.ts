// sysdig -S: the event summary, printed after the events (sysdig.cpp print_summary_table, 0.29.3).
// Every event the filter passes is counted (internal ones included, state-only and hidden ones not), by type
// and direction; a generic event by its syscall. The table holds the PPM_EVENT_MAX event types, then two
// entries (enter, exit) per PPM_SC code; sysdig sorts it with std::sort by count, descending, and prints the
// first 100 entries up to the first one at zero. std::sort is not stable: rows with equal counts come out in
// the order libstdc++'s introsort leaves them, which this file reproduces step by step.

import { eventInfo, syscallName } from '../events/table.js';
import type { EventView } from '../scap/event.js';

/** OLD (0.29.3) PPM_EVENT_MAX and PPM_SC_MAX (driver/ppm_events_public.h) */
const EVENT_MAX = 336;
const SC_MAX = 329;
const GENERIC_E = 0;
const GENERIC_X = 1;

interface Entry {
  n: number;
  id: number;
  syscall: boolean;
}

export class Summary {
  private readonly counts = new Float64Array(EVENT_MAX + SC_MAX * 2);

  /** Count an event (the one the engine shows: a tracer's, not its write's). */
  add(ev: EventView): void {
    const t = ev.type;
    if (t === GENERIC_E || t === GENERIC_X) {
      const id = ev.nparams > 0 && ev.paramLen(0) >= 2 ? ev.buf.readUInt16LE(ev.paramOff(0)) : 0;
      const i = EVENT_MAX + id * 2 + (t === GENERIC_X ? 1 : 0);
      if (i < this.counts.length) this.counts[i]!++;
    } else if (t < EVENT_MAX) this.counts[t]!++;
  }

  /** The table as sysdig prints it. */
  text(): string {
    const entries: Entry[] = [];
    for (let j = 0; j < EVENT_MAX; j++) entries.push({ n: this.counts[j]!, id: j, syscall: false });
    for (let j = 0; j < SC_MAX * 2; j++) entries.push({ n: this.counts[EVENT_MAX + j]!, id: j, syscall: true });
    stdSort(entries, (a, b) => a.n > b.n);
    let out = '----------------------\n' + 'Event'.padEnd(16) + '#Calls\n----------------------\n';
    for (let j = 0; j < 100; j++) {
      const e = entries[j]!;
      if (e.n === 0) break;
      const name = (e.syscall ? syscallName(e.id >> 1) ?? '' : eventInfo(e.id)?.name ?? '').slice(0, 16).padEnd(16);
      out += ((e.id & 1) === 0 ? '> ' : '< ') + name + e.n + '\n';
    }
    return out;
  }
}

/** libstdc++'s std::sort (introsort, then insertion sort), with the same comparisons and moves. */
export function stdSort<T>(a: T[], less: (x: T, y: T) => boolean): void {
  const n = a.length;
  if (n < 2) return;
  introsortLoop(a, 0, n, 2 * Math.floor(Math.log2(n)), less);
  finalInsertionSort(a, 0, n, less);
}

const THRESHOLD = 16;

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

function introsortLoop<T>(a: T[], first: number, last: number, depth: number, less: (x: T, y: T) => boolean): void {
  while (last - first > THRESHOLD) {
    if (depth === 0) {
      heapSort(a, first, last, less);
      return;
    }
    depth--;
    const mid = first + ((last - first) >> 1);
    moveMedianToFirst(a, first, first + 1, mid, last - 1, less);
    const cut = unguardedPartition(a, first + 1, last, first, less);
    introsortLoop(a, cut, last, depth, less);
    last = cut;
  }
}

function moveMedianToFirst<T>(a: T[], result: number, x: number, y: number, z: number, less: (x: T, y: T) => boolean): void {
  if (less(a[x]!, a[y]!)) {
    if (less(a[y]!, a[z]!)) swap(a, result, y);
    else if (less(a[x]!, a[z]!)) swap(a, result, z);
    else swap(a, result, x);
  } else if (less(a[x]!, a[z]!)) swap(a, result, x);
  else if (less(a[y]!, a[z]!)) swap(a, result, z);
  else swap(a, result, y);
}

function unguardedPartition<T>(a: T[], first: number, last: number, pivot: number, less: (x: T, y: T) => boolean): number {
  for (;;) {
    while (less(a[first]!, a[pivot]!)) first++;
    last--;
    while (less(a[pivot]!, a[last]!)) last--;
    if (!(first < last)) return first;
    swap(a, first, last);
    first++;
  }
}

function finalInsertionSort<T>(a: T[], first: number, last: number, less: (x: T, y: T) => boolean): void {
  if (last - first > THRESHOLD) {
    insertionSort(a, first, first + THRESHOLD, less);
    for (let i = first + THRESHOLD; i < last; i++) unguardedLinearInsert(a, i, less);
  } else insertionSort(a, first, last, less);
}

function insertionSort<T>(a: T[], first: number, last: number, less: (x: T, y: T) => boolean): void {
  if (first === last) return;
  for (let i = first + 1; i < last; i++) {
    if (less(a[i]!, a[first]!)) {
      const v = a[i]!;
      for (let k = i; k > first; k--) a[k] = a[k - 1]!;
      a[first] = v;
    } else unguardedLinearInsert(a, i, less);
  }
}

function unguardedLinearInsert<T>(a: T[], last: number, less: (x: T, y: T) => boolean): void {
  const v = a[last]!;
  let next = last - 1;
  while (less(v, a[next]!)) {
    a[last] = a[next]!;
    last = next;
    next--;
  }
  a[last] = v;
}

// __partial_sort(first, last, last): make_heap, then sort_heap (std::__adjust_heap / __push_heap)
function heapSort<T>(a: T[], first: number, last: number, less: (x: T, y: T) => boolean): void {
  const len = last - first;
  if (len >= 2) {
    for (let parent = (len - 2) >> 1; ; parent--) {
      adjustHeap(a, first, parent, len, a[first + parent]!, less);
      if (parent === 0) break;
    }
  }
  while (last - first > 1) {
    last--;
    const v = a[last]!;
    a[last] = a[first]!;
    adjustHeap(a, first, 0, last - first, v, less);
  }
}

function adjustHeap<T>(a: T[], first: number, hole: number, len: number, value: T, less: (x: T, y: T) => boolean): void {
  const top = hole;
  let child = hole;
  while (child < (len - 1) >> 1) {
    child = 2 * (child + 1);
    if (less(a[first + child]!, a[first + child - 1]!)) child--;
    a[first + hole] = a[first + child]!;
    hole = child;
  }
  if ((len & 1) === 0 && child === (len - 2) >> 1) {
    child = 2 * (child + 1);
    a[first + hole] = a[first + child - 1]!;
    hole = child - 1;
  }
  // __push_heap
  let parent = (hole - 1) >> 1;
  while (hole > top && less(a[first + parent]!, value)) {
    a[first + hole] = a[first + parent]!;
    hole = parent;
    parent = (hole - 1) >> 1;
  }
  a[first + hole] = value;
}
