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

/* 1 when the stat data of the work tree file `path` still match its
 * index entry `e` (git would not look at its content). */
int mlv_worktree_recorded(struct mlv_repo *r, const char *path,
			  const git_index_entry *e);

/*
 * Replace the work tree file at `path` with the content `p` names, from the
 * local store, verified while it is written to a temporary file beside it,
 * then renamed over the old file with `mode` (0644 or 0755). The old file
 * stays as it was on any failure.
 */
int mlv_worktree_materialize(struct mlv_repo *r, const char *path,
			     const struct mlv_pointer *p, unsigned mode);

/*
 * Put the finished file `tmp` (same file system) in place of the work tree
 * file `path`, which must still hold exactly the `len` bytes of `pointer`:
 * what git wrote there when the filter answered with the pointer. It takes
 * that file's permissions. MLV_ECONFLICT, and nothing changed, when `path`
 * holds anything else by now.
 */
int mlv_worktree_replace_pointer(struct mlv_repo *r, const char *path,
				 const char *tmp, const char *pointer,
				 size_t len);

/* A work tree file mlv has just written with the content of the pointer
 * in blob `blob`, verified. */
struct mlv_worktree_file {
	const char *path;
	git_oid blob;
};

/*
 * Record the stat data of `files` in their entries of `index` (read again
 * first) and write it. Git compares stat data before content and takes a
 * size that differs from the one in the index (the pointer's) for changed
 * content without reading the file, so `git update-index --refresh` cannot
 * clear such entries and `git status` would call every one of them
 * modified. Their content was verified as it was written, so an entry
 * (same blob, same mode) only gets the new stat data; an entry whose blob
 * is not `blob` any more is left alone, and an index without any of the
 * paths is not written. Every other entry and the index file's time stay
 * as they were (so git still takes for racily clean what it did).
 */
int mlv_worktree_record_stat(git_index *index, const char *workdir,
			     const struct mlv_worktree_file *files, size_t n);

#endif
