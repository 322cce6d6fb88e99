/* A loop of cheap syscall pairs for bench/capture.sh: N x (64-byte write to /dev/null + getppid). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	char buf[64] = {0};
	int fd = open("/dev/null", O_WRONLY);
	for (long i = 0; i < n; i++) {
		if (write(fd, buf, sizeof(buf)) < 0)
			return 1;
		getppid();
	}
	return 0;
}
