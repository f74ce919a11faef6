#ifndef MLV_TRACE_H
#define MLV_TRACE_H

/*
 * Tracing for debugging, like GIT_TRACE: MLV_TRACE=1 (or "true") writes to
 * stderr, MLV_TRACE=/abs/path appends to that file, unset or "0" is off.
 * Each line starts with the time and "mlv:". Never trace secrets.
 */

/* 1 when tracing is on. Reads the environment once. */
int mlv_trace_enabled(void);

void mlv_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
