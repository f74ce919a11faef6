#ifndef MLV_POLICY_H
#define MLV_POLICY_H

#include <git2.h>

#include "mlv/problems.h"
#include "mlv/repo.h"

/*
 * The commit policy: a commit that adds or changes a model (a path with the
 * `mlv-model` attribute), or removes a model's sidecar, must hold a valid
 * sidecar `MODEL.mlv` whose model, data, config and lockfile oids equal
 * what the same commit holds. A sidecar without its model, or a deleted
 * model whose sidecar stays, is an error too. With strict-inputs, so is a
 * commit that changes or removes a path a sidecar records (data, config,
 * lockfile; for a data directory, any file under it) without updating
 * that sidecar.
 *
 * A model is out of date with its inputs ("stale") when its model and
 * sidecar are what they were at the commit where it was trained (the last
 * commit, following first parents, that changed either), the record
 * matched that commit's inputs, and an input has changed since. That is
 * a notice, not a problem (the record still tells the truth about the
 * model); with strict-inputs it is a problem. Its hint is to retrain,
 * never to rewrite the record alone. A [data] path ending in '/' is a data directory: its
 * manifest (datadir.h) is computed from the snapshot's index or tree and
 * must give the recorded oid, files and size. The knobs come from a committed
 * `.mlvconfig`:
 *
 *   [policy]
 *   required-sections = model, data, config, environment, code
 *   require-version-bump = false   ; a changed model must raise [model] version
 *   name-template = {project}-{task}-{architecture}-{dataset-version}-{date}-{run-id}
 *   allow-external-data = true     ; [data] sections with uri = ...
 *   strict-inputs = false          ; recorded inputs may not change alone
 *
 * and the registry's promotion rules (checked by promote.h, not here):
 *
 *   [registry]
 *   stages = dev, staging, prod    ; the stages an assign may name (unset: any)
 *   [stage "prod"]
 *   from = staging                 ; the version was in staging before
 *   branches = main, release       ; its commit is reachable from one of them
 *   require-signed = true          ; the assign tag is signed, git verify-tag
 *                                  ; accepts it
 */

#define MLV_POLICY_FILE ".mlvconfig"

struct mlv_datadir_cache;

enum {
	MLV_SECTION_MODEL = 1 << 0,
	MLV_SECTION_DATA = 1 << 1,
	MLV_SECTION_CONFIG = 1 << 2,
	MLV_SECTION_PARAMS = 1 << 3,
	MLV_SECTION_ENVIRONMENT = 1 << 4,
	MLV_SECTION_CODE = 1 << 5,
	MLV_SECTION_METRICS = 1 << 6
};

/* The rules of one [stage "NAME"] section. */
struct mlv_stage_rule {
	char *stage;
	char *from;         /* the stage a version must have been in first; NULL: none */
	char **branches;    /* branch names (no "refs/heads/"); nbranches 0: any commit */
	size_t nbranches;
	int require_signed;
};

/* A [model "NAME"] section: the registry name NAME for the model at `path`. */
struct mlv_model_name {
	char *name;
	char *path;
};

struct mlv_policy {
	unsigned required; /* MLV_SECTION_* bits */
	int require_version_bump;
	char *name_template; /* NULL: any name */
	int allow_external_data;
	int strict_inputs;
	char **stages;      /* [registry] stages; NULL: any valid stage name */
	size_t nstages;
	struct mlv_stage_rule *rules; /* one per [stage "NAME"], in file order */
	size_t nrules;
	struct mlv_model_name *names; /* one per [model "NAME"], in file order */
	size_t nnames;
};

/* The defaults: model, data, config, environment and code required. */
void mlv_policy_init(struct mlv_policy *p);
void mlv_policy_release(struct mlv_policy *p);

/* Read `.mlvconfig` text over the defaults; problems name `file:line`. */
int mlv_policy_parse(struct mlv_policy *p, struct mlv_problems *problems,
		     const char *file, const char *data, size_t len);

/* The rules of `stage`, or NULL when .mlvconfig has none for it. */
const struct mlv_stage_rule *mlv_policy_stage_rule(const struct mlv_policy *p,
						   const char *stage);

/* 1 when `name` may be a registry name: letters, digits, '/', '_' and
 * '-', not starting with '-' or '/', no "//", no trailing '/'. */
int mlv_policy_registry_name_is_valid(const char *name);

/* 1 when [registry] stages is unset or lists `stage`. */
int mlv_policy_stage_allowed(const struct mlv_policy *p, const char *stage);

/* 1 when the policy has any promotion rule ([registry] stages or a
 * [stage "NAME"] section). */
int mlv_policy_has_registry_rules(const struct mlv_policy *p);

/* 1 when `name` fits `template` ({field} is one or more of [A-Za-z0-9._];
 * {date} is YYYYMMDD; every other character must match itself). */
int mlv_policy_name_matches(const char *template, const char *name);

/*
 * What a check looks at: the index (for pre-commit) or a commit's tree,
 * against the tree it changes (HEAD's, or the first parent's; NULL for a
 * root commit).
 */
struct mlv_snapshot {
	git_index *index;         /* either this ... */
	git_tree *tree;           /* ... or this */
	const git_oid *commit_id; /* the commit of `tree`, for its attributes */
	git_tree *parent;
	int check_all;            /* every model, not only the changed ones */
	const char *only;         /* just this model (a path), or NULL */
	/* what data directories hash to, kept from one check to the next
	 * (the caller saves it); NULL: the check opens and saves its own */
	struct mlv_datadir_cache *datadirs;
	/* where out-of-date notices go (NULL: nowhere); with strict-inputs
	 * they are problems instead. The training commit is looked for from
	 * HEAD for an index (whose `parent` is HEAD's tree), from the first
	 * parent of `commit_id` for a tree; never when `parent` is NULL. */
	struct mlv_problems *stale;
};

/*
 * Check the snapshot. Every problem goes to `problems`; returns 0 when the
 * check ran (whatever it found), or a negative error when it could not run
 * (a message is set).
 */
int mlv_policy_check(struct mlv_problems *problems, struct mlv_repo *r,
		     const struct mlv_snapshot *snap);

/*
 * Check commit `id` against its first parent, judged by its own
 * .gitattributes and .mlvconfig (the way `git mlv verify` and the
 * pre-receive and push checks see it). Same returns as mlv_policy_check().
 */
int mlv_policy_check_commit(struct mlv_problems *problems, struct mlv_repo *r,
			    const git_oid *id);

/* The same through `datadirs`, with out-of-date notices into `stale`
 * (see struct mlv_snapshot; either may be NULL), for a walk over many
 * commits. */
int mlv_policy_check_commit_ext(struct mlv_problems *problems, struct mlv_problems *stale,
				struct mlv_repo *r, const git_oid *id,
				struct mlv_datadir_cache *datadirs);

#endif
