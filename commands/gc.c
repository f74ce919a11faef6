/* git mlv gc --remote <remote> [--dry-run] [--grace <days>] [--restore] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/gc.h"
#include "mlv/progress.h"
#include "mlv/quote.h"
#include "mlv/run.h"
#include "mlv/sync.h"

#define GC_USAGE \
	"gc --remote <remote> [--dry-run] [--quiet] [--grace <days>] | " \
	"gc --remote <remote> --restore"

#define DAY (24 * 3600)
/* Where the refs of the store are fetched to, for the walk. */
#define GC_REFS "refs/mlv/gc/"

/*
 * A number of seconds from git config `key` (a tests' knob: the grace,
 * lease and trash periods in seconds), or `days` days from `days_key`,
 * else `dflt` days. 0, or -1 after a message.
 */
static int config_period(int64_t *out, struct mlv_repo *repo, const char *key,
			 const char *days_key, long dflt)
{
	long v = mlv_repo_config_int(repo, key, -1);

	if (v > 0) {
		*out = v;
		return 0;
	}
	if (days_key) {
		v = mlv_repo_config_int(repo, days_key, dflt);
		if (v < 1 || v > 36500) {
			mlv_error_set("%s must be a number of days, at least 1", days_key);
			return -1;
		}
		*out = (int64_t)v * DAY;
		return 0;
	}
	*out = dflt;
	return 0;
}

static int parse_grace(int64_t *out, const char *text)
{
	char *end;
	unsigned long n;

	if (!text)
		return 0;
	n = strtoul(text, &end, 10);
	if (end == text || *end || text[0] == '-' || n < 1 || n > 36500) {
		mlv_error_set("--grace '%s' is not a number of days, at least 1 (an "
			      "object must be unreachable in two marks this far apart)",
			      mlv_quote_display(text));
		return -1;
	}
	*out = (int64_t)n * DAY;
	return 0;
}

/* gc collects only an mlv:: remote's store: its manifest lists every ref
 * there is. A store beside a Git host may serve other repositories. */
static int check_mlv_remote(struct mlv_repo *repo, const char *remote)
{
	struct mlv_buf key = MLV_BUF_INIT, url = MLV_BUF_INIT;
	int err = 0;

	mlv_buf_printf(&key, "remote.%s.url", remote);
	if (!mlv_repo_config_string(&url, repo, key.ptr) ||
	    strncmp(url.ptr, "mlv::", 5)) {
		mlv_error_set("remote '%s' is not an mlv:: remote: its Git refs live "
			      "elsewhere, so its store cannot tell what is still needed "
			      "(and other repositories may share it); gc collects only the "
			      "stores of mlv:: remotes", mlv_quote_display(remote));
		err = MLV_EINVALID;
	}
	mlv_buf_release(&key);
	mlv_buf_release(&url);
	return err;
}

static void remove_gc_refs(struct mlv_repo *repo)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;

	if (git_reference_iterator_glob_new(&it, repo->git, GC_REFS "*") == 0)
		while (git_reference_next(&ref, it) == 0) {
			git_reference_delete(ref);
			git_reference_free(ref);
		}
	git_reference_iterator_free(it);
	git_error_clear();
}

/*
 * The manifest, with the history of every ref it names in the repository:
 * what is missing is fetched (to refs/mlv/gc/, removed afterwards), and
 * the manifest read again if it moved meanwhile.
 */
static int read_store_refs(struct mlv_manifest *m, struct mlv_repo *repo,
			   struct mlv_conn *c, const char *remote)
{
	const char *args[] = { "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
			       "--no-auto-gc", "--", remote, "+refs/*:" GC_REFS "*",
			       NULL };
	int attempt, err, rc;

	for (attempt = 0; attempt < 3; attempt++) {
		mlv_manifest_release(m);
		if ((err = mlv_manifest_read(m, NULL, c)) < 0) {
			if (err == MLV_ENOTFOUND)
				mlv_error_set("%s has no ref manifest (git/refs): nothing was "
					      "ever pushed there with git push, so gc cannot "
					      "tell what is needed; nothing was moved",
					      mlv_backend_url(c->backend));
			return err;
		}
		if (m->unsealed) {
			mlv_error_set("the manifest of %s has no end line (an older mlv "
				      "wrote it), so a cut-short copy could not be told from "
				      "a whole one: push once to seal it, then run gc again",
				      mlv_backend_url(c->backend));
			return MLV_EINVALID;
		}
		if (!mlv_gc_missing_tip(repo, m))
			return 0;
		if ((rc = mlv_run_git(NULL, args, MLV_RUN_NO_STDIN)) != 0) {
			mlv_error_set("git fetch of every ref of '%s' failed (exit %d): gc "
				      "must see the whole history the store holds; nothing "
				      "was moved", mlv_quote_display(remote), rc);
			return MLV_ERROR;
		}
	}
	mlv_error_set("the refs of %s kept moving while gc fetched them: run it "
		      "again", mlv_backend_url(c->backend));
	return MLV_ECONFLICT;
}

static void print_when(char *out, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M UTC", &tm);
}

static void report(const struct mlv_gc_result *res, const struct mlv_gc_options *o,
		   const struct mlv_manifest *m, const char *url, const char *remote)
{
	struct mlv_buf q = MLV_BUF_INIT;
	char total[32], swept[32], when[40];
	size_t i;

	for (i = 0; i < res->swept.n; i++) {
		mlv_progress_human_bytes(swept, sizeof(swept), (double)res->swept.items[i].size);
		printf("%s %s (%s)\n", o->dry_run ? "would move" : "moved",
		       res->swept.items[i].oid, swept);
	}
	mlv_progress_human_bytes(total, sizeof(total), (double)res->bytes);
	mlv_progress_human_bytes(swept, sizeof(swept), (double)res->swept_bytes);
	if (res->first_mark) {
		print_when(when, sizeof(when), res->wait_until);
		printf("gc: %zu objects reachable from the %zu refs of %s%s%s; no mark "
		       "is old enough to compare with, so nothing moves before %s\n",
		       res->reachable, m->nrefs, url, res->mark.len ? ", marked as " : "",
		       res->mark.ptr ? res->mark.ptr : "", when);
		goto done;
	}
	printf("gc: %zu objects (%s) in %s: %zu reachable from %zu refs, %zu %s to "
	       "trash/ (%s)", res->objects, total, url, res->reachable, m->nrefs,
	       res->swept.n, o->dry_run ? "would move" : "moved", swept);
	if (res->kept_young)
		printf(", %zu kept as newer than %s", res->kept_young, res->previous.ptr);
	if (res->kept_pushing)
		printf(", %zu kept for pushes", res->kept_pushing);
	printf("\n");
	if (res->restored)
		printf("gc: %zu objects an earlier gc moved are reachable again: moved "
		       "back from trash/\n", res->restored);
	if (res->expired)
		printf("gc: %zu objects older than the trash period deleted from trash/\n",
		       res->expired);
	if (res->left)
		printf("gc: the sweep's lease ran out before %zu objects moved: run gc "
		       "again\n", res->left);
	if (res->swept.n && !o->dry_run) {
		print_when(when, sizeof(when), (int64_t)time(NULL) + o->trash);
		mlv_quote_shell(&q, remote);
		printf("hint: until about %s, this moves them back: git mlv gc "
		       "--remote %s --restore\n", when, q.ptr);
	}
done:
	mlv_buf_release(&q);
}

int cmd_gc(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_manifest m = MLV_MANIFEST_INIT;
	struct mlv_gc_result res = MLV_GC_RESULT_INIT;
	struct mlv_gc_options o = { 0, 0, 0, 0, 0, 0 };
	struct mlv_backend *b = NULL;
	struct mlv_conn *c = NULL;
	const char *remote = NULL, *grace = NULL;
	int rc, err, restore = 0;
	size_t restored = 0;
	const struct option opts[] = {
		OPT_STRING(0, "remote", &remote, "<remote>",
			   "the mlv:: remote whose store to collect"),
		OPT_FLAG('n', "dry-run", &o.dry_run, "print what would move, write nothing"),
		OPT_FLAG('q', "quiet", &o.quiet, "no progress"),
		OPT_STRING(0, "grace", &grace, "<days>",
			   "days between the two marks an object must miss (mlv.gcgrace, 1)"),
		OPT_FLAG(0, "restore", &restore, "move what earlier sweeps took back from trash/"),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, GC_USAGE)))
		return rc;
	if (argc > 1 || !remote) {
		if (!remote)
			fprintf(stderr, "error: gc needs --remote <remote> (the local store "
				"is cleaned by git mlv prune)\n");
		return usage_with_options(GC_USAGE, opts);
	}
	if (mlv_repo_open(&repo) < 0)
		return die_with_error("");
	if ((rc = check_remote(&repo, remote)))
		goto done;
	rc = 128;
	if (config_period(&o.grace, &repo, "mlv.gcgraceseconds", "mlv.gcgrace", 1) < 0 ||
	    config_period(&o.trash, &repo, "mlv.gctrashseconds", "mlv.gctrashdays", 7) < 0 ||
	    config_period(&o.lease, &repo, "mlv.gcleaseseconds", NULL,
			  MLV_GC_LEASE_SECONDS) < 0 ||
	    parse_grace(&o.grace, grace) < 0 || check_mlv_remote(&repo, remote) < 0 ||
	    open_remote_store(&b, &repo, remote) < 0 || mlv_conn_open(&c, b) < 0) {
		rc = die_with_error("");
		goto done;
	}
	o.jobs = mlv_sync_jobs(&repo);
	if (restore) {
		err = mlv_gc_restore(&restored, c, o.jobs, o.quiet);
		if (restored || err == 0)
			printf("gc: %zu objects moved back from trash/ of %s\n", restored,
			       mlv_backend_url(b));
		rc = err < 0 ? die_with_error("") : 0;
		goto done;
	}
	err = read_store_refs(&m, &repo, c, remote);
	if (err == 0)
		err = mlv_gc_run(&res, &repo, c, &m, &o);
	remove_gc_refs(&repo);
	if (err < 0) {
		rc = die_with_error("");
		goto done;
	}
	report(&res, &o, &m, mlv_backend_url(b), remote);
	rc = 0;
done:
	mlv_gc_result_release(&res);
	mlv_manifest_release(&m);
	mlv_conn_close(c);
	mlv_backend_free(b);
	mlv_repo_release(&repo);
	return rc;
}
