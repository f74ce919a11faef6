#ifndef MLV_PROGRESS_H
#define MLV_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A progress meter on stderr in git's style:
 *
 *   Checking out mlv files:  42% (21/50), 1.20 GiB | 310.00 MiB/s
 *
 * Shown only when stderr is a terminal and not quiet; redrawn at most ten
 * times a second; the last state ends with ", done." and a newline. A
 * short job shows nothing; GIT_PROGRESS_DELAY, as for git's own meters,
 * sets the seconds before a meter shows (0: at once). A transfer's
 * summary line, printed on a terminal or off one, is the caller's
 * (mlv_transfer_summary()).
 */
struct mlv_progress {
	const char *title;
	uint64_t total, done;
	uint64_t bytes;
	double start, last_draw;
	double delay; /* GIT_PROGRESS_DELAY in seconds, or -1 */
	int shown;
	int enabled;
};

/* Start a meter for `total` items (0 when unknown). */
void mlv_progress_start(struct mlv_progress *p, const char *title,
			uint64_t total, int quiet);
/* Advance by `items` and `bytes`. */
void mlv_progress_add(struct mlv_progress *p, uint64_t items, uint64_t bytes);
/* Draw the final state if anything was shown. */
void mlv_progress_stop(struct mlv_progress *p);

/* Seconds on a monotonic clock, for timing what a meter measures. */
double mlv_progress_now(void);

/* `bytes` as the meter shows it ("512 bytes", "1.20 GiB") into `out`. */
void mlv_progress_human_bytes(char *out, size_t n, double bytes);

#endif
