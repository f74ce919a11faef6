#ifndef MLV_PKTLINE_H
#define MLV_PKTLINE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Git's pkt-line framing, as used by the long-running filter protocol.
 *
 * A packet is four lowercase or uppercase hex digits giving its total
 * length (header included) followed by that many minus four bytes of data.
 * "0000" is a flush packet that ends a message; "0001" (delim) and "0002"
 * (response end) are special packets of protocol v2 that the filter
 * protocol never sends. Lengths 1-3 and anything over MLV_PKT_MAX are
 * malformed.
 */

#define MLV_PKT_MAX 65520
#define MLV_PKT_DATA_MAX (MLV_PKT_MAX - 4)

enum mlv_pkt_type {
	MLV_PKT_DATA,
	MLV_PKT_FLUSH,
	MLV_PKT_DELIM,
	MLV_PKT_RESPONSE_END
};

/* Buffered reader over a file descriptor; the caller owns the fd. */
struct mlv_pkt_reader {
	int fd;
	char *buf;
	size_t start, end, alloc;
	char *line; /* the last line of mlv_pkt_read_line() */
};

void mlv_pkt_reader_init(struct mlv_pkt_reader *r, int fd);
void mlv_pkt_reader_release(struct mlv_pkt_reader *r);

/*
 * Read one packet. On 0, `*type` says which; for MLV_PKT_DATA `*data` and
 * `*len` point into the reader's buffer, valid until the next call.
 * Returns MLV_ENOTFOUND at end of input between packets, MLV_EPROTO for a
 * malformed or truncated packet, MLV_ERROR when read() fails.
 */
int mlv_pkt_read(struct mlv_pkt_reader *r, enum mlv_pkt_type *type,
		 const char **data, size_t *len);

/*
 * Read one text packet into a NUL-terminated line without its trailing LF,
 * owned by the reader and valid until the next call.
 * Returns 0 with `*line` set, 1 for a flush packet (`*line` NULL), or the
 * errors of mlv_pkt_read(); a special packet is MLV_EPROTO.
 */
int mlv_pkt_read_line(struct mlv_pkt_reader *r, char **line);

/*
 * Buffered writer. Data packets collect in memory and go out in large
 * writes; a flush packet ends the message and sends everything, so callers
 * never need to flush by hand.
 */
struct mlv_pkt_writer {
	int fd;
	char *buf;
	size_t len, alloc;
	int no_splice; /* fd is no pipe, or splice(2) was refused */
};

void mlv_pkt_writer_init(struct mlv_pkt_writer *w, int fd);
void mlv_pkt_writer_release(struct mlv_pkt_writer *w);

/* Write `len` bytes as as many data packets as needed. */
int mlv_pkt_write_data(struct mlv_pkt_writer *w, const void *data, size_t len);
/*
 * Write `len` bytes of file `fd` from `offset` as data packets. When the
 * writer's fd is a pipe the bytes move by splice(2), without a copy
 * through this process; otherwise they are read and written.
 */
int mlv_pkt_write_from_fd(struct mlv_pkt_writer *w, int fd, uint64_t offset,
			  size_t len);

/* Write one text packet: the formatted line plus LF. */
int mlv_pkt_write_line(struct mlv_pkt_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Write a flush packet and send everything buffered. */
int mlv_pkt_write_flush(struct mlv_pkt_writer *w);

/* Write a flush packet into the buffer only: the message goes on. */
int mlv_pkt_write_flush_buffered(struct mlv_pkt_writer *w);

#endif
