#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mlv/error.h"

static __thread char last_message[2048];

/* Formatted aside first: callers wrap the last message in a new one,
 * passing mlv_error_last() as an argument. */
static void set_message(const char *fmt, va_list ap, int errnum)
{
	char msg[sizeof(last_message)];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (n < 0)
		n = 0;
	msg[n < (int)sizeof(msg) ? n : (int)sizeof(msg) - 1] = '\0';
	if (errnum && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(errnum));
	memcpy(last_message, msg, sizeof(msg));
}

void mlv_error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap, 0);
	va_end(ap);
}

void mlv_error_set_errno(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap, errnum);
	va_end(ap);
}

const char *mlv_error_last(void)
{
	return last_message;
}

void mlv_error_clear(void)
{
	last_message[0] = '\0';
}
