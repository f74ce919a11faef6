#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mlv/buf.h"
#include "mlv/trace.h"
#include "mlv/util.h"

static int trace_fd = -1;
static pthread_once_t trace_once = PTHREAD_ONCE_INIT;

static void trace_setup(void)
{
	const char *v = getenv("MLV_TRACE");

	trace_fd = -1;
	if (!v || !*v || mlv_parse_bool(v) == 0)
		return;
	if (v[0] == '/')
		trace_fd = open(v, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	else if (mlv_parse_bool(v) == 1)
		trace_fd = 2;
}

int mlv_trace_enabled(void)
{
	/* transfer threads may trace first, at once */
	pthread_once(&trace_once, trace_setup);
	return trace_fd >= 0;
}

void mlv_trace(const char *fmt, ...)
{
	struct mlv_buf line = MLV_BUF_INIT;
	struct timeval tv;
	struct tm tm;
	va_list ap;

	if (!mlv_trace_enabled())
		return;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	mlv_buf_printf(&line, "%02d:%02d:%02d.%06ld mlv[%d]: ", tm.tm_hour, tm.tm_min,
		       tm.tm_sec, (long)tv.tv_usec, (int)getpid());
	va_start(ap, fmt);
	mlv_buf_vprintf(&line, fmt, ap);
	va_end(ap);
	mlv_buf_putc(&line, '\n');
	mlv_write_all(trace_fd, line.ptr, line.len);
	mlv_buf_release(&line);
}
