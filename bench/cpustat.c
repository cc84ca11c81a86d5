// SPDX-License-Identifier: GPL-2.0
/*
 * cpustat: CPU time snapshot for `make bench`, with nanosecond precision.
 *
 *   cpustat [PID...]
 *
 * Prints one line:
 *   total=NS [pPID=NS ...] kworker=NS ksoftirqd=NS kpktgend=NS
 * total: the run time (se.sum_exec_runtime, /proc/PID/task/TID/schedstat)
 * of every thread of the system, summed: all CPU time that is not idle.
 * (This kernel has no IRQ time accounting: interrupts and softirqs are
 * charged to the thread they interrupted, so the softirq receive work of
 * a flood is in the sender's thread or in ksoftirqd.) pPID: the threads of
 * process PID. Kernel threads are also summed by name family: kworker,
 * ksoftirqd, kpktgend.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long runtime(const char *path)
{
	unsigned long long ns = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

static void comm(const char *dir, char *buf, size_t size)
{
	char path[400];
	FILE *f;

	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/comm", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static const char *const families[] = { "kworker", "ksoftirqd", "kpktgend" };
#define NFAM (sizeof(families) / sizeof(families[0]))

int main(int argc, char **argv)
{
	unsigned long long total = 0, fam[NFAM] = { 0 };
	unsigned long long *per = calloc((size_t)argc, sizeof(*per));
	DIR *proc = opendir("/proc");
	struct dirent *p;

	if (!proc || !per)
		return 1;
	while ((p = readdir(proc))) {
		char tdir[64], path[400], name[64];
		struct dirent *t;
		DIR *tasks;
		long pid;

		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		pid = strtol(p->d_name, NULL, 10);
		snprintf(tdir, sizeof(tdir), "/proc/%ld/task", pid);
		tasks = opendir(tdir);
		if (!tasks)
			continue;
		while ((t = readdir(tasks))) {
			unsigned long long ns;
			char dir[340];

			if (!isdigit((unsigned char)t->d_name[0]))
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", tdir, t->d_name);
			snprintf(path, sizeof(path), "%s/schedstat", dir);
			ns = runtime(path);
			total += ns;
			for (int i = 1; i < argc; i++)
				if (strtol(argv[i], NULL, 10) == pid)
					per[i] += ns;
			comm(dir, name, sizeof(name));
			for (size_t i = 0; i < NFAM; i++)
				if (!strncmp(name, families[i], strlen(families[i])))
					fam[i] += ns;
		}
		closedir(tasks);
	}
	closedir(proc);
	printf("total=%llu", total);
	for (int i = 1; i < argc; i++)
		printf(" p%s=%llu", argv[i], per[i]);
	for (size_t i = 0; i < NFAM; i++)
		printf(" %s=%llu", families[i], fam[i]);
	printf("\n");
	return 0;
}
