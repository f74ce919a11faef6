#ifndef MLV_PRUNE_H
#define MLV_PRUNE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mlv/backend.h"
#include "mlv/repo.h"
#include "mlv/sync.h"

/*
 * Which objects of the local store nothing needs any more
 * (`git mlv prune`; docs/prune.md lists what is kept and why).
 *
 * The plan reads every worktree's index and HEAD, every stash entry,
 * every ref and reflog and every registry tag once, then sorts each
 * stored object into one of three lots:
 *
 *   kept          something listed in enum mlv_prune_reason needs it
 *   confirm       a commit refers to it, but none that is kept: it may go
 *                 once the remote store is seen to have it
 *   unreferenced  no commit, index or stash refers to it and it is older
 *                 than the grace period: nothing can ask for it again
 *
 * Nothing is deleted here: the caller deletes the two last lots with
 * mlv_store_remove(), after mlv_prune_confirm().
 */

/* Why an object is kept: the first of these that holds. */
enum mlv_prune_reason {
	MLV_PRUNE_INDEX,         /* an entry of some worktree's index, any stage */
	MLV_PRUNE_CHECKOUT,      /* the commit some worktree has checked out */
	MLV_PRUNE_STASH,         /* a stash entry: work tree, index, untracked */
	MLV_PRUNE_REGISTRY,      /* a commit a registry tag names */
	MLV_PRUNE_UNPUSHED,      /* a commit the remote's refs do not reach */
	MLV_PRUNE_RECENT,        /* a commit of the last recent_days */
	MLV_PRUNE_YOUNG,         /* written within the grace period */
	MLV_PRUNE_NOT_ON_REMOTE, /* the remote store lacks it */
	MLV_PRUNE_NREASONS
};

/* "index", "checkout", ...: for messages. */
const char *mlv_prune_reason_name(enum mlv_prune_reason why);

struct mlv_prune_options {
	/* the remote whose remote-tracking refs (refs/remotes/<remote>/)
	 * say what is pushed; NULL: none, so every commit is kept */
	const char *remote;
	unsigned recent_days; /* commits this recent keep their objects */
	unsigned expire_days; /* objects this young are kept, whatever */
	time_t now;
	int quiet;            /* no progress meter */
};

struct mlv_prune_plan {
	struct mlv_sync_list confirm;      /* with a path that names each */
	struct mlv_sync_list unreferenced; /* no path */
	size_t objects;                    /* in the store */
	uint64_t bytes;
	size_t kept[MLV_PRUNE_NREASONS];   /* by the first reason */
	uint64_t kept_bytes;
	size_t commits;                    /* walked */
};

#define MLV_PRUNE_PLAN_INIT \
	{ MLV_SYNC_LIST_INIT, MLV_SYNC_LIST_INIT, 0, 0, { 0 }, 0, 0 }

/*
 * Make the plan. Fails, deciding nothing, on a shallow clone (it cannot
 * see the history it would keep objects for), on a worktree it cannot
 * open, on a file in objects/ that is not an object (it names it), and
 * with MLV_ENOTFOUND on a repository with no commits.
 */
int mlv_prune_plan(struct mlv_prune_plan *plan, struct mlv_repo *r,
		   const struct mlv_prune_options *o);

/*
 * Ask the store `b` about every object of `plan->confirm`, batched
 * through the transfer queue: those it lacks (or holds with another
 * size) move to `lacking` and count as kept. When the store cannot be
 * asked, an error, and `plan->confirm` is emptied so that nothing of it
 * is deleted.
 */
int mlv_prune_confirm(struct mlv_sync_list *lacking, struct mlv_prune_plan *plan,
		      struct mlv_repo *r, struct mlv_backend *b, int quiet);

void mlv_prune_plan_release(struct mlv_prune_plan *plan);

#endif
