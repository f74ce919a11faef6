#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlv/buf.h"
#include "mlv/datadir.h"
#include "mlv/error.h"
#include "mlv/pointer.h"
#include "mlv/quote.h"
#include "mlv/repo.h"
#include "mlv/sha256.h"
#include "mlv/trace.h"
#include "mlv/util.h"

#define MAX_PROBLEMS 10            /* named per directory, then a count */
#define PARALLEL_MIN 256           /* blobs to read before threads pay */
#define MAX_READERS 4
#define MANIFEST_CHUNK (64 * 1024) /* manifest bytes hashed at a time */

/* ------------------------------------------------------------------ */
/* The cache: tables of fixed-size records keyed by a git id. */

#define KEY_LEN GIT_OID_RAWSZ
#define MAGIC_LEN 8
#define HEADER_LEN (MAGIC_LEN + 8) /* magic, record count */
#define SEAL_LEN MLV_OID_RAWSZ     /* SHA-256 of everything before it */

/*
 * In memory a record is followed by one byte that says whether this
 * process used it, so that a table over its bound keeps those.
 */
struct table {
	const char *file;     /* under <common dir>/mlv/cache/ */
	const char *magic;    /* MAGIC_LEN bytes */
	size_t rec;           /* bytes on disk: key, then value */
	size_t max;           /* records a save keeps */
	unsigned char *recs;  /* n records sorted by key */
	size_t n, alloc;
	unsigned char *fresh; /* found since the last merge, unsorted */
	size_t nfresh, fresh_alloc;
	int loaded, dirty;
};

struct mlv_datadir_cache {
	git_repository *repo;
	git_odb *odb;
	char *root; /* the git common dir, no trailing '/' */
	struct table blobs, trees;
};

#define BLOB_VALUE (MLV_OID_RAWSZ + 8)     /* mlv oid, size */
#define TREE_VALUE (MLV_OID_RAWSZ + 8 + 8) /* manifest oid, files, size */

static void put_u64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void raw_to_hex(char hex[MLV_OID_HEXSZ + 1], const unsigned char *raw)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < MLV_OID_RAWSZ; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 0xf];
	}
	hex[MLV_OID_HEXSZ] = '\0';
}

/* `hex` is valid: 64 lowercase hex digits. */
static void hex_to_raw(unsigned char *raw, const char *hex)
{
	int i;

	for (i = 0; i < MLV_OID_RAWSZ; i++) {
		unsigned hi = (unsigned char)hex[2 * i], lo = (unsigned char)hex[2 * i + 1];

		hi = hi <= '9' ? hi - '0' : hi - 'a' + 10;
		lo = lo <= '9' ? lo - '0' : lo - 'a' + 10;
		raw[i] = (unsigned char)(hi << 4 | lo);
	}
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, KEY_LEN);
}

static char *table_path(const struct mlv_datadir_cache *c, const struct table *t)
{
	struct mlv_buf path = MLV_BUF_INIT;

	mlv_buf_printf(&path, "%s/mlv/cache/%s", c->root, t->file);
	return mlv_buf_detach(&path);
}

/* The table's file, if it is whole and sealed; else an empty table that
 * the next save replaces. */
static void table_load(struct mlv_datadir_cache *c, struct table *t)
{
	struct mlv_buf file = MLV_BUF_INIT;
	char *path = NULL;
	char seal[MLV_OID_HEXSZ + 1], want[MLV_OID_HEXSZ + 1];
	const unsigned char *p;
	uint64_t count;
	size_t i, stride = t->rec + 1;
	int err;

	if (t->loaded)
		goto done;
	t->loaded = 1;
	path = table_path(c, t);
	mlv_buf_init(&file, HEADER_LEN + (2 * t->max + 1) * t->rec + SEAL_LEN);
	if ((err = mlv_buf_read_file(&file, path)) < 0) {
		if (err != MLV_ENOTFOUND) {
			mlv_trace("datadir cache: %s", mlv_error_last());
			t->dirty = 1;
		}
		mlv_error_clear();
		goto done;
	}
	p = (const unsigned char *)file.ptr;
	count = file.len >= HEADER_LEN ? get_u64(p + MAGIC_LEN) : 0;
	if (file.len < HEADER_LEN + SEAL_LEN || memcmp(p, t->magic, MAGIC_LEN) ||
	    count > (file.len - HEADER_LEN - SEAL_LEN) / t->rec ||
	    HEADER_LEN + count * t->rec + SEAL_LEN != file.len ||
	    mlv_sha256_buf(want, p, file.len - SEAL_LEN) < 0)
		goto damaged;
	raw_to_hex(seal, p + file.len - SEAL_LEN);
	if (strcmp(seal, want))
		goto damaged;
	for (i = 1; i < count; i++)
		if (key_cmp(p + HEADER_LEN + (i - 1) * t->rec,
			    p + HEADER_LEN + i * t->rec) >= 0)
			goto damaged;
	t->recs = mlv_xreallocarray(NULL, count ? count : 1, stride);
	t->alloc = count ? count : 1;
	for (i = 0; i < count; i++) {
		memcpy(t->recs + i * stride, p + HEADER_LEN + i * t->rec, t->rec);
		t->recs[i * stride + t->rec] = 0;
	}
	t->n = count;
	goto done;
damaged:
	mlv_trace("datadir cache: '%s' is damaged; rebuilding it", path);
	t->dirty = 1;
done:
	mlv_buf_release(&file);
	free(path);
}

/* The value stored for `key`, or NULL. */
static const unsigned char *table_find(struct mlv_datadir_cache *c,
				       struct table *t, const unsigned char *key)
{
	unsigned char *found = NULL;
	size_t lo = 0, hi, stride = t->rec + 1;

	table_load(c, t);
	hi = t->n;
	while (lo < hi && !found) {
		size_t mid = lo + (hi - lo) / 2;
		unsigned char *r = t->recs + mid * stride;
		int cmp = key_cmp(key, r);

		if (!cmp)
			found = r;
		else if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (found)
		found[t->rec] = 1; /* used: a save keeps it */
	return found ? found + KEY_LEN : NULL;
}

static void table_add(struct table *t, const unsigned char *key,
		      const unsigned char *value)
{
	size_t stride = t->rec + 1;
	unsigned char *r;

	if (t->nfresh >= t->fresh_alloc) {
		t->fresh_alloc = t->fresh_alloc ? 2 * t->fresh_alloc : 64;
		t->fresh = mlv_xreallocarray(t->fresh, t->fresh_alloc, stride);
	}
	r = t->fresh + t->nfresh++ * stride;
	memcpy(r, key, KEY_LEN);
	memcpy(r + KEY_LEN, value, t->rec - KEY_LEN);
	r[t->rec] = 1;
	t->dirty = 1;
}

/* Fold the fresh records into the sorted ones (a key found twice once). */
static void table_merge(struct table *t)
{
	size_t stride = t->rec + 1, i = 0, j = 0, k = 0;
	unsigned char *merged;

	if (!t->nfresh)
		return;
	qsort(t->fresh, t->nfresh, stride, key_cmp);
	merged = mlv_xreallocarray(NULL, t->n + t->nfresh, stride);
	while (i < t->n || j < t->nfresh) {
		const unsigned char *a = i < t->n ? t->recs + i * stride : NULL;
		const unsigned char *b = j < t->nfresh ? t->fresh + j * stride : NULL;
		int cmp = !a ? 1 : !b ? -1 : key_cmp(a, b);

		if (k && key_cmp(merged + (k - 1) * stride, cmp <= 0 ? a : b) == 0) {
			merged[(k - 1) * stride + t->rec] = 1;
		} else {
			memcpy(merged + k * stride, cmp <= 0 ? a : b, stride);
			k++;
		}
		if (cmp <= 0)
			i++;
		else
			j++;
	}
	free(t->recs);
	t->recs = merged;
	t->n = k;
	t->alloc = t->n + t->nfresh;
	t->nfresh = 0;
}

static int table_save(struct mlv_datadir_cache *c, struct table *t)
{
	struct mlv_buf out = MLV_BUF_INIT;
	unsigned char head[HEADER_LEN], seal[SEAL_LEN];
	char hex[MLV_OID_HEXSZ + 1], *path = NULL;
	size_t stride = t->rec + 1, i, keep_unused, kept = 0, used = 0;
	int err = 0;

	if (!t->dirty)
		goto done;
	table_merge(t);
	for (i = 0; i < t->n; i++)
		used += t->recs[i * stride + t->rec];
	/* over the bound: everything this process used, then what fits */
	keep_unused = t->n <= t->max ? t->n : used < t->max ? t->max - used : 0;
	memcpy(head, t->magic, MAGIC_LEN);
	mlv_buf_put(&out, head, MAGIC_LEN);
	mlv_buf_put(&out, head, 8); /* the count, set below */
	for (i = 0; i < t->n; i++) {
		const unsigned char *r = t->recs + i * stride;

		if (!r[t->rec]) {
			if (!keep_unused)
				continue;
			keep_unused--;
		}
		mlv_buf_put(&out, r, t->rec);
		kept++;
	}
	put_u64((unsigned char *)out.ptr + MAGIC_LEN, kept);
	if ((err = mlv_sha256_buf(hex, out.ptr, out.len)) < 0)
		goto done;
	hex_to_raw(seal, hex);
	mlv_buf_put(&out, seal, SEAL_LEN);
	path = table_path(c, t);
	if ((err = mlv_dirs_beneath(c->root, path, 1)) < 0 ||
	    (err = mlv_write_file_atomic(path, out.ptr, out.len, 0666)) < 0)
		goto done;
	t->dirty = 0;
done:
	mlv_buf_release(&out);
	free(path);
	return err;
}

static void table_release(struct table *t)
{
	free(t->recs);
	free(t->fresh);
}

int mlv_datadir_cache_new(struct mlv_datadir_cache **out, git_repository *repo)
{
	static const struct table blobs = { "datadir-blobs", "MLVDDB1\n",
					    KEY_LEN + BLOB_VALUE, 1 << 18 };
	static const struct table trees = { "datadir-trees", "MLVDDT1\n",
					    KEY_LEN + TREE_VALUE, 1 << 16 };
	struct mlv_datadir_cache *c = calloc(1, sizeof(*c));
	const char *common = git_repository_commondir(repo);
	size_t len = strlen(common);
	int err;

	*out = NULL;
	if (!c)
		abort();
	c->repo = repo;
	c->blobs = blobs;
	c->trees = trees;
	while (len > 1 && common[len - 1] == '/')
		len--;
	if (!(c->root = mlv_xstrndup(common, len)))
		abort();
	if ((err = git_repository_odb(&c->odb, repo)) < 0) {
		err = mlv_error_from_git(err, "cannot open the object database");
		goto done;
	}
	*out = c;
	c = NULL;
done:
	mlv_datadir_cache_free(c);
	return err;
}

int mlv_datadir_cache_save(struct mlv_datadir_cache *c)
{
	int err = table_save(c, &c->blobs);

	if (!err)
		err = table_save(c, &c->trees);
	return err;
}

void mlv_datadir_cache_free(struct mlv_datadir_cache *c)
{
	if (!c)
		return;
	table_release(&c->blobs);
	table_release(&c->trees);
	git_odb_free(c->odb);
	free(c->root);
	free(c);
}

/* ------------------------------------------------------------------ */
/* What one blob hashes to. */

/* Hashes content and keeps its first bytes, which may be a pointer. */
struct blob_hash {
	struct mlv_sha256 sha;
	char head[MLV_POINTER_MAX];
	uint64_t total;
};

static void blob_hash_feed(struct blob_hash *h, const void *data, size_t len)
{
	if (h->total < sizeof(h->head)) {
		size_t n = sizeof(h->head) - (size_t)h->total;

		memcpy(h->head + h->total, data, n < len ? n : len);
	}
	mlv_sha256_update(&h->sha, data, len);
	h->total += len;
}

/* An mlv file's oid and size are its pointer's; any other file's are
 * those of its bytes. */
static void blob_hash_finish(struct mlv_datadir_file *f, struct blob_hash *h)
{
	struct mlv_pointer p;

	if (h->total > 0 && h->total < sizeof(h->head) &&
	    mlv_pointer_parse(&p, h->head, (size_t)h->total) == 0) {
		memcpy(f->oid, p.oid, sizeof(f->oid));
		f->size = p.size;
		return;
	}
	mlv_sha256_final_hex(f->oid, &h->sha);
	f->size = h->total;
}

/*
 * 1 when the blob is a loose object of fewer than MLV_POINTER_MAX bytes on
 * disk: read whole, it inflates to 1 MiB at the most (deflate's ratio is
 * below 1:1032), and one read is the cheapest way to it (a header read
 * first would open and inflate it twice).
 */
static int small_loose_object(struct mlv_datadir_cache *c, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1], path[PATH_MAX];
	struct stat st;

	git_oid_tostr(hex, sizeof(hex), id);
	return snprintf(path, sizeof(path), "%s/objects/%.2s/%s", c->root, hex,
			hex + 2) < (int)sizeof(path) &&
	       stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_size < MLV_POINTER_MAX;
}

/*
 * Hash the blob of `f` from the object database without holding a large
 * one whole where libgit2 can stream it (loose objects); a large packed
 * blob is read whole, as git itself reads it.
 */
static int hash_blob(struct mlv_datadir_file *f, struct mlv_datadir_cache *c,
		     const char *dir)
{
	struct blob_hash h = { MLV_SHA256_INIT, { 0 }, 0 };
	git_odb_stream *stream = NULL;
	git_odb_object *obj = NULL;
	git_object_t type = GIT_OBJECT_INVALID;
	char *chunk = NULL, hex[GIT_OID_HEXSZ + 1];
	size_t len = 0;
	int err;

	if ((err = mlv_sha256_init(&h.sha)) < 0)
		goto done;
	if (!small_loose_object(c, &f->blob) &&
	    (err = git_odb_read_header(&len, &type, c->odb, &f->blob)) == 0 &&
	    len >= MLV_IO_CHUNK &&
	    git_odb_open_rstream(&stream, &len, &type, c->odb, &f->blob) == 0) {
		ssize_t n;

		chunk = mlv_xmalloc(MLV_IO_CHUNK);
		while ((n = git_odb_stream_read(stream, chunk, MLV_IO_CHUNK)) > 0)
			blob_hash_feed(&h, chunk, (size_t)n);
		err = n < 0 || h.total != len ? -1 : 0;
	} else if (err == 0) {
		git_error_clear();
		if ((err = git_odb_read(&obj, c->odb, &f->blob)) == 0) {
			type = git_odb_object_type(obj);
			blob_hash_feed(&h, git_odb_object_data(obj),
				       git_odb_object_size(obj));
		}
	}
	if (err < 0) {
		const git_error *ge = git_error_last();

		git_oid_tostr(hex, sizeof(hex), &f->blob);
		mlv_error_set("cannot read '%s%s' (blob %s): %s", dir, f->path, hex,
			      ge && ge->message ? ge->message : "read error");
		err = err == GIT_ENOTFOUND ? MLV_ENOTFOUND : MLV_ERROR;
		goto done;
	}
	if (type != GIT_OBJECT_BLOB) {
		git_oid_tostr(hex, sizeof(hex), &f->blob);
		mlv_error_set("'%s%s' names %s, which is not a blob", dir, f->path, hex);
		err = MLV_ECORRUPT;
		goto done;
	}
	blob_hash_finish(f, &h);
done:
	if (stream)
		git_odb_stream_free(stream);
	git_odb_object_free(obj);
	mlv_sha256_release(&h.sha);
	free(chunk);
	return err;
}

/* Blobs that the cache does not know, read by several threads at once. */
struct readers {
	struct mlv_datadir_cache *cache;
	const char *dir;
	struct mlv_datadir_file **todo;
	size_t n, next; /* `next` is taken atomically */
	int stop;
};

struct reader {
	struct readers *all;
	pthread_t thread;
	int started, err;
	char *msg; /* the error message, from the thread that failed */
};

static void *read_blobs(void *arg)
{
	struct reader *r = arg;
	struct readers *all = r->all;
	size_t i;

	while (!__atomic_load_n(&all->stop, __ATOMIC_RELAXED) &&
	       (i = __atomic_fetch_add(&all->next, 1, __ATOMIC_RELAXED)) < all->n) {
		if ((r->err = hash_blob(all->todo[i], all->cache, all->dir)) < 0) {
			r->msg = mlv_xstrdup(mlv_error_last());
			__atomic_store_n(&all->stop, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

/*
 * Hash the `n` blobs of `todo`: in this thread when they are few, else on
 * every CPU (libgit2's object database locks for itself; each reader has
 * its own inflate and SHA-256 state). A cold cache of a directory of
 * 20,000 loose objects is read twice as fast on two cores.
 */
static int read_missing(struct mlv_datadir_cache *c, const char *dir,
			struct mlv_datadir_file **todo, size_t n)
{
	struct readers all = { c, dir, todo, n, 0, 0 };
	struct reader r[MAX_READERS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t k, want = 1;
	int err = 0;

	memset(r, 0, sizeof(r));
	if (n >= PARALLEL_MIN && (git_libgit2_features() & GIT_FEATURE_THREADS))
		want = cpus < 1 ? 1 : cpus > MAX_READERS ? MAX_READERS : (size_t)cpus;
	for (k = 0; k < want; k++)
		r[k].all = &all;
	for (k = 1; k < want; k++)
		r[k].started = pthread_create(&r[k].thread, NULL, read_blobs, &r[k]) == 0;
	read_blobs(&r[0]);
	for (k = 1; k < want; k++)
		if (r[k].started)
			pthread_join(r[k].thread, NULL);
	for (k = 0; k < want; k++) {
		if (r[k].err < 0 && !err) {
			err = r[k].err;
			mlv_error_set("%s", r[k].msg);
		}
		free(r[k].msg);
	}
	return err;
}

/* Every file's oid and size: from the cache, else from its blob (then
 * remembered). */
static int file_oids(struct mlv_datadir *d, struct mlv_datadir_cache *c,
		     const char *dir)
{
	struct mlv_datadir_file **todo = NULL;
	unsigned char value[BLOB_VALUE];
	size_t i, n = 0, alloc = 0;
	int err;

	for (i = 0; i < d->n; i++) {
		struct mlv_datadir_file *f = &d->files[i];
		const unsigned char *hit = table_find(c, &c->blobs, f->blob.id);

		if (hit) {
			raw_to_hex(f->oid, hit);
			f->size = get_u64(hit + MLV_OID_RAWSZ);
		} else {
			MLV_ALLOC_GROW(todo, n, alloc);
			todo[n++] = f;
		}
	}
	if ((err = read_missing(c, dir, todo, n)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		hex_to_raw(value, todo[i]->oid);
		put_u64(value + MLV_OID_RAWSZ, todo[i]->size);
		table_add(&c->blobs, todo[i]->blob.id, value);
	}
	table_merge(&c->blobs);
done:
	free(todo);
	return err;
}

/* ------------------------------------------------------------------ */
/* The manifest. */

static void manifest_line(struct mlv_buf *b, const struct mlv_datadir_file *f)
{
	char num[24];
	size_t k = sizeof(num);
	uint64_t v = f->size;

	do
		num[--k] = (char)('0' + v % 10);
	while ((v /= 10));
	mlv_buf_put(b, f->oid, MLV_OID_HEXSZ);
	mlv_buf_putc(b, ' ');
	mlv_buf_put(b, num + k, sizeof(num) - k);
	mlv_buf_putc(b, ' ');
	mlv_buf_puts(b, f->path);
	mlv_buf_putc(b, '\n');
}

int mlv_datadir_format(struct mlv_buf *out, const struct mlv_datadir *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		manifest_line(out, &d->files[i]);
	return 0;
}

static int path_cmp(const void *a, const void *b)
{
	const struct mlv_datadir_file *x = a, *y = b;

	return strcmp(x->path, y->path);
}

void mlv_datadir_release(struct mlv_datadir *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->files[i].path);
	free(d->files);
	memset(d, 0, sizeof(*d));
}

/* ------------------------------------------------------------------ */
/* Collecting a directory's files from a tree or the index. */

/* Where files come from: one lookup of a path's mode, for explaining a
 * missing directory. 0 when found; MLV_ENOTFOUND. */
typedef int (*lookup_fn)(unsigned *mode, void *source, const char *path);

struct collect {
	struct mlv_datadir *out;
	struct mlv_problems *problems;
	struct mlv_datadir_cache *cache;
	const char *dir;
	size_t dirlen;
	size_t nproblems;
	const char *missing; /* how to say that nothing is there */
	lookup_fn lookup;
	void *source;
	struct mlv_buf scratch;
};

/* `s` for a message: control characters as C escapes, so that one
 * problem stays on one line. */
static const char *shown(struct mlv_buf *b, const char *s)
{
	mlv_buf_clear(b);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\n')
			mlv_buf_puts(b, "\\n");
		else if (ch == '\t')
			mlv_buf_puts(b, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			mlv_buf_printf(b, "\\%03o", ch);
		else
			mlv_buf_putc(b, (char)ch);
	}
	return b->ptr;
}

static void collect_problem(struct collect *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void collect_problem(struct collect *c, const char *fmt, ...)
{
	struct mlv_buf msg = MLV_BUF_INIT;
	va_list ap;

	if (c->nproblems++ >= MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	mlv_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	mlv_problems_add(c->problems, "%s", msg.ptr);
	mlv_buf_release(&msg);
}

/* What a non-file entry is, for "'x' is a symbolic link". */
static const char *mode_name(unsigned mode)
{
	return mode == GIT_FILEMODE_LINK ? "a symbolic link" :
	       mode == GIT_FILEMODE_COMMIT ? "a submodule" :
	       mode == GIT_FILEMODE_TREE ? "a directory" : "a file";
}

/* One entry under the directory, `rel` relative to it. */
static void collect_entry(struct collect *c, const char *rel, unsigned mode,
			  const git_oid *id)
{
	struct mlv_datadir *d = c->out;
	struct mlv_datadir_file *f;
	struct mlv_buf q = MLV_BUF_INIT, full = MLV_BUF_INIT;

	mlv_buf_printf(&full, "%s%s", c->dir, rel);
	if (strchr(rel, '\n')) {
		collect_problem(c, "'%s' has a line break in its name, which a "
				"manifest line cannot hold; rename it",
				shown(&c->scratch, full.ptr));
	} else if (mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT ||
		   mode == GIT_FILEMODE_TREE) {
		collect_problem(c, "'%s' is %s, and a data directory holds only "
				"regular files%s; move it out of '%s', or take it "
				"out of git with: git rm --cached %s",
				shown(&c->scratch, full.ptr), mode_name(mode),
				mode == GIT_FILEMODE_LINK ?
				" (mlv never records what a link points to)" : "",
				c->dir, mlv_quote_pathspec(&q, full.ptr));
	} else {
		MLV_ALLOC_GROW(d->files, d->n, d->alloc);
		f = &d->files[d->n++];
		memset(f, 0, sizeof(*f));
		f->path = mlv_xstrdup(rel);
		git_oid_cpy(&f->blob, id);
	}
	mlv_buf_release(&q);
	mlv_buf_release(&full);
}

/* Nothing under the directory: say why, naming a file or link that
 * stands where one of its directories should be. */
static void explain_missing(struct collect *c)
{
	struct mlv_buf prefix = MLV_BUF_INIT;
	const char *slash;
	unsigned mode;

	for (slash = strchr(c->dir, '/'); slash; slash = strchr(slash + 1, '/')) {
		mlv_buf_clear(&prefix);
		mlv_buf_put(&prefix, c->dir, (size_t)(slash - c->dir));
		if (c->lookup(&mode, c->source, prefix.ptr) == 0 &&
		    mode != GIT_FILEMODE_TREE) {
			collect_problem(c, "data directory '%s' is not a directory: "
					"'%s' is %s", c->dir,
					shown(&c->scratch, prefix.ptr), mode_name(mode));
			goto done;
		}
	}
	collect_problem(c, "data directory '%s' %s", c->dir, c->missing);
done:
	mlv_buf_release(&prefix);
}

static int is_sorted(const struct mlv_datadir *d)
{
	size_t i = 1;

	while (i < d->n && strcmp(d->files[i - 1].path, d->files[i].path) < 0)
		i++;
	return i >= d->n;
}

/* Every file's oid, the order, the manifest's oid and the totals. */
static int finish(struct collect *c)
{
	struct mlv_datadir *d = c->out;
	struct mlv_sha256 sha = MLV_SHA256_INIT;
	struct mlv_buf chunk = MLV_BUF_INIT;
	size_t i;
	int err = 0;

	if (!d->n && !c->nproblems)
		explain_missing(c);
	if (c->nproblems > MAX_PROBLEMS)
		mlv_problems_add(c->problems, "... and %zu more like these under '%s'",
				 c->nproblems - MAX_PROBLEMS, c->dir);
	if (c->nproblems) {
		err = MLV_EINVALID;
		goto done;
	}
	if ((err = file_oids(d, c->cache, c->dir)) < 0)
		goto done;
	for (i = 0; i < d->n; i++) {
		if (d->size + d->files[i].size < d->size) {
			mlv_problems_add(c->problems, "data directory '%s' holds more "
					 "than 2^64 bytes, by its pointers", c->dir);
			err = MLV_EINVALID;
			goto done;
		}
		d->size += d->files[i].size;
	}
	if (!is_sorted(d))
		qsort(d->files, d->n, sizeof(*d->files), path_cmp);
	if ((err = mlv_sha256_init(&sha)) < 0)
		goto done;
	for (i = 0; i < d->n; i++) {
		manifest_line(&chunk, &d->files[i]);
		if (chunk.len >= MANIFEST_CHUNK || i + 1 == d->n) {
			mlv_sha256_update(&sha, chunk.ptr, chunk.len);
			mlv_buf_clear(&chunk);
		}
	}
	mlv_sha256_final_hex(d->oid, &sha);
	d->count = d->n;
done:
	if (err < 0)
		mlv_datadir_release(d);
	mlv_sha256_release(&sha);
	mlv_buf_release(&chunk);
	return err;
}

static int check_dir_arg(const char *dir)
{
	size_t len = strlen(dir);
	int err = 0;

	if (len < 2 || dir[len - 1] != '/' || dir[0] == '/') {
		mlv_error_set("'%s' is no data directory path (relative, ending "
			      "in '/')", dir);
		err = MLV_ERROR;
	}
	return err;
}

static void collect_init(struct collect *c, struct mlv_datadir *out,
			 struct mlv_problems *problems,
			 struct mlv_datadir_cache *cache, const char *dir)
{
	memset(out, 0, sizeof(*out));
	memset(c, 0, sizeof(*c));
	c->out = out;
	c->problems = problems;
	c->cache = cache;
	c->dir = dir;
	c->dirlen = strlen(dir);
	mlv_buf_init(&c->scratch, 0);
}

/* --- from a tree --- */

static int tree_lookup(unsigned *mode, void *source, const char *path)
{
	git_tree_entry *te = NULL;
	int err = MLV_ENOTFOUND;

	if (git_tree_entry_bypath(&te, source, path) == 0) {
		*mode = git_tree_entry_filemode(te);
		err = 0;
	}
	git_error_clear();
	git_tree_entry_free(te);
	return err;
}

static int visit_tree_entry(const char *root, const git_tree_entry *te,
			    void *payload)
{
	struct collect *c = payload;
	struct mlv_buf rel = MLV_BUF_INIT;
	unsigned mode = git_tree_entry_filemode(te);
	int skip = 0;

	mlv_buf_puts(&rel, root);
	mlv_buf_puts(&rel, git_tree_entry_name(te));
	if (mode == GIT_FILEMODE_TREE) {
		/* every file below would have the line break: say it once */
		if (strchr(git_tree_entry_name(te), '\n')) {
			collect_problem(c, "'%s%s/' has a line break in its name, "
					"which a manifest line cannot hold; rename it",
					c->dir, shown(&c->scratch, rel.ptr));
			skip = 1;
		}
	} else {
		collect_entry(c, rel.ptr, mode, git_tree_entry_id(te));
	}
	mlv_buf_release(&rel);
	return skip;
}

/*
 * The subtree of `dir` in `root` into `*sub` (NULL when it is not there,
 * which finish() explains).
 */
static int dir_tree(git_tree **sub, struct collect *c, git_tree *root)
{
	git_tree_entry *te = NULL;
	char *path = mlv_xstrndup(c->dir, c->dirlen - 1);
	int err = 0;

	*sub = NULL;
	if (git_tree_entry_bypath(&te, root, path) < 0 ||
	    git_tree_entry_type(te) != GIT_OBJECT_TREE) {
		git_error_clear();
		goto done;
	}
	if ((err = git_tree_lookup(sub, git_tree_owner(root),
				   git_tree_entry_id(te))) < 0)
		err = mlv_error_from_git(err, c->dir);
done:
	git_tree_entry_free(te);
	free(path);
	return err;
}

/* Collect and finish the directory `sub` (NULL: not there) of `root`. */
static int from_tree(struct collect *c, git_tree *root, git_tree *sub)
{
	int err = 0;

	c->lookup = tree_lookup;
	c->source = root;
	c->missing = "is not in this commit";
	if (sub && (err = git_tree_walk(sub, GIT_TREEWALK_PRE, visit_tree_entry,
					c)) < 0)
		err = mlv_error_from_git(err, c->dir);
	else
		err = finish(c);
	return err;
}

static void remember_tree(struct mlv_datadir_cache *cache, const git_tree *sub,
			  const struct mlv_datadir *d)
{
	unsigned char value[TREE_VALUE];

	hex_to_raw(value, d->oid);
	put_u64(value + MLV_OID_RAWSZ, d->count);
	put_u64(value + MLV_OID_RAWSZ + 8, d->size);
	table_add(&cache->trees, git_tree_id(sub)->id, value);
	table_merge(&cache->trees);
}

static int tree_common(struct mlv_datadir *out, struct mlv_problems *problems,
		       struct mlv_datadir_cache *cache, git_tree *root,
		       const char *dir, int summary)
{
	struct collect c;
	git_tree *sub = NULL;
	const unsigned char *hit;
	int err;

	collect_init(&c, out, problems, cache, dir);
	if ((err = check_dir_arg(dir)) < 0 || (err = dir_tree(&sub, &c, root)) < 0)
		goto done;
	if (summary && sub &&
	    (hit = table_find(cache, &cache->trees, git_tree_id(sub)->id))) {
		raw_to_hex(out->oid, hit);
		out->count = (size_t)get_u64(hit + MLV_OID_RAWSZ);
		out->size = get_u64(hit + MLV_OID_RAWSZ + 8);
		goto done;
	}
	if ((err = from_tree(&c, root, sub)) == 0)
		remember_tree(cache, sub, out);
done:
	git_tree_free(sub);
	mlv_buf_release(&c.scratch);
	return err;
}

int mlv_datadir_from_tree_cached(struct mlv_datadir *out,
				 struct mlv_problems *problems,
				 struct mlv_datadir_cache *cache, git_tree *root,
				 const char *dir)
{
	return tree_common(out, problems, cache, root, dir, 0);
}

int mlv_datadir_summary_from_tree(struct mlv_datadir *out,
				  struct mlv_problems *problems,
				  struct mlv_datadir_cache *cache, git_tree *root,
				  const char *dir)
{
	return tree_common(out, problems, cache, root, dir, 1);
}

/* --- from the index --- */

static int index_lookup(unsigned *mode, void *source, const char *path)
{
	const git_index_entry *e = git_index_get_bypath(source, path, 0);

	git_error_clear();
	if (e)
		*mode = e->mode;
	return e ? 0 : MLV_ENOTFOUND;
}

int mlv_datadir_from_index_cached(struct mlv_datadir *out,
				  struct mlv_problems *problems,
				  struct mlv_datadir_cache *cache,
				  git_index *index, const char *dir)
{
	struct collect c;
	const char *last_unmerged = "";
	size_t i, n = git_index_entrycount(index);
	int err;

	collect_init(&c, out, problems, cache, dir);
	c.lookup = index_lookup;
	c.source = index;
	c.missing = "has no file in the index; git add it";
	if ((err = check_dir_arg(dir)) < 0)
		goto done;
	if (git_index_find_prefix(&i, index, dir) < 0)
		i = n;
	git_error_clear();
	/* with core.ignorecase the index sorts without case: the entries
	 * that match but for case are contiguous, and the exact ones are
	 * among them */
	for (; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);

		if (strncasecmp(e->path, dir, c.dirlen))
			break;
		if (strncmp(e->path, dir, c.dirlen))
			continue;
		if (GIT_INDEX_ENTRY_STAGE(e) != 0) {
			if (strcmp(e->path, last_unmerged))
				collect_problem(&c, "'%s' is unmerged; resolve the "
						"conflict and git add it",
						shown(&c.scratch, e->path));
			last_unmerged = e->path;
			continue;
		}
		/* `git add -N`: not part of what a commit records */
		if (e->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD)
			continue;
		collect_entry(&c, e->path + c.dirlen, e->mode, &e->id);
	}
	err = finish(&c);
done:
	mlv_buf_release(&c.scratch);
	return err;
}

/* --- with a cache of their own --- */

int mlv_datadir_from_tree(struct mlv_datadir *out, struct mlv_problems *problems,
			  git_repository *repo, git_tree *root, const char *dir)
{
	struct mlv_datadir_cache *cache = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = mlv_datadir_cache_new(&cache, repo)) == 0 &&
	    (err = mlv_datadir_from_tree_cached(out, problems, cache, root, dir)) == 0)
		mlv_datadir_cache_save(cache);
	mlv_datadir_cache_free(cache);
	return err;
}

int mlv_datadir_from_index(struct mlv_datadir *out, struct mlv_problems *problems,
			   git_repository *repo, git_index *index,
			   const char *dir)
{
	struct mlv_datadir_cache *cache = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = mlv_datadir_cache_new(&cache, repo)) == 0 &&
	    (err = mlv_datadir_from_index_cached(out, problems, cache, index,
						 dir)) == 0)
		mlv_datadir_cache_save(cache);
	mlv_datadir_cache_free(cache);
	return err;
}

/* ------------------------------------------------------------------ */
/* What changed between two versions. */

struct change {
	const struct mlv_datadir_file *before, *after; /* NULL: added, removed */
};

int mlv_datadir_describe_changes(struct mlv_buf *out,
				 const struct mlv_datadir *before,
				 const struct mlv_datadir *after, const char *dir,
				 size_t max_names)
{
	struct change *ch = NULL;
	struct mlv_buf a = MLV_BUF_INIT, b = MLV_BUF_INIT;
	size_t n = 0, alloc = 0, i = 0, j = 0, k, named = 0, total = 0;

	while (i < before->n || j < after->n) {
		const struct mlv_datadir_file *x = i < before->n ? &before->files[i] : NULL;
		const struct mlv_datadir_file *y = j < after->n ? &after->files[j] : NULL;
		int cmp = !x ? 1 : !y ? -1 : strcmp(x->path, y->path);

		if (!cmp && !strcmp(x->oid, y->oid) && x->size == y->size) {
			i++;
			j++;
			continue;
		}
		MLV_ALLOC_GROW(ch, n, alloc);
		ch[n].before = cmp <= 0 ? x : NULL;
		ch[n].after = cmp >= 0 ? y : NULL;
		n++;
		i += cmp <= 0;
		j += cmp >= 0;
	}
	/* a removed file whose content was added elsewhere moved */
	for (k = 0; k < n && n < 4096; k++) {
		size_t m;

		if (!ch[k].before || ch[k].after)
			continue;
		for (m = 0; m < n; m++)
			if (!ch[m].before && ch[m].after &&
			    !strcmp(ch[m].after->oid, ch[k].before->oid) &&
			    ch[m].after->size == ch[k].before->size) {
				ch[k].after = ch[m].after;
				ch[m].after = NULL; /* folded into k */
				break;
			}
	}
	for (k = 0; k < n; k++)
		total += ch[k].before || ch[k].after;
	if (!total)
		goto done;
	mlv_buf_printf(out, "%zu file%s differ%s:", total, total == 1 ? "" : "s",
		       total == 1 ? "s" : "");
	for (k = 0; k < n && named < max_names; k++) {
		const struct change *c = &ch[k];

		if (!c->before && !c->after)
			continue;
		mlv_buf_puts(out, named ? ", " : " ");
		if (c->before && c->after && strcmp(c->before->path, c->after->path))
			mlv_buf_printf(out, "'%s%s' renamed to '%s%s'", dir,
				       shown(&a, c->before->path), dir,
				       shown(&b, c->after->path));
		else
			mlv_buf_printf(out, "'%s%s' %s", dir,
				       shown(&a, (c->after ? c->after : c->before)->path),
				       !c->before ? "added" : !c->after ? "removed" :
				       "changed");
		named++;
	}
	if (total > named)
		mlv_buf_printf(out, " and %zu more", total - named);
done:
	free(ch);
	mlv_buf_release(&a);
	mlv_buf_release(&b);
	return 0;
}
