#ifndef MLV_COMPARE_H
#define MLV_COMPARE_H

#include <git2.h>
#include <jansson.h>

#include "mlv/datadir.h"
#include "mlv/repo.h"

/*
 * What differs between two versions of a model (`git mlv diff`), as the
 * documented JSON object (docs/queries.md, docs/schema/diff.schema.json):
 * the model's oid and size, version, name, params, metrics (with the
 * change), environment, config and lockfile (with a unified diff when both
 * are text files in Git), base, code, and each data input, with the files
 * a data directory gained, lost, changed or renamed. Everything comes
 * from trees, the index and sidecars: no data is downloaded.
 */

/* One side of a comparison: a commit's tree, or the work tree (its
 * sidecar files, with the index for models and data directories). */
struct mlv_compare_side {
	char *label;        /* what to call it: the revision as given, or "work tree" */
	git_commit *commit; /* NULL for the work tree */
	git_tree *tree;
	git_index *index;   /* the work tree side only */
};

#define MLV_COMPARE_SIDE_INIT { NULL, NULL, NULL, NULL }

/* The side of the commit `rev` names. MLV_ENOTFOUND when it names none. */
int mlv_compare_side_commit(struct mlv_compare_side *s, struct mlv_repo *r,
			    const char *rev);
/* The side of a commit by id, labelled `label`. */
int mlv_compare_side_id(struct mlv_compare_side *s, struct mlv_repo *r,
			const git_oid *id, const char *label);
/* The work tree. MLV_EINVALID in a bare repository. */
int mlv_compare_side_worktree(struct mlv_compare_side *s, struct mlv_repo *r);
void mlv_compare_side_release(struct mlv_compare_side *s);

/* The models whose sidecars differ between `a` and `b`, in path order, as
 * a JSON array of paths (a new reference; the strings hold the path's
 * bytes as they are, so write them out through mlv_json_string()), or
 * NULL on error. */
json_t *mlv_compare_changed_models(struct mlv_repo *r,
				   const struct mlv_compare_side *a,
				   const struct mlv_compare_side *b);

/* 1 when the side holds the sidecar of `model`. */
int mlv_compare_has_model(struct mlv_repo *r, const struct mlv_compare_side *s,
			  const char *model);

/* The report on `model` from `a` to `b` (a new reference in *out). 0, or
 * a negative error with its message set. */
int mlv_compare_model(json_t **out, struct mlv_repo *r,
		      struct mlv_datadir_cache *cache,
		      const struct mlv_compare_side *a,
		      const struct mlv_compare_side *b, const char *model);

#endif
