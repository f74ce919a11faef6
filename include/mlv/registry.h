#ifndef MLV_REGISTRY_H
#define MLV_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>
#include <jansson.h>

#include "mlv/buf.h"

/*
 * The model registry: annotated Git tags in GTO's format
 * (../shared/DESIGN.md, "Registry"), so that they travel with git push and
 * fetch and a repository tagged by GTO reads as it is:
 *
 *   NAME@vSEMVER           register: this commit holds version SEMVER
 *   NAME@vSEMVER!#N        deregister that version
 *   NAME#STAGE#N           assign: the version at this commit is in STAGE
 *   NAME#STAGE!#N          unassign
 *   NAME@deprecated#N      deprecate the model
 *
 * NAME is [A-Za-z0-9/_-] (no leading '-' or '/', no "//", no trailing
 * '/'), STAGE is [A-Za-z0-9_-]; N counts up per name over every tag with
 * a counter. GTO's "simple" forms without a counter (NAME#STAGE,
 * NAME@deprecated) are read too, with counter 0. No tag is ever moved or
 * deleted by mlv: the tags are the audit trail.
 *
 * Events are ordered by the tagger's time (a lightweight tag: its commit's
 * committer time), then by counter, then by tag name, so every clone sees
 * the same order. The state at a moment is the result of the events up to
 * it, as GTO reads them: a stage is held by the version assigned to it
 * last among those not unassigned since and not deregistered (so an
 * unassign or a deregistration hands the stage back to the version
 * before), a deregistered version is no longer a version, and a
 * deprecated model is shown as such.
 */

enum mlv_registry_kind {
	MLV_REGISTRY_REGISTER,
	MLV_REGISTRY_DEREGISTER,
	MLV_REGISTRY_ASSIGN,
	MLV_REGISTRY_UNASSIGN,
	MLV_REGISTRY_DEPRECATE
};

/* What a tag name says; the strings point into `buf`. */
struct mlv_registry_tag {
	enum mlv_registry_kind kind;
	char *name;             /* "models/fraud" */
	char *version;          /* register/deregister: "1.2.0" (no 'v'); else NULL */
	char *stage;            /* assign/unassign: "prod"; else NULL */
	unsigned long counter;  /* N; 0 for the forms without one */
	struct mlv_buf buf;
};

#define MLV_REGISTRY_TAG_INIT { MLV_REGISTRY_REGISTER, NULL, NULL, NULL, 0, MLV_BUF_INIT }

/*
 * Parse a tag name (without "refs/tags/"). 0 when it is a registry tag;
 * MLV_ENOTFOUND when it is some other tag (v1.0, release-3: not ours);
 * MLV_EINVALID, with a message saying what is wrong, when it looks like a
 * registry tag but breaks the format (a bad name character, a version
 * that is not semver, a counter that is no number).
 */
int mlv_registry_parse_tag(struct mlv_registry_tag *out, const char *tag);
void mlv_registry_tag_release(struct mlv_registry_tag *t);

/* 1 when `name` is a valid registry name, `stage` a valid stage name. */
int mlv_registry_name_is_valid(const char *name);
int mlv_registry_stage_is_valid(const char *stage);

/* One registry tag, read. */
struct mlv_registry_event {
	enum mlv_registry_kind kind;
	char *tag;            /* the tag name */
	char *name;
	char *version;        /* register/deregister: the version; assign and
			       * unassign: the version registered at `commit`
			       * (NULL when none is) */
	char *stage;
	unsigned long counter;
	git_oid commit;       /* what the tag points at, peeled to a commit */
	git_oid tag_id;       /* the tag object (the commit for a lightweight tag) */
	int64_t time;         /* seconds since the epoch */
	int offset;           /* the tagger's zone, minutes east of UTC */
	char *tagger_name, *tagger_email;
	char *message;        /* NULL for a lightweight tag */
	int annotated;
	/* after mlv_registry_read_model: */
	int model_read;
	char *path;           /* the model file `commit` holds for `name`, or NULL */
	char *metrics;        /* its sidecar's [metrics], "key=value" lines */
	/* the registry's own bookkeeping, for mlv_registry_release:
	 * `name` owns one buffer that holds `version` and `stage` too (but an
	 * assignment's version, which is its own); the strings that
	 * `borrowed` names point into the registry cache's text instead */
	unsigned borrowed;
	size_t cache_record;  /* its record in the cache; SIZE_MAX: none */
};

struct mlv_registry_cache;
struct mlv_model_name;

struct mlv_registry {
	struct mlv_registry_event *events; /* in the order above */
	size_t n, alloc;
	size_t skipped;      /* registry-looking tags that broke the format */
	struct mlv_registry_cache *cache;
	struct mlv_model_name *names; /* .mlvconfig's [model "NAME"] path = PATH */
	size_t nnames;
	int names_loaded;
};

#define MLV_REGISTRY_INIT { NULL, 0, 0, 0, NULL, NULL, 0, 0 }

/* Read every registry tag of the repository. 0, or a negative error. */
int mlv_registry_load(struct mlv_registry *reg, git_repository *repo);

/* Only the tags of the registry name `name` (NULL: all): the other
 * tags' objects are never read, which is what keeps a command about one
 * model fast among thousands of tags. */
int mlv_registry_load_name(struct mlv_registry *reg, git_repository *repo,
			   const char *name);
void mlv_registry_release(struct mlv_registry *reg);

/*
 * What a tag says never changes while its ref points at the same object,
 * so the loaders keep what they read in `<git common dir>/mlv/registry-cache`
 * (derived data, sealed with the SHA-256 of its bytes, rebuilt when damaged):
 * the tag, its commit and tagger, and the model the commit holds, keyed by
 * the object the ref names. A repository with thousands of tags is then read
 * without opening one tag object. mlv_registry_save_cache writes what the
 * command learnt; a failure to write it is traced, never an error.
 */
void mlv_registry_save_cache(struct mlv_registry *reg);

/* Fill e->path and e->metrics, once: the model file that registry name
 * e->name stands for in e->commit (a file of that name plus an extension,
 * with its sidecar beside it) and the [metrics] of that sidecar. */
void mlv_registry_read_model(struct mlv_registry *reg, git_repository *repo,
			     struct mlv_registry_event *e);

/* e->metrics as a JSON object, each value typed as the lineage queries type
 * it (a new reference). */
json_t *mlv_registry_metrics_json(const struct mlv_registry_event *e);

/* The highest counter used by `name`'s tags (0 when none). */
unsigned long mlv_registry_last_counter(const struct mlv_registry *reg,
					const char *name);

/* The state of one model at a moment. */
struct mlv_registry_stage_state {
	char *stage;
	const struct mlv_registry_event *assigned; /* the assign that put it there */
};

struct mlv_registry_version_state {
	const struct mlv_registry_event *registered;
	int deregistered;
};

struct mlv_registry_model {
	char *name;
	struct mlv_registry_version_state *versions; /* in semver order, lowest first */
	size_t nversions;
	struct mlv_registry_stage_state *stages;     /* stages holding a version, by name */
	size_t nstages;
	const struct mlv_registry_event *deprecated; /* NULL unless deprecated */
};

struct mlv_registry_state {
	struct mlv_registry_model *models; /* by name */
	size_t n;
};

#define MLV_REGISTRY_STATE_INIT { NULL, 0 }

/*
 * The state after every event up to `as_of` (seconds since the epoch,
 * inclusive; INT64_MAX for now), of every model or only of `name` (NULL:
 * all). 0, or a negative error.
 */
int mlv_registry_state(struct mlv_registry_state *out, const struct mlv_registry *reg,
		       const char *name, int64_t as_of);
void mlv_registry_state_release(struct mlv_registry_state *s);

/* The model `name` in `s`, or NULL. */
const struct mlv_registry_model *mlv_registry_find_model(const struct mlv_registry_state *s,
							 const char *name);

/* The latest version (highest semver, not deregistered) of `m`, or NULL. */
const struct mlv_registry_version_state *
mlv_registry_latest(const struct mlv_registry_model *m);

/* The version `version` ("1.2.0" or "v1.2.0") of `m`, or NULL. */
const struct mlv_registry_version_state *
mlv_registry_find_version(const struct mlv_registry_model *m, const char *version);

/* The version in `stage` of `m`, or NULL. */
const struct mlv_registry_event *mlv_registry_in_stage(const struct mlv_registry_model *m,
						       const char *stage);

/*
 * A model reference: NAME@VERSION, NAME@vVERSION, NAME@latest or
 * NAME#STAGE, where NAME is a registry name ("models/fraud") or the path of
 * a model ("models/fraud.onnx"). Into `commit` the commit it names, and
 * into `name` the registry name. 0; MLV_ENOTFOUND when `ref` is no model
 * reference (then it may be an ordinary revision), with no message; or
 * MLV_EINVALID, with a message saying what the registry holds instead, when
 * it is one but names nothing (no such version, an empty stage).
 */
int mlv_registry_resolve(git_oid *commit, struct mlv_buf *name,
			 const struct mlv_registry *reg, const char *ref);

/* The registry name of a model path by default: the path without its
 * extension ("models/fraud.onnx" -> "models/fraud"). */
void mlv_registry_name_of(struct mlv_buf *out, const char *model_path);

/*
 * The names HEAD's .mlvconfig gives models ([model "NAME"] path = PATH),
 * read once (the loaders read them too). What cannot be read there is the
 * commit check's and the promotion rules' to report: it names nothing
 * here. 0, or a negative error when HEAD cannot be read.
 */
int mlv_registry_load_names(struct mlv_registry *reg, git_repository *repo);

/* The registry name of the model at `model_path`: the one .mlvconfig
 * gives it, else mlv_registry_name_of. */
void mlv_registry_name_for(struct mlv_buf *out, const struct mlv_registry *reg,
			   const char *model_path);

/* The path .mlvconfig gives registry name `name`, or NULL. */
const char *mlv_registry_configured_path(const struct mlv_registry *reg, const char *name);

/*
 * The model file that registry name `name` stands for in `commit`, with its
 * sidecar beside it: the path .mlvconfig gives the name when the commit
 * holds it, else a file of that name plus one extension. Malloc'd; NULL
 * when the commit holds none.
 */
char *mlv_registry_model_path(const struct mlv_registry *reg, git_repository *repo,
			      const git_oid *commit, const char *name);

#endif
