/* Unit tests for include/mlv/pktline.h: pkt-line framing over real fds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mlv/error.h"
#include "mlv/pktline.h"

/* A temporary file holding `len` bytes, positioned at its start. */
static int feed(const void *data, size_t len)
{
	char path[] = "/tmp/mlv-pkt-XXXXXX";
	const char *p = data;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	while (len) {
		ssize_t n = write(fd, p, len);

		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

#define feed_lit(s) feed((s), sizeof(s) - 1)

/* An empty temporary file for a writer to write into. */
static int sink(void)
{
	return feed("", 0);
}

/* Everything written to `fd` so far, malloc'd; its length in `*len`. */
static char *slurp(int fd, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t n;

	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	n = pread(fd, buf, (size_t)st.st_size, 0);
	assert_int_equal(n, st.st_size);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static off_t file_size(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

/* Bytes with a pattern that differs per packet and per position. */
static void fill_pattern(char *dst, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = (char)((i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

/* Read one packet and check it is `type`; returns its data for DATA. */
static const char *expect_packet(struct mlv_pkt_reader *r, enum mlv_pkt_type type,
				 size_t *len)
{
	enum mlv_pkt_type got = (enum mlv_pkt_type)-1;
	const char *data = NULL;
	size_t n = 0;

	assert_int_equal(mlv_pkt_read(r, &got, &data, &n), 0);
	assert_int_equal(got, type);
	if (len)
		*len = n;
	return data;
}

static void expect_read_error(const void *bytes, size_t len, int want)
{
	struct mlv_pkt_reader r;
	enum mlv_pkt_type type;
	const char *data;
	size_t n;
	int fd = feed(bytes, len);

	mlv_pkt_reader_init(&r, fd);
	mlv_error_clear();
	assert_int_equal(mlv_pkt_read(&r, &type, &data, &n), want);
	if (want == MLV_EPROTO)
		assert_true(strlen(mlv_error_last()) > 0);
	mlv_pkt_reader_release(&r);
	close(fd);
}

#define expect_read_error_lit(s, want) expect_read_error((s), sizeof(s) - 1, (want))

static void test_pktline__flush(void **state)
{
	struct mlv_pkt_reader r;
	enum mlv_pkt_type type;
	const char *data = "x";
	size_t len = 99;
	int fd = feed_lit("0000");

	(void)state;
	mlv_pkt_reader_init(&r, fd);
	assert_int_equal(mlv_pkt_read(&r, &type, &data, &len), 0);
	assert_int_equal(type, MLV_PKT_FLUSH);
	assert_null(data);
	assert_int_equal(len, 0);
	/* and then the input ends cleanly */
	assert_int_equal(mlv_pkt_read(&r, &type, &data, &len), MLV_ENOTFOUND);
	mlv_pkt_reader_release(&r);
	close(fd);
}

static void test_pktline__special_packets(void **state)
{
	struct mlv_pkt_reader r;
	int fd = feed_lit("00010002000100000002");

	(void)state;
	mlv_pkt_reader_init(&r, fd);
	expect_packet(&r, MLV_PKT_DELIM, NULL);
	expect_packet(&r, MLV_PKT_RESPONSE_END, NULL);
	expect_packet(&r, MLV_PKT_DELIM, NULL);
	expect_packet(&r, MLV_PKT_FLUSH, NULL);
	expect_packet(&r, MLV_PKT_RESPONSE_END, NULL);
	mlv_pkt_reader_release(&r);
	close(fd);
}

static void test_pktline__length_three_malformed(void **state)
{
	(void)state;
	expect_read_error_lit("0003", MLV_EPROTO);
	expect_read_error_lit("0003abc", MLV_EPROTO);
}

static void test_pktline__empty_data_packet(void **state)
{
	struct mlv_pkt_reader r;
	size_t len = 99;
	int fd = feed_lit("00040004" "0005x");
	const char *data;

	(void)state;
	mlv_pkt_reader_init(&r, fd);
	data = expect_packet(&r, MLV_PKT_DATA, &len);
	assert_non_null(data);
	assert_int_equal(len, 0);
	expect_packet(&r, MLV_PKT_DATA, &len);
	assert_int_equal(len, 0);
	data = expect_packet(&r, MLV_PKT_DATA, &len);
	assert_int_equal(len, 1);
	assert_memory_equal(data, "x", 1);
	mlv_pkt_reader_release(&r);
	close(fd);
}

static void test_pktline__data_packet(void **state)
{
	struct mlv_pkt_reader r;
	size_t len;
	/* binary data, NULs and LFs included, and an uppercase header */
	static const char bytes[] = "000ahe\0l\nl" "000Dabcdefghi" "0000";
	int fd = feed(bytes, sizeof(bytes) - 1);
	const char *data;

	(void)state;
	mlv_pkt_reader_init(&r, fd);
	data = expect_packet(&r, MLV_PKT_DATA, &len);
	assert_int_equal(len, 6);
	assert_memory_equal(data, "he\0l\nl", 6);
	data = expect_packet(&r, MLV_PKT_DATA, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(data, "abcdefghi", 9);
	expect_packet(&r, MLV_PKT_FLUSH, NULL);
	mlv_pkt_reader_release(&r);
	close(fd);
}

static void test_pktline__max_length(void **state)
{
	static const char *headers[] = { "fff0", "FFF0", "fFf0" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		char *bytes = malloc(MLV_PKT_MAX + 4);
		struct mlv_pkt_reader r;
		const char *data;
		size_t len;
		int fd;

		assert_non_null(bytes);
		memcpy(bytes, headers[i], 4);
		fill_pattern(bytes + 4, MLV_PKT_DATA_MAX, (unsigned)i);
		memcpy(bytes + MLV_PKT_MAX, "0000", 4);
		fd = feed(bytes, MLV_PKT_MAX + 4);
		mlv_pkt_reader_init(&r, fd);
		data = expect_packet(&r, MLV_PKT_DATA, &len);
		assert_int_equal(len, 65516);
		assert_memory_equal(data, bytes + 4, MLV_PKT_DATA_MAX);
		expect_packet(&r, MLV_PKT_FLUSH, NULL);
		mlv_pkt_reader_release(&r);
		close(fd);
		free(bytes);
	}
}

static void test_pktline__over_max_length(void **state)
{
	char *bytes = calloc(1, 70000);

	(void)state;
	assert_non_null(bytes);
	memcpy(bytes, "fff1", 4);
	expect_read_error(bytes, 65521, MLV_EPROTO);
	expect_read_error(bytes, 70000, MLV_EPROTO);
	memcpy(bytes, "ffff", 4);
	expect_read_error(bytes, 70000, MLV_EPROTO);
	memcpy(bytes, "FFF1", 4);
	expect_read_error(bytes, 70000, MLV_EPROTO);
	free(bytes);
}

static void test_pktline__non_hex_header(void **state)
{
	(void)state;
	expect_read_error_lit("00g4", MLV_EPROTO);
	expect_read_error_lit("zzzz", MLV_EPROTO);
	expect_read_error_lit(" 004x", MLV_EPROTO);
	expect_read_error_lit("-004x", MLV_EPROTO);
	expect_read_error_lit("+005xy", MLV_EPROTO);
	expect_read_error_lit("0x05xy", MLV_EPROTO);
	expect_read_error_lit("000\n", MLV_EPROTO);
	expect_read_error("00\0" "5x", 5, MLV_EPROTO);
	expect_read_error_lit("version=2", MLV_EPROTO);
}

static void test_pktline__truncated_header(void **state)
{
	(void)state;
	expect_read_error_lit("0", MLV_EPROTO);
	expect_read_error_lit("00", MLV_EPROTO);
	expect_read_error_lit("000", MLV_EPROTO);
}

static void test_pktline__truncated_after_packet(void **state)
{
	struct mlv_pkt_reader r;
	enum mlv_pkt_type type;
	const char *data;
	size_t len;
	int fd = feed_lit("0000" "00");

	(void)state;
	mlv_pkt_reader_init(&r, fd);
	expect_packet(&r, MLV_PKT_FLUSH, NULL);
	assert_int_equal(mlv_pkt_read(&r, &type, &data, &len), MLV_EPROTO);
	mlv_pkt_reader_release(&r);
	close(fd);
}

static void test_pktline__truncated_payload(void **state)
{
	struct mlv_pkt_reader r;
	enum mlv_pkt_type type;
	const char *data;
	size_t len;
	int fd;
	char *big;

	(void)state;
	expect_read_error_lit("0005", MLV_EPROTO);
	expect_read_error_lit("0009hell", MLV_EPROTO);
	expect_read_error_lit("0009h", MLV_EPROTO);

	/* EOF in the middle of the second packet, after a good one */
	fd = feed_lit("0006ok" "000ahello");
	mlv_pkt_reader_init(&r, fd);
	data = expect_packet(&r, MLV_PKT_DATA, &len);
	assert_int_equal(len, 2);
	assert_memory_equal(data, "ok", 2);
	assert_int_equal(mlv_pkt_read(&r, &type, &data, &len), MLV_EPROTO);
	mlv_pkt_reader_release(&r);
	close(fd);

	/* a maximal packet one byte short */
	big = malloc(MLV_PKT_MAX);
	assert_non_null(big);
	memcpy(big, "fff0", 4);
	memset(big + 4, 'a', MLV_PKT_DATA_MAX);
	expect_read_error(big, MLV_PKT_MAX - 1, MLV_EPROTO);
	free(big);
}

static void test_pktline__clean_eof(void **state)
{
	struct mlv_pkt_reader r;
	enum mlv_pkt_type type;
	const char *data;
	size_t len;
	int fd;

	(void)state;
	/* nothing at all */
	expect_read_error("", 0, MLV_ENOTFOUND);

	/* end of input after whole packets, and it stays ended */
	fd = feed_lit("0006ab" "0000");
	mlv_pkt_reader_init(&r, fd);
	expect_packet(&r, MLV_PKT_DATA, NULL);
	expect_packet(&r, MLV_PKT_FLUSH, NULL);
	assert_int_equal(mlv_pkt_read(&r, &type, &data, &len), MLV_ENOTFOUND);
	assert_int_equal(mlv_pkt_read(&r, &type, &data, &len), MLV_ENOTFOUND);
	mlv_pkt_reader_release(&r);
	close(fd);
}

static void test_pktline__many_packets_through_buffer(void **state)
{
	/* more than the reader's buffer holds at once, so it must refill */
	enum { N = 11 };
	size_t total = (size_t)N * MLV_PKT_MAX + 3 * 9 + 4, off = 0;
	char *bytes = malloc(total);
	struct mlv_pkt_reader r;
	int i, fd;

	(void)state;
	assert_non_null(bytes);
	for (i = 0; i < N; i++) {
		memcpy(bytes + off, "fff0", 4);
		fill_pattern(bytes + off + 4, MLV_PKT_DATA_MAX, (unsigned)i);
		off += MLV_PKT_MAX;
		if (i % 4 == 1) { /* small packets in between shift the alignment */
			memcpy(bytes + off, "0009", 4);
			memset(bytes + off + 4, '0' + i, 5);
			off += 9;
		}
	}
	memcpy(bytes + off, "0000", 4);
	off += 4;
	assert_int_equal(off, total);

	fd = feed(bytes, total);
	mlv_pkt_reader_init(&r, fd);
	off = 0;
	for (i = 0; i < N; i++) {
		size_t len;
		const char *data = expect_packet(&r, MLV_PKT_DATA, &len);

		assert_int_equal(len, MLV_PKT_DATA_MAX);
		assert_memory_equal(data, bytes + off + 4, MLV_PKT_DATA_MAX);
		off += MLV_PKT_MAX;
		if (i % 4 == 1) {
			data = expect_packet(&r, MLV_PKT_DATA, &len);
			assert_int_equal(len, 5);
			assert_memory_equal(data, bytes + off + 4, 5);
			off += 9;
		}
	}
	expect_packet(&r, MLV_PKT_FLUSH, NULL);
	mlv_pkt_reader_release(&r);
	close(fd);
	free(bytes);
}

static void test_pktline__short_reads_from_pipe(void **state)
{
	/* the writer dribbles bytes through a pipe, splitting header and data */
	static const char *pieces[] = { "0", "00f", "hel", "lo wor", "ld0", "0",
					"00", "0005", "!" };
	struct mlv_pkt_reader r;
	enum mlv_pkt_type type;
	const char *data;
	size_t len, i;
	int fds[2], status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
			if (write(fds[1], pieces[i], strlen(pieces[i])) < 0)
				_exit(1);
			usleep(20000);
		}
		_exit(0);
	}
	close(fds[1]);
	mlv_pkt_reader_init(&r, fds[0]);
	data = expect_packet(&r, MLV_PKT_DATA, &len);
	assert_int_equal(len, 11);
	assert_memory_equal(data, "hello world", 11);
	expect_packet(&r, MLV_PKT_FLUSH, NULL);
	data = expect_packet(&r, MLV_PKT_DATA, &len);
	assert_int_equal(len, 1);
	assert_memory_equal(data, "!", 1);
	assert_int_equal(mlv_pkt_read(&r, &type, &data, &len), MLV_ENOTFOUND);
	mlv_pkt_reader_release(&r);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_pktline__pipe_packets_and_eof(void **state)
{
	struct mlv_pkt_reader r;
	enum mlv_pkt_type type;
	const char *data;
	size_t len;
	int fds[2], status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (write(fds[1], "000dcommand=", 12) < 0)
			_exit(1);
		usleep(20000);
		if (write(fds[1], "\n0000", 5) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	mlv_pkt_reader_init(&r, fds[0]);
	data = expect_packet(&r, MLV_PKT_DATA, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(data, "command=\n", 9);
	expect_packet(&r, MLV_PKT_FLUSH, NULL);
	assert_int_equal(mlv_pkt_read(&r, &type, &data, &len), MLV_ENOTFOUND);
	mlv_pkt_reader_release(&r);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_pktline__read_line_strips_lf(void **state)
{
	struct mlv_pkt_reader r;
	char *line = (char *)"x";
	int fd = feed_lit("0012command=clean\n" "000cpathname" "0005\n" "0004" "0000");

	(void)state;
	mlv_pkt_reader_init(&r, fd);
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_string_equal(line, "command=clean");
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_string_equal(line, "pathname");
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_string_equal(line, "");
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_string_equal(line, "");
	assert_int_equal(mlv_pkt_read_line(&r, &line), 1);
	assert_null(line);
	line = (char *)"x";
	assert_int_equal(mlv_pkt_read_line(&r, &line), MLV_ENOTFOUND);
	assert_null(line);
	mlv_pkt_reader_release(&r);
	close(fd);
}

static void test_pktline__read_line_only_one_lf(void **state)
{
	struct mlv_pkt_reader r;
	char *line;
	int fd = feed_lit("0007a\n\n" "0006\nb");

	(void)state;
	mlv_pkt_reader_init(&r, fd);
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_string_equal(line, "a\n");
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_string_equal(line, "\nb");
	mlv_pkt_reader_release(&r);
	close(fd);
}

static void test_pktline__line_without_lf_keeps_next_packet(void **state)
{
	struct mlv_pkt_reader r;
	const char *data;
	char *line;
	size_t len;
	int fd = feed_lit("0009hello" "0009world" "0008abc\n" "0000");

	(void)state;
	mlv_pkt_reader_init(&r, fd);
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_string_equal(line, "hello");
	/* the next packet's header is intact, read raw */
	data = expect_packet(&r, MLV_PKT_DATA, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "world", 5);
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_string_equal(line, "abc");
	assert_int_equal(mlv_pkt_read_line(&r, &line), 1);
	mlv_pkt_reader_release(&r);
	close(fd);

	/* the same with two lines in a row */
	fd = feed_lit("0009hello" "0009world" "0000");
	mlv_pkt_reader_init(&r, fd);
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_string_equal(line, "hello");
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_string_equal(line, "world");
	assert_int_equal(mlv_pkt_read_line(&r, &line), 1);
	mlv_pkt_reader_release(&r);
	close(fd);
}

static void test_pktline__read_line_longest(void **state)
{
	char *bytes = malloc(MLV_PKT_MAX + 4);
	struct mlv_pkt_reader r;
	char *line;
	int fd;

	(void)state;
	assert_non_null(bytes);
	memcpy(bytes, "fff0", 4);
	memset(bytes + 4, 'q', MLV_PKT_DATA_MAX);
	memcpy(bytes + MLV_PKT_MAX, "0000", 4);
	fd = feed(bytes, MLV_PKT_MAX + 4);
	mlv_pkt_reader_init(&r, fd);
	assert_int_equal(mlv_pkt_read_line(&r, &line), 0);
	assert_int_equal(strlen(line), MLV_PKT_DATA_MAX);
	assert_memory_equal(line, bytes + 4, MLV_PKT_DATA_MAX);
	assert_int_equal(mlv_pkt_read_line(&r, &line), 1);
	mlv_pkt_reader_release(&r);
	close(fd);
	free(bytes);
}

static void test_pktline__read_line_rejects(void **state)
{
	struct mlv_pkt_reader r;
	char *line;
	int fd;

	(void)state;
	/* special packets have no place in the filter protocol */
	fd = feed_lit("0001");
	mlv_pkt_reader_init(&r, fd);
	assert_int_equal(mlv_pkt_read_line(&r, &line), MLV_EPROTO);
	assert_null(line);
	mlv_pkt_reader_release(&r);
	close(fd);

	fd = feed_lit("0002");
	mlv_pkt_reader_init(&r, fd);
	assert_int_equal(mlv_pkt_read_line(&r, &line), MLV_EPROTO);
	mlv_pkt_reader_release(&r);
	close(fd);

	/* a NUL would cut the line short */
	fd = feed("0009a\0b=c", 9);
	mlv_pkt_reader_init(&r, fd);
	assert_int_equal(mlv_pkt_read_line(&r, &line), MLV_EPROTO);
	assert_null(line);
	mlv_pkt_reader_release(&r);
	close(fd);

	/* reader errors pass through */
	fd = feed_lit("0009abc");
	mlv_pkt_reader_init(&r, fd);
	assert_int_equal(mlv_pkt_read_line(&r, &line), MLV_EPROTO);
	mlv_pkt_reader_release(&r);
	close(fd);
}

static void test_pktline__read_error(void **state)
{
	struct mlv_pkt_reader r;
	enum mlv_pkt_type type;
	const char *data;
	size_t len;
	int fds[2];

	(void)state;
	/* reading from a write-only end fails with EBADF */
	assert_int_equal(pipe(fds), 0);
	mlv_pkt_reader_init(&r, fds[1]);
	mlv_error_clear();
	assert_int_equal(mlv_pkt_read(&r, &type, &data, &len), MLV_ERROR);
	assert_true(strlen(mlv_error_last()) > 0);
	mlv_pkt_reader_release(&r);
	close(fds[0]);
	close(fds[1]);
}

static void test_pktline__write_flush(void **state)
{
	struct mlv_pkt_writer w;
	char *out;
	size_t len;
	int fd = sink();

	(void)state;
	mlv_pkt_writer_init(&w, fd);
	assert_int_equal(mlv_pkt_write_flush(&w), 0);
	out = slurp(fd, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(out, "0000", 4);
	free(out);
	mlv_pkt_writer_release(&w);
	close(fd);
}

static void test_pktline__write_line(void **state)
{
	static const char want[] = "0016git-filter-server\n" "000eversion=2\n"
				   "000fsize=12345\n" "0005\n" "0000";
	struct mlv_pkt_writer w;
	char *out;
	size_t len;
	int fd = sink();

	(void)state;
	mlv_pkt_writer_init(&w, fd);
	assert_int_equal(mlv_pkt_write_line(&w, "git-filter-server"), 0);
	assert_int_equal(mlv_pkt_write_line(&w, "version=%d", 2), 0);
	assert_int_equal(mlv_pkt_write_line(&w, "%s=%llu", "size", 12345ULL), 0);
	assert_int_equal(mlv_pkt_write_line(&w, "%s", ""), 0);
	/* buffered until the flush */
	assert_int_equal(file_size(fd), 0);
	assert_int_equal(mlv_pkt_write_flush(&w), 0);
	out = slurp(fd, &len);
	assert_int_equal(len, sizeof(want) - 1);
	assert_memory_equal(out, want, sizeof(want) - 1);
	free(out);
	mlv_pkt_writer_release(&w);
	close(fd);
}

static void test_pktline__write_line_longest(void **state)
{
	/* the longest text that fits one packet with its LF */
	size_t text_len = MLV_PKT_DATA_MAX - 1;
	char *text = malloc(text_len + 2);
	struct mlv_pkt_writer w;
	char *out;
	size_t len;
	int fd = sink();

	(void)state;
	assert_non_null(text);
	memset(text, 'L', text_len);
	text[text_len] = '\0';
	mlv_pkt_writer_init(&w, fd);
	assert_int_equal(mlv_pkt_write_line(&w, "%s", text), 0);
	assert_int_equal(mlv_pkt_write_flush(&w), 0);
	out = slurp(fd, &len);
	assert_int_equal(len, MLV_PKT_MAX + 4);
	assert_memory_equal(out, "fff0", 4);
	assert_memory_equal(out + 4, text, text_len);
	assert_int_equal(out[4 + text_len], '\n');
	assert_memory_equal(out + MLV_PKT_MAX, "0000", 4);
	free(out);

	/* one more character does not fit */
	text[text_len] = 'L';
	text[text_len + 1] = '\0';
	assert_int_equal(mlv_pkt_write_line(&w, "%s", text), MLV_EINVALID);
	assert_int_equal(mlv_pkt_write_flush(&w), 0);
	out = slurp(fd, &len);
	assert_int_equal(len, MLV_PKT_MAX + 8); /* only the new flush */
	assert_memory_equal(out + MLV_PKT_MAX + 4, "0000", 4);
	free(out);
	mlv_pkt_writer_release(&w);
	close(fd);
	free(text);
}

static void test_pktline__write_data_splits(void **state)
{
	enum { TOTAL = 200000 };
	static const size_t want_len[] = { 65516, 65516, 65516, 3452 };
	static const char *want_hdr[] = { "fff0", "fff0", "fff0", "0d80" };
	char *payload = malloc(TOTAL), *out;
	struct mlv_pkt_writer w;
	size_t len, off = 0, pos = 0, i;
	int fd = sink();

	(void)state;
	assert_non_null(payload);
	fill_pattern(payload, TOTAL, 3);
	mlv_pkt_writer_init(&w, fd);
	assert_int_equal(mlv_pkt_write_data(&w, payload, TOTAL), 0);
	assert_int_equal(mlv_pkt_write_flush(&w), 0);
	out = slurp(fd, &len);
	assert_int_equal(len, TOTAL + 4 * 4 + 4);
	for (i = 0; i < 4; i++) {
		assert_memory_equal(out + pos, want_hdr[i], 4);
		assert_memory_equal(out + pos + 4, payload + off, want_len[i]);
		pos += 4 + want_len[i];
		off += want_len[i];
	}
	assert_int_equal(off, TOTAL);
	assert_memory_equal(out + pos, "0000", 4);
	free(out);
	mlv_pkt_writer_release(&w);

	/* and the reader takes it back apart */
	{
		struct mlv_pkt_reader r;
		enum mlv_pkt_type type;
		const char *data;

		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		mlv_pkt_reader_init(&r, fd);
		off = 0;
		for (i = 0; i < 4; i++) {
			data = expect_packet(&r, MLV_PKT_DATA, &len);
			assert_int_equal(len, want_len[i]);
			assert_memory_equal(data, payload + off, len);
			off += len;
		}
		expect_packet(&r, MLV_PKT_FLUSH, NULL);
		assert_int_equal(mlv_pkt_read(&r, &type, &data, &len),
				 MLV_ENOTFOUND);
		mlv_pkt_reader_release(&r);
	}
	close(fd);
	free(payload);
}

/* Write a line, 200000 bytes of a file from offset 5, and a flush through
 * mlv_pkt_write_from_fd into `out_fd`; the bytes written go to
 * `*payload_out` (offset 5 on). */
static void write_file_range(int out_fd, char **payload_out)
{
	enum { TOTAL = 200005 };
	char *payload = malloc(TOTAL);
	struct mlv_pkt_writer w;
	int src;

	assert_non_null(payload);
	fill_pattern(payload, TOTAL, 9);
	src = feed(payload, TOTAL);
	mlv_pkt_writer_init(&w, out_fd);
	assert_int_equal(mlv_pkt_write_line(&w, "status=success"), 0);
	assert_int_equal(mlv_pkt_write_from_fd(&w, src, 5, TOTAL - 5), 0);
	assert_int_equal(mlv_pkt_write_flush(&w), 0);
	mlv_pkt_writer_release(&w);
	close(src);
	*payload_out = payload;
}

static void check_file_range_output(const char *out, size_t len,
				    const char *payload)
{
	static const size_t want_len[] = { 65516, 65516, 65516, 3452 };
	static const char *want_hdr[] = { "fff0", "fff0", "fff0", "0d80" };
	size_t pos = 19, off = 5, i;

	assert_int_equal(len, 19 + 200000 + 4 * 4 + 4);
	assert_memory_equal(out, "0013status=success\n", 19);
	for (i = 0; i < 4; i++) {
		assert_memory_equal(out + pos, want_hdr[i], 4);
		assert_memory_equal(out + pos + 4, payload + off, want_len[i]);
		pos += 4 + want_len[i];
		off += want_len[i];
	}
	assert_memory_equal(out + pos, "0000", 4);
}

static void test_pktline__write_from_file_to_file(void **state)
{
	char *payload, *out;
	size_t len;
	int fd = sink();

	(void)state;
	write_file_range(fd, &payload);
	out = slurp(fd, &len);
	check_file_range_output(out, len, payload);
	free(out);
	free(payload);
	close(fd);
}

static void test_pktline__write_from_file_to_pipe(void **state)
{
	/* a pipe takes the bytes by splice(2); a child drains it to a file */
	char *payload, *out;
	size_t len;
	int fds[2], fd = sink(), status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[4096];
		ssize_t n;

		close(fds[1]);
		while ((n = read(fds[0], buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)n) != n)
				_exit(1);
		_exit(n < 0);
	}
	close(fds[0]);
	write_file_range(fds[1], &payload);
	close(fds[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	out = slurp(fd, &len);
	check_file_range_output(out, len, payload);
	free(out);
	free(payload);
	close(fd);
}

static void test_pktline__write_more_than_buffer(void **state)
{
	/* several megabytes in odd-sized pieces: the writer sends as it goes */
	enum { TOTAL = 3 * 1000 * 1000 + 17 };
	char *payload = malloc(TOTAL);
	struct mlv_pkt_writer w;
	struct mlv_pkt_reader r;
	size_t off = 0, piece = 1;
	int fd = sink();

	(void)state;
	assert_non_null(payload);
	fill_pattern(payload, TOTAL, 11);
	mlv_pkt_writer_init(&w, fd);
	while (off < TOTAL) {
		size_t n = piece < TOTAL - off ? piece : TOTAL - off;

		assert_int_equal(mlv_pkt_write_data(&w, payload + off, n), 0);
		off += n;
		piece = piece * 3 + 1;
	}
	/* a large message does not wait for the flush in memory */
	assert_true(file_size(fd) > 0);
	assert_int_equal(mlv_pkt_write_flush(&w), 0);
	mlv_pkt_writer_release(&w);

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	mlv_pkt_reader_init(&r, fd);
	off = 0;
	for (;;) {
		enum mlv_pkt_type type;
		const char *data;
		size_t len;

		assert_int_equal(mlv_pkt_read(&r, &type, &data, &len), 0);
		if (type == MLV_PKT_FLUSH)
			break;
		assert_int_equal(type, MLV_PKT_DATA);
		assert_true(len > 0 && len <= MLV_PKT_DATA_MAX);
		assert_true(off + len <= TOTAL);
		assert_memory_equal(data, payload + off, len);
		off += len;
	}
	assert_int_equal(off, TOTAL);
	mlv_pkt_reader_release(&r);
	close(fd);
	free(payload);
}

static void test_pktline__write_error(void **state)
{
	struct mlv_pkt_writer w;
	int fds[2];

	(void)state;
	/* writing to a read-only end fails when the flush sends */
	assert_int_equal(pipe(fds), 0);
	mlv_pkt_writer_init(&w, fds[0]);
	assert_int_equal(mlv_pkt_write_line(&w, "status=success"), 0);
	mlv_error_clear();
	assert_int_equal(mlv_pkt_write_flush(&w), MLV_ERROR);
	assert_true(strlen(mlv_error_last()) > 0);
	mlv_pkt_writer_release(&w);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pktline__flush),
		cmocka_unit_test(test_pktline__special_packets),
		cmocka_unit_test(test_pktline__length_three_malformed),
		cmocka_unit_test(test_pktline__empty_data_packet),
		cmocka_unit_test(test_pktline__data_packet),
		cmocka_unit_test(test_pktline__max_length),
		cmocka_unit_test(test_pktline__over_max_length),
		cmocka_unit_test(test_pktline__non_hex_header),
		cmocka_unit_test(test_pktline__truncated_header),
		cmocka_unit_test(test_pktline__truncated_after_packet),
		cmocka_unit_test(test_pktline__truncated_payload),
		cmocka_unit_test(test_pktline__clean_eof),
		cmocka_unit_test(test_pktline__many_packets_through_buffer),
		cmocka_unit_test(test_pktline__short_reads_from_pipe),
		cmocka_unit_test(test_pktline__pipe_packets_and_eof),
		cmocka_unit_test(test_pktline__read_line_strips_lf),
		cmocka_unit_test(test_pktline__read_line_only_one_lf),
		cmocka_unit_test(test_pktline__line_without_lf_keeps_next_packet),
		cmocka_unit_test(test_pktline__read_line_longest),
		cmocka_unit_test(test_pktline__read_line_rejects),
		cmocka_unit_test(test_pktline__read_error),
		cmocka_unit_test(test_pktline__write_flush),
		cmocka_unit_test(test_pktline__write_line),
		cmocka_unit_test(test_pktline__write_line_longest),
		cmocka_unit_test(test_pktline__write_data_splits),
		cmocka_unit_test(test_pktline__write_more_than_buffer),
		cmocka_unit_test(test_pktline__write_from_file_to_file),
		cmocka_unit_test(test_pktline__write_from_file_to_pipe),
		cmocka_unit_test(test_pktline__write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
