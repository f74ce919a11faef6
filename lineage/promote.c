#include <string.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/promote.h"
#include "mlv/run.h"

int mlv_promote_load_policy(struct mlv_policy *out, struct mlv_problems *problems,
			    git_repository *repo)
{
	struct mlv_problems found = MLV_PROBLEMS_INIT;
	git_object *tree = NULL;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	size_t i;
	int err = 0;

	mlv_policy_init(out);
	if (git_revparse_single(&tree, repo, "HEAD^{tree}") < 0 ||
	    git_tree_entry_bypath(&e, (git_tree *)tree, MLV_POLICY_FILE) < 0) {
		git_error_clear(); /* no commit yet, or no .mlvconfig: no rule */
		goto done;
	}
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		goto done;
	if ((err = git_blob_lookup(&blob, repo, git_tree_entry_id(e))) < 0) {
		err = mlv_error_from_git(err, "cannot read " MLV_POLICY_FILE " at HEAD");
		goto done;
	}
	mlv_policy_parse(out, &found, MLV_POLICY_FILE, git_blob_rawcontent(blob),
			 (size_t)git_blob_rawsize(blob));
	/* without promotion rules, what is wrong in .mlvconfig (a bad
	 * [model] name too, which then names nothing) is the commit check's
	 * to report, not a reason to refuse a stage */
	for (i = 0; i < found.n && mlv_policy_has_registry_rules(out); i++)
		mlv_problems_add(problems, "%s", found.items[i]);
done:
	mlv_problems_release(&found);
	git_blob_free(blob);
	git_tree_entry_free(e);
	git_object_free(tree);
	return err;
}

/* The registry's order (registry.h): time, counter, tag name. */
static int before(const struct mlv_promote_assign *x, const struct mlv_promote_assign *y)
{
	if (x->time != y->time)
		return x->time < y->time;
	if (x->counter != y->counter)
		return x->counter < y->counter;
	return strcmp(x->tag, y->tag) < 0;
}

void mlv_promote_assign_of_event(struct mlv_promote_assign *out,
				 const struct mlv_registry_event *e)
{
	memset(out, 0, sizeof(*out));
	out->tag = e->tag;
	out->name = e->name;
	out->stage = e->stage;
	out->counter = e->counter;
	out->commit = e->commit;
	out->time = e->time;
	out->has_tag = 1;
	out->tag_id = e->tag_id;
	out->annotated = e->annotated;
}

/* Was the version of `a` assigned to `stage` before `a`? */
static int was_in(const struct mlv_registry *reg, const struct mlv_promote_pushed *pushed,
		  size_t npushed, const struct mlv_promote_assign *a, const char *stage)
{
	struct mlv_promote_assign other;
	size_t i;
	int found = 0;

	for (i = 0; i < reg->n && !found; i++) {
		const struct mlv_registry_event *e = &reg->events[i];

		if (e->kind != MLV_REGISTRY_ASSIGN || strcmp(e->stage, stage) ||
		    strcmp(e->name, a->name) || !git_oid_equal(&e->commit, &a->commit))
			continue;
		mlv_promote_assign_of_event(&other, e);
		found = before(&other, a);
	}
	for (i = 0; i < npushed && !found; i++) {
		const struct mlv_promote_assign *p = &pushed[i].assign;

		found = !strcmp(p->stage, stage) && !strcmp(p->name, a->name) &&
			git_oid_equal(&p->commit, &a->commit) && before(p, a);
	}
	return found;
}

/* Is `commit` on refs/heads/BRANCH for one of the rule's branches? */
static int on_branches(git_repository *repo, const struct mlv_stage_rule *r,
		       const git_oid *commit)
{
	struct mlv_buf ref = MLV_BUF_INIT;
	git_oid tip;
	size_t i;
	int found = 0;

	for (i = 0; i < r->nbranches && !found; i++) {
		mlv_buf_clear(&ref);
		mlv_buf_printf(&ref, "refs/heads/%s", r->branches[i]);
		if (git_reference_name_to_id(&tip, repo, ref.ptr) < 0)
			continue; /* no such branch here: nothing is on it */
		found = git_oid_equal(&tip, commit) ||
			git_graph_descendant_of(repo, &tip, commit) == 1;
	}
	git_error_clear();
	mlv_buf_release(&ref);
	return found;
}

static void join(struct mlv_buf *out, char *const *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mlv_buf_printf(out, "%s%s", i ? ", " : "", items[i]);
}

/* require-signed: `a` is an annotated tag whose signature git accepts. */
static void check_signed(struct mlv_problems *problems, const struct mlv_promote_assign *a)
{
	char hex[GIT_OID_HEXSZ + 1];
	const char *args[] = { "verify-tag", "--raw", hex, NULL };
	struct mlv_buf out = MLV_BUF_INIT;
	int rc;

	if (!a->annotated) {
		mlv_problems_add(problems, "tag '%s': stage '%s' needs a signed annotated "
				 "tag, this one is lightweight; assign it with git mlv "
				 "assign, which signs (.mlvconfig [stage \"%s\"] "
				 "require-signed)", a->tag, a->stage, a->stage);
		goto done;
	}
	git_oid_tostr(hex, sizeof(hex), &a->tag_id);
	rc = mlv_run_git(&out, args, MLV_RUN_STDERR_TO_OUT | MLV_RUN_NO_STDIN);
	if (rc != 0) {
		/* git's first line says why: no signature, an unknown key */
		if (out.len)
			out.ptr[strcspn(out.ptr, "\n")] = '\0';
		mlv_problems_add(problems, "tag '%s': stage '%s' needs a signed tag that "
				 "git verify-tag accepts, and it says: %s (.mlvconfig "
				 "[stage \"%s\"] require-signed)", a->tag, a->stage,
				 rc < 0 ? mlv_error_last() : out.len ? out.ptr :
				 "(no message)", a->stage);
	}
done:
	mlv_buf_release(&out);
}

int mlv_promote_check(struct mlv_problems *problems, git_repository *repo,
		      const struct mlv_registry *reg, const struct mlv_policy *policy,
		      const struct mlv_promote_assign *a,
		      const struct mlv_promote_pushed *pushed, size_t npushed)
{
	const struct mlv_stage_rule *r = mlv_policy_stage_rule(policy, a->stage);
	struct mlv_buf list = MLV_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];

	if (!mlv_policy_stage_allowed(policy, a->stage)) {
		join(&list, policy->stages, policy->nstages);
		mlv_problems_add(problems, "tag '%s': stage '%s' is not one of the "
				 "stages the registry allows (%s) (.mlvconfig [registry] "
				 "stages)", a->tag, a->stage, list.len ? list.ptr : "none");
	}
	if (!r)
		goto done;
	if (r->from && !was_in(reg, pushed, npushed, a, r->from))
		mlv_problems_add(problems, "tag '%s': stage '%s' needs the version in "
				 "'%s' first (.mlvconfig [stage \"%s\"] from)", a->tag,
				 a->stage, r->from, a->stage);
	if (r->nbranches && !on_branches(repo, r, &a->commit)) {
		mlv_buf_clear(&list);
		join(&list, r->branches, r->nbranches);
		git_oid_tostr(hex, sizeof(hex), &a->commit);
		mlv_problems_add(problems, "tag '%s': stage '%s' takes only commits on "
				 "%s, and %.12s is on none of them (.mlvconfig [stage "
				 "\"%s\"] branches)", a->tag, a->stage, list.ptr, hex,
				 a->stage);
	}
	if (r->require_signed && a->has_tag)
		check_signed(problems, a);
done:
	mlv_buf_release(&list);
	return 0;
}

int mlv_promote_check_all(struct mlv_problems *problems, size_t *checked,
			  git_repository *repo, const struct mlv_registry *reg,
			  const struct mlv_policy *policy)
{
	struct mlv_promote_assign a;
	size_t i;
	int err = 0;

	*checked = 0;
	for (i = 0; i < reg->n && err == 0; i++) {
		if (reg->events[i].kind != MLV_REGISTRY_ASSIGN)
			continue;
		mlv_promote_assign_of_event(&a, &reg->events[i]);
		err = mlv_promote_check(problems, repo, reg, policy, &a, NULL, 0);
		(*checked)++;
	}
	return err;
}

void mlv_promote_pushed_release(struct mlv_promote_pushed *p)
{
	struct mlv_promote_pushed fresh = MLV_PROMOTE_PUSHED_INIT;

	mlv_registry_tag_release(&p->parsed);
	mlv_buf_release(&p->tag);
	*p = fresh;
}

int mlv_promote_read_pushed(struct mlv_promote_pushed *out, git_repository *repo,
			    const char *tag, const git_oid *id)
{
	git_object *obj = NULL, *peeled = NULL;
	const git_signature *sig = NULL;
	struct mlv_promote_assign *a = &out->assign;
	int err;

	mlv_promote_pushed_release(out);
	if (mlv_registry_parse_tag(&out->parsed, tag) < 0 ||
	    out->parsed.kind != MLV_REGISTRY_ASSIGN) {
		mlv_error_clear();
		err = MLV_ENOTFOUND;
		goto done;
	}
	if ((err = git_object_lookup(&obj, repo, id, GIT_OBJECT_ANY)) < 0) {
		err = mlv_error_from_git(err, tag);
		goto done;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		git_error_clear(); /* a tag of a blob: the registry skips it too */
		err = MLV_ENOTFOUND;
		goto done;
	}
	mlv_buf_sets(&out->tag, tag);
	a->tag = out->tag.ptr;
	a->name = out->parsed.name;
	a->stage = out->parsed.stage;
	a->counter = out->parsed.counter;
	a->commit = *git_object_id(peeled);
	a->has_tag = 1;
	a->tag_id = *id;
	a->annotated = git_object_type(obj) == GIT_OBJECT_TAG;
	if (a->annotated)
		sig = git_tag_tagger((git_tag *)obj);
	if (!sig)
		sig = git_commit_committer((git_commit *)peeled);
	a->time = (int64_t)sig->when.time;
done:
	git_object_free(peeled);
	git_object_free(obj);
	return err;
}
