/*
 * Unit tests for include/mlv/backend.h, include/mlv/transfer.h and the
 * download half of include/mlv/store.h: the file:// backend in a throwaway
 * directory, the transfer queue between it and throwaway local stores.
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
#include <git2.h>
#include <openssl/sha.h>

#include "mlv/backend.h"
#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/pointer.h"
#include "mlv/store.h"
#include "mlv/transfer.h"

#include "helpers.h"

/* sha256("abc") */
#define ABC_OID "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/* sha256("") */
#define EMPTY_OID "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct fixture {
	char dir[64];
	char remote[96];
	char url[128];
	char gitdir[96];
	char gitdir2[96];
	struct mlv_store store;
	struct mlv_store store2;
	struct mlv_backend *b;
	struct mlv_conn *c;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mlv-backend-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->remote, sizeof(f->remote), "%s/remote", f->dir);
	snprintf(f->url, sizeof(f->url), "file://%s", f->remote);
	snprintf(f->gitdir, sizeof(f->gitdir), "%s/gitdir", f->dir);
	snprintf(f->gitdir2, sizeof(f->gitdir2), "%s/gitdir2", f->dir);
	if (mkdir(f->remote, 0777) < 0 || mkdir(f->gitdir, 0777) < 0 ||
	    mkdir(f->gitdir2, 0777) < 0)
		return -1;
	if (mlv_store_init(&f->store, f->gitdir) < 0 ||
	    mlv_store_init(&f->store2, f->gitdir2) < 0)
		return -1;
	if (mlv_backend_open(&f->b, f->url) < 0 || mlv_conn_open(&f->c, f->b) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int err = 0;

	if (!f)
		return 0;
	mlv_conn_close(f->c);
	mlv_backend_free(f->b);
	mlv_store_release(&f->store);
	mlv_store_release(&f->store2);
	if (f->dir[0] && strcmp(f->dir, "/tmp/mlv-backend-XXXXXX"))
		err = test_remove_tree(f->dir);
	free(f);
	return err;
}

/* A temporary file holding `len` bytes of `data`, open for reading. */
static int temp_file(struct fixture *f, const void *data, size_t len)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/src-XXXXXX", f->dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	return fd;
}

static int buf_sink(void *ctx, const void *data, size_t len)
{
	return mlv_buf_put(ctx, data, len);
}

/* Put `len` bytes into `s` through the writer; their oid into `oid`. */
static void store_put(const struct mlv_store *s, char oid[MLV_OID_HEXSZ + 1],
		      const void *data, size_t len)
{
	struct mlv_store_writer w = MLV_STORE_WRITER_INIT;
	struct mlv_pointer p;
	char want[MLV_OID_HEXSZ + 1];

	assert_int_equal(mlv_store_writer_open(&w, s), 0);
	assert_int_equal(mlv_store_writer_write(&w, data, len), 0);
	assert_int_equal(mlv_store_writer_commit(&w, &p, NULL), 0);
	mlv_store_writer_abort(&w);
	test_hash_hex(want, data, len);
	assert_string_equal(p.oid, want);
	assert_int_equal(p.size, len);
	memcpy(oid, p.oid, MLV_OID_HEXSZ + 1);
}

/* Regular files under `root`: how many, and how many are named `name` or
 * are temporary files (in the store's tmp/). */
static const char *walk_name, *walk_root;
static int walk_files, walk_named, walk_tmp;

static int count_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	const char *base = path + ftw->base;

	(void)st;
	if (flag != FTW_F)
		return 0;
	walk_files++;
	if (walk_name && !strcmp(base, walk_name))
		walk_named++;
	if (!strncmp(path + strlen(walk_root), "/tmp/", 5))
		walk_tmp++;
	return 0;
}

static void count_files(const char *root, const char *name)
{
	walk_name = name;
	walk_root = root;
	walk_files = walk_named = walk_tmp = 0;
	assert_int_equal(nftw(root, count_one, 16, FTW_PHYS), 0);
}

/* Upload or download `n` oids; results into `r` (in `oid` order). */
static void run_transfer(struct fixture *f, const struct mlv_store *s,
			 enum mlv_transfer_direction dir, char (*oids)[MLV_OID_HEXSZ + 1],
			 const uint64_t *sizes, size_t n,
			 struct mlv_transfer_result *r)
{
	struct mlv_transfer *t = mlv_transfer_new(f->b, s, dir, 2, "t", 1);
	struct mlv_transfer_result one;
	size_t i, got = 0;

	for (i = 0; i < n; i++)
		mlv_transfer_add(t, oids[i], sizes[i], NULL);
	while (mlv_transfer_next(t, &one, 1) > 0) {
		assert_true(got < n);
		for (i = 0; i < n; i++)
			if (!strcmp(one.oid, oids[i]))
				break;
		assert_true(i < n);
		r[i] = one;
		got++;
	}
	assert_int_equal(got, n);
	assert_int_equal(mlv_transfer_pending(t), 0);
	mlv_transfer_free(t);
}

static void release_results(struct mlv_transfer_result *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mlv_transfer_result_release(&r[i]);
}

/* 1. mlv_backend_open */

static void test_backend__open_file_absolute(void **state)
{
	struct fixture *f = *state;
	struct mlv_backend *b = NULL;

	assert_int_equal(mlv_backend_open(&b, "file:///tmp"), 0);
	assert_non_null(b);
	assert_string_equal(mlv_backend_url(b), "file:///tmp");
	mlv_backend_free(b);
	assert_string_equal(mlv_backend_url(f->b), f->url);
}

static void test_backend__open_file_relative_refused(void **state)
{
	struct mlv_backend *b = (struct mlv_backend *)&b;

	(void)state;
	assert_int_equal(mlv_backend_open(&b, "file://relative"), MLV_EINVALID);
	assert_null(b);
	assert_non_null(strstr(mlv_error_last(), "'file://relative'"));
}

static void test_backend__open_unknown_scheme_refused(void **state)
{
	struct mlv_backend *b = (struct mlv_backend *)&b;

	(void)state;
	assert_int_equal(mlv_backend_open(&b, "ftp://x"), MLV_EINVALID);
	assert_null(b);
	assert_non_null(strstr(mlv_error_last(), "'ftp://x'"));
	assert_int_equal(mlv_backend_open(&b, "no-scheme"), MLV_EINVALID);
	assert_null(b);
	assert_non_null(strstr(mlv_error_last(), "'no-scheme'"));
}

static void expect_resolved(const char *url, const char *base, const char *want)
{
	char *got = mlv_backend_resolve_url(url, base);

	assert_string_equal(got, want);
	free(got);
}

static void test_backend__resolve_url(void **state)
{
	(void)state;
	expect_resolved("/srv/store", NULL, "file:///srv/store");
	expect_resolved("/srv/./a/../store/", "/ignored", "file:///srv/store");
	expect_resolved("../store", "/repo/top/", "file:///repo/store");
	expect_resolved("store", "/repo", "file:///repo/store");
	expect_resolved("../../..", "/a", "file:///");
	expect_resolved("../store", NULL, "../store");
	expect_resolved("s3://b/p", "/repo", "s3://b/p");
	expect_resolved("file:///x", "/repo", "file:///x");
	/* scp-like "host:path" is no path, as for git */
	expect_resolved("host:store", "/repo", "host:store");
	expect_resolved("./a:b", "/repo", "file:///repo/a:b");
}

static void test_backend__open_plain_path(void **state)
{
	struct fixture *f = *state;
	struct mlv_backend *b = NULL;

	assert_int_equal(mlv_backend_open(&b, f->remote), 0);
	assert_string_equal(mlv_backend_url(b), f->url);
	mlv_backend_free(b);
}

static void test_backend__open_missing_parent_refused(void **state)
{
	struct fixture *f = *state;
	struct mlv_backend *b = (struct mlv_backend *)&b;
	char url[160], parent[128], quoted[160];
	struct stat st;

	snprintf(parent, sizeof(parent), "%s/none", f->dir);
	snprintf(url, sizeof(url), "file://%s/store", parent);
	snprintf(quoted, sizeof(quoted), "no such directory '%s'", parent);
	assert_int_equal(mlv_backend_open(&b, url), MLV_ENOTFOUND);
	assert_null(b);
	assert_non_null(strstr(mlv_error_last(), quoted));
	assert_int_equal(stat(parent, &st), -1);
	/* a missing store in a directory that exists is made on first write */
	snprintf(url, sizeof(url), "file://%s/new-store", f->dir);
	assert_int_equal(mlv_backend_open(&b, url), 0);
	mlv_backend_free(b);
}

static void test_backend__transfer_summary(void **state)
{
	struct mlv_transfer_stats a = { 300, 50u << 20, 10.0, 10.5 };
	struct mlv_transfer_stats b = { 1, 100u << 10, 10.2, 10.7 };
	struct mlv_transfer_stats none = MLV_TRANSFER_STATS_INIT;
	struct mlv_buf out = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(mlv_transfer_summary(&out, MLV_TRANSFER_UPLOAD, &none), 0);
	assert_int_equal(out.len, 0);
	mlv_transfer_stats_merge(&a, &b);
	mlv_transfer_stats_merge(&a, &none);
	assert_int_equal(mlv_transfer_summary(&out, MLV_TRANSFER_UPLOAD, &a), 1);
	assert_string_equal(out.ptr, "uploaded 301 files, 50.10 MiB in 0.7 s");
	assert_int_equal(mlv_transfer_summary(&out, MLV_TRANSFER_DOWNLOAD, &b), 1);
	assert_string_equal(out.ptr, "downloaded 1 file, 100.00 KiB in 0.5 s");
	mlv_transfer_stats_merge(&none, &b);
	assert_int_equal(none.files, 1);
	mlv_buf_release(&out);
}

static void test_backend__object_key(void **state)
{
	struct mlv_buf key = MLV_BUF_INIT;

	(void)state;
	mlv_backend_object_key(&key, ABC_OID);
	assert_string_equal(key.ptr, "objects/ba/78/" ABC_OID);
	mlv_buf_release(&key);
}

/* 2. file backend objects */

static void test_backend__put_file_then_get(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf got = MLV_BUF_INIT, key = MLV_BUF_INIT;
	uint64_t size = 0;
	int fd = temp_file(f, "abc", 3);

	mlv_backend_object_key(&key, ABC_OID);
	assert_int_equal(mlv_conn_put_file(f->c, key.ptr, fd, 3, ABC_OID), 0);
	assert_int_equal(mlv_conn_get_buf(f->c, key.ptr, &got, NULL), 0);
	assert_int_equal(got.len, 3);
	assert_memory_equal(got.ptr, "abc", 3);
	assert_int_equal(mlv_conn_head(f->c, key.ptr, &size), 0);
	assert_int_equal(size, 3);
	/* nothing but the object itself is left behind */
	count_files(f->remote, ABC_OID);
	assert_int_equal(walk_files, 1);
	assert_int_equal(walk_named, 1);
	assert_int_equal(walk_tmp, 0);
	close(fd);
	mlv_buf_release(&got);
	mlv_buf_release(&key);
}

static void test_backend__put_file_wrong_hash(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf key = MLV_BUF_INIT;
	uint64_t size = 0;
	int fd = temp_file(f, "abd", 3);

	mlv_backend_object_key(&key, ABC_OID);
	assert_int_equal(mlv_conn_put_file(f->c, key.ptr, fd, 3, ABC_OID),
			 MLV_ECORRUPT);
	assert_non_null(strstr(mlv_error_last(), ABC_OID));
	assert_int_equal(mlv_conn_head(f->c, key.ptr, &size), MLV_ENOTFOUND);
	count_files(f->remote, ABC_OID);
	assert_int_equal(walk_named, 0);
	assert_int_equal(walk_tmp, 0);
	assert_int_equal(walk_files, 0);
	close(fd);
	mlv_buf_release(&key);
}

static void test_backend__put_file_never_overwrites(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf got = MLV_BUF_INIT;
	int fd1 = temp_file(f, "first", 5);
	int fd2 = temp_file(f, "second", 6);

	/* no hash given: the key is not an oid, the content need not match */
	assert_int_equal(mlv_conn_put_file(f->c, "git/packs/p.pack", fd1, 5, NULL),
			 0);
	assert_int_equal(mlv_conn_put_file(f->c, "git/packs/p.pack", fd2, 6, NULL),
			 MLV_EEXISTS);
	assert_int_equal(mlv_conn_get_buf(f->c, "git/packs/p.pack", &got, NULL), 0);
	assert_int_equal(got.len, 5);
	assert_memory_equal(got.ptr, "first", 5);
	/* the same object again, with its right hash */
	mlv_buf_clear(&got);
	assert_int_equal(mlv_conn_put_file(f->c, "k", fd1, 5, NULL), 0);
	assert_int_equal(mlv_conn_put_file(f->c, "k", fd1, 5, NULL), MLV_EEXISTS);
	count_files(f->remote, NULL);
	assert_int_equal(walk_files, 2);
	assert_int_equal(walk_tmp, 0);
	close(fd1);
	close(fd2);
	mlv_buf_release(&got);
}

static void test_backend__put_empty_file(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf got = MLV_BUF_INIT, key = MLV_BUF_INIT;
	uint64_t size = 1;
	int fd = temp_file(f, "", 0);

	mlv_backend_object_key(&key, EMPTY_OID);
	assert_int_equal(mlv_conn_put_file(f->c, key.ptr, fd, 0, EMPTY_OID), 0);
	assert_int_equal(mlv_conn_head(f->c, key.ptr, &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(mlv_conn_get(f->c, key.ptr, 0, buf_sink, &got), 0);
	assert_int_equal(got.len, 0);
	close(fd);
	mlv_buf_release(&got);
	mlv_buf_release(&key);
}

static void test_backend__get_from_offset(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf got = MLV_BUF_INIT;
	static const char data[] = "0123456789abcdef";
	int fd = temp_file(f, data, 16);

	assert_int_equal(mlv_conn_put_file(f->c, "k", fd, 16, NULL), 0);
	assert_int_equal(mlv_conn_get(f->c, "k", 0, buf_sink, &got), 0);
	assert_int_equal(got.len, 16);
	assert_memory_equal(got.ptr, data, 16);
	mlv_buf_clear(&got);
	assert_int_equal(mlv_conn_get(f->c, "k", 10, buf_sink, &got), 0);
	assert_int_equal(got.len, 6);
	assert_memory_equal(got.ptr, "abcdef", 6);
	mlv_buf_clear(&got);
	assert_int_equal(mlv_conn_get(f->c, "k", 16, buf_sink, &got), 0);
	assert_int_equal(got.len, 0);
	close(fd);
	mlv_buf_release(&got);
}

static int failing_sink(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return MLV_EPROTO;
}

static void test_backend__get_sink_error_returned(void **state)
{
	struct fixture *f = *state;
	int fd = temp_file(f, "abc", 3);

	assert_int_equal(mlv_conn_put_file(f->c, "k", fd, 3, NULL), 0);
	assert_int_equal(mlv_conn_get(f->c, "k", 0, failing_sink, NULL),
			 MLV_EPROTO);
	close(fd);
}

static void test_backend__get_missing(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf got = MLV_BUF_INIT;
	uint64_t size = 0;

	assert_int_equal(mlv_conn_get(f->c, "objects/no/ne/x", 0, buf_sink, &got),
			 MLV_ENOTFOUND);
	assert_int_equal(got.len, 0);
	assert_int_equal(mlv_conn_get_buf(f->c, "objects/no/ne/x", &got, NULL),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_conn_head(f->c, "objects/no/ne/x", &size),
			 MLV_ENOTFOUND);
	mlv_buf_release(&got);
}

static void test_backend__get_buf_over_cap(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf got;
	int fd = temp_file(f, "0123456789", 10);

	mlv_buf_init(&got, 4);
	assert_int_equal(mlv_conn_put_file(f->c, "k", fd, 10, NULL), 0);
	assert_int_equal(mlv_conn_get_buf(f->c, "k", &got, NULL), MLV_EINVALID);
	close(fd);
	mlv_buf_release(&got);
}

/* 3. compare-and-swap */

static void test_backend__cas(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf tag1 = MLV_BUF_INIT, tag2 = MLV_BUF_INIT;
	struct mlv_buf tag = MLV_BUF_INIT, got = MLV_BUF_INIT;
	const char *key = "git/refs";

	assert_int_equal(mlv_conn_put_buf_cas(f->c, key, "a", 1, NULL, &tag1), 0);
	assert_true(tag1.len > 0);
	assert_int_equal(mlv_conn_get_buf(f->c, key, &got, &tag), 0);
	assert_int_equal(got.len, 1);
	assert_memory_equal(got.ptr, "a", 1);
	assert_string_equal(tag.ptr, tag1.ptr);

	/* it exists now: a create loses */
	assert_int_equal(mlv_conn_put_buf_cas(f->c, key, "x", 1, NULL, NULL),
			 MLV_ECONFLICT);

	assert_int_equal(mlv_conn_put_buf_cas(f->c, key, "bb", 2, tag1.ptr, &tag2),
			 0);
	assert_true(tag2.len > 0);
	assert_string_not_equal(tag2.ptr, tag1.ptr);

	/* a writer still holding the first tag loses */
	assert_int_equal(mlv_conn_put_buf_cas(f->c, key, "ccc", 3, tag1.ptr, NULL),
			 MLV_ECONFLICT);
	mlv_buf_clear(&got);
	mlv_buf_clear(&tag);
	assert_int_equal(mlv_conn_get_buf(f->c, key, &got, &tag), 0);
	assert_int_equal(got.len, 2);
	assert_memory_equal(got.ptr, "bb", 2);
	assert_string_equal(tag.ptr, tag2.ptr);

	/* with a tag for a key that does not exist */
	assert_int_equal(mlv_conn_put_buf_cas(f->c, "git/other", "a", 1, tag1.ptr,
					      NULL),
			 MLV_ECONFLICT);
	mlv_buf_clear(&got);
	assert_int_equal(mlv_conn_get_buf(f->c, "git/other", &got, NULL),
			 MLV_ENOTFOUND);

	mlv_buf_release(&tag1);
	mlv_buf_release(&tag2);
	mlv_buf_release(&tag);
	mlv_buf_release(&got);
}

/* 4. listing, delete and move */

/* What a listing gave: "key size" lines and the oldest mtime; a nonzero
 * `stop_after` stops it after that many keys. */
struct listing {
	struct mlv_buf keys[64];
	size_t n, stop_after;
	int64_t mtime_min;
};

static int collect(void *ctx, const struct mlv_store_entry *e)
{
	struct listing *l = ctx;

	assert_true(l->n < 64);
	mlv_buf_init(&l->keys[l->n], 0);
	mlv_buf_printf(&l->keys[l->n], "%s %llu", e->key,
		       (unsigned long long)e->size);
	if (!l->mtime_min || e->mtime < l->mtime_min)
		l->mtime_min = e->mtime;
	l->n++;
	return l->stop_after && l->n == l->stop_after ? 7 : 0;
}

static int cmp_buf(const void *a, const void *b)
{
	return strcmp(((const struct mlv_buf *)a)->ptr,
		      ((const struct mlv_buf *)b)->ptr);
}

/* List `prefix` and compare with `want`: the "key size" lines, sorted,
 * joined by ','. */
static void assert_listing(struct fixture *f, const char *prefix,
			   const char *want)
{
	struct listing l;
	struct mlv_buf got = MLV_BUF_INIT;
	size_t i;

	memset(&l, 0, sizeof(l));
	assert_int_equal(mlv_conn_list(f->c, prefix, collect, &l), 0);
	qsort(l.keys, l.n, sizeof(*l.keys), cmp_buf);
	for (i = 0; i < l.n; i++) {
		mlv_buf_printf(&got, "%s%s", i ? "," : "", l.keys[i].ptr);
		mlv_buf_release(&l.keys[i]);
	}
	assert_string_equal(got.ptr, want);
	mlv_buf_release(&got);
}

static void put_key(struct fixture *f, const char *key, const char *data)
{
	int fd = temp_file(f, data, strlen(data));

	assert_int_equal(mlv_conn_put_file(f->c, key, fd, strlen(data), NULL), 0);
	close(fd);
}

/* A file written into the store's directory by hand. */
static void plant(struct fixture *f, const char *rel, const char *data)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->remote, rel);
	assert_non_null(fp = fopen(path, "w"));
	fputs(data, fp);
	fclose(fp);
}

static void test_backend__list_prefix(void **state)
{
	struct fixture *f = *state;

	put_key(f, "gc/sweep-123", "abc");
	put_key(f, "gc/sweep-9/deep/er", "x");
	put_key(f, "gc/mark", "12345");
	put_key(f, "gcx", "y");
	put_key(f, "objects/ab/cd/abcd", "object");
	assert_listing(f, "gc/sweep-", "gc/sweep-123 3,gc/sweep-9/deep/er 1");
	assert_listing(f, "gc/", "gc/mark 5,gc/sweep-123 3,gc/sweep-9/deep/er 1");
	assert_listing(f, "gc", "gc/mark 5,gc/sweep-123 3,gc/sweep-9/deep/er 1,gcx 1");
	assert_listing(f, "gc/sweep-9/deep/er", "gc/sweep-9/deep/er 1");
	assert_listing(f, "gc/sweep-9/deep/e", "gc/sweep-9/deep/er 1");
	assert_listing(f, "gc/mark/", "");
	assert_listing(f, "objects/", "objects/ab/cd/abcd 6");
	assert_listing(f, "",
		       "gc/mark 5,gc/sweep-123 3,gc/sweep-9/deep/er 1,gcx 1,"
		       "objects/ab/cd/abcd 6");
}

static void test_backend__list_mtime(void **state)
{
	struct fixture *f = *state;
	struct listing l;
	char path[256];
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

	put_key(f, "gc/old", "a");
	snprintf(path, sizeof(path), "%s/gc/old", f->remote);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(mlv_conn_list(f->c, "gc/", collect, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.mtime_min, 1000000000);
	mlv_buf_release(&l.keys[0]);
}

static void test_backend__list_skips_temp_files(void **state)
{
	struct fixture *f = *state;

	put_key(f, "gc/a", "a"); /* which makes tmp/ */
	/* a push killed mid-write, a temporary name beside a key, a lock */
	plant(f, "tmp/a-XXXXXX", "half");
	plant(f, "gc/.tmp-a-123", "half");
	put_key(f, "git/refs", "refs");
	plant(f, "git/refs.lock", "");
	assert_listing(f, "", "gc/a 1,git/refs 4");
	assert_listing(f, "tmp/", "");
}

static void test_backend__list_missing_prefix_dir(void **state)
{
	struct fixture *f = *state;
	struct mlv_backend *b = NULL;
	struct mlv_conn *c = NULL;
	struct listing l;
	char url[160];

	assert_listing(f, "gc/", "");
	assert_listing(f, "no/such/dir/", "");
	put_key(f, "gc/a", "a");
	assert_listing(f, "gc/a/b/", "");
	/* a store nobody has pushed to yet */
	snprintf(url, sizeof(url), "file://%s/none", f->dir);
	assert_int_equal(mlv_backend_open(&b, url), 0);
	assert_int_equal(mlv_conn_open(&c, b), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(mlv_conn_list(c, "", collect, &l), 0);
	assert_int_equal(l.n, 0);
	mlv_conn_close(c);
	mlv_backend_free(b);
}

static void test_backend__list_callback_stops(void **state)
{
	struct fixture *f = *state;
	struct listing l;
	size_t i;

	put_key(f, "gc/a", "a");
	put_key(f, "gc/b/c", "b");
	put_key(f, "gc/d", "d");
	memset(&l, 0, sizeof(l));
	l.stop_after = 2;
	assert_int_equal(mlv_conn_list(f->c, "gc/", collect, &l), 7);
	assert_int_equal(l.n, 2);
	for (i = 0; i < l.n; i++)
		mlv_buf_release(&l.keys[i]);
}

static void test_backend__list_symlink_refused(void **state)
{
	struct fixture *f = *state;
	struct listing l;
	char path[256], target[256];

	put_key(f, "objects/ab/x", "x");
	snprintf(target, sizeof(target), "%s/elsewhere", f->dir);
	assert_int_equal(mkdir(target, 0777), 0);
	snprintf(path, sizeof(path), "%s/gc", f->remote);
	assert_int_equal(symlink(target, path), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(mlv_conn_list(f->c, "gc/", collect, &l), MLV_EINVALID);
	assert_non_null(strstr(mlv_error_last(), path));
	assert_non_null(strstr(mlv_error_last(), "symbolic link"));
	assert_int_equal(mlv_conn_list(f->c, "", collect, &l), MLV_EINVALID);
	while (l.n) /* objects/ may have come before the link */
		mlv_buf_release(&l.keys[--l.n]);
	/* a listing that does not reach the link is not stopped by it */
	assert_listing(f, "objects/", "objects/ab/x 1");
}

static void test_backend__delete(void **state)
{
	struct fixture *f = *state;
	uint64_t size;

	put_key(f, "gc/a", "a");
	assert_int_equal(mlv_conn_delete(f->c, "gc/a"), 0);
	assert_int_equal(mlv_conn_head(f->c, "gc/a", &size), MLV_ENOTFOUND);
	/* again, and under a directory that is not there */
	assert_int_equal(mlv_conn_delete(f->c, "gc/a"), 0);
	assert_int_equal(mlv_conn_delete(f->c, "no/such/key"), 0);
	assert_listing(f, "", "");
}

static void test_backend__move(void **state)
{
	struct fixture *f = *state;
	struct mlv_buf got = MLV_BUF_INIT;
	uint64_t size;

	put_key(f, "gc/a", "content");
	assert_int_equal(mlv_conn_move(f->c, "gc/a", "gc/moved/deeper/b"), 0);
	assert_int_equal(mlv_conn_head(f->c, "gc/a", &size), MLV_ENOTFOUND);
	assert_int_equal(mlv_conn_get_buf(f->c, "gc/moved/deeper/b", &got, NULL), 0);
	assert_string_equal(got.ptr, "content");
	/* onto a key that is there: it is replaced */
	put_key(f, "gc/c", "new");
	assert_int_equal(mlv_conn_move(f->c, "gc/c", "gc/moved/deeper/b"), 0);
	mlv_buf_clear(&got);
	assert_int_equal(mlv_conn_get_buf(f->c, "gc/moved/deeper/b", &got, NULL), 0);
	assert_string_equal(got.ptr, "new");
	assert_listing(f, "", "gc/moved/deeper/b 3");
	mlv_buf_release(&got);
}

static void test_backend__move_missing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mlv_conn_move(f->c, "gc/none", "gc/b"), MLV_ENOTFOUND);
	assert_non_null(strstr(mlv_error_last(), "'gc/none' is not in"));
	assert_non_null(strstr(mlv_error_last(), f->url));
	assert_int_equal(mlv_conn_move(f->c, "no/such/dir", "gc/b"), MLV_ENOTFOUND);
	assert_listing(f, "", "");
}

/* 5. the transfer queue */

static const char *const payloads[3] = { "first object", "second one",
					 "and a third, longer object" };

static void put_three(struct fixture *f, char oids[3][MLV_OID_HEXSZ + 1],
		      uint64_t sizes[3])
{
	int i;

	for (i = 0; i < 3; i++) {
		sizes[i] = strlen(payloads[i]);
		store_put(&f->store, oids[i], payloads[i], (size_t)sizes[i]);
	}
}

static void test_backend__upload(void **state)
{
	struct fixture *f = *state;
	char oids[3][MLV_OID_HEXSZ + 1];
	uint64_t sizes[3];
	struct mlv_transfer_result r[3];
	struct mlv_buf got = MLV_BUF_INIT;
	char path[512];
	struct stat st;
	int i;

	put_three(f, oids, sizes);
	run_transfer(f, &f->store, MLV_TRANSFER_UPLOAD, oids, sizes, 3, r);
	for (i = 0; i < 3; i++) {
		assert_int_equal(r[i].err, 0);
		assert_null(r[i].message);
		assert_int_equal(r[i].skipped, 0);
		assert_int_equal(r[i].size, sizes[i]);
		snprintf(path, sizeof(path), "%s/objects/%.2s/%.2s/%s", f->remote,
			 oids[i], oids[i] + 2, oids[i]);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, sizes[i]);
		mlv_buf_clear(&got);
		assert_int_equal(mlv_buf_read_file(&got, path), 0);
		assert_memory_equal(got.ptr, payloads[i], sizes[i]);
	}
	release_results(r, 3);

	/* again: the store has them all */
	run_transfer(f, &f->store, MLV_TRANSFER_UPLOAD, oids, sizes, 3, r);
	for (i = 0; i < 3; i++) {
		assert_int_equal(r[i].err, 0);
		assert_int_equal(r[i].skipped, 1);
	}
	release_results(r, 3);
	mlv_buf_release(&got);
}

static void test_backend__upload_missing_local(void **state)
{
	struct fixture *f = *state;
	char oids[1][MLV_OID_HEXSZ + 1] = { ABC_OID };
	uint64_t sizes[1] = { 3 };
	struct mlv_transfer_result r[1];
	struct mlv_transfer *t;
	struct mlv_transfer_result one;
	uint64_t size;

	run_transfer(f, &f->store, MLV_TRANSFER_UPLOAD, oids, sizes, 1, r);
	assert_true(r[0].err < 0);
	assert_non_null(r[0].message);
	assert_non_null(strstr(r[0].message, ABC_OID));
	release_results(r, 1);
	assert_int_equal(mlv_conn_head(f->c, "objects/ba/78/" ABC_OID, &size),
			 MLV_ENOTFOUND);

	/* the path given to add() is in the message and in the result */
	t = mlv_transfer_new(f->b, &f->store, MLV_TRANSFER_UPLOAD, 1, "t", 1);
	mlv_transfer_add(t, ABC_OID, 3, "data/model.bin");
	assert_int_equal(mlv_transfer_next(t, &one, 1), 1);
	assert_string_equal(one.path, "data/model.bin");
	assert_non_null(strstr(one.message, "data/model.bin"));
	mlv_transfer_result_release(&one);
	assert_int_equal(mlv_transfer_next(t, &one, 1), 0);
	mlv_transfer_free(t);
}

static void test_backend__download(void **state)
{
	struct fixture *f = *state;
	char oids[3][MLV_OID_HEXSZ + 1];
	uint64_t sizes[3];
	struct mlv_transfer_result r[3];
	int i;

	put_three(f, oids, sizes);
	run_transfer(f, &f->store, MLV_TRANSFER_UPLOAD, oids, sizes, 3, r);
	for (i = 0; i < 3; i++)
		assert_int_equal(r[i].err, 0);
	release_results(r, 3);

	for (i = 0; i < 3; i++)
		assert_int_equal(mlv_store_has(&f->store2, oids[i]), 0);
	run_transfer(f, &f->store2, MLV_TRANSFER_DOWNLOAD, oids, sizes, 3, r);
	for (i = 0; i < 3; i++) {
		assert_int_equal(r[i].err, 0);
		assert_null(r[i].message);
		assert_int_equal(mlv_store_has(&f->store2, oids[i]), 1);
		assert_int_equal(mlv_store_verify(&f->store2, oids[i]), 0);
	}
	release_results(r, 3);

	/* again: nothing to do, no error */
	run_transfer(f, &f->store2, MLV_TRANSFER_DOWNLOAD, oids, sizes, 3, r);
	for (i = 0; i < 3; i++)
		assert_int_equal(r[i].err, 0);
	release_results(r, 3);
}

static void test_backend__download_missing_remote(void **state)
{
	struct fixture *f = *state;
	char oids[1][MLV_OID_HEXSZ + 1] = { ABC_OID };
	uint64_t sizes[1] = { 3 };
	struct mlv_transfer_result r[1];

	run_transfer(f, &f->store2, MLV_TRANSFER_DOWNLOAD, oids, sizes, 1, r);
	assert_int_equal(r[0].err, MLV_ENOTFOUND);
	assert_non_null(r[0].message);
	assert_non_null(strstr(r[0].message, ABC_OID));
	assert_non_null(strstr(r[0].message, f->url));
	assert_int_equal(mlv_store_has(&f->store2, ABC_OID), 0);
	release_results(r, 1);
}

static void test_backend__download_corrupt_remote(void **state)
{
	struct fixture *f = *state;
	char oids[1][MLV_OID_HEXSZ + 1] = { ABC_OID };
	uint64_t sizes[1] = { 3 };
	struct mlv_transfer_result r[1];
	int fd = temp_file(f, "abd", 3);

	/* wrong bytes under the key of "abc" (no hash: the store takes it) */
	assert_int_equal(mlv_conn_put_file(f->c, "objects/ba/78/" ABC_OID, fd, 3,
					   NULL),
			 0);
	run_transfer(f, &f->store2, MLV_TRANSFER_DOWNLOAD, oids, sizes, 1, r);
	assert_int_equal(r[0].err, MLV_ECORRUPT);
	assert_non_null(strstr(r[0].message, ABC_OID));
	assert_int_equal(mlv_store_has(&f->store2, ABC_OID), 0);
	release_results(r, 1);
	close(fd);
}

static void test_backend__next_nonblocking_empty(void **state)
{
	struct fixture *f = *state;
	struct mlv_transfer *t;
	struct mlv_transfer_result one;

	t = mlv_transfer_new(f->b, &f->store, MLV_TRANSFER_UPLOAD, 0, "t", 1);
	assert_int_equal(mlv_transfer_next(t, &one, 0), 0);
	assert_int_equal(mlv_transfer_next(t, &one, 1), 0);
	assert_int_equal(mlv_transfer_pending(t), 0);
	mlv_transfer_free(t);
}

/* 6. store downloads */

static void test_backend__store_download_resume(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;

	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(d.have, 0);
	assert_int_equal(mlv_store_download_write(&d, "a", 1), 0);
	mlv_store_download_abort(&d);
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 0);

	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(d.have, 1);
	assert_int_equal(mlv_store_download_write(&d, "bc", 2), 0);
	assert_int_equal(mlv_store_download_commit(&d, 3), 0);
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 1);
	assert_int_equal(mlv_store_verify(&f->store, ABC_OID), 0);

	/* it is there now: nothing to download */
	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID),
			 MLV_EEXISTS);
	mlv_store_download_abort(&d);
}

static void test_backend__store_download_corrupt(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;

	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(mlv_store_download_write(&d, "abd", 3), 0);
	assert_int_equal(mlv_store_download_commit(&d, 3), MLV_ECORRUPT);
	assert_non_null(strstr(mlv_error_last(), ABC_OID));
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 0);
	assert_int_equal(mlv_store_verify(&f->store, ABC_OID), MLV_ENOTFOUND);

	/* the bad bytes were not kept for a resume */
	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(d.have, 0);
	mlv_store_download_abort(&d);
}

static void test_backend__store_download_wrong_size(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;

	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(mlv_store_download_write(&d, "abc", 3), 0);
	assert_int_equal(mlv_store_download_commit(&d, 4), MLV_ECORRUPT);
	assert_int_equal(mlv_store_has(&f->store, ABC_OID), 0);
	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(d.have, 0);
	mlv_store_download_abort(&d);
}

static void test_backend__store_download_discard(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;

	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(mlv_store_download_write(&d, "xy", 2), 0);
	mlv_store_download_abort(&d);
	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(d.have, 2);
	mlv_store_download_discard(&d);
	assert_int_equal(d.have, 0);
	assert_int_equal(mlv_store_download_write(&d, "abc", 3), 0);
	assert_int_equal(mlv_store_download_commit(&d, 3), 0);
	assert_int_equal(mlv_store_verify(&f->store, ABC_OID), 0);
}

static void test_backend__store_download_exists(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;
	char oid[MLV_OID_HEXSZ + 1];

	store_put(&f->store, oid, "abc", 3);
	assert_string_equal(oid, ABC_OID);
	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID),
			 MLV_EEXISTS);
	mlv_store_download_abort(&d); /* safe after EEXISTS */
}

static void test_backend__store_download_invalid_oid(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;

	assert_int_equal(mlv_store_download_open(&d, &f->store, "../../x"),
			 MLV_EINVALID);
	mlv_store_download_abort(&d);
}

/* 7. a copy written as the object downloads */

/* An empty temporary file, open for reading and writing. */
static int copy_file(struct fixture *f)
{
	return temp_file(f, "", 0);
}

/* Assert that `fd` holds exactly the `len` bytes of `want`. */
static void assert_file_holds(int fd, const void *want, size_t len)
{
	struct stat st;
	char *got = malloc(len + 1);

	assert_non_null(got);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, (off_t)len);
	assert_int_equal(pread(fd, got, len + 1, 0), (ssize_t)len);
	assert_memory_equal(got, want, len);
	free(got);
}

static void test_backend__store_download_tee_resume(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;
	int fd = temp_file(f, "stale bytes", 11);

	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(mlv_store_download_write(&d, "a", 1), 0);
	mlv_store_download_abort(&d);

	/* what the first attempt left goes to the copy first, in place of
	 * what the copy held */
	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(mlv_store_download_tee(&d, fd), 0);
	assert_file_holds(fd, "a", 1);
	assert_int_equal(mlv_store_download_write(&d, "bc", 2), 0);
	assert_int_equal(mlv_store_download_commit(&d, 3), 0);
	assert_file_holds(fd, "abc", 3);
	assert_int_equal(mlv_store_verify(&f->store, ABC_OID), 0);
	close(fd);
}

static void test_backend__store_download_tee_discard(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;
	int fd = copy_file(f);

	assert_int_equal(mlv_store_download_open(&d, &f->store, ABC_OID), 0);
	assert_int_equal(mlv_store_download_tee(&d, fd), 0);
	assert_int_equal(mlv_store_download_write(&d, "xy", 2), 0);
	mlv_store_download_discard(&d);
	assert_file_holds(fd, "", 0);
	assert_int_equal(mlv_store_download_write(&d, "abc", 3), 0);
	assert_int_equal(mlv_store_download_commit(&d, 3), 0);
	assert_file_holds(fd, "abc", 3);
	close(fd);
}

/* `len` bytes of a pattern, and their oid. */
static char *pattern(size_t len, char oid[MLV_OID_HEXSZ + 1])
{
	char *data = malloc(len);
	size_t i;

	assert_non_null(data);
	for (i = 0; i < len; i++)
		data[i] = (char)(i * 2654435761u >> 13);
	test_hash_hex(oid, data, len);
	return data;
}

/* Write data[from, to) into `d` in chunks of an odd size. */
static void write_chunks(struct mlv_store_download *d, const char *data,
			 size_t from, size_t to)
{
	const size_t step = 1000003;
	size_t i;

	for (i = from; i < to; i += step)
		assert_int_equal(mlv_store_download_write(d, data + i,
							  to - i < step ? to - i : step),
				 0);
}

/* Past the 8 MiB windows that are written back and leave the cache, and
 * (`direct`) past the point where the direct writer takes over: both
 * files still get every byte, in order. */
static void download_large(struct fixture *f, int direct)
{
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;
	const size_t len = 21 * 1024 * 1024 + 7;
	char oid[MLV_OID_HEXSZ + 1], *data = pattern(len, oid);
	int fd = copy_file(f), stored = -1;
	uint64_t size = 0;

	assert_int_equal(mlv_store_download_open(&d, &f->store, oid), 0);
	assert_int_equal(mlv_store_download_tee(&d, fd), 0);
	if (direct)
		mlv_store_download_direct(&d);
	write_chunks(&d, data, 0, len);
	if (direct)
		assert_non_null(d.direct); /* the writer took over */
	else
		assert_null(d.direct);
	assert_int_equal(mlv_store_download_commit(&d, len), 0);
	assert_file_holds(fd, data, len);
	assert_int_equal(mlv_store_open(&stored, &size, &f->store, oid), 0);
	assert_int_equal(size, len);
	assert_file_holds(stored, data, len);
	close(stored);
	close(fd);
	free(data);
}

static void test_backend__store_download_tee_large(void **state)
{
	download_large(*state, 0);
}

static void test_backend__store_download_direct_large(void **state)
{
	download_large(*state, 1);
}

/* A direct download stopped halfway keeps what arrived, staged bytes
 * included, and resumes from there to the right object. */
static void test_backend__store_download_direct_resume(void **state)
{
	struct fixture *f = *state;
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;
	const size_t len = 19 * 1024 * 1024 + 5, half = 13 * 1024 * 1024 + 3;
	char oid[MLV_OID_HEXSZ + 1], *data = pattern(len, oid);

	assert_int_equal(mlv_store_download_open(&d, &f->store, oid), 0);
	mlv_store_download_direct(&d);
	write_chunks(&d, data, 0, half);
	mlv_store_download_abort(&d);

	assert_int_equal(mlv_store_download_open(&d, &f->store, oid), 0);
	assert_int_equal(d.have, half);
	mlv_store_download_direct(&d);
	write_chunks(&d, data, half, len);
	assert_int_equal(mlv_store_download_commit(&d, len), 0);
	assert_int_equal(mlv_store_verify(&f->store, oid), 0);

	/* and a discard in direct mode starts again from nothing */
	assert_int_equal(mlv_store_download_open(&d, &f->store2, oid), 0);
	mlv_store_download_direct(&d);
	write_chunks(&d, data, 0, half);
	mlv_store_download_discard(&d);
	assert_int_equal(d.have, 0);
	write_chunks(&d, data, 0, len);
	assert_int_equal(mlv_store_download_commit(&d, len), 0);
	assert_int_equal(mlv_store_verify(&f->store2, oid), 0);
	free(data);
}

/* A file named `name` in the fixture holding `data`, open for reading. */
static int named_file(struct fixture *f, const char *name, const char *data,
		      char path[128])
{
	int fd;

	snprintf(path, 128, "%s/%s", f->dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	return fd;
}

/* mlv_transfer_add_copy(): the copy from the remote store, and from the
 * local one when the object is there already. */
static void test_backend__download_copy(void **state)
{
	struct fixture *f = *state;
	struct mlv_transfer *t;
	struct mlv_transfer_result r;
	char first[128], second[128];
	int fd = named_file(f, "copy1", "", first);
	int again = named_file(f, "copy2", "old content", second);
	int src = temp_file(f, "abc", 3);

	assert_int_equal(mlv_conn_put_file(f->c, "objects/ba/78/" ABC_OID, src, 3,
					   ABC_OID),
			 0);
	close(src);

	t = mlv_transfer_new(f->b, &f->store2, MLV_TRANSFER_DOWNLOAD, 1, "t", 1);
	mlv_transfer_add_copy(t, ABC_OID, 3, "m.bin", first);
	assert_int_equal(mlv_transfer_next(t, &r, 1), 1);
	assert_int_equal(r.err, 0);
	mlv_transfer_result_release(&r);
	assert_file_holds(fd, "abc", 3);
	assert_int_equal(mlv_store_verify(&f->store2, ABC_OID), 0);

	mlv_transfer_add_copy(t, ABC_OID, 3, "m.bin", second);
	assert_int_equal(mlv_transfer_next(t, &r, 1), 1);
	assert_int_equal(r.err, 0);
	mlv_transfer_result_release(&r);
	assert_file_holds(again, "abc", 3);

	/* a copy that cannot be opened fails that object, naming the file */
	mlv_transfer_add_copy(t, ABC_OID, 3, "m.bin", "/nonexistent/dir/copy");
	assert_int_equal(mlv_transfer_next(t, &r, 1), 1);
	assert_int_equal(r.err, MLV_ERROR);
	assert_non_null(strstr(r.message, "/nonexistent/dir/copy"));
	mlv_transfer_result_release(&r);
	mlv_transfer_free(t);
	close(fd);
	close(again);
}

/* Freeing the queue stops a running download rather than waiting for
 * it, and what it left resumes into the right object. */
static void test_backend__free_stops_download(void **state)
{
	struct fixture *f = *state;
	const size_t len = 48 * 1024 * 1024 + 1;
	char oid[MLV_OID_HEXSZ + 1], key[128], *data = pattern(len, oid);
	struct mlv_transfer *t;
	struct mlv_transfer_result r;
	int src = temp_file(f, data, len), i, begun = 0;

	snprintf(key, sizeof(key), "objects/%.2s/%.2s/%s", oid, oid + 2, oid);
	assert_int_equal(mlv_conn_put_file(f->c, key, src, len, oid), 0);
	close(src);

	t = mlv_transfer_new(f->b, &f->store2, MLV_TRANSFER_DOWNLOAD, 1, "t", 1);
	mlv_transfer_add(t, oid, len, "big.bin");
	for (i = 0; i < 5000; i++) { /* until it has begun, 5 s at most */
		char part[256];
		struct stat st;

		snprintf(part, sizeof(part), "%s/mlv/incomplete/%s", f->gitdir2, oid);
		if ((begun = stat(part, &st) == 0 && st.st_size > 0) ||
		    mlv_store_has(&f->store2, oid))
			break;
		usleep(1000);
	}
	mlv_transfer_free(t);
	if (begun) /* stopped after its first bytes, not waited for */
		assert_int_equal(mlv_store_has(&f->store2, oid), 0);

	t = mlv_transfer_new(f->b, &f->store2, MLV_TRANSFER_DOWNLOAD, 1, "t", 1);
	mlv_transfer_add(t, oid, len, "big.bin");
	assert_int_equal(mlv_transfer_next(t, &r, 1), 1);
	assert_int_equal(r.err, 0);
	mlv_transfer_result_release(&r);
	mlv_transfer_free(t);
	assert_int_equal(mlv_store_verify(&f->store2, oid), 0);
	free(data);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_backend__open_file_absolute),
		T(test_backend__open_file_relative_refused),
		T(test_backend__open_unknown_scheme_refused),
		T(test_backend__resolve_url),
		T(test_backend__open_plain_path),
		T(test_backend__open_missing_parent_refused),
		T(test_backend__transfer_summary),
		T(test_backend__object_key),
		T(test_backend__put_file_then_get),
		T(test_backend__put_file_wrong_hash),
		T(test_backend__put_file_never_overwrites),
		T(test_backend__put_empty_file),
		T(test_backend__get_from_offset),
		T(test_backend__get_sink_error_returned),
		T(test_backend__get_missing),
		T(test_backend__get_buf_over_cap),
		T(test_backend__cas),
		T(test_backend__list_prefix),
		T(test_backend__list_mtime),
		T(test_backend__list_skips_temp_files),
		T(test_backend__list_missing_prefix_dir),
		T(test_backend__list_callback_stops),
		T(test_backend__list_symlink_refused),
		T(test_backend__delete),
		T(test_backend__move),
		T(test_backend__move_missing),
		T(test_backend__upload),
		T(test_backend__upload_missing_local),
		T(test_backend__download),
		T(test_backend__download_missing_remote),
		T(test_backend__download_corrupt_remote),
		T(test_backend__next_nonblocking_empty),
		T(test_backend__store_download_resume),
		T(test_backend__store_download_corrupt),
		T(test_backend__store_download_wrong_size),
		T(test_backend__store_download_discard),
		T(test_backend__store_download_exists),
		T(test_backend__store_download_invalid_oid),
		T(test_backend__store_download_tee_resume),
		T(test_backend__store_download_tee_discard),
		T(test_backend__store_download_tee_large),
		T(test_backend__store_download_direct_large),
		T(test_backend__store_download_direct_resume),
		T(test_backend__download_copy),
		T(test_backend__free_stops_download),
	};
	int failed;

	git_libgit2_init();
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	git_libgit2_shutdown();
	return failed;
}
