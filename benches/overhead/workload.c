// SPDX-License-Identifier: Apache-2.0
/*
 * Syscall workload for falcon's overhead benchmark.
 *
 *   workload getpid CALLS     tight loop of raw getpid(2)
 *   workload read CALLS       tight loop of 1-byte read(2) from /dev/zero
 *   workload open CALLS       tight loop of openat(2) + close(2) of /dev/null
 *   workload close CALLS      tight loop of close(-1) (fails with EBADF)
 *   workload rate RATE SECS   RATE close(-1) calls per second for SECS s
 *
 * The loops print "KIND CALLS NS_PER_CALL" where the time is this
 * process's own CPU time (CLOCK_PROCESS_CPUTIME_ID), so time spent by
 * other processes (falcon draining its rings) does not count, but the
 * probe's work in this process's syscall path does. getpid and read are
 * not syscalls falcon's default rules need (the probe sees them and
 * returns at once); openat and close are (three events per pair: openat
 * enter and exit, close exit). The rate mode issues close(-1), one
 * captured event per call that fails at once (EBADF), so the generator
 * outruns falcon on one CPU; it prints "rate CALLS ACHIEVED_PER_S" and
 * paces itself against CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static unsigned long parse_count(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0) {
		fprintf(stderr, "workload: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static int loop_getpid(unsigned long calls)
{
	double t0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);

	for (unsigned long i = 0; i < calls; i++)
		syscall(SYS_getpid);
	printf("getpid %lu %.1f\n", calls,
	       (now_ns(CLOCK_PROCESS_CPUTIME_ID) - t0) / (double)calls);
	return 0;
}

static int loop_read(unsigned long calls)
{
	char b;
	int fd = open("/dev/zero", O_RDONLY);
	double t0;

	if (fd < 0) {
		perror("workload: /dev/zero");
		return 1;
	}
	t0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (unsigned long i = 0; i < calls; i++) {
		if (read(fd, &b, 1) != 1) {
			perror("workload: read");
			return 1;
		}
	}
	printf("read %lu %.1f\n", calls,
	       (now_ns(CLOCK_PROCESS_CPUTIME_ID) - t0) / (double)calls);
	close(fd);
	return 0;
}

static int open_close(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0) {
		perror("workload: /dev/null");
		return -1;
	}
	return close(fd);
}

static int loop_open(unsigned long calls)
{
	double t0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);

	for (unsigned long i = 0; i < calls; i++) {
		if (open_close())
			return 1;
	}
	printf("open %lu %.1f\n", calls,
	       (now_ns(CLOCK_PROCESS_CPUTIME_ID) - t0) / (double)calls);
	return 0;
}

static int loop_close(unsigned long calls)
{
	double t0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);

	for (unsigned long i = 0; i < calls; i++)
		close(-1);
	printf("close %lu %.1f\n", calls,
	       (now_ns(CLOCK_PROCESS_CPUTIME_ID) - t0) / (double)calls);
	return 0;
}

static int loop_rate(unsigned long rate, unsigned long secs)
{
	double start = now_ns(CLOCK_MONOTONIC);
	double end = start + (double)secs * 1e9;
	unsigned long done = 0;
	double t;

	while ((t = now_ns(CLOCK_MONOTONIC)) < end) {
		unsigned long due = (unsigned long)((t - start) * 1e-9 * (double)rate);

		if (done < due) {
			/* bounded bursts, so a saturated generator still stops on time */
			if (due > done + 10000)
				due = done + 10000;
			for (; done < due; done++)
				close(-1);
		} else {
			struct timespec nap = { 0, 200000 };

			nanosleep(&nap, NULL);
		}
	}
	printf("rate %lu %.0f\n", done, (double)done / ((now_ns(CLOCK_MONOTONIC) - start) * 1e-9));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "getpid"))
		return loop_getpid(parse_count(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "read"))
		return loop_read(parse_count(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "close"))
		return loop_close(parse_count(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "open"))
		return loop_open(parse_count(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "rate"))
		return loop_rate(parse_count(argv[2]), parse_count(argv[3]));
	fprintf(stderr, "usage: workload getpid|read|open|close CALLS | workload rate RATE SECS\n");
	return 2;
}
