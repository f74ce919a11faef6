/* git mlv prune [--dry-run] [--verbose] [--recent-days N] [--no-verify-remote] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/progress.h"
#include "mlv/prune.h"
#include "mlv/quote.h"
#include "mlv/store.h"
#include "mlv/sync.h"

#define PRUNE_USAGE \
	"prune [--dry-run] [--verbose] [--quiet] [--recent-days <n>] [--no-verify-remote]"

/*
 * A number of days from an option or git config: digits, or "now" (0);
 * `*days` is left alone when `text` is NULL. 0, or -1 after a message.
 */
static int parse_days(unsigned *days, const char *text, const char *what)
{
	char *end;
	unsigned long n;

	if (!text)
		return 0;
	if (!strcmp(text, "now")) {
		*days = 0;
		return 0;
	}
	n = strtoul(text, &end, 10);
	if (end == text || *end || text[0] == '-' || n > 36500) {
		mlv_error_set("%s '%s' is not a number of days", what, mlv_quote_display(text));
		return -1;
	}
	*days = (unsigned)n;
	return 0;
}

static int config_days(unsigned *days, struct mlv_repo *repo, const char *key)
{
	struct mlv_buf text = MLV_BUF_INIT;
	int err = 0;

	if (mlv_repo_config_string(&text, repo, key))
		err = parse_days(days, text.ptr, key);
	mlv_buf_release(&text);
	return err;
}

/* mlv.pruneremote, else the remote lazy fetches use; 0 when there is none. */
static int prune_remote(struct mlv_buf *out, struct mlv_repo *repo)
{
	if (mlv_repo_config_string(out, repo, "mlv.pruneremote")) {
		if (!mlv_sync_is_remote(repo, out->ptr)) {
			mlv_error_set("mlv.pruneremote names no remote ('%s'): set it to one "
				      "'git remote' lists",
				      mlv_quote_display(out->ptr));
			return -1;
		}
		return 1;
	}
	if (mlv_sync_default_remote(out, repo) == 0)
		return 1;
	mlv_error_clear();
	return 0;
}

/*
 * Delete the objects of `l` (only print them with `dry_run`), one line
 * each; count them and their bytes.
 */
static int prune_list(uint64_t *freed, size_t *deleted, struct mlv_repo *repo,
		      const struct mlv_sync_list *l, int dry_run)
{
	char size[32];
	size_t i;
	int err;

	for (i = 0; i < l->n; i++) {
		const struct mlv_sync_object *o = &l->items[i];

		if (!dry_run && (err = mlv_store_remove(&repo->store, o->oid)) < 0) {
			if (err == MLV_ENOTFOUND)
				continue; /* another prune took it */
			return err;
		}
		mlv_progress_human_bytes(size, sizeof(size), (double)o->size);
		printf("%s %s (%s) %s\n", dry_run ? "would delete" : "deleted", o->oid, size,
		       o->path ? mlv_quote_display(o->path) : "(in no commit)");
		*freed += o->size;
		(*deleted)++;
	}
	return 0;
}

static void print_summary(const struct mlv_prune_plan *plan, size_t deleted,
			  uint64_t freed, int dry_run, int verbose)
{
	char total[32], gone[32], kept[32];
	int why;

	mlv_progress_human_bytes(total, sizeof(total), (double)plan->bytes);
	mlv_progress_human_bytes(gone, sizeof(gone), (double)freed);
	mlv_progress_human_bytes(kept, sizeof(kept), (double)plan->kept_bytes);
	printf("prune: %zu object%s (%s): %zu kept (%s), %zu %s, %s %s\n", plan->objects,
	       plan->objects == 1 ? "" : "s", total, plan->objects - deleted, kept,
	       deleted, dry_run ? "would be deleted" : "deleted", gone,
	       dry_run ? "would be freed" : "freed");
	if (!verbose)
		return;
	printf("prune: %zu commits walked\n", plan->commits);
	for (why = 0; why < MLV_PRUNE_NREASONS; why++)
		if (plan->kept[why])
			printf("prune: kept %zu %s\n", plan->kept[why],
			       mlv_prune_reason_name((enum mlv_prune_reason)why));
}

int cmd_prune(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_prune_plan plan = MLV_PRUNE_PLAN_INIT;
	struct mlv_prune_options o = { NULL, 7, 14, 0, 0 };
	struct mlv_sync_list lacking = MLV_SYNC_LIST_INIT;
	struct mlv_buf remote = MLV_BUF_INIT, q = MLV_BUF_INIT;
	struct mlv_backend *b = NULL;
	const char *recent = NULL;
	int rc, err, dry_run = 0, verbose = 0, quiet = 0, verify = 1, has_remote;
	uint64_t freed = 0;
	size_t deleted = 0, i;
	const struct option opts[] = {
		OPT_FLAG('n', "dry-run", &dry_run, "print what would be deleted, delete nothing"),
		OPT_FLAG('v', "verbose", &verbose, "also say why the others are kept"),
		OPT_FLAG('q', "quiet", &quiet, "no progress"),
		OPT_STRING(0, "recent-days", &recent, "<n>",
			   "keep the objects of commits this recent (mlv.prunerecentdays, 7)"),
		OPT_FLAG(0, "verify-remote", &verify,
			 "delete only what the remote store is seen to have (the default)"),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, PRUNE_USAGE)))
		return rc;
	if (argc > 1)
		return usage_with_options(PRUNE_USAGE, opts);
	if (mlv_repo_open(&repo) < 0)
		return die_with_error("");
	if (config_days(&o.recent_days, &repo, "mlv.prunerecentdays") < 0 ||
	    config_days(&o.expire_days, &repo, "mlv.pruneexpire") < 0 ||
	    parse_days(&o.recent_days, recent, "--recent-days") < 0 ||
	    (has_remote = prune_remote(&remote, &repo)) < 0) {
		rc = die_with_error("");
		goto done;
	}
	o.remote = has_remote ? remote.ptr : NULL;
	o.now = time(NULL);
	o.quiet = quiet;
	if (!has_remote)
		fprintf(stderr, "mlv: no remote to compare with (mlv.pruneremote, the "
			"upstream or origin): keeping the objects of every commit\n");
	if ((err = mlv_prune_plan(&plan, &repo, &o)) < 0) {
		if (err == MLV_ENOTFOUND) {
			fprintf(stderr, "mlv: %s\n", mlv_error_last());
			goto done;
		}
		rc = die_with_error("");
		goto done;
	}
	if (verify && plan.confirm.n) {
		if ((err = open_remote_store(&b, &repo, remote.ptr)) < 0 ||
		    (err = mlv_prune_confirm(&lacking, &plan, &repo, b, quiet)) < 0) {
			fprintf(stderr, "fatal: %s\n", mlv_error_last());
			fprintf(stderr, "hint: nothing was deleted; 'git mlv prune "
				"--no-verify-remote' deletes without asking the remote\n");
			rc = 128;
			goto done;
		}
	}
	if (prune_list(&freed, &deleted, &repo, &plan.unreferenced, dry_run) < 0 ||
	    prune_list(&freed, &deleted, &repo, &plan.confirm, dry_run) < 0) {
		rc = die_with_error("");
		goto done;
	}
	for (i = 0; i < lacking.n; i++)
		fprintf(stderr, "mlv: kept %s (%s): %s does not have it\n", lacking.items[i].oid,
			mlv_quote_display(lacking.items[i].path), mlv_backend_url(b));
	if (lacking.n) {
		mlv_quote_shell(&q, remote.ptr);
		fprintf(stderr, "hint: 'git mlv push %s' uploads them; prune can delete them "
			"after that\n", q.ptr);
	}
	print_summary(&plan, deleted, freed, dry_run, verbose);
done:
	mlv_sync_list_release(&lacking);
	mlv_prune_plan_release(&plan);
	mlv_backend_free(b);
	mlv_buf_release(&remote);
	mlv_buf_release(&q);
	mlv_repo_release(&repo);
	return rc;
}
