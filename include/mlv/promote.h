#ifndef MLV_PROMOTE_H
#define MLV_PROMOTE_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "mlv/policy.h"
#include "mlv/problems.h"
#include "mlv/registry.h"

/*
 * The registry's promotion rules (policy.h: [registry] stages and
 * [stage "NAME"] from, branches, require-signed), checked for one assign
 * of a stage: a tag that exists, one being pushed, or one `git mlv
 * assign` is about to create.
 *
 * Which .mlvconfig: the one committed at the tip of HEAD of the repository
 * where the check runs (in a bare server's pre-receive hook: the bare
 * repository's HEAD, usually refs/heads/main), never the one at the
 * version's commit or in the work tree. The rules are what the branch
 * everybody trusts says, so whoever makes a commit cannot loosen the rules
 * for the version that commit holds.
 */

/* One assign, existing or not. The strings are borrowed. */
struct mlv_promote_assign {
	const char *tag;       /* "models/fraud#prod#3", for messages */
	const char *name;      /* "models/fraud" */
	const char *stage;     /* "prod" */
	unsigned long counter; /* 3 */
	git_oid commit;        /* the version's commit */
	int64_t time;          /* the tagger's time (registry.h's order) */
	int has_tag;           /* 0: not tagged yet, the signature is not checked
				* (the caller signs when the rule asks for it) */
	git_oid tag_id;        /* the tag object (the commit for a lightweight tag) */
	int annotated;
};

/* An assign not yet among the repository's tags: a pushed one (then the
 * strings point into `buf`). */
struct mlv_promote_pushed {
	struct mlv_promote_assign assign;
	struct mlv_registry_tag parsed;
	struct mlv_buf tag;
};

#define MLV_PROMOTE_PUSHED_INIT { { NULL, NULL, NULL, 0, { { 0 } }, 0, 0, { { 0 } }, 0 }, \
				  MLV_REGISTRY_TAG_INIT, MLV_BUF_INIT }

/*
 * The rules: .mlvconfig at HEAD of `repo` over the defaults. When it has
 * promotion rules, its problems (naming .mlvconfig:LINE) go to `problems`
 * (without, they are the commit check's). No HEAD, or no .mlvconfig
 * there, is no rule. 0, or a negative error when HEAD cannot be read.
 */
int mlv_promote_load_policy(struct mlv_policy *out, struct mlv_problems *problems,
			    git_repository *repo);

/*
 * Check `a` against `policy`. "Before" (for `from`) is the registry's
 * order; `pushed` (npushed of them) are assigns of the same push, not in
 * `reg` yet, counted when they come before `a`. `branches` are
 * refs/heads/NAME of `repo`. Each broken rule adds one problem naming the
 * tag and the rule:
 *
 *   tag 'models/fraud#prod#3': stage 'prod' needs the version in
 *   'staging' first (.mlvconfig [stage "prod"] from)
 *
 * 0 when the check ran (whatever it found), or a negative error.
 */
int mlv_promote_check(struct mlv_problems *problems, git_repository *repo,
		      const struct mlv_registry *reg, const struct mlv_policy *policy,
		      const struct mlv_promote_assign *a,
		      const struct mlv_promote_pushed *pushed, size_t npushed);

/* The assign of an event of `reg` (an ASSIGN), for mlv_promote_check(). */
void mlv_promote_assign_of_event(struct mlv_promote_assign *out,
				 const struct mlv_registry_event *e);

/*
 * Every assign in `reg`: mlv_promote_check() for each. `checked` gets how
 * many were checked. Same returns.
 */
int mlv_promote_check_all(struct mlv_problems *problems, size_t *checked,
			  git_repository *repo, const struct mlv_registry *reg,
			  const struct mlv_policy *policy);

/*
 * Read the tag `tag` (without "refs/tags/") that would point at `id` (a
 * tag object or a commit, maybe not under any ref yet, as in a
 * pre-receive hook) into `out`. 0 when it is an assign; MLV_ENOTFOUND when
 * it is no assign tag (another registry tag, or no registry tag), with no
 * message; a negative error when the object cannot be read.
 */
int mlv_promote_read_pushed(struct mlv_promote_pushed *out, git_repository *repo,
			    const char *tag, const git_oid *id);
void mlv_promote_pushed_release(struct mlv_promote_pushed *p);

#endif
