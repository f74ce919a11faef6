#ifndef MLV_BACKEND_H
#define MLV_BACKEND_H

#include <stdint.h>

#include "mlv/buf.h"
#include "mlv/convert.h"

/*
 * A remote store: where pushed objects, packs and the ref manifest live,
 * chosen by the scheme of its URL:
 *
 *   file:///path          a directory (one machine, a shared drive)
 *   s3://bucket/prefix    AWS S3 and S3-compatible stores (SigV4)
 *
 * Keys are paths under the URL's prefix ("objects/aa/bb/<oid>",
 * "git/packs/<name>.pack", "git/refs"). A store is opened once and is
 * read-only afterwards; the work goes through connections, one per thread,
 * each reusing its own network connection across requests.
 */

struct mlv_backend;
struct mlv_conn;

/*
 * Open the store for `url`. An absolute path ("/srv/store") means the
 * same as file:///srv/store, as git takes paths for its own remotes; a
 * relative one must be resolved first (below). The message names the URL
 * on failure.
 */
int mlv_backend_open(struct mlv_backend **out, const char *url);

/*
 * `url` as mlv_backend_open() reads it (malloc'd): a path, absolute or
 * relative to `base` (or, when `base` is NULL, left relative), becomes a
 * file:// URL with "." and ".." taken out; any other URL is copied as
 * it is.
 */
char *mlv_backend_resolve_url(const char *url, const char *base);
void mlv_backend_free(struct mlv_backend *b);

/* The URL as the user gave it (a path as its file:// URL), for messages. */
const char *mlv_backend_url(const struct mlv_backend *b);

/* "objects/aa/bb/<oid>" into `out`. */
void mlv_backend_object_key(struct mlv_buf *out, const char *oid);

int mlv_conn_open(struct mlv_conn **out, struct mlv_backend *b);
void mlv_conn_close(struct mlv_conn *c);

/*
 * Byte counts as they move, for a progress meter: called from the thread
 * doing the transfer with the bytes moved since the last call.
 */
typedef void (*mlv_bytes_fn)(void *ctx, uint64_t bytes);
void mlv_conn_on_bytes(struct mlv_conn *c, mlv_bytes_fn fn, void *ctx);

/* 0 with its size when `key` exists, MLV_ENOTFOUND when not. */
int mlv_conn_head(struct mlv_conn *c, const char *key, uint64_t *size);

/*
 * Stream `key` from byte `offset` to its end into `sink`. MLV_ENOTFOUND
 * when it does not exist (nothing given to the sink). A sink error stops
 * the transfer and is returned.
 */
int mlv_conn_get(struct mlv_conn *c, const char *key, uint64_t offset,
		 mlv_write_fn sink, void *ctx);

/*
 * A small object whole, with its version tag (an ETag) in `etag` when
 * non-NULL. Objects larger than `out`'s cap fail with MLV_EINVALID.
 */
int mlv_conn_get_buf(struct mlv_conn *c, const char *key, struct mlv_buf *out,
		     struct mlv_buf *etag);

/*
 * Store `size` bytes of `fd` (from its start) as `key`, whose SHA-256 is
 * `sha256_hex` (lets the server check what arrived). Readers never see
 * part of it: it appears whole or not at all. Objects are written once:
 * MLV_EEXISTS when `key` is there already (where the store can tell).
 */
int mlv_conn_put_file(struct mlv_conn *c, const char *key, int fd,
		      uint64_t size, const char *sha256_hex);

/*
 * Replace a small object by compare-and-swap: `if_match` is the ETag the
 * caller read (the write happens only if the object still has it), or NULL
 * when the object must not exist yet. MLV_ECONFLICT when someone else
 * changed it first; the new ETag into `etag` when non-NULL.
 */
int mlv_conn_put_buf_cas(struct mlv_conn *c, const char *key, const void *data,
			 size_t len, const char *if_match, struct mlv_buf *etag);

/*
 * Remove the temporary files that writers killed more than `max_age`
 * seconds ago left in the store (a file:// store's tmp/); `*removed`
 * counts them. A store that leaves none does nothing. 0, or a negative
 * error with the message naming the store.
 */
int mlv_conn_clean_temp(struct mlv_conn *c, unsigned max_age, size_t *removed);

/* One key a listing found: its name under the store's URL, its size and
 * when it was last written, in seconds since the epoch by the store's own
 * clock (an S3 server's LastModified, a file's mtime). */
struct mlv_store_entry {
	const char *key;
	uint64_t size;
	int64_t mtime;
};

/* Called once per key a listing finds; nonzero stops the listing and is
 * what mlv_conn_list() returns. */
typedef int (*mlv_list_fn)(void *ctx, const struct mlv_store_entry *e);

/*
 * Every key that begins with `prefix` ("gc/", "objects/", "gc/sweep-"),
 * in no set order: S3 ListObjectsV2, page after page; a directory walk
 * in a file:// store, where temporary files (tmp/, ".tmp-*") and the
 * locks of compare-and-swap ("<key>.lock") are not keys, and a directory
 * that is a symbolic link is refused (MLV_EINVALID, naming it). A prefix
 * nothing has is an empty listing, not an error.
 */
int mlv_conn_list(struct mlv_conn *c, const char *prefix, mlv_list_fn fn,
		  void *ctx);

/* Remove `key`. 0 also when it was not there. */
int mlv_conn_delete(struct mlv_conn *c, const char *key);

/*
 * Move `from` to `to`: a rename in a directory, a server-side copy and
 * then the delete of `from` in S3, so that at every moment the bytes are
 * under one of the two keys or both, never neither. `to` is replaced if
 * it is there. MLV_ENOTFOUND when `from` is not there.
 */
int mlv_conn_move(struct mlv_conn *c, const char *from, const char *to);

/* The age past which a push's temporary file belongs to no running push. */
#define MLV_STALE_PUSH_TEMP_SECONDS 3600

/*
 * For backend implementations: one const table per URL scheme (as curl's
 * protocol handlers), each function the counterpart of mlv_conn_*().
 * `open` parses what follows "scheme://" and sets the store's `impl`.
 */
struct mlv_backend_ops {
	const char *scheme;
	int (*open)(struct mlv_backend *b, const char *rest);
	void (*free)(struct mlv_backend *b);
	int (*conn_open)(struct mlv_conn *c);
	void (*conn_close)(struct mlv_conn *c);
	int (*head)(struct mlv_conn *c, const char *key, uint64_t *size);
	int (*get)(struct mlv_conn *c, const char *key, uint64_t offset,
		   mlv_write_fn sink, void *ctx);
	int (*get_buf)(struct mlv_conn *c, const char *key, struct mlv_buf *out,
		       struct mlv_buf *etag);
	int (*put_file)(struct mlv_conn *c, const char *key, int fd,
			uint64_t size, const char *sha256_hex);
	int (*put_buf_cas)(struct mlv_conn *c, const char *key, const void *data,
			   size_t len, const char *if_match, struct mlv_buf *etag);
	/* remove what killed writers left (may be NULL: nothing to clean) */
	int (*clean_temp)(struct mlv_conn *c, unsigned max_age, size_t *removed);
	int (*list)(struct mlv_conn *c, const char *prefix, mlv_list_fn fn,
		    void *ctx);
	int (*delete)(struct mlv_conn *c, const char *key);
	int (*move)(struct mlv_conn *c, const char *from, const char *to);
};

struct mlv_backend {
	const struct mlv_backend_ops *ops;
	char *url;
	void *impl;
	/* Large uploads go in parts of `part_size` bytes, `part_jobs` at a
	 * time, when the backend can do that (S3 multipart upload). */
	uint64_t multipart_threshold;
	uint64_t part_size;
	unsigned part_jobs;
	/* A move copies an object this large in parts of `part_size` (S3
	 * UploadPartCopy): S3 copies at most 5 GiB in one request. */
	uint64_t copy_part_threshold;
};

struct mlv_conn {
	struct mlv_backend *backend;
	void *impl;
	mlv_bytes_fn on_bytes;
	void *on_bytes_ctx;
	/* put_file overwrites an object that is there (git mlv push
	 * --repair): the one exception to "written once, never overwritten" */
	int replace;
};

extern const struct mlv_backend_ops mlv_backend_file;
extern const struct mlv_backend_ops mlv_backend_s3;

#endif
