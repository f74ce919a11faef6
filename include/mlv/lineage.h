#ifndef MLV_LINEAGE_H
#define MLV_LINEAGE_H

#include <git2.h>
#include <jansson.h>

#include "mlv/history.h"
#include "mlv/problems.h"
#include "mlv/repo.h"
#include "mlv/sidecar.h"

/*
 * The record of one model version as the documented JSON object
 * (docs/queries.md, "JSON"): the commit, the model, every data input, the
 * config, lockfile, params, metrics, environment and code, and the base
 * model resolved to the version in the repository that has its oid. The
 * text, dot and mermaid outputs are drawn from the same objects, so the
 * formats cannot disagree.
 *
 * A sidecar that does not parse is not fatal: the object carries what
 * could be read and a "problems" list, and the query goes on.
 */

struct mlv_lineage {
	struct mlv_repo *repo;
	struct mlv_history all; /* every version on every ref, for bases */
	int all_loaded;
	json_t *first_seen;     /* memo: "path\n<git id>" -> commit hex */
	json_t *entries;        /* memo: "<tree id>\npath" -> git id or "" */
};

#define MLV_LINEAGE_INIT { NULL, MLV_HISTORY_INIT, 0, NULL, NULL }

enum {
	MLV_LINEAGE_FIRST_SEEN = 1 << 0, /* the commit each data version first appeared in */
	MLV_LINEAGE_CHAIN = 1 << 1       /* follow `base` back to its root */
};

void mlv_lineage_init(struct mlv_lineage *l, struct mlv_repo *r);
void mlv_lineage_release(struct mlv_lineage *l);

/* Parse the sidecar of version `v`. 0, MLV_EINVALID with `problems`
 * filled (`sc` holds what could be read), or another negative error. */
int mlv_lineage_sidecar(struct mlv_sidecar *sc, struct mlv_problems *problems,
			struct mlv_lineage *l, const struct mlv_version *v);

/* The JSON object of version `v` (a new reference), with the
 * MLV_LINEAGE_* extras in `flags`. 0, or a negative error. */
int mlv_lineage_describe(json_t **out, struct mlv_lineage *l,
			 const struct mlv_version *v, unsigned flags);

/* The newest version on any ref whose model has mlv oid `oid`, or NULL
 * (also when history cannot be read: the base then shows as external). */
const struct mlv_version *mlv_lineage_find_model(struct mlv_lineage *l,
						 const char *oid);

/* For each of the `n` commits, the short names of the branches, tags and
 * remote branches whose tip contains it: a JSON array (a new reference)
 * of `n` arrays, found in one walk of history whatever `n` is. */
json_t *mlv_lineage_refs_containing(struct mlv_lineage *l, const git_oid *commits,
				    size_t n);

/* 1 when entry `i` of `sc` is the first of its section (and subsection
 * name): a loop that handles each [data "NAME"] once keys on it. */
int mlv_lineage_first_of_section(const struct mlv_sidecar *sc, size_t i);

/* The sidecar's value as JSON: a number when the whole text is a finite
 * number (metrics), else the text. */
json_t *mlv_lineage_value(const char *text);

#endif
