// -v's counters (sysdig -v): printed on stderr when a reading command ends without a fault.

import { printfFixed } from '../events/printf.js';
import { SuppressStats } from '../state/suppress.js';

export class RunStats {
  /** the events counted as -n counts them (sysdig's m_nevts: past the filter, not state-only, not hidden) */
  events = 0;
  /** the events -U left out */
  readonly suppressed = new SuppressStats();
  private readonly cpu = process.cpuUsage();

  /**
   * The four lines sysdig -v prints (sysdig.cpp): the capture's driver counters (zero for a file), the
   * events -U left out, and the events counted against the CPU seconds since the run began (sysdig's clock()).
   */
  text(): string {
    const used = process.cpuUsage(this.cpu);
    const secs = (used.user + used.system) / 1e6;
    const eps = this.events / secs;
    // (printf's %.2lf of x/0 and 0/0)
    const rate = Number.isNaN(eps) ? '-nan' : eps === Infinity ? 'inf' : printfFixed(eps, 2);
    return (
      `Driver Events:0\nDriver Drops:0\nSuppressed by Comm:${this.suppressed.count}\n` +
      `Elapsed time: ${printfFixed(secs, 3)}, Captured Events: ${this.events}, ${rate} eps\n`
    );
  }
}
