#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mlv/error.h"

static __thread char last_message[2048];

static void set_message(const char *fmt, va_list ap, int errnum)
{
	int n = vsnprintf(last_message, sizeof(last_message), fmt, ap);

	if (n < 0) {
		last_message[0] = '\0';
		return;
	}
	if (errnum && (size_t)n < sizeof(last_message))
		snprintf(last_message + n, sizeof(last_message) - n, ": %s",
			 strerror(errnum));
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
