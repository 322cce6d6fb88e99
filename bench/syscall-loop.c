/*
 * A loop of cheap syscall pairs for bench/capture.sh and bench/soak.sh:
 *   syscall-loop [N [RATE]]   N x (64-byte write to /dev/null + getppid); N = 0: forever.
 * With RATE, at most RATE pairs per second, paced in 10 ms slices (a steady load for the soak).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	long rate = argc > 2 ? atol(argv[2]) : 0;
	char buf[64] = {0};
	int fd = open("/dev/null", O_WRONLY);
	struct timespec next;
	long slice = rate > 0 ? (rate + 99) / 100 : 0; /* pairs per 10 ms */
	long in_slice = 0;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; n == 0 || i < n; i++) {
		if (write(fd, buf, sizeof(buf)) < 0)
			return 1;
		getppid();
		if (slice && ++in_slice >= slice) {
			in_slice = 0;
			next.tv_nsec += 10000000;
			if (next.tv_nsec >= 1000000000) {
				next.tv_nsec -= 1000000000;
				next.tv_sec++;
			}
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
	}
	return 0;
}
