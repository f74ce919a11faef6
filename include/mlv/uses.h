#ifndef MLV_USES_H
#define MLV_USES_H

#include <git2.h>

#include "mlv/history.h"
#include "mlv/pointer.h"
#include "mlv/repo.h"
#include "mlv/sidecar.h"

/*
 * Reverse lineage: which model versions recorded a data version. What is
 * asked for is one of
 *
 *   sha256:<oid>    a data version by its oid (a file's mlv oid, or a
 *                   directory's manifest oid)
 *   s3://..., ...   an external data set, by the URI its [data] records
 *   PATH[@REV]      the file or directory PATH as REV (default HEAD) holds
 *                   it; with any_version, whatever PATH held. REV may be a
 *                   model reference (models/fraud#prod, models/fraud@1.2.0:
 *                   mlv_registry_resolve()), tried before git's revisions
 *
 * A file inside a recorded data directory counts: a model version used
 * data/images/cat/0001.png as REV holds it when its directory input
 * data/images/ held that very file (the same git blob at that path).
 */

enum mlv_uses_kind { MLV_USES_OID, MLV_USES_URI, MLV_USES_PATH };

struct mlv_uses_target {
	enum mlv_uses_kind kind;
	char *text;                  /* the oid, URI or path (repository-relative;
				      * a directory ends in '/') */
	char *rev;                   /* PATH: the revision it was read at */
	int is_dir;                  /* PATH: a directory at `rev` */
	int any_version;
	char oid[MLV_OID_HEXSZ + 1]; /* OID, PATH: the data version's mlv oid */
	git_oid entry;               /* PATH: git's id of the file or tree */
	uint64_t files, size;        /* PATH: of the file, or the directory */
};

#define MLV_USES_TARGET_INIT { MLV_USES_OID, NULL, NULL, 0, 0, "", { { 0 } }, 0, 0 }

/*
 * Read what `arg` asks for (see above). A PATH is relative to the current
 * directory; "x@y" is split at the first '@' whose right side names a
 * commit (a model reference holds an '@' of its own). MLV_ENOTFOUND, with
 * a message saying what to do, when the path is not in the revision
 * (unless `any_version`); MLV_EINVALID, with the registry's message, when
 * the right side is a model reference that names nothing; or another
 * negative error.
 */
int mlv_uses_resolve(struct mlv_uses_target *t, struct mlv_repo *r,
		     const char *arg, int any_version);
void mlv_uses_target_release(struct mlv_uses_target *t);

/*
 * Whether version `v`, whose sidecar is `sc`, used the target: 1 with
 * `*input` the [data] name that recorded it and `*inside` set when it was
 * a file inside that directory input; 0 when not; negative on error.
 */
int mlv_uses_match(const char **input, int *inside, const struct mlv_uses_target *t,
		   struct mlv_repo *r, const struct mlv_version *v,
		   const struct mlv_sidecar *sc);

#endif
