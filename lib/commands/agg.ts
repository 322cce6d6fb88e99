// tdig-agg: the table and time-series chisels of sysdig 0.29.3, and the group-by engine behind them.

import { runCli } from '../chisels/cli.js';

export const usage = `usage: tdig-agg [options] CHISEL [ARGS] [FILTER] [FILE...]
       tdig-agg [options] by KEY[,KEY...] [--sum FIELD] [--top N] [--units U] [FILTER] [FILE...]

Run a sysdig table chisel over scap captures (files, or stdin), as sysdig -r FILE -c CHISEL ARGS FILTER.
ARGS is one word holding the chisel's arguments separated by spaces; FILTER is a filter expression.

  -r FILE          read FILE, as sysdig -r (the same as naming it last; may be repeated)
  -c CHISEL [ARGS] the chisel, as sysdig -c (the same as naming it first); repeated, several chisels
                   over one pass, as sysdig runs them (ARGS: the word right after, by sysdig's rule)
  --list           list the chisels by category (as sysdig -cl)
  -i NAME          describe a chisel (as sysdig -i NAME)
  --version        print the version
  --json           print tables as NDJSON rows
  --interval       print the table every second of capture time, as sysdig does live, and at the end
  -pc              sysdig's container columns (as sysdig -pc): the top* tables add container.name
                   (the per-process ones the pid in the container too); fileslower, netlower,
                   scallslower, proc_exec_time, httptop and list_login_shells add the container
  -A | -x | -X | -b  buffers as ASCII, hex, hex+ASCII or base64
  -P               progress on stderr (when stderr is a terminal); without it, on a terminal, a read that
                   has printed nothing for a second shows it until the output starts
  --unbuffered     hand each line over as soon as it is printed (as sysdig --unbuffered); without it, output
                   is handed over in 64 KiB pieces, and whenever the input (a pipe) has to wait for more
  -R               port numbers as service names from /etc/services (http, domain...), as sysdig -R
  -D               internal events (procinfo, drop, container...) reach the chisels, through the filter
                   or not, as with sysdig -D (sysdig's debug log on stderr is not reproduced)
  -E               the capture's user and group tables are not used: user.* and group.* have no value (as sysdig -E)
  -s N, -F, -T, --large-environment, --page-faults
                   sysdig's capture options: taken, and, as in sysdig, they change nothing when a capture is read
  -v               at the end, sysdig -v's counters on stderr (events counted, events -U left out, CPU time)
  -n N             stop after N events (those passing the filter), as sysdig -n
  -M S             stop at the first such event S seconds or more after the first one (as sysdig -M)
  -U COMM          leave out the events of processes named COMM and of the processes they start, before
                   the chisel and its filter see them (as sysdig -U; may be repeated, up to 32 names)
  by KEYS          group by the comma-separated fields; --sum FIELD (default evt.count), --top N (0 = all),
                   --units bytes|none|time|timepct (default none)
`;

export async function run(args: string[]): Promise<number> {
  return runCli('tdig-agg', 'agg', usage, args);
}
