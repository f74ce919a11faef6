#ifndef MLV_BUF_H
#define MLV_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable, binary-safe byte buffer.
 *
 * `ptr` always points at `len` bytes followed by a NUL, so a buffer that
 * holds text can be used as a C string; the NUL is not counted in `len`.
 * A buffer starts as MLV_BUF_INIT (no allocation) and is released with
 * mlv_buf_release(). When `cap` is non-zero, growing past `cap` bytes fails
 * with MLV_EINVALID instead of allocating: use it to bound what a peer can
 * make us hold. Running out of memory aborts the program, as git's xmalloc.
 */
struct mlv_buf {
	char *ptr;
	size_t len;
	size_t alloc;
	size_t cap;
};

extern char mlv_buf__empty[];
#define MLV_BUF_INIT { mlv_buf__empty, 0, 0, 0 }

void mlv_buf_init(struct mlv_buf *b, size_t cap);
void mlv_buf_release(struct mlv_buf *b);

/* Make room for `extra` more bytes. 0, or MLV_EINVALID past the cap. */
int mlv_buf_grow(struct mlv_buf *b, size_t extra);

int mlv_buf_put(struct mlv_buf *b, const void *data, size_t len);
int mlv_buf_puts(struct mlv_buf *b, const char *s);
int mlv_buf_putc(struct mlv_buf *b, char c);
int mlv_buf_printf(struct mlv_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int mlv_buf_vprintf(struct mlv_buf *b, const char *fmt, va_list ap);

/* Replace the contents with a copy of `s`. */
int mlv_buf_sets(struct mlv_buf *b, const char *s);

/* Empty the buffer, keeping its allocation. */
void mlv_buf_clear(struct mlv_buf *b);

/* Cut to `len` bytes (len <= b->len). */
void mlv_buf_truncate(struct mlv_buf *b, size_t len);

/*
 * Replace the contents with the file at `path`. 0; MLV_ENOTFOUND when it
 * does not exist; MLV_EINVALID when it is larger than the buffer's cap;
 * MLV_ERROR when it cannot be read. The message names the file.
 */
int mlv_buf_read_file(struct mlv_buf *b, const char *path);

/* Hand the malloc'd string to the caller and reset the buffer. */
char *mlv_buf_detach(struct mlv_buf *b);

#endif
