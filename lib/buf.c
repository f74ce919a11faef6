#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlv/buf.h"
#include "mlv/error.h"

char mlv_buf__empty[1];

void mlv_buf_init(struct mlv_buf *b, size_t cap)
{
	b->ptr = mlv_buf__empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void mlv_buf_release(struct mlv_buf *b)
{
	if (b->alloc)
		free(b->ptr);
	mlv_buf_init(b, b->cap);
}

int mlv_buf_grow(struct mlv_buf *b, size_t extra)
{
	size_t want, next;
	char *p;

	if (extra > (size_t)-1 / 2 - b->len - 1) {
		mlv_error_set("buffer size overflow");
		return MLV_EINVALID;
	}
	want = b->len + extra + 1;
	if (b->cap && want - 1 > b->cap) {
		mlv_error_set("data exceeds the limit of %zu bytes", b->cap);
		return MLV_EINVALID;
	}
	if (want <= b->alloc)
		return 0;
	next = b->alloc ? b->alloc : 64;
	while (next < want)
		next = next / 2 * 3 + 16;
	p = realloc(b->alloc ? b->ptr : NULL, next);
	if (!p) {
		fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", next);
		abort();
	}
	if (!b->alloc)
		p[0] = '\0';
	b->ptr = p;
	b->alloc = next;
	return 0;
}

int mlv_buf_put(struct mlv_buf *b, const void *data, size_t len)
{
	int err = mlv_buf_grow(b, len);

	if (err)
		return err;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int mlv_buf_puts(struct mlv_buf *b, const char *s)
{
	return mlv_buf_put(b, s, strlen(s));
}

int mlv_buf_putc(struct mlv_buf *b, char c)
{
	return mlv_buf_put(b, &c, 1);
}

int mlv_buf_vprintf(struct mlv_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, err;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		mlv_error_set("cannot format '%s'", fmt);
		return MLV_ERROR;
	}
	if ((err = mlv_buf_grow(b, (size_t)n)) < 0)
		return err;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int mlv_buf_printf(struct mlv_buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = mlv_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

int mlv_buf_sets(struct mlv_buf *b, const char *s)
{
	mlv_buf_clear(b);
	return mlv_buf_puts(b, s);
}

void mlv_buf_clear(struct mlv_buf *b)
{
	mlv_buf_truncate(b, 0);
}

void mlv_buf_truncate(struct mlv_buf *b, size_t len)
{
	if (len > b->len)
		return;
	b->len = len;
	if (b->alloc)
		b->ptr[len] = '\0';
}

char *mlv_buf_detach(struct mlv_buf *b)
{
	char *s;

	if (!b->alloc) {
		s = strdup("");
		if (!s)
			abort();
	} else {
		s = b->ptr;
	}
	mlv_buf_init(b, b->cap);
	return s;
}

int mlv_buf_read_file(struct mlv_buf *b, const char *path)
{
	char chunk[8192];
	ssize_t n;
	int fd, err = 0;

	mlv_buf_clear(b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
		mlv_error_set_errno("cannot open '%s'", path);
		return err;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((err = mlv_buf_put(b, chunk, (size_t)n)) < 0) {
			mlv_error_set("'%s' is larger than %zu bytes", path, b->cap);
			break;
		}
	}
	if (n < 0) {
		mlv_error_set_errno("cannot read '%s'", path);
		err = MLV_ERROR;
	}
	close(fd);
	return err;
}
