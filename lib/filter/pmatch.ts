// The `pmatch` operator: whether any of a list of paths is a prefix of a value, component by component.
//
// Facts from libsinsp's path_prefix_search (userspace/libsinsp/prefix_search.h and .cpp, the same in the
// libs that sysdig 0.29.3 uses and in current libs):
// - a path splits on '/' into its non-empty components: "//etc/", "/etc" and "etc" are all [etc];
// - a search path matches a value whose components start with all of its own: /usr/lib matches
//   /usr/lib and /usr/lib/x, not /usr/libexec, and not /usr (a partial match is none);
// - "/" (or "") has no components and matches every value;
// - a shorter search path replaces the longer ones it covers (adding /usr drops /usr/lib).

interface Node {
  /** the longer search paths below this component, or null when a search path ends here */
  sub: Map<string, Node> | null;
}

/** the non-empty components of a path, after the root every path shares */
function components(path: string): string[] {
  const out = ['root'];
  for (const c of path.split('/')) if (c !== '') out.push(c);
  return out;
}

export class PathPrefixes {
  private readonly dirs = new Map<string, Node>();
  private lastValue: string | undefined;
  private lastResult = false;

  constructor(paths: readonly string[]) {
    for (const p of paths) this.add(components(p));
  }

  private add(comps: string[]): void {
    let dirs = this.dirs;
    for (let i = 0; i < comps.length; i++) {
      const c = comps[i]!;
      const last = i + 1 === comps.length;
      const e = dirs.get(c);
      if (e === undefined) {
        if (last) {
          dirs.set(c, { sub: null });
          return;
        }
        const sub = new Map<string, Node>();
        dirs.set(c, { sub });
        dirs = sub;
      } else if (last) {
        // this path is a prefix of those below: they go
        e.sub = null;
        return;
      } else if (e.sub === null) {
        // a shorter search path already covers this one
        return;
      } else {
        dirs = e.sub;
      }
    }
  }

  /** Whether a search path is a prefix of `value`. The last value's answer is kept (an fd's name repeats). */
  match(value: string): boolean {
    if (value === this.lastValue) return this.lastResult;
    const comps = components(value);
    let dirs = this.dirs;
    let r = false;
    for (let i = 0; i < comps.length; i++) {
      const e = dirs.get(comps[i]!);
      if (e === undefined) break;
      if (e.sub === null) {
        r = true;
        break;
      }
      // the value ends above a search path's end: no match (/var against /var/run)
      if (i + 1 === comps.length) break;
      dirs = e.sub;
    }
    this.lastValue = value;
    this.lastResult = r;
    return r;
  }
}
