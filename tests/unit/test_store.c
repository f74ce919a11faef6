/*
 * Unit tests for include/mlv/store.h and include/mlv/convert.h: the local
 * object store and clean/smudge, in a throwaway "git common dir".
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "mlv/buf.h"
#include "mlv/convert.h"
#include "mlv/error.h"
#include "mlv/pointer.h"
#include "mlv/store.h"

#include "helpers.h"

/* sha256("abc") */
#define ABC_OID "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

struct fixture {
	char dir[64];
	struct mlv_store store;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mlv-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	if (mlv_store_init(&f->store, f->dir) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int err = test_remove_tree(f->dir);

	mlv_store_release(&f->store);
	free(f);
	return err;
}

/* Deterministic bytes, NULs and LFs included. */
static char *make_data(size_t len, unsigned seed)
{
	char *p = malloc(len ? len : 1);
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (char)(x >> 16);
	}
	return p;
}

/* `dir/name` into a static buffer. */
static const char *in(const char *dir, const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Number of regular files anywhere under `dir` (0 when it does not exist). */
static int files_found;
static int count_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	(void)path;
	(void)st;
	(void)ftw;
	if (flag == FTW_F)
		files_found++;
	return 0;
}

static int count_files(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		assert_int_equal(errno, ENOENT);
		return 0;
	}
	files_found = 0;
	assert_int_equal(nftw(dir, count_one, 16, FTW_PHYS), 0);
	return files_found;
}

static char *read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void assert_file_content(const char *path, const void *data, size_t len)
{
	size_t got_len;
	char *got = read_file(path, &got_len);

	assert_int_equal(got_len, len);
	assert_memory_equal(got, data, len);
	free(got);
}

/* Flip one bit of the byte at `off` in `path`. */
static void flip_byte(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	char c;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, off), 1);
	c ^= 0x20;
	assert_int_equal(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

/* Store `len` bytes through a writer; the pointer into `p`. */
static void store_bytes(struct mlv_pointer *p, const struct mlv_store *s,
			const void *data, size_t len)
{
	struct mlv_store_writer w = MLV_STORE_WRITER_INIT;

	assert_int_equal(mlv_store_writer_open(&w, s), 0);
	assert_int_equal(mlv_store_writer_write(&w, data, len), 0);
	assert_int_equal(mlv_store_writer_commit(&w, p, NULL), 0);
}

static void object_path(struct mlv_buf *path, const struct mlv_store *s,
			const char *oid)
{
	assert_int_equal(mlv_store_object_path(path, s, oid), 0);
}

/* --- the store ---------------------------------------------------------- */

static void test_store__paths(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf path = MLV_BUF_INIT;
	char want[4096];

	assert_string_equal(f->store.root, in(f->dir, "mlv"));
	assert_string_equal(f->store.objects, in(f->dir, "mlv/objects"));
	assert_string_equal(f->store.tmp, in(f->dir, "mlv/tmp"));
	/* init creates nothing */
	assert_int_equal(count_files(f->dir), 0);
	assert_int_equal(access(f->store.root, F_OK), -1);

	assert_int_equal(mlv_buf_puts(&path, "old contents"), 0);
	object_path(&path, &f->store, ABC_OID);
	snprintf(want, sizeof(want), "%s/mlv/objects/ba/78/%s", f->dir, ABC_OID);
	assert_string_equal(path.ptr, want);

	assert_int_equal(mlv_store_object_path(&path, &f->store, "ba78"),
			 MLV_EINVALID);
	assert_int_equal(mlv_store_object_path(&path, &f->store,
					       "../../../../etc/passwd"),
			 MLV_EINVALID);
	assert_int_equal(mlv_store_has(&f->store, "../x"), 0);
	mlv_buf_release(&path);
}

static void test_store__writer_commit_places_object(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_writer w = MLV_STORE_WRITER_INIT;
	struct mlv_buf path = MLV_BUF_INIT;
	struct mlv_pointer p;
	char want[4096];
	uint64_t size = 0;
	int fd = -1;
	char got[4];

	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 0);
	assert_int_equal(mlv_store_writer_open(&w, &f->store), 0);
	assert_int_equal(mlv_store_writer_write(&w, "a", 1), 0);
	assert_int_equal(mlv_store_writer_write(&w, "", 0), 0);
	assert_int_equal(mlv_store_writer_write(&w, "bc", 2), 0);
	assert_int_equal(mlv_store_writer_commit(&w, &p, NULL), 0);
	assert_string_equal(p.oid, ABC_OID);
	assert_true(p.size == 3);

	snprintf(want, sizeof(want), "%s/mlv/objects/ba/78/%s", f->dir, ABC_OID);
	assert_file_content(want, "abc", 3);
	object_path(&path, &f->store, ABC_OID);
	assert_string_equal(path.ptr, want);
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 1);
	/* the only file in the store, and no temp file left behind */
	assert_int_equal(count_files(f->store.root), 1);
	assert_int_equal(count_files(f->store.tmp), 0);
	assert_null(w.tmp_path);
	assert_int_equal(w.fd, -1);

	assert_int_equal(mlv_store_open(&fd, &size, &f->store, ABC_OID), 0);
	assert_true(fd >= 0);
	assert_true(size == 3);
	assert_int_equal(read(fd, got, sizeof(got)), 3);
	assert_memory_equal(got, "abc", 3);
	close(fd);
	mlv_buf_release(&path);
}

static void test_store__writer_large_object(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_writer w = MLV_STORE_WRITER_INIT;
	struct mlv_buf path = MLV_BUF_INIT;
	size_t len = 5 * 1024 * 1024 + 3, off = 0, piece = 1;
	char *data = make_data(len, 1);
	char oid[MLV_OID_HEXSZ + 1];
	struct mlv_pointer p;

	test_hash_hex(oid, data, len);
	assert_int_equal(mlv_store_writer_open(&w, &f->store), 0);
	while (off < len) {
		size_t n = piece < len - off ? piece : len - off;

		assert_int_equal(mlv_store_writer_write(&w, data + off, n), 0);
		off += n;
		piece = piece * 2 + 1;
	}
	assert_int_equal(mlv_store_writer_commit(&w, &p, NULL), 0);
	assert_string_equal(p.oid, oid);
	assert_true(p.size == len);
	object_path(&path, &f->store, oid);
	assert_file_content(path.ptr, data, len);
	assert_int_equal(mlv_store_verify(&f->store, oid), 0);
	mlv_buf_release(&path);
	free(data);
}

static void test_store__invisible_before_commit(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_writer w = MLV_STORE_WRITER_INIT;
	struct mlv_pointer p;
	char *tmp_path;

	assert_int_equal(mlv_store_writer_open(&w, &f->store), 0);
	assert_int_equal(mlv_store_writer_write(&w, "abc", 3), 0);

	/* nothing under objects/, one temp file under tmp/ */
	assert_int_equal(count_files(f->store.objects), 0);
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 0);
	assert_int_equal(count_files(f->store.tmp), 1);
	assert_non_null(w.tmp_path);
	assert_memory_equal(w.tmp_path, f->store.tmp, strlen(f->store.tmp));
	assert_int_equal(w.tmp_path[strlen(f->store.tmp)], '/');
	assert_file_content(w.tmp_path, "abc", 3);
	tmp_path = strdup(w.tmp_path);
	assert_non_null(tmp_path);

	assert_int_equal(mlv_store_writer_commit(&w, &p, NULL), 0);
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 1);
	assert_int_equal(access(tmp_path, F_OK), -1);
	assert_int_equal(count_files(f->store.tmp), 0);
	free(tmp_path);
}

static void test_store__abort(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_writer w = MLV_STORE_WRITER_INIT, never = MLV_STORE_WRITER_INIT;
	char *tmp_path;

	assert_int_equal(mlv_store_writer_open(&w, &f->store), 0);
	assert_int_equal(mlv_store_writer_write(&w, "abc", 3), 0);
	tmp_path = strdup(w.tmp_path);
	assert_non_null(tmp_path);
	assert_int_equal(access(tmp_path, F_OK), 0);

	mlv_store_writer_abort(&w);
	assert_int_equal(access(tmp_path, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(count_files(f->store.root), 0);
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 0);
	assert_null(w.tmp_path);
	assert_int_equal(w.fd, -1);

	/* again, and on a writer never opened: harmless */
	mlv_store_writer_abort(&w);
	mlv_store_writer_abort(&never);
	assert_int_equal(count_files(f->store.root), 0);
	free(tmp_path);
}

static void test_store__abort_after_commit(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_writer w = MLV_STORE_WRITER_INIT;
	struct mlv_pointer p;

	assert_int_equal(mlv_store_writer_open(&w, &f->store), 0);
	assert_int_equal(mlv_store_writer_write(&w, "abc", 3), 0);
	assert_int_equal(mlv_store_writer_commit(&w, &p, NULL), 0);
	mlv_store_writer_abort(&w);
	/* the committed object stays */
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 1);
	assert_int_equal(mlv_store_verify(&f->store, ABC_OID), 0);
}

static void test_store__commit_wrong_oid(void **state)
{
	static const char wrong[] =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae";
	struct fixture *f = *state;
	struct mlv_store_writer w = MLV_STORE_WRITER_INIT;
	struct mlv_pointer p;
	char *tmp_path;

	assert_int_equal(mlv_store_writer_open(&w, &f->store), 0);
	assert_int_equal(mlv_store_writer_write(&w, "abc", 3), 0);
	tmp_path = strdup(w.tmp_path);
	assert_non_null(tmp_path);
	mlv_error_clear();
	assert_int_equal(mlv_store_writer_commit(&w, &p, wrong), MLV_ECORRUPT);
	/* the message names both oids */
	assert_non_null(strstr(mlv_error_last(), wrong));
	assert_non_null(strstr(mlv_error_last(), ABC_OID));
	assert_int_equal(mlv_store_has(&f->store, wrong), 0);
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 0);
	assert_int_equal(count_files(f->store.root), 0);
	assert_int_equal(access(tmp_path, F_OK), -1);
	free(tmp_path);

	/* the right oid is accepted */
	assert_int_equal(mlv_store_writer_open(&w, &f->store), 0);
	assert_int_equal(mlv_store_writer_write(&w, "abc", 3), 0);
	assert_int_equal(mlv_store_writer_commit(&w, &p, ABC_OID), 0);
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 1);
	assert_int_equal(count_files(f->store.root), 1);
}

static void test_store__commit_existing_object(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf path = MLV_BUF_INIT;
	struct mlv_pointer p;

	store_bytes(&p, &f->store, "abc", 3);
	store_bytes(&p, &f->store, "abc", 3);
	assert_string_equal(p.oid, ABC_OID);
	assert_int_equal(count_files(f->store.root), 1);
	object_path(&path, &f->store, ABC_OID);
	assert_file_content(path.ptr, "abc", 3);
	mlv_buf_release(&path);
}

static void test_store__open_missing(void **state)
{
	struct fixture *f = *state;
	uint64_t size = 7;
	int fd = 0;

	mlv_error_clear();
	assert_int_equal(mlv_store_open(&fd, &size, &f->store, ABC_OID),
			 MLV_ENOTFOUND);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(mlv_error_last(), ABC_OID));
	assert_int_equal(mlv_store_open(&fd, &size, &f->store, "abc"), MLV_EINVALID);
}

static void test_store__verify_and_quarantine(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf path = MLV_BUF_INIT, moved = MLV_BUF_INIT;
	size_t len = 300000;
	char *data = make_data(len, 2), *bad;
	struct mlv_pointer p;
	char want[4096];

	store_bytes(&p, &f->store, data, len);
	assert_int_equal(mlv_store_verify(&f->store, p.oid), 0);

	object_path(&path, &f->store, p.oid);
	flip_byte(path.ptr, 123456);
	mlv_error_clear();
	assert_int_equal(mlv_store_verify(&f->store, p.oid), MLV_ECORRUPT);
	assert_non_null(strstr(mlv_error_last(), p.oid));

	assert_int_equal(mlv_store_quarantine(&moved, &f->store, p.oid), 0);
	snprintf(want, sizeof(want), "%s/mlv/bad/%s", f->dir, p.oid);
	assert_string_equal(moved.ptr, want);
	/* the corrupt bytes moved aside, untouched */
	bad = make_data(len, 2);
	bad[123456] ^= 0x20;
	assert_file_content(want, bad, len);
	assert_int_equal(access(path.ptr, F_OK), -1);
	assert_int_equal(mlv_store_has(&f->store, p.oid), 0);
	assert_int_equal(mlv_store_verify(&f->store, p.oid), MLV_ENOTFOUND);

	/* a good copy can be stored again */
	store_bytes(&p, &f->store, data, len);
	assert_int_equal(mlv_store_verify(&f->store, p.oid), 0);
	mlv_buf_release(&path);
	mlv_buf_release(&moved);
	free(data);
	free(bad);
}

static void test_store__verify_truncated(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf path = MLV_BUF_INIT;
	struct mlv_pointer p;

	store_bytes(&p, &f->store, "abc", 3);
	object_path(&path, &f->store, ABC_OID);
	assert_int_equal(truncate(path.ptr, 2), 0);
	assert_int_equal(mlv_store_verify(&f->store, ABC_OID), MLV_ECORRUPT);
	assert_int_equal(truncate(path.ptr, 0), 0);
	assert_int_equal(mlv_store_verify(&f->store, ABC_OID), MLV_ECORRUPT);
	mlv_buf_release(&path);
}

static void test_store__verify_missing(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf moved = MLV_BUF_INIT;

	assert_int_equal(mlv_store_verify(&f->store, ABC_OID), MLV_ENOTFOUND);
	assert_int_equal(mlv_store_verify(&f->store, "not-an-oid"), MLV_EINVALID);
	assert_true(mlv_store_quarantine(&moved, &f->store, ABC_OID) < 0);
	assert_int_equal(count_files(f->dir), 0);
	mlv_buf_release(&moved);
}

/* --- clean ---------------------------------------------------------------- */

/* Clean `len` bytes fed in pieces of growing size; the output into `out`. */
static int clean_bytes(struct mlv_buf *out, const struct mlv_store *s,
		       const char *data, size_t len)
{
	struct mlv_clean c;
	size_t off = 0, piece = 1;
	int err;

	mlv_clean_start(&c, s);
	while (off < len) {
		size_t n = piece < len - off ? piece : len - off;

		if ((err = mlv_clean_write(&c, data + off, n)) < 0) {
			mlv_clean_abort(&c);
			return err;
		}
		off += n;
		piece = piece * 2 + 1;
	}
	return mlv_clean_finish(out, &c);
}

static void test_store__clean_pointer_unchanged(void **state)
{
	static const char ptr[] =
		"version https://git-lfs.github.com/spec/v1\n"
		"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
		"size 12345\n";
	static const char zero[] =
		"version https://git-lfs.github.com/spec/v1\n"
		"oid sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
		"size 0\n";
	struct fixture *f = *state;
	struct mlv_buf out = MLV_BUF_INIT;

	assert_int_equal(clean_bytes(&out, &f->store, ptr, sizeof(ptr) - 1), 0);
	assert_int_equal(out.len, sizeof(ptr) - 1);
	assert_memory_equal(out.ptr, ptr, sizeof(ptr) - 1);
	/* nothing stored, not even a temp file */
	assert_int_equal(count_files(f->dir), 0);
	assert_int_equal(mlv_store_has(&f->store,
		"4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"), 0);

	/* a pointer with size 0 spelled out is a pointer too */
	mlv_buf_clear(&out);
	assert_int_equal(clean_bytes(&out, &f->store, zero, sizeof(zero) - 1), 0);
	assert_int_equal(out.len, sizeof(zero) - 1);
	assert_memory_equal(out.ptr, zero, sizeof(zero) - 1);
	assert_int_equal(count_files(f->dir), 0);
	mlv_buf_release(&out);
}

static void test_store__clean_empty(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf out = MLV_BUF_INIT;
	struct mlv_clean c;

	assert_int_equal(mlv_buf_puts(&out, "x"), 0);
	mlv_clean_start(&c, &f->store);
	assert_int_equal(mlv_clean_finish(&out, &c), 0);
	assert_string_equal(out.ptr, "x"); /* nothing appended */
	assert_int_equal(count_files(f->dir), 0);

	/* zero-length writes are still empty content */
	mlv_buf_clear(&out);
	mlv_clean_start(&c, &f->store);
	assert_int_equal(mlv_clean_write(&c, "", 0), 0);
	assert_int_equal(mlv_clean_write(&c, "", 0), 0);
	assert_int_equal(mlv_clean_finish(&out, &c), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(count_files(f->dir), 0);
	mlv_clean_abort(&c); /* safe after finish */
	mlv_buf_release(&out);
}

/* Clean `len` generated bytes and check the pointer text and the object. */
static void check_clean(const struct mlv_store *s, const char *data, size_t len)
{
	struct mlv_buf out = MLV_BUF_INIT, path = MLV_BUF_INIT;
	char oid[MLV_OID_HEXSZ + 1], want[256];
	int n;

	test_hash_hex(oid, data, len);
	n = snprintf(want, sizeof(want),
		     "version https://git-lfs.github.com/spec/v1\n"
		     "oid sha256:%s\nsize %zu\n", oid, len);
	assert_int_equal(clean_bytes(&out, s, data, len), 0);
	assert_int_equal(out.len, (size_t)n);
	assert_memory_equal(out.ptr, want, (size_t)n);
	object_path(&path, s, oid);
	assert_file_content(path.ptr, data, len);
	assert_int_equal(count_files(s->tmp), 0);
	mlv_buf_release(&out);
	mlv_buf_release(&path);
}

static void test_store__clean_large(void **state)
{
	static const size_t sizes[] = { 1025, 1024, 4096, 256 * 1024 + 1,
					3 * 1024 * 1024 + 5 };
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *data = make_data(sizes[i], (unsigned)i + 10);

		check_clean(&f->store, data, sizes[i]);
		free(data);
	}
	assert_int_equal(count_files(f->store.objects), 5);
}

static void test_store__clean_small(void **state)
{
	static const char text[] = "hello\n";
	struct fixture *f = *state;
	char *data;

	/* content that fits the head but is no pointer is stored too */
	check_clean(&f->store, text, sizeof(text) - 1);
	check_clean(&f->store, "x", 1);
	data = make_data(1023, 7);
	check_clean(&f->store, data, 1023);
	free(data);
	assert_int_equal(count_files(f->store.objects), 3);
}

static void test_store__clean_almost_pointer(void **state)
{
	/* a pointer with a byte more, or a pointer followed by much more */
	static const char ptr[] =
		"version https://git-lfs.github.com/spec/v1\n"
		"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
		"size 12345\n";
	struct fixture *f = *state;
	char *big = malloc(5000);

	assert_non_null(big);
	memcpy(big, ptr, sizeof(ptr) - 1);
	big[sizeof(ptr) - 1] = '\n';
	check_clean(&f->store, big, sizeof(ptr));
	memset(big + sizeof(ptr) - 1, 'z', 5000 - (sizeof(ptr) - 1));
	check_clean(&f->store, big, 5000);
	free(big);
}

static void test_store__clean_abort(void **state)
{
	struct fixture *f = *state;
	char *data = make_data(100000, 5);
	struct mlv_clean c;

	mlv_clean_start(&c, &f->store);
	assert_int_equal(mlv_clean_write(&c, data, 100000), 0);
	assert_int_equal(count_files(f->store.tmp), 1);
	mlv_clean_abort(&c);
	assert_int_equal(count_files(f->dir), 0);
	mlv_clean_abort(&c);

	/* abort with only a few bytes held */
	mlv_clean_start(&c, &f->store);
	assert_int_equal(mlv_clean_write(&c, data, 10), 0);
	mlv_clean_abort(&c);
	assert_int_equal(count_files(f->dir), 0);
	free(data);
}

/* --- smudge --------------------------------------------------------------- */

struct sink {
	struct mlv_buf buf;
	int calls;
	int fail;
};

static int to_sink(void *ctx, const void *data, size_t len)
{
	struct sink *s = ctx;

	s->calls++;
	if (s->fail)
		return MLV_ERROR;
	return mlv_buf_put(&s->buf, data, len);
}

static void test_store__smudge(void **state)
{
	struct fixture *f = *state;
	struct sink out = { MLV_BUF_INIT, 0, 0 };
	size_t len = 700000;
	char *data = make_data(len, 3);
	struct mlv_pointer p;

	store_bytes(&p, &f->store, data, len);
	assert_int_equal(mlv_smudge_object(&f->store, &p, "dir/file.bin", to_sink,
					   &out), 0);
	assert_int_equal(out.buf.len, len);
	assert_memory_equal(out.buf.ptr, data, len);
	mlv_buf_release(&out.buf);
	free(data);
}

static void test_store__smudge_empty(void **state)
{
	struct fixture *f = *state;
	struct sink out = { MLV_BUF_INIT, 0, 0 };
	struct mlv_pointer p;

	assert_int_equal(mlv_pointer_parse(&p, "", 0), 0);
	assert_int_equal(mlv_smudge_object(&f->store, &p, "empty", to_sink, &out), 0);
	assert_int_equal(out.buf.len, 0);
	mlv_buf_release(&out.buf);
}

static void test_store__smudge_corrupt(void **state)
{
	struct fixture *f = *state;
	struct sink out = { MLV_BUF_INIT, 0, 0 };
	struct mlv_buf path = MLV_BUF_INIT;
	size_t len = 5000;
	char *data = make_data(len, 4);
	struct mlv_pointer p;

	store_bytes(&p, &f->store, data, len);
	object_path(&path, &f->store, p.oid);
	flip_byte(path.ptr, len - 1);
	mlv_error_clear();
	assert_int_equal(mlv_smudge_object(&f->store, &p, "models/a.bin", to_sink,
					   &out), MLV_ECORRUPT);
	assert_non_null(strstr(mlv_error_last(), "models/a.bin"));
	assert_non_null(strstr(mlv_error_last(), p.oid));
	mlv_buf_release(&out.buf);
	mlv_buf_release(&path);
	free(data);
}

static void test_store__smudge_wrong_size(void **state)
{
	struct fixture *f = *state;
	struct sink out = { MLV_BUF_INIT, 0, 0 };
	struct mlv_buf path = MLV_BUF_INIT;
	struct mlv_pointer p;
	int fd;

	/* the object grew: same prefix, one byte more */
	store_bytes(&p, &f->store, "abc", 3);
	object_path(&path, &f->store, ABC_OID);
	fd = open(path.ptr, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "d", 1), 1);
	close(fd);
	assert_int_equal(mlv_smudge_object(&f->store, &p, "abc.txt", to_sink, &out),
			 MLV_ECORRUPT);

	/* the pointer names a size the object does not have */
	assert_int_equal(truncate(path.ptr, 3), 0);
	p.size = 4;
	assert_int_equal(mlv_smudge_object(&f->store, &p, "abc.txt", to_sink, &out),
			 MLV_ECORRUPT);
	mlv_buf_release(&out.buf);
	mlv_buf_release(&path);
}

static void test_store__smudge_missing(void **state)
{
	struct fixture *f = *state;
	struct sink out = { MLV_BUF_INIT, 0, 0 };
	struct mlv_pointer p;

	memcpy(p.oid, ABC_OID, sizeof(p.oid));
	p.size = 3;
	mlv_error_clear();
	assert_int_equal(mlv_smudge_object(&f->store, &p, "data/missing.bin",
					   to_sink, &out), MLV_ENOTFOUND);
	assert_int_equal(out.calls, 0);
	assert_non_null(strstr(mlv_error_last(), "'data/missing.bin'"));
	assert_non_null(strstr(mlv_error_last(), ABC_OID));
	mlv_buf_release(&out.buf);
}

static void test_store__smudge_write_error(void **state)
{
	struct fixture *f = *state;
	struct sink out = { MLV_BUF_INIT, 0, 1 };
	struct mlv_pointer p;

	store_bytes(&p, &f->store, "abc", 3);
	assert_int_equal(mlv_smudge_object(&f->store, &p, "abc.txt", to_sink, &out),
			 MLV_ERROR);
	assert_int_equal(out.calls, 1);
	mlv_buf_release(&out.buf);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store__paths),
		T(test_store__writer_commit_places_object),
		T(test_store__writer_large_object),
		T(test_store__invisible_before_commit),
		T(test_store__abort),
		T(test_store__abort_after_commit),
		T(test_store__commit_wrong_oid),
		T(test_store__commit_existing_object),
		T(test_store__open_missing),
		T(test_store__verify_and_quarantine),
		T(test_store__verify_truncated),
		T(test_store__verify_missing),
		T(test_store__clean_pointer_unchanged),
		T(test_store__clean_empty),
		T(test_store__clean_large),
		T(test_store__clean_small),
		T(test_store__clean_almost_pointer),
		T(test_store__clean_abort),
		T(test_store__smudge),
		T(test_store__smudge_empty),
		T(test_store__smudge_corrupt),
		T(test_store__smudge_wrong_size),
		T(test_store__smudge_missing),
		T(test_store__smudge_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
