#ifndef MLV_TRANSFER_H
#define MLV_TRANSFER_H

#include <stdint.h>

#include "mlv/backend.h"
#include "mlv/store.h"

/*
 * The transfer queue: objects moving between the local store and a remote
 * store, `jobs` at a time, each worker thread on its own connection (so
 * connections are reused from one object to the next).
 *
 *   t = mlv_transfer_new(...);            start the workers
 *   mlv_transfer_add(t, oid, size, path)  queue an object (any time)
 *   while (mlv_transfer_next(t, &r, 1) > 0)
 *           ... r.err, r.message ...      each object as it finishes
 *   mlv_transfer_free(t);
 *
 * An upload skips what the remote store already has; a large one goes in
 * parallel parts (the backend's multipart upload). A download lands in the
 * local store's incomplete/, resumes what an interrupted one left there,
 * and becomes visible only after its size and SHA-256 are checked. Network
 * errors, 5xx and throttling are retried by the backend with backoff.
 * A git-style progress meter counts objects and bytes on stderr.
 */

/*
 * MLV_TRANSFER_CHECK moves nothing: it asks the remote store whether it
 * has each object (one HEAD each, `jobs` at a time). A result is 0 when
 * the store has the object with the size given, MLV_ENOTFOUND when it
 * lacks it, MLV_ECORRUPT when its copy has another size.
 */
enum mlv_transfer_direction {
	MLV_TRANSFER_UPLOAD,
	MLV_TRANSFER_DOWNLOAD,
	MLV_TRANSFER_CHECK
};

struct mlv_transfer;

struct mlv_transfer_result {
	char oid[MLV_OID_HEXSZ + 1];
	uint64_t size;
	char *path;    /* as given to add(), may be NULL */
	int err;       /* 0 or a negative mlv error */
	char *message; /* why it failed, NULL on success */
	int skipped;   /* an upload the store already had, a download the
			* local store had */
};

/*
 * What transfers moved, summed for the one line a command prints after
 * them ("uploaded 301 files, 50.10 MiB in 0.7 s"): objects moved (not
 * those already there), bytes sent or received, and the monotonic times
 * (mlv_progress_now()) of the first start and the last finish.
 */
struct mlv_transfer_stats {
	size_t files;
	uint64_t bytes;
	double start, end;
};

#define MLV_TRANSFER_STATS_INIT { 0, 0, 0, 0 }

/* Add `from` to `into`: counts summed, the times spanning both. */
void mlv_transfer_stats_merge(struct mlv_transfer_stats *into,
			      const struct mlv_transfer_stats *from);

/*
 * "uploaded N files, SIZE in S s" ("downloaded" for a download) into
 * `out`, without "mlv: " or a newline; 1, or 0 (and `out` empty) when
 * nothing was moved.
 */
int mlv_transfer_summary(struct mlv_buf *out, enum mlv_transfer_direction dir,
			 const struct mlv_transfer_stats *s);

struct mlv_transfer *mlv_transfer_new(struct mlv_backend *b,
				      const struct mlv_store *local,
				      enum mlv_transfer_direction dir,
				      unsigned jobs, const char *title, int quiet);

/* Queue `oid` of `size` bytes; `path` names it in messages (or NULL). */
void mlv_transfer_add(struct mlv_transfer *t, const char *oid, uint64_t size,
		      const char *path);

/*
 * As mlv_transfer_add() for a download that also writes the object into
 * the existing file `copy_path` (emptied first) as the bytes arrive, or
 * from the local store when it is already there. The file is open only
 * while its download runs. Only a successful result means it holds the
 * whole, verified object.
 */
void mlv_transfer_add_copy(struct mlv_transfer *t, const char *oid,
			   uint64_t size, const char *path,
			   const char *copy_path);

/*
 * The next finished object into `out` (release it with
 * mlv_transfer_result_release): 1 when one was taken, 0 when nothing is
 * queued or running, or when `block` is 0 and none has finished yet.
 */
int mlv_transfer_next(struct mlv_transfer *t, struct mlv_transfer_result *out,
		      int block);
void mlv_transfer_result_release(struct mlv_transfer_result *r);

/* What `t` has moved so far, added to `s`. */
void mlv_transfer_stats_add(struct mlv_transfer_stats *s, struct mlv_transfer *t);

/* Objects queued or running but not yet taken by next(). */
unsigned mlv_transfer_pending(struct mlv_transfer *t);

/* Stop and free everything (results not taken are lost): queued objects
 * are dropped, running downloads stop at their next bytes (what arrived
 * stays in incomplete/ for a resume), running uploads are waited for. */
void mlv_transfer_free(struct mlv_transfer *t);

#endif
