#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlv/error.h"
#include "mlv/pktline.h"
#include "mlv/util.h"

#define READ_BUF_SIZE (4 * MLV_PKT_MAX)
#define WRITE_BUF_SIZE (4 * MLV_PKT_MAX)

void mlv_pkt_reader_init(struct mlv_pkt_reader *r, int fd)
{
	r->fd = fd;
	r->buf = mlv_xmalloc(READ_BUF_SIZE);
	r->alloc = READ_BUF_SIZE;
	r->line = mlv_xmalloc(MLV_PKT_MAX);
	r->start = r->end = 0;
}

void mlv_pkt_reader_release(struct mlv_pkt_reader *r)
{
	free(r->buf);
	free(r->line);
	r->buf = r->line = NULL;
	r->start = r->end = r->alloc = 0;
}

/* Make at least `want` bytes available from r->start, or fewer at EOF. */
static int fill(struct mlv_pkt_reader *r, size_t want)
{
	while (r->end - r->start < want) {
		ssize_t n;

		if (r->alloc - r->start < want) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		n = mlv_read_retry(r->fd, r->buf + r->end, r->alloc - r->end);
		if (n < 0) {
			mlv_error_set_errno("cannot read from git");
			return MLV_ERROR;
		}
		if (n == 0)
			return 1;
		r->end += (size_t)n;
	}
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mlv_pkt_read(struct mlv_pkt_reader *r, enum mlv_pkt_type *type,
		 const char **data, size_t *len)
{
	size_t pkt_len = 0;
	int i, err;

	*data = NULL;
	*len = 0;
	if ((err = fill(r, 4)) < 0)
		return err;
	if (err > 0) {
		if (r->end == r->start)
			return MLV_ENOTFOUND;
		mlv_error_set("truncated pkt-line header");
		return MLV_EPROTO;
	}
	for (i = 0; i < 4; i++) {
		int v = hex_value(r->buf[r->start + i]);

		if (v < 0) {
			mlv_error_set("malformed pkt-line header '%.4s'",
				      r->buf + r->start);
			return MLV_EPROTO;
		}
		pkt_len = pkt_len * 16 + (size_t)v;
	}
	if (pkt_len < 4) {
		r->start += 4;
		if (pkt_len == 3) {
			mlv_error_set("malformed pkt-line length 3");
			return MLV_EPROTO;
		}
		*type = pkt_len == 0 ? MLV_PKT_FLUSH :
			pkt_len == 1 ? MLV_PKT_DELIM : MLV_PKT_RESPONSE_END;
		return 0;
	}
	if (pkt_len > MLV_PKT_MAX) {
		mlv_error_set("pkt-line length %zu exceeds %d", pkt_len, MLV_PKT_MAX);
		return MLV_EPROTO;
	}
	if ((err = fill(r, pkt_len)) < 0)
		return err;
	if (err > 0) {
		mlv_error_set("truncated pkt-line: %zu of %zu bytes", r->end - r->start,
			      pkt_len);
		return MLV_EPROTO;
	}
	*type = MLV_PKT_DATA;
	*data = r->buf + r->start + 4;
	*len = pkt_len - 4;
	r->start += pkt_len;
	return 0;
}

int mlv_pkt_read_line(struct mlv_pkt_reader *r, char **line)
{
	enum mlv_pkt_type type;
	const char *data;
	size_t len;
	int err;

	*line = NULL;
	if ((err = mlv_pkt_read(r, &type, &data, &len)) < 0)
		return err;
	if (type == MLV_PKT_FLUSH)
		return 1;
	if (type != MLV_PKT_DATA) {
		mlv_error_set("unexpected special packet in the filter protocol");
		return MLV_EPROTO;
	}
	if (len && data[len - 1] == '\n')
		len--;
	if (memchr(data, '\0', len)) {
		mlv_error_set("NUL byte in a text packet");
		return MLV_EPROTO;
	}
	memcpy(r->line, data, len);
	r->line[len] = '\0';
	*line = r->line;
	return 0;
}

void mlv_pkt_writer_init(struct mlv_pkt_writer *w, int fd)
{
	struct stat st;

	w->fd = fd;
	w->buf = mlv_xmalloc(WRITE_BUF_SIZE);
	w->alloc = WRITE_BUF_SIZE;
	w->len = 0;
	w->no_splice = fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode);
}

void mlv_pkt_writer_release(struct mlv_pkt_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->alloc = 0;
}

static int send_buffered(struct mlv_pkt_writer *w)
{
	if (w->len && mlv_write_all(w->fd, w->buf, w->len) < 0) {
		w->len = 0;
		mlv_error_set_errno("cannot write to git");
		return MLV_ERROR;
	}
	w->len = 0;
	return 0;
}

static void put_header(char *dst, size_t pkt_len)
{
	static const char digits[] = "0123456789abcdef";

	dst[0] = digits[(pkt_len >> 12) & 0xf];
	dst[1] = digits[(pkt_len >> 8) & 0xf];
	dst[2] = digits[(pkt_len >> 4) & 0xf];
	dst[3] = digits[pkt_len & 0xf];
}

int mlv_pkt_write_data(struct mlv_pkt_writer *w, const void *data, size_t len)
{
	const char *p = data;
	int err;

	while (len) {
		size_t n = len < MLV_PKT_DATA_MAX ? len : MLV_PKT_DATA_MAX;

		if (w->alloc - w->len < n + 4 && (err = send_buffered(w)) < 0)
			return err;
		put_header(w->buf + w->len, n + 4);
		memcpy(w->buf + w->len + 4, p, n);
		w->len += n + 4;
		p += n;
		len -= n;
	}
	return 0;
}

/* Move `len` bytes of `fd` at `*offset` into the pipe `out`; 1 when the
 * descriptors do not allow splice(2) and nothing was moved. */
static int splice_all(int out, int fd, loff_t *offset, size_t len)
{
	int first = 1;

	while (len) {
		ssize_t n = splice(fd, offset, out, NULL, len, SPLICE_F_MORE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && first && (errno == EINVAL || errno == ENOSYS))
			return 1;
		if (n <= 0) {
			mlv_error_set_errno("cannot write to git");
			return MLV_ERROR;
		}
		first = 0;
		len -= (size_t)n;
	}
	return 0;
}

/* pread() exactly `len` bytes. */
static int pread_full(int fd, char *buf, size_t len, uint64_t offset)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mlv_error_set_errno("cannot read the object being sent");
			return MLV_ERROR;
		}
		if (n == 0) {
			mlv_error_set("the object being sent ended early");
			return MLV_ERROR;
		}
		buf += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

int mlv_pkt_write_from_fd(struct mlv_pkt_writer *w, int fd, uint64_t offset,
			  size_t len)
{
	char *chunk = NULL;
	int err = 0;

	while (len && !err) {
		size_t n = len < MLV_PKT_DATA_MAX ? len : MLV_PKT_DATA_MAX;
		loff_t off = (loff_t)offset;

		if (!chunk && w->no_splice)
			chunk = mlv_xmalloc(MLV_PKT_DATA_MAX);
		if (w->no_splice) {
			if ((err = pread_full(fd, chunk, n, offset)) == 0)
				err = mlv_pkt_write_data(w, chunk, n);
		} else {
			/* the header goes out first, then the bytes behind it */
			if (w->alloc - w->len < 4 && (err = send_buffered(w)) < 0)
				break;
			put_header(w->buf + w->len, n + 4);
			w->len += 4;
			if ((err = send_buffered(w)) < 0)
				break;
			if ((err = splice_all(w->fd, fd, &off, n)) > 0) {
				/* refused before moving a byte: copy from now on */
				w->no_splice = 1;
				chunk = mlv_xmalloc(MLV_PKT_DATA_MAX);
				if ((err = pread_full(fd, chunk, n, offset)) == 0 &&
				    mlv_write_all(w->fd, chunk, n) < 0) {
					mlv_error_set_errno("cannot write to git");
					err = MLV_ERROR;
				}
			}
		}
		offset += n;
		len -= n;
	}
	free(chunk);
	return err;
}

int mlv_pkt_write_line(struct mlv_pkt_writer *w, const char *fmt, ...)
{
	char line[MLV_PKT_DATA_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* the LF takes the place of the NUL: up to MLV_PKT_DATA_MAX - 1 chars */
	if (n < 0 || (size_t)n >= sizeof(line)) {
		mlv_error_set("pkt-line text too long");
		return MLV_EINVALID;
	}
	line[n++] = '\n';
	return mlv_pkt_write_data(w, line, (size_t)n);
}

int mlv_pkt_write_flush_buffered(struct mlv_pkt_writer *w)
{
	int err;

	if (w->alloc - w->len < 4 && (err = send_buffered(w)) < 0)
		return err;
	memcpy(w->buf + w->len, "0000", 4);
	w->len += 4;
	return 0;
}

int mlv_pkt_write_flush(struct mlv_pkt_writer *w)
{
	int err = mlv_pkt_write_flush_buffered(w);

	return err < 0 ? err : send_buffered(w);
}
