#ifndef MLV_GC_H
#define MLV_GC_H

#include <stddef.h>
#include <stdint.h>

#include "mlv/backend.h"
#include "mlv/buf.h"
#include "mlv/manifest.h"
#include "mlv/repo.h"
#include "mlv/sync.h"

/*
 * Garbage collection of a remote store with a ref manifest (`git mlv gc
 * --remote`; docs/remote.md says why it cannot lose an object a ref
 * needs). Files it keeps in the store:
 *
 *   gc/mark-<id>        the objects every ref of the manifest reached
 *   gc/sweep-<id>       a sweep in progress, and how long it may run
 *   gc/tombstones-<id>  what one sweep moved (or is moving) to trash/
 *   gc/push-<id>        the objects one push relies on (written by push)
 *   trash/aa/bb/<oid>   a swept object, until the trash expires
 *
 * Each but the sweep marker is a sealed list:
 *
 *   # mlv gc <kind> 1
 *   <oid>[ <size>]
 *   end <sha256 of every byte before this line>
 *
 * A push and a sweep each write their own file before they read the
 * other's (push: record, then the sweep markers; sweep: marker, then the
 * push records), so at least one of them sees the other.
 */

#define MLV_GC_MARK "gc/mark-"
#define MLV_GC_SWEEP "gc/sweep-"
#define MLV_GC_TOMBSTONES "gc/tombstones-"
#define MLV_GC_PUSH "gc/push-"

/* How long a sweep may move objects unless the marker says otherwise. */
#define MLV_GC_LEASE_SECONDS 3600
/* The most a sweep marker may claim: what a push waits for at most. */
#define MLV_GC_LEASE_MAX 86400

/* "trash/aa/bb/<oid>": where a sweep moves an object. */
void mlv_gc_trash_key(struct mlv_buf *out, const char *oid);

/* A new id for a gc file: "<UTC time>-<8 random hex digits>". */
void mlv_gc_new_id(struct mlv_buf *out);

/* The objects of `l` as a sealed list of `kind` ("mark", "push", ...);
 * sizes too when `sizes`. */
void mlv_gc_list_format(struct mlv_buf *out, const char *kind,
			const struct mlv_sync_list *l, int sizes);

/*
 * Read the sealed list `key` of `kind` into `l` (sorted, no repeats).
 * MLV_ENOTFOUND when it is not there; MLV_EINVALID, naming the store and
 * key, when it is torn, of another kind or damaged.
 */
int mlv_gc_list_read(struct mlv_sync_list *l, struct mlv_conn *c,
		     const char *key, const char *kind);

/*
 * The push side. begin() records what the push relies on in a push
 * record, then notes the sweeps running now. wait() waits for each of
 * those to end (at most what its lease has left) and puts into `again`
 * the objects of `objects` that such a sweep moved away: the push
 * uploads them again before it writes the manifest.
 */
struct mlv_gc_guard {
	char **sweeps;     /* ids of the sweeps that were running */
	double *deadlines; /* per sweep, by mlv_progress_now() */
	size_t nsweeps;
};

#define MLV_GC_GUARD_INIT { NULL, NULL, 0 }

int mlv_gc_guard_begin(struct mlv_gc_guard *g, struct mlv_conn *c,
		       const struct mlv_sync_list *objects);
int mlv_gc_guard_wait(struct mlv_sync_list *again, struct mlv_gc_guard *g,
		      struct mlv_conn *c, const struct mlv_sync_list *objects,
		      int quiet);
void mlv_gc_guard_release(struct mlv_gc_guard *g);

struct mlv_gc_options {
	int64_t grace;     /* seconds between the two marks a sweep needs */
	int64_t lease;     /* seconds a sweep may move objects */
	int64_t trash;     /* seconds a swept object stays restorable */
	unsigned jobs;     /* moves at once (mlv.concurrenttransfers) */
	int dry_run;       /* write nothing, move nothing */
	int quiet;         /* no progress meter */
};

struct mlv_gc_result {
	struct mlv_buf mark;     /* the new mark's key ("" with dry_run) */
	struct mlv_buf previous; /* the earlier mark it was compared with */
	size_t reachable;        /* objects the refs reach */
	size_t objects;          /* in objects/ */
	uint64_t bytes;
	struct mlv_sync_list swept; /* moved (or, dry_run, to move) */
	uint64_t swept_bytes;
	size_t kept_young;       /* unreachable, but newer than the first mark */
	size_t kept_pushing;     /* unreachable, but a push relies on it */
	size_t left;             /* the lease ran out before these moved */
	size_t restored;         /* swept before, needed again: moved back */
	size_t expired;          /* trash emptied */
	int first_mark;          /* no mark old enough: nothing swept */
	int64_t wait_until;      /* with first_mark: when a sweep can run */
};

#define MLV_GC_RESULT_INIT \
	{ MLV_BUF_INIT, MLV_BUF_INIT, 0, 0, 0, MLV_SYNC_LIST_INIT, 0, 0, 0, 0, 0, 0, 0, 0 }

/* The first ref of `m` whose commit `r` lacks, or NULL. */
const struct mlv_manifest_ref *mlv_gc_missing_tip(struct mlv_repo *r,
						  const struct mlv_manifest *m);

/*
 * Mark what the refs of `m` (read from the store just before) reach in
 * `r`, which must hold their history, then sweep what two marks agree
 * no ref reaches into trash/, and empty the trash of old sweeps. Refuses
 * while another sweep runs, and on any file in objects/ that is not an
 * object, moving nothing.
 */
int mlv_gc_run(struct mlv_gc_result *res, struct mlv_repo *r,
	       struct mlv_conn *c, const struct mlv_manifest *m,
	       const struct mlv_gc_options *o);

void mlv_gc_result_release(struct mlv_gc_result *res);

/* Move every object the tombstones name back from trash/ into objects/,
 * `jobs` at a time; how many into `restored`. */
int mlv_gc_restore(size_t *restored, struct mlv_conn *c, unsigned jobs, int quiet);

#endif
