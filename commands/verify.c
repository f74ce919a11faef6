/*
 * git mlv verify [<rev-range>...] and the checks hooks share. When HEAD's
 * .mlvconfig has promotion rules (promote.h), every stage assignment in
 * the registry is checked against them too.
 */
#include <stdio.h>
#include <string.h>

#include <git2/sys/repository.h>

#include "builtin.h"
#include "mlv/datadir.h"
#include "mlv/error.h"
#include "mlv/json.h"
#include "mlv/policy.h"
#include "mlv/promote.h"
#include "mlv/registry.h"

json_t *problems_json(const struct mlv_problems *problems)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < problems->n; i++)
		json_array_append_new(a, mlv_json_string(problems->items[i]));
	return a;
}

/* What one commit left: its problems or notices, as text (each under the
 * commit's line, after `tag`) or as a JSON object added to `list`. */
static void report_commit(git_commit *commit, const struct mlv_problems *items,
			  const char *key, const char *tag, json_t *list)
{
	const char *summary = git_commit_summary(commit);
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;

	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	if (list) {
		json_t *o = json_object();

		mlv_json_set_string(o, "commit", hex);
		mlv_json_set_string(o, "subject", summary ? summary : "");
		mlv_json_set(o, key, problems_json(items));
		json_array_append_new(list, o);
		return;
	}
	printf("commit %s %s\n", hex, summary ? summary : "");
	for (i = 0; i < items->n; i++)
		printf("  %s%s\n", tag, items->items[i]);
}

/* The answers of a walk: each list NULL for text. */
struct verify_out {
	int quiet;
	int failed, stale;
	json_t *failures, *stale_list;
};

/*
 * Check one commit against its first parent; print its problems, and the
 * models it leaves out of date with their inputs (unless quiet), or add
 * them to the lists.
 */
static int verify_commit(struct mlv_repo *repo, struct mlv_datadir_cache *datadirs,
			 const git_oid *id, struct verify_out *out)
{
	struct mlv_problems problems = MLV_PROBLEMS_INIT, stale = MLV_PROBLEMS_INIT;
	git_commit *commit = NULL;
	int err;

	if ((err = mlv_policy_check_commit_ext(&problems, &stale, repo, id, datadirs)) < 0)
		goto done;
	if (!problems.n && !stale.n)
		goto done;
	if ((err = git_commit_lookup(&commit, repo->git, id)) < 0) {
		err = mlv_error_from_git(err, "cannot read commit");
		goto done;
	}
	if (problems.n) {
		report_commit(commit, &problems, "problems", "", out->failures);
		out->failed++;
	}
	if (stale.n) {
		if (out->stale_list || !out->quiet)
			report_commit(commit, &stale, "notices", "notice: ", out->stale_list);
		out->stale++;
	}
done:
	mlv_problems_release(&problems);
	mlv_problems_release(&stale);
	git_commit_free(commit);
	return err;
}

int verify_revwalk(struct mlv_repo *repo, git_revwalk *walk, int quiet, json_t *json)
{
	struct mlv_datadir_cache *datadirs = NULL;
	git_index *empty = NULL;
	struct verify_out out = { quiet, 0, 0, NULL, NULL };
	git_oid id;
	int checked = 0, rc = 0, err;

	/* A commit is judged by its own .gitattributes: with an empty index
	 * in place, the staged ones of whoever runs verify cannot hide a
	 * model or make one of a data file. */
	if ((err = git_index_new(&empty)) < 0) {
		mlv_error_from_git(err, "cannot set up attribute lookups");
		rc = die_with_error("");
		goto done;
	}
	git_repository_set_index(repo->git, empty);
	if (json) {
		out.failures = json_array();
		out.stale_list = json_array();
	}
	/* one cache of data directory hashes for the whole walk */
	if (mlv_datadir_cache_new(&datadirs, repo->git) < 0) {
		rc = die_with_error("");
		goto done;
	}
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	while ((err = git_revwalk_next(&id, walk)) == 0) {
		if (verify_commit(repo, datadirs, &id, &out) < 0) {
			rc = die_with_error("");
			goto done;
		}
		checked++;
	}
	if (err != GIT_ITEROVER) {
		mlv_error_from_git(err, "cannot walk the history");
		rc = die_with_error("");
		goto done;
	}
	mlv_datadir_cache_save(datadirs); /* derived data: best effort */
	rc = out.failed ? 1 : 0;
	if (json) {
		mlv_json_set(json, "checked", json_integer(checked));
		mlv_json_set(json, "failed", json_integer(out.failed));
		mlv_json_set(json, "failures", json_incref(out.failures));
		mlv_json_set(json, "stale", json_incref(out.stale_list));
	} else if (out.failed) {
		printf("%d of %d commits break the mlv policy\n", out.failed, checked);
	} else if (!quiet && out.stale) {
		printf("%d commits verified; %d of them leave%s a model out of date with "
		       "its inputs (notices above: retrain it)\n", checked, out.stale,
		       out.stale == 1 ? "s" : "");
	} else if (!quiet) {
		printf("%d commits verified\n", checked);
	}
done:
	json_decref(out.failures);
	json_decref(out.stale_list);
	mlv_datadir_cache_free(datadirs);
	git_index_free(empty);
	return rc;
}

/*
 * Every assign tag against the promotion rules of HEAD's .mlvconfig, when
 * it has any; print what breaks them. The exit code: 0, 1 when a tag
 * breaks a rule, 128 on error.
 */
static int verify_registry(struct mlv_repo *repo, int quiet, json_t *json)
{
	struct mlv_registry reg = MLV_REGISTRY_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_policy policy;
	size_t i, checked = 0;
	int rc = 0;

	if (mlv_promote_load_policy(&policy, &problems, repo->git) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (!mlv_policy_has_registry_rules(&policy))
		goto done;
	if (mlv_registry_load(&reg, repo->git) < 0 ||
	    mlv_promote_check_all(&problems, &checked, repo->git, &reg, &policy) < 0) {
		rc = die_with_error("");
		goto done;
	}
	rc = problems.n ? 1 : 0;
	if (json) {
		json_t *o = json_object();

		mlv_json_set(o, "checked", json_integer((json_int_t)checked));
		mlv_json_set(o, "problems", problems_json(&problems));
		mlv_json_set(json, "registry", o);
		goto done;
	}
	for (i = 0; i < problems.n; i++)
		printf("%s\n", problems.items[i]);
	if (problems.n) {
		printf("%zu problem%s with the promotion rules of %s at HEAD (%zu stage "
		       "assignment%s checked)\n", problems.n, problems.n == 1 ? "" : "s",
		       MLV_POLICY_FILE, checked, checked == 1 ? "" : "s");
		rc = 1;
	} else if (!quiet) {
		printf("%zu stage assignment%s the promotion rules\n", checked,
		       checked == 1 ? " follows" : "s follow");
	}
done:
	mlv_registry_save_cache(&reg);
	mlv_registry_release(&reg);
	mlv_problems_release(&problems);
	mlv_policy_release(&policy);
	return rc;
}

#define VERIFY_USAGE "verify [--quiet] [--format text|json] [--all | <revision-range>...]"

/* Add one revision to the walk; "^rev" hides it and its history. */
static int push_rev(git_revwalk *walk, struct mlv_repo *repo, const char *arg)
{
	git_object *o = NULL;
	int hide = arg[0] == '^';
	int err = git_revparse_single(&o, repo->git, arg + hide);

	if (!err)
		err = hide ? git_revwalk_hide(walk, git_object_id(o)) :
			     git_revwalk_push(walk, git_object_id(o));
	git_object_free(o);
	return err;
}

int cmd_verify(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	git_revwalk *walk = NULL;
	int i, rc = 0, quiet = 0, pushed = 0, err = 0, all = 0, json = 0;
	const char *format = NULL;
	json_t *o = NULL, *commits = NULL;
	const struct option opts[] = {
		OPT_FLAG('q', "quiet", &quiet, "print only what fails"),
		OPT_FLAG(0, "all", &all, "every commit of every ref"),
		OPT_FORMAT_JSON(&format, &json),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, VERIFY_USAGE)) ||
	    (rc = text_or_json(&json, format)))
		return rc;
	if (json) {
		o = json_object();
		commits = json_object();
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set(o, "commits", commits);
		mlv_json_set(o, "registry", json_null());
	}
	if (mlv_repo_open(&repo) < 0)
		return die_with_error("");
	if ((err = git_revwalk_new(&walk, repo.git)) < 0) {
		mlv_error_from_git(err, "cannot walk the history");
		rc = die_with_error("");
		goto done;
	}
	if (all && (err = git_revwalk_push_glob(walk, "refs/*")) < 0) {
		mlv_error_from_git(err, "--all");
		rc = die_with_error("");
		goto done;
	}
	pushed = all;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strstr(arg, ".."))
			err = git_revwalk_push_range(walk, arg);
		else
			err = push_rev(walk, &repo, arg);
		if (err < 0) {
			mlv_error_from_git(err, arg);
			rc = die_with_error("");
			goto done;
		}
		pushed++;
	}
	if (!pushed && (err = git_revwalk_push_head(walk)) < 0) {
		mlv_error_from_git(err, "HEAD has no commits to verify");
		rc = die_with_error("");
		goto done;
	}
	rc = verify_revwalk(&repo, walk, quiet, commits);
	if (rc != 128) {
		int registry_rc = verify_registry(&repo, quiet, o);

		rc = registry_rc ? registry_rc : rc;
	}
	if (o && rc != 128) {
		mlv_json_write(stdout, o, 2);
		putchar('\n');
	}
done:
	json_decref(o);
	git_revwalk_free(walk);
	mlv_repo_release(&repo);
	return rc;
}
