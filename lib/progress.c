#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mlv/progress.h"

double mlv_progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mlv_progress_human_bytes(char *out, size_t n, double bytes)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (bytes >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%.0f %s", bytes, units[u]);
	else
		snprintf(out, n, "%.2f %s", bytes, units[u]);
}

/* Git's GIT_PROGRESS_DELAY: whole seconds before a meter shows; -1 when
 * unset or not a number (mlv's own timing then). */
static double progress_delay(void)
{
	const char *env = getenv("GIT_PROGRESS_DELAY");
	char *end;
	long v;

	if (!env || !*env)
		return -1;
	v = strtol(env, &end, 10);
	return *end || v < 0 ? -1 : (double)v;
}

static void draw(struct mlv_progress *p, const char *end)
{
	char size[32] = "", rate[32] = "";
	double elapsed = mlv_progress_now() - p->start;

	if (p->bytes) {
		mlv_progress_human_bytes(size, sizeof(size), (double)p->bytes);
		if (elapsed > 0)
			mlv_progress_human_bytes(rate, sizeof(rate), (double)p->bytes / elapsed);
	}
	if (p->total)
		fprintf(stderr, "\r%s: %3u%% (%llu/%llu)", p->title,
			(unsigned)(p->done * 100 / p->total),
			(unsigned long long)p->done, (unsigned long long)p->total);
	else
		fprintf(stderr, "\r%s: %llu", p->title, (unsigned long long)p->done);
	if (*size)
		fprintf(stderr, ", %s | %s/s", size, rate);
	fputs(end, stderr);
	fflush(stderr);
	p->shown = 1;
	p->last_draw = mlv_progress_now();
}

void mlv_progress_start(struct mlv_progress *p, const char *title,
			uint64_t total, int quiet)
{
	p->title = title;
	p->total = total;
	p->done = 0;
	p->bytes = 0;
	p->start = p->last_draw = mlv_progress_now();
	p->shown = 0;
	p->enabled = !quiet && isatty(2);
	p->delay = progress_delay();
}

void mlv_progress_add(struct mlv_progress *p, uint64_t items, uint64_t bytes)
{
	double t = mlv_progress_now();
	int due = p->delay < 0 ? t - p->last_draw >= 0.1 :
				 t - p->start >= p->delay &&
					 (!p->shown || t - p->last_draw >= 0.1);

	p->done += items;
	p->bytes += bytes;
	if (p->enabled && due)
		draw(p, "");
}

void mlv_progress_stop(struct mlv_progress *p)
{
	if (p->enabled &&
	    (p->shown || mlv_progress_now() - p->start >= (p->delay < 0 ? 0.5 : p->delay)))
		draw(p, ", done.\n");
	p->enabled = 0;
}
