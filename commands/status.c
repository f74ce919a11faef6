/* git mlv status */
#include <stdio.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/scan.h"
#include "mlv/worktree.h"

struct tally {
	struct mlv_repo *repo;
	unsigned counts[4];
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
	printf("%-13s %s", mlv_worktree_state_name(state), path);
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
	struct tally t = { &repo, { 0 } };
	git_index *index = NULL;
	int err, rc = 0;
	const struct option opts[] = { OPT_END() };

	if ((rc = parse_options(&argc, argv, opts, "status")))
		return rc;
	if (argc != 1)
		return usage_with_options("status", opts);
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
	printf("\n%u materialized, %u pointer only, %u modified, %u missing\n",
	       t.counts[MLV_WT_MATERIALIZED], t.counts[MLV_WT_POINTER],
	       t.counts[MLV_WT_MODIFIED], t.counts[MLV_WT_MISSING]);
done:
	git_index_free(index);
	mlv_repo_release(&repo);
	return rc;
}
