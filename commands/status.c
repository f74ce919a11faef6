/* git mlv status [--format text|json] [--glob] [--] [<path>...] */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/json.h"
#include "mlv/quote.h"
#include "mlv/run.h"
#include "mlv/scan.h"
#include "mlv/worktree.h"

#define STATUS_USAGE "status [--format text|json] [--glob] [--] [<path>...]"

struct tally {
	struct mlv_repo *repo;
	struct path_args paths;
	unsigned counts[4], untracked;
	json_t *files;     /* with --format json */
	json_t *untracked_files;
};

static int status_one(const char *path, const struct mlv_pointer *p,
		      const git_index_entry *e, void *payload)
{
	struct tally *t = payload;
	enum mlv_worktree_state state;
	int err;

	if (!path_args_match(&t->paths, path))
		return 0;
	if ((err = mlv_worktree_state(&state, t->repo, path, p, e, 1)) < 0)
		return err;
	t->counts[state]++;
	if (t->files) {
		json_array_append_new(t->files, pointer_file_json(t->repo, path, p, state));
		return 0;
	}
	printf("%-13s %s", mlv_worktree_state_name(state), mlv_quote_display(path));
	if (state == MLV_WT_POINTER)
		printf(mlv_store_has(&t->repo->store, p->oid) ?
			       "  (in the local store: git mlv checkout)" :
			       "  (not in the local store: git mlv fetch)");
	putchar('\n');
	return 0;
}

/* 1 when .gitattributes gives `path` to mlv's filter. */
static int filtered_by_mlv(struct mlv_repo *repo, const char *path)
{
	const char *value = NULL;

	return git_attr_get(&value, repo->git, GIT_ATTR_CHECK_FILE_THEN_INDEX, path,
			    "filter") == 0 &&
	       GIT_ATTR_HAS_VALUE(value) && !strcmp(value, "mlv");
}

/*
 * The files git does not track yet (and does not ignore) that a tracked
 * pattern covers: `git add` will store them with mlv. Git lists them,
 * as its own status would.
 */
static int list_untracked(struct tally *t)
{
	const char *args[] = { "-C", t->repo->workdir, "ls-files", "-z", "--others",
			       "--exclude-standard", NULL };
	struct mlv_buf out = MLV_BUF_INIT, full = MLV_BUF_INIT, q = MLV_BUF_INIT;
	struct stat st;
	const char *path, *end;
	char *prefix;
	int err;

	if ((err = mlv_run_git(&out, args, MLV_RUN_NO_STDIN)) != 0) {
		mlv_error_set("git ls-files --others failed (%s %d)",
			      err < 0 ? "error" : "exit", err);
		mlv_buf_release(&out);
		return MLV_ERROR;
	}
	prefix = path_cwd_prefix(t->repo->workdir);
	for (path = out.ptr, end = out.ptr + out.len; path < end; path += strlen(path) + 1) {
		mlv_buf_clear(&full);
		mlv_buf_printf(&full, "%s%s", t->repo->workdir, path);
		if (lstat(full.ptr, &st) < 0 || !S_ISREG(st.st_mode) ||
		    !path_args_match(&t->paths, path) || !filtered_by_mlv(t->repo, path))
			continue;
		t->untracked++;
		if (t->untracked_files) {
			json_array_append_new(t->untracked_files, json_string(path));
			continue;
		}
		printf("%-13s %s  (stored by mlv when added: git add -- %s)\n", "untracked",
		       mlv_quote_display(path), path_pathspec_here(&q, prefix, path));
	}
	free(prefix);
	mlv_buf_release(&q);
	mlv_buf_release(&full);
	mlv_buf_release(&out);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct tally t = { &repo, { NULL, NULL, 0 }, { 0 }, 0, NULL, NULL };
	git_index *index = NULL;
	const char *format = NULL;
	json_t *o = NULL, *counts;
	int err, rc = 0, json = 0, glob = 0;
	const struct option opts[] = {
		OPT_FORMAT_JSON(&format, &json),
		OPT_FLAG(0, "glob", &glob, "the paths are patterns, as in .gitattributes"),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, STATUS_USAGE)) ||
	    (rc = text_or_json(&json, format)))
		return rc;
	if (json) {
		t.files = json_array();
		t.untracked_files = json_array();
	}
	if (mlv_repo_open(&repo) < 0)
		return die_with_error("");
	if (!repo.workdir) {
		mlv_error_set("status needs a work tree");
		rc = die_with_error("");
		goto done;
	}
	if (path_args_init(&t.paths, repo.workdir, argv + 1, (size_t)(argc - 1), glob) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if ((err = git_repository_index(&index, repo.git)) < 0) {
		mlv_error_from_git(err, "cannot read the index");
		rc = die_with_error("");
		goto done;
	}
	if (mlv_scan_index(&repo, index, status_one, &t) < 0 || list_untracked(&t) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (json) {
		o = json_object();
		counts = json_object();
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set(o, "files", json_incref(t.files));
		mlv_json_set(o, "untracked", json_incref(t.untracked_files));
		mlv_json_set(counts, "materialized", json_integer(t.counts[MLV_WT_MATERIALIZED]));
		mlv_json_set(counts, "pointer", json_integer(t.counts[MLV_WT_POINTER]));
		mlv_json_set(counts, "modified", json_integer(t.counts[MLV_WT_MODIFIED]));
		mlv_json_set(counts, "missing", json_integer(t.counts[MLV_WT_MISSING]));
		mlv_json_set(counts, "untracked", json_integer(t.untracked));
		mlv_json_set(o, "counts", counts);
		mlv_json_write(stdout, o, 2);
		putchar('\n');
		goto done;
	}
	printf("\n%u materialized, %u pointer only, %u modified, %u missing",
	       t.counts[MLV_WT_MATERIALIZED], t.counts[MLV_WT_POINTER],
	       t.counts[MLV_WT_MODIFIED], t.counts[MLV_WT_MISSING]);
	if (t.untracked)
		printf(", %u untracked", t.untracked);
	putchar('\n');
done:
	json_decref(o);
	json_decref(t.files);
	json_decref(t.untracked_files);
	path_args_release(&t.paths);
	git_index_free(index);
	mlv_repo_release(&repo);
	return rc;
}
