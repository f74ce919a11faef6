#ifndef MLV_WORKTREE_H
#define MLV_WORKTREE_H

#include <git2.h>

#include "mlv/pointer.h"
#include "mlv/repo.h"

/* What the work tree holds at the path of an mlv file. */
enum mlv_worktree_state {
	MLV_WT_MISSING,      /* no file there */
	MLV_WT_POINTER,      /* the pointer text itself, not the content */
	MLV_WT_MATERIALIZED, /* the content the pointer names */
	MLV_WT_MODIFIED      /* anything else */
};

/* "missing", "pointer", "materialized", "modified". */
const char *mlv_worktree_state_name(enum mlv_worktree_state state);

/*
 * Classify the work tree file `path` (relative to the work tree) against
 * the pointer `p`. When `e` (its index entry) is given and the file's stat
 * data still match it, the file is taken to be what was last added;
 * otherwise, with `deep`, content is hashed to tell materialized from
 * modified, and without it any non-pointer file of the right size counts
 * as materialized.
 */
int mlv_worktree_state(enum mlv_worktree_state *out, struct mlv_repo *r,
		       const char *path, const struct mlv_pointer *p,
		       const git_index_entry *e, int deep);

/*
 * Replace the work tree file at `path` with the content `p` names, from the
 * local store, verified while it is written to a temporary file beside it,
 * then renamed over the old file with `mode` (0644 or 0755). The old file
 * stays as it was on any failure.
 */
int mlv_worktree_materialize(struct mlv_repo *r, const char *path,
			     const struct mlv_pointer *p, unsigned mode);

#endif
