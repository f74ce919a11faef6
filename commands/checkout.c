/* git mlv checkout [--quiet] [--offline] [<path>...] | --model <model-ref> */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/progress.h"
#include "mlv/problems.h"
#include "mlv/quote.h"
#include "mlv/run.h"
#include "mlv/scan.h"
#include "mlv/sidecar.h"
#include "mlv/sync.h"
#include "mlv/util.h"
#include "mlv/worktree.h"

#define CHECKOUT_USAGE \
	"checkout [--quiet] [--offline] [--glob] [--] [<path>...] | " \
	"checkout [--quiet] --model <model-ref>"

struct pending {
	char *path;
	struct mlv_pointer p;
	git_oid blob; /* the pointer's blob in the index */
	unsigned mode;
	int missing;  /* the local store lacks the object */
	int restat;   /* materialized already, but the index has another
		       * file's stat data (a killed clone's filter) */
	int done;     /* materialized */
};

struct checkout {
	struct mlv_repo *repo;
	struct path_args wanted;
	struct pending *items;
	size_t n, alloc;
	uint64_t bytes;
};

static void add_item(struct checkout *c, const char *path,
		     const struct mlv_pointer *p, const git_index_entry *e, int restat)
{
	struct pending *it;

	MLV_ALLOC_GROW(c->items, c->n, c->alloc);
	it = &c->items[c->n++];
	memset(it, 0, sizeof(*it));
	it->path = mlv_xstrdup(path);
	it->p = *p;
	it->blob = e->id;
	it->mode = e->mode;
	it->restat = restat;
	if (!restat) {
		it->missing = p->size && !mlv_store_has(&c->repo->store, p->oid);
		c->bytes += p->size;
	}
}

static int collect(const char *path, const struct mlv_pointer *p,
		   const git_index_entry *e, void *payload)
{
	struct checkout *c = payload;
	enum mlv_worktree_state state;
	int err;

	if (!path_args_match(&c->wanted, path))
		return 0;
	/* hashed only when the index's stat data do not match the file */
	if ((err = mlv_worktree_state(&state, c->repo, path, p, e, 1)) < 0)
		return err;
	if (state == MLV_WT_POINTER)
		add_item(c, path, p, e, 0);
	else if (state == MLV_WT_MATERIALIZED && !mlv_worktree_recorded(c->repo, path, e))
		add_item(c, path, p, e, 1);
	return 0;
}

/* The stat data of the files just materialized into their index entries. */
static int record_stat(git_index *index, const char *workdir,
		       const struct pending *items, size_t n)
{
	struct mlv_worktree_file *files = mlv_xreallocarray(NULL, n ? n : 1,
							    sizeof(*files));
	size_t i, done = 0;
	int err;

	for (i = 0; i < n; i++) {
		if (!items[i].done)
			continue;
		files[done].path = items[i].path;
		files[done].blob = items[i].blob;
		done++;
	}
	err = mlv_worktree_record_stat(index, workdir, files, done);
	free(files);
	return err;
}

/*
 * Download the objects of the files to check out that the local store
 * lacks, from the store of the remote lazy fetches use; each failure is
 * said on stderr with the object, the path and the remote. Afterwards
 * `missing` says which are still not there.
 */
static void fetch_missing(struct checkout *c, int quiet)
{
	struct mlv_sync_list list = MLV_SYNC_LIST_INIT;
	struct mlv_problems failures = MLV_PROBLEMS_INIT;
	struct mlv_buf remote = MLV_BUF_INIT;
	struct mlv_backend *b = NULL;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->items[i].missing)
			mlv_sync_list_add(&list, c->items[i].p.oid, c->items[i].p.size,
					  c->items[i].path);
	if (!list.n)
		goto done;
	mlv_sync_list_uniq(&list);
	if (mlv_sync_default_remote(&remote, c->repo) < 0 ||
	    open_remote_store(&b, c->repo, remote.ptr) < 0) {
		fprintf(stderr, "error: cannot download %zu object%s the local store "
			"lacks (the first: %s for '%s'): %s\n", list.n,
			list.n == 1 ? "" : "s", list.items[0].oid,
			mlv_quote_display(list.items[0].path),
			mlv_quote_display(mlv_error_last()));
		goto done;
	}
	mlv_sync_transfer(&failures, c->repo, b, MLV_TRANSFER_DOWNLOAD, &list,
			  quiet, NULL, NULL);
	for (i = 0; i < failures.n; i++)
		fprintf(stderr, "error: remote '%s': %s\n", mlv_quote_display(remote.ptr),
			mlv_quote_display(failures.items[i]));
done:
	for (i = 0; i < c->n; i++)
		if (c->items[i].missing)
			c->items[i].missing = !mlv_store_has(&c->repo->store,
							     c->items[i].p.oid);
	mlv_error_clear();
	mlv_backend_free(b);
	mlv_problems_release(&failures);
	mlv_sync_list_release(&list);
	mlv_buf_release(&remote);
}

/*
 * --offline: name each file whose object the local store lacks, then the
 * command that downloads and checks out exactly those.
 */
static void explain_offline(const struct checkout *c)
{
	struct mlv_buf cmd = MLV_BUF_INIT, q = MLV_BUF_INIT;
	char *prefix = path_cwd_prefix(c->repo->workdir);
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct pending *it = &c->items[i];

		if (!it->missing)
			continue;
		fprintf(stderr, "error: '%s': object %s is not in the local store\n",
			mlv_quote_display(it->path), it->p.oid);
		mlv_buf_printf(&cmd, " %s", path_arg_here(&q, prefix, it->path));
	}
	if (cmd.len)
		fprintf(stderr, "hint: to download them from the remote and check them "
			"out: git mlv checkout --%s\n", cmd.ptr);
	free(prefix);
	mlv_buf_release(&cmd);
	mlv_buf_release(&q);
}

/*
 * 1 when this is a clone that was killed before git wrote its index: HEAD
 * names a commit, there is no index, and HEAD's reflog holds nothing but
 * the clone. (git status then lists every file as a staged deletion, and
 * git restore cannot help.)
 */
static int clone_unfinished(struct mlv_repo *repo)
{
	git_reflog *log = NULL;
	char *index = mlv_path_join(git_repository_path(repo->git), "index");
	size_t i, n;
	int unfinished = 0;

	if (access(index, F_OK) < 0 && errno == ENOENT &&
	    !git_repository_head_unborn(repo->git) &&
	    git_reflog_read(&log, repo->git, "HEAD") == 0 &&
	    (n = git_reflog_entrycount(log)) > 0) {
		unfinished = 1;
		for (i = 0; i < n; i++) {
			const char *msg = git_reflog_entry_message(
				git_reflog_entry_byindex(log, i));

			if (!msg || strncmp(msg, "clone: ", 7))
				unfinished = 0;
		}
	}
	git_reflog_free(log);
	git_error_clear();
	free(index);
	return unfinished;
}

/*
 * Such a clone (or one made with --no-checkout, which looks the same):
 * say how to finish it. mlv does not run it itself: git reset --hard
 * overwrites what the work tree holds, and only the user knows whether
 * that is what git left or their own files. A lock the killed clone left
 * is named in the command.
 */
static int explain_unfinished(struct mlv_repo *repo)
{
	char *lock = mlv_path_join(git_repository_path(repo->git), "index.lock");
	struct mlv_buf q = MLV_BUF_INIT, rm = MLV_BUF_INIT;

	if (access(lock, F_OK) == 0)
		mlv_buf_printf(&rm, "rm -f %s && ", mlv_quote_path(&q, lock));
	mlv_error_set("this repository has no index: its clone was interrupted "
		      "(or made with --no-checkout). If no git command runs here "
		      "and the work tree holds nothing of yours, finish it with: "
		      "%sgit reset --hard HEAD && git mlv checkout", rm.ptr);
	mlv_buf_release(&q);
	mlv_buf_release(&rm);
	free(lock);
	return MLV_EINVALID;
}

/* The paths a model version is made of: the model, its sidecar and each
 * recorded [data] path that `tree` holds (a directory without its '/');
 * the other inputs, external or missing, into `skipped`. */
static void version_paths(struct mlv_buf *skipped, char ***paths, size_t *n,
			  const struct mlv_sidecar *sc, git_tree *tree,
			  const char *model)
{
	struct mlv_buf bare = MLV_BUF_INIT;
	size_t i, alloc = 0;

	MLV_ALLOC_GROW(*paths, *n + 2, alloc);
	(*paths)[(*n)++] = mlv_xstrdup(model);
	mlv_buf_printf(&bare, "%s%s", model, MLV_SIDECAR_SUFFIX);
	(*paths)[(*n)++] = mlv_buf_detach(&bare);
	for (i = 0; i < sc->n; i++) {
		const struct mlv_sidecar_entry *e = &sc->entries[i];
		git_tree_entry *te = NULL;

		if (strcmp(e->section, "data") || (strcmp(e->key, "path") &&
						   strcmp(e->key, "uri")))
			continue;
		if (!strcmp(e->key, "uri")) {
			mlv_buf_printf(skipped, "  %s (external: %s)\n",
				       e->name ? e->name : "data", e->value);
			continue;
		}
		mlv_buf_sets(&bare, e->value);
		while (bare.len > 1 && bare.ptr[bare.len - 1] == '/')
			mlv_buf_truncate(&bare, bare.len - 1);
		if (git_tree_entry_bypath(&te, tree, bare.ptr) < 0) {
			git_error_clear();
			mlv_buf_printf(skipped, "  %s (not in the commit)\n", e->value);
			continue;
		}
		git_tree_entry_free(te);
		MLV_ALLOC_GROW(*paths, *n + 1, alloc);
		(*paths)[(*n)++] = mlv_buf_detach(&bare);
	}
	mlv_buf_release(&bare);
}

/* `git -C TOP <args...> -- :(literal)PATH...`; its exit status. */
static int git_on_paths(struct mlv_buf *out, const char *top, const char *const *args,
			char *const *paths, size_t n, unsigned flags)
{
	const char **argv = mlv_xreallocarray(NULL, n + 16, sizeof(*argv));
	char **specs = mlv_xreallocarray(NULL, n ? n : 1, sizeof(*specs));
	struct mlv_buf spec = MLV_BUF_INIT;
	size_t a = 0, i;
	int status;

	argv[a++] = "-C";
	argv[a++] = top;
	for (i = 0; args[i] && a < 13; i++)
		argv[a++] = args[i];
	argv[a++] = "--";
	for (i = 0; i < n; i++) {
		mlv_buf_clear(&spec);
		mlv_buf_printf(&spec, ":(literal)%s", paths[i]);
		argv[a++] = specs[i] = mlv_buf_detach(&spec);
	}
	argv[a] = NULL;
	status = mlv_run_git(out, argv, flags);
	for (i = 0; i < n; i++)
		free(specs[i]);
	free(specs);
	free(argv);
	mlv_buf_release(&spec);
	return status;
}

/* The paths `git status --porcelain -z` lists, as "a, b, c" into `out`. */
static void status_paths(struct mlv_buf *out, const struct mlv_buf *status)
{
	const char *p = status->ptr, *end = status->ptr + status->len;

	while (p < end) {
		int rename = p[0] == 'R' || p[0] == 'C';
		size_t len = strnlen(p, (size_t)(end - p));

		if (len > 3)
			mlv_buf_printf(out, "%s%s", out->len ? ", " : "", p + 3);
		p += len + 1;
		if (rename && p < end)
			p += strnlen(p, (size_t)(end - p)) + 1;
	}
}

/*
 * git mlv checkout --model REF: the model version REF names, its sidecar
 * and its recorded data, into the work tree and the index as its commit
 * holds them (git checkout --no-overlay COMMIT -- PATHS: a directory ends
 * up exactly as recorded), HEAD left where it is. Refused when any of
 * those paths has local changes, staged, unstaged or untracked.
 */
static int checkout_model(struct mlv_repo *repo, const char *ref, int quiet)
{
	static const char *const status_args[] = { "status", "--porcelain", "-z",
						   "--untracked-files=all",
						   "--ignored=matching", NULL };
	struct mlv_buf model = MLV_BUF_INIT, text = MLV_BUF_INIT, skipped = MLV_BUF_INIT;
	struct mlv_buf out = MLV_BUF_INIT, names = MLV_BUF_INIT, q = MLV_BUF_INIT;
	struct mlv_buf sidecar = MLV_BUF_INIT;
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	const char *checkout_args[] = { "checkout", "--quiet", "--no-overlay", NULL, NULL };
	char hex[GIT_OID_HEXSZ + 1], **paths = NULL;
	git_tree *tree = NULL;
	git_oid commit;
	size_t i, n = 0;
	int err, rc = 0;

	if ((err = resolve_rev(&commit, &model, repo, ref)) < 0) {
		rc = die_with_error("");
		goto done;
	}
	git_oid_tostr(hex, sizeof(hex), &commit);
	if (!err) {
		mlv_quote_shell(&q, ref);
		fprintf(stderr, "fatal: '%s' is no model reference (NAME@1.2.0, "
			"NAME@latest or NAME#STAGE); to check out that commit: git "
			"switch --detach %s\n", ref, q.ptr);
		rc = 128;
		goto done;
	}
	mlv_buf_printf(&sidecar, "%s%s", model.ptr, MLV_SIDECAR_SUFFIX);
	if (read_committed(&text, &tree, repo, &commit, sidecar.ptr, ref) < 0) {
		rc = die_with_error("");
		goto done;
	}
	/* what cannot be read names no path; the check at register time holds */
	mlv_sidecar_parse(&sc, &problems, sidecar.ptr, text.ptr, text.len);
	version_paths(&skipped, &paths, &n, &sc, tree, model.ptr);
	mlv_buf_clear(&out);
	if ((err = git_on_paths(&out, repo->workdir, status_args, paths, n, 0)) != 0) {
		fprintf(stderr, "fatal: git status failed (exit %d) on the paths of %s\n",
			err, ref);
		rc = 128;
		goto done;
	}
	if (out.len) {
		status_paths(&names, &out);
		fprintf(stderr, "fatal: local changes to %s would be overwritten by %s: "
			"commit or stash them (git stash push --include-untracked), then "
			"run git mlv checkout --model again\n", names.ptr, ref);
		rc = 1;
		goto done;
	}
	checkout_args[3] = hex;
	if ((err = git_on_paths(NULL, repo->workdir, checkout_args, paths, n, 0)) != 0) {
		fprintf(stderr, "fatal: git checkout %s failed (exit %d)\n", hex, err);
		rc = 128;
		goto done;
	}
	if (quiet)
		goto done;
	printf("Checked out %s (commit %.12s) into the work tree and the index:\n",
	       ref, hex);
	for (i = 0; i < n; i++)
		printf("  %s\n", paths[i]);
	if (skipped.len)
		printf("Not checked out:\n%s", skipped.ptr);
	mlv_buf_clear(&names);
	for (i = 0; i < n; i++) {
		mlv_buf_puts(&names, " ");
		mlv_buf_puts(&names, mlv_quote_pathspec(&q, paths[i]));
	}
	printf("HEAD has not moved, so git status shows these as staged changes.\n"
	       "To put them back: git restore --source=HEAD --staged --worktree --%s\n"
	       "To check out the commit itself: git switch --detach %s\n",
	       names.ptr, hex);
done:
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	git_tree_free(tree);
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
	mlv_buf_release(&model);
	mlv_buf_release(&text);
	mlv_buf_release(&skipped);
	mlv_buf_release(&out);
	mlv_buf_release(&names);
	mlv_buf_release(&q);
	mlv_buf_release(&sidecar);
	return rc;
}

int cmd_checkout(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct checkout c = { &repo, { NULL, NULL, 0 }, NULL, 0, 0, 0 };
	struct mlv_progress progress;
	git_index *index = NULL;
	size_t i, failed = 0;
	const char *ref = NULL;
	int first = 1, quiet = 0, offline = 0, glob = 0, err, rc = 0;
	const struct option opts[] = {
		OPT_FLAG('q', "quiet", &quiet, "no progress"),
		OPT_FLAG(0, "offline", &offline,
			 "download nothing: files the local store lacks fail"),
		OPT_FLAG(0, "glob", &glob, "the arguments are patterns, as in .gitattributes"),
		OPT_STRING(0, "model", &ref, "<ref>",
			   "that model version and its data (models/fraud#prod, NAME@1.2.0)"),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, CHECKOUT_USAGE)))
		return rc;
	if (ref && (!*ref || first < argc || glob || offline))
		return usage_with_options(CHECKOUT_USAGE, opts);
	if (mlv_repo_open(&repo) < 0)
		return die_with_error("");
	if (!repo.workdir) {
		mlv_error_set("checkout needs a work tree");
		rc = die_with_error("");
		goto done;
	}
	if (clone_unfinished(&repo) && explain_unfinished(&repo) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (ref) {
		rc = checkout_model(&repo, ref, quiet);
		goto done;
	}
	if (path_args_init(&c.wanted, repo.workdir, argv + first, (size_t)(argc - first),
			   glob) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if ((err = git_repository_index(&index, repo.git)) < 0) {
		mlv_error_from_git(err, "cannot read the index");
		rc = die_with_error("");
		goto done;
	}
	if (mlv_scan_index(&repo, index, collect, &c) < 0) {
		rc = die_with_error("");
		goto done;
	}
	/* as git: a path that names nothing is a mistake, not a no-op */
	if ((rc = path_args_report_unmatched(&c.wanted)))
		goto done;
	if (offline)
		explain_offline(&c);
	else
		fetch_missing(&c, quiet);
	mlv_progress_start(&progress, "Checking out mlv files", c.n, quiet);
	for (i = 0; i < c.n; i++) {
		struct pending *it = &c.items[i];

		if (it->restat) {
			it->done = 1; /* only its stat data go to the index */
		} else if (it->missing) {
			failed++; /* said above */
		} else if (mlv_worktree_materialize(&repo, it->path, &it->p, it->mode) < 0) {
			fprintf(stderr, "%serror: %s\n", progress.shown ? "\n" : "",
				mlv_error_last());
			failed++;
		} else {
			it->done = 1;
		}
		mlv_progress_add(&progress, 1, it->restat ? 0 : it->p.size);
	}
	mlv_progress_stop(&progress);
	if (c.n > failed && record_stat(index, repo.workdir, c.items, c.n) < 0)
		fprintf(stderr, "warning: %s; 'git status' may list the checked-out "
			"files as modified until 'git add' sees them\n",
			mlv_error_last());
	if (failed) {
		fprintf(stderr, "fatal: %zu of %zu files could not be checked out\n",
			failed, c.n);
		rc = 1;
	}
done:
	for (i = 0; i < c.n; i++)
		free(c.items[i].path);
	free(c.items);
	path_args_release(&c.wanted);
	git_index_free(index);
	mlv_repo_release(&repo);
	return rc;
}
