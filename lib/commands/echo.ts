// tdig-echo: the payload chisels of sysdig 0.29.3 (echo_fds, spy_ip, spy_port, spy_file, stdin, stdout, stderr,
// spy_logs, spy_syslog, ...) and around.

import { runCli } from '../chisels/cli.js';

export const usage = `usage: tdig-echo [options] CHISEL [ARGS] [FILTER] [FILE...]

Run a sysdig payload chisel over scap captures (files, or stdin), as sysdig -r FILE -c CHISEL ARGS FILTER.
around 'FILE [MS]' FILTER, and spy_logs or spy_syslog 'FILE [MS]', also write the events of each match's
thread within MS ms of it (default 1000) to FILE (mode 0600), from a pipe as well.

  -r FILE          read FILE, as sysdig -r (the same as naming it last; may be repeated)
  -c CHISEL [ARGS] the chisel, as sysdig -c (the same as naming it first); repeated, several chisels
                   over one pass, as sysdig runs them (ARGS: the word right after, by sysdig's rule)
  --list           list the chisels by category (as sysdig -cl)
  -i NAME          describe a chisel (as sysdig -i NAME)
  --version        print the version
  -A | -x | -X | -b  buffers as ASCII, hex, hex+ASCII or base64
  --color          colours even when stdout is not a terminal (sysdig always prints them)
  --no-color       no colours (also: NO_COLOR set, or stdout not a terminal)
  -pc              sysdig's container columns (as sysdig -pc): echo_fds, stderr, spy_users,
                   spy_logs, spy_syslog and httplog name each line's container
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
`;

export async function run(args: string[]): Promise<number> {
  return runCli('tdig-echo', 'echo', usage, args);
}
