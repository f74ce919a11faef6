#ifndef MLV_LAZY_H
#define MLV_LAZY_H

#include "mlv/backend.h"
#include "mlv/pointer.h"
#include "mlv/repo.h"
#include "mlv/sync.h"
#include "mlv/transfer.h"

/*
 * Lazy fetch: a checkout that needs an object the local store lacks gets
 * it from the store of the current remote (mlv_sync_default_remote()),
 * now or through a queue of concurrent downloads (the filter protocol's
 * delay capability). mlv.fetchinclude / mlv.fetchexclude decide which
 * paths are fetched at all; the others stay pointers. The store is found
 * and opened on first need, once.
 */
struct mlv_lazy {
	struct mlv_repo *repo;
	struct mlv_backend *backend;
	int open_err;   /* the store could not be opened: this, with ... */
	char *open_msg; /* ... this message, for every object */
	struct mlv_transfer *queue; /* delayed downloads */
	struct mlv_transfer *now;   /* one at a time, waited for */
	struct mlv_conn *conn;      /* for streamed downloads */
	struct mlv_sync_filter filter; /* mlv.fetchinclude/fetchexclude */
	int skip_errors; /* mlv.skipdownloaderrors */
	int quiet;
	struct mlv_transfer_stats streamed; /* what mlv_lazy_stream() moved */
	/* told, before the store is opened, the line to show when the store
	 * came from a committed file (mlv_sync_store_notice()) */
	void (*notice)(const char *message);
};

void mlv_lazy_init(struct mlv_lazy *l, struct mlv_repo *r, int quiet);
void mlv_lazy_release(struct mlv_lazy *l);

/* 1 when the fetch filter lets `path` be fetched. */
int mlv_lazy_wanted(struct mlv_lazy *l, const char *path);

/* Download `p` into the local store now. The message names the path,
 * the object and the store. */
int mlv_lazy_fetch(struct mlv_lazy *l, const struct mlv_pointer *p,
		   const char *path);

/*
 * Download `p` into the local store and pass its bytes on as they arrive
 * (bytes a killed download left in incomplete/ first), so that a large
 * file reaches git while it downloads: `copy` gets ranges of the file in
 * incomplete/, to splice into a pipe without another copy. The object is
 * checked at the end: MLV_ECORRUPT then means `copy` was given wrong bytes
 * that must be discarded; nothing enters the store.
 */
int mlv_lazy_stream(struct mlv_lazy *l, const struct mlv_pointer *p,
		    const char *path, mlv_copy_fn copy, void *ctx);

/* Objects this large are streamed rather than queued (see above). */
#define MLV_LAZY_STREAM_MIN (32ull << 20)

/* Queue `p` for download; mlv_lazy_next() reports it when done. With a
 * `copy_path` the bytes also go to that file, as by
 * mlv_transfer_add_copy(). */
int mlv_lazy_queue(struct mlv_lazy *l, const struct mlv_pointer *p,
		   const char *path, const char *copy_path);

/* As mlv_transfer_next(): 0 when nothing is queued. */
int mlv_lazy_next(struct mlv_lazy *l, struct mlv_transfer_result *out,
		  int block);

/*
 * The line that sums up every download so far, now, queued or streamed
 * ("downloaded 3 files, 1.20 GiB in 2.5 s", see mlv_transfer_summary()),
 * for the one line a command ends with: 1, or 0 when nothing was
 * downloaded or `l` is quiet.
 */
int mlv_lazy_summary(struct mlv_buf *out, struct mlv_lazy *l);

#endif
