#ifndef MLV_HISTORY_H
#define MLV_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "mlv/pointer.h"
#include "mlv/repo.h"

/*
 * Model versions in history (../shared/DESIGN.md, "Lineage queries"). A
 * model version is a (commit, model path) where the commit adds or
 * changes the file at the path and the same commit's tree holds its
 * sidecar `PATH.mlv` beside it. A merge is a version of a path only when
 * the path differs from every parent (a merge that takes a branch's model
 * as it is adds no version, as `git log -- PATH` shows no such merge).
 *
 * Finding the versions means comparing each commit's tree with its
 * parents'. What a commit changes never changes, so the answer per commit
 * is kept in `<git common dir>/mlv/lineage-cache`: derived data, sealed
 * with its SHA-256, read whole and rewritten by rename when a walk meets
 * commits it lacks. A cache that is missing, damaged or of another format
 * is rebuilt from history; commits it does not know are scanned; it never
 * answers for a commit it was not written from.
 */

struct mlv_version {
	git_oid commit;
	git_oid model_blob;                /* git's id of the model's blob */
	git_oid sidecar_blob;              /* git's id of PATH.mlv's blob */
	char model_oid[MLV_OID_HEXSZ + 1]; /* the model's mlv oid */
	uint64_t model_size;
	char *path;                        /* the model, repository-relative */
};

struct mlv_history {
	struct mlv_version *versions; /* newest first, in the walk's order */
	size_t n, alloc;
	size_t commits; /* commits walked */
	size_t scanned; /* of them, ones the cache did not know */
};

#define MLV_HISTORY_INIT { NULL, 0, 0, 0, 0 }

/*
 * A revision walk for `rev` (NULL: HEAD) or, with `all`, every ref (and
 * HEAD), newest first with no parent before its children (git log
 * --topo-order --date-order). MLV_ENOTFOUND when `rev` names nothing.
 */
int mlv_history_revwalk(git_revwalk **out, struct mlv_repo *r, const char *rev,
			int all);

/*
 * Append to `h` every model version among the commits `walk` yields; only
 * versions of the `nmodels` paths in `models` when `nmodels` is not 0.
 * 0, or a negative error with its message set.
 */
int mlv_history_walk(struct mlv_history *h, struct mlv_repo *r,
		     git_revwalk *walk, const char *const *models,
		     size_t nmodels);

/* The newest version in `h` whose model has the mlv oid `oid`, or NULL. */
const struct mlv_version *mlv_history_find_oid(const struct mlv_history *h,
					       const char *oid);

void mlv_history_release(struct mlv_history *h);

#endif
