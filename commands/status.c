/* git mlv status [--format text|json] */
#include <stdio.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/json.h"
#include "mlv/quote.h"
#include "mlv/scan.h"
#include "mlv/worktree.h"

#define STATUS_USAGE "status [--format text|json]"

struct tally {
	struct mlv_repo *repo;
	unsigned counts[4];
	json_t *files; /* with --format json */
};

static int status_one(const char *path, const struct mlv_pointer *p,
		      const git_index_entry *e, void *payload)
{
	struct tally *t = payload;
	enum mlv_worktree_state state;
	int err;

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

int cmd_status(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct tally t = { &repo, { 0 }, NULL };
	git_index *index = NULL;
	const char *format = NULL;
	json_t *o = NULL, *counts;
	int err, rc = 0, json = 0;
	const struct option opts[] = {
		OPT_FORMAT_JSON(&format, &json),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, STATUS_USAGE)) ||
	    (rc = text_or_json(&json, format)))
		return rc;
	if (argc != 1)
		return usage_with_options(STATUS_USAGE, opts);
	if (json)
		t.files = json_array();
	if (mlv_repo_open(&repo) < 0)
		return die_with_error("");
	if (!repo.workdir) {
		mlv_error_set("status needs a work tree");
		rc = die_with_error("");
		goto done;
	}
	if ((err = git_repository_index(&index, repo.git)) < 0) {
		mlv_error_from_git(err, "cannot read the index");
		rc = die_with_error("");
		goto done;
	}
	if (mlv_scan_index(&repo, index, status_one, &t) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (json) {
		o = json_object();
		counts = json_object();
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set(o, "files", json_incref(t.files));
		mlv_json_set(counts, "materialized", json_integer(t.counts[MLV_WT_MATERIALIZED]));
		mlv_json_set(counts, "pointer", json_integer(t.counts[MLV_WT_POINTER]));
		mlv_json_set(counts, "modified", json_integer(t.counts[MLV_WT_MODIFIED]));
		mlv_json_set(counts, "missing", json_integer(t.counts[MLV_WT_MISSING]));
		mlv_json_set(o, "counts", counts);
		mlv_json_write(stdout, o, 2);
		putchar('\n');
		goto done;
	}
	printf("\n%u materialized, %u pointer only, %u modified, %u missing\n",
	       t.counts[MLV_WT_MATERIALIZED], t.counts[MLV_WT_POINTER],
	       t.counts[MLV_WT_MODIFIED], t.counts[MLV_WT_MISSING]);
done:
	json_decref(o);
	json_decref(t.files);
	git_index_free(index);
	mlv_repo_release(&repo);
	return rc;
}
