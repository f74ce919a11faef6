/* git mlv checkout [--quiet] [<path>...] */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/progress.h"
#include "mlv/scan.h"
#include "mlv/util.h"
#include "mlv/worktree.h"

struct pending {
	char *path;
	struct mlv_pointer p;
	git_oid blob; /* the pointer's blob in the index */
	unsigned mode;
	int done;     /* materialized */
};

struct checkout {
	struct mlv_repo *repo;
	git_pathspec *pathspec;
	struct pending *items;
	size_t n, alloc;
	uint64_t bytes;
};

static int collect(const char *path, const struct mlv_pointer *p,
		   const git_index_entry *e, void *payload)
{
	struct checkout *c = payload;
	enum mlv_worktree_state state;
	int err;

	if (c->pathspec &&
	    !git_pathspec_matches_path(c->pathspec, GIT_PATHSPEC_DEFAULT, path))
		return 0;
	if ((err = mlv_worktree_state(&state, c->repo, path, p, e, 0)) < 0)
		return err;
	if (state != MLV_WT_POINTER)
		return 0;
	MLV_ALLOC_GROW(c->items, c->n, c->alloc);
	c->items[c->n].path = mlv_xstrdup(path);
	c->items[c->n].p = *p;
	c->items[c->n].blob = e->id;
	c->items[c->n].mode = e->mode;
	c->items[c->n].done = 0;
	c->bytes += p->size;
	c->n++;
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

/* The current directory relative to the work tree: "" or "dir/". */
static char *cwd_prefix(const char *workdir)
{
	char cwd[PATH_MAX], top[PATH_MAX];
	size_t tl;

	if (!getcwd(cwd, sizeof(cwd)) || !realpath(workdir, top))
		return mlv_xstrdup("");
	tl = strlen(top);
	if (strncmp(cwd, top, tl) || (cwd[tl] && cwd[tl] != '/') || !cwd[tl])
		return mlv_xstrdup("");
	return mlv_path_join(cwd + tl + 1, "");
}

static int make_pathspec(git_pathspec **out, const char *prefix, int argc,
			 char **argv)
{
	char **patterns = mlv_xmalloc((size_t)argc * sizeof(*patterns));
	git_strarray arr;
	int i, err;

	for (i = 0; i < argc; i++) {
		struct mlv_buf pattern = MLV_BUF_INIT;
		const char *arg = argv[i];

		if (!strcmp(arg, "."))
			arg = "";
		else if (!strncmp(arg, "./", 2))
			arg += 2;
		mlv_buf_printf(&pattern, "%s%s", prefix, arg);
		if (!pattern.len)
			mlv_buf_puts(&pattern, "*");
		patterns[i] = mlv_buf_detach(&pattern);
	}
	arr.strings = patterns;
	arr.count = (size_t)argc;
	err = git_pathspec_new(out, &arr);
	for (i = 0; i < argc; i++)
		free(patterns[i]);
	free(patterns);
	return err < 0 ? mlv_error_from_git(err, "bad pathspec") : 0;
}

int cmd_checkout(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct checkout c = { &repo, NULL, NULL, 0, 0, 0 };
	struct mlv_progress progress;
	git_index *index = NULL;
	char *prefix = NULL;
	size_t i, failed = 0;
	int first = 1, quiet = 0, err, rc = 0;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--quiet") || !strcmp(argv[first], "-q"))
			quiet = 1;
		else if (!strcmp(argv[first], "--")) {
			first++;
			break;
		} else
			return usage_error("checkout [--quiet] [<path>...]");
	}
	if (mlv_repo_open(&repo) < 0)
		return die_with_error("");
	if (!repo.workdir) {
		mlv_error_set("checkout needs a work tree");
		rc = die_with_error("");
		goto done;
	}
	prefix = cwd_prefix(repo.workdir);
	if (first < argc &&
	    make_pathspec(&c.pathspec, prefix, argc - first, argv + first) < 0) {
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
	mlv_progress_start(&progress, "Checking out mlv files", c.n, quiet);
	for (i = 0; i < c.n; i++) {
		struct pending *it = &c.items[i];

		if (mlv_worktree_materialize(&repo, it->path, &it->p, it->mode) < 0) {
			fprintf(stderr, "%serror: %s\n", progress.shown ? "\n" : "",
				mlv_error_last());
			failed++;
		} else {
			it->done = 1;
		}
		mlv_progress_add(&progress, 1, it->p.size);
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
	free(prefix);
	git_pathspec_free(c.pathspec);
	git_index_free(index);
	mlv_repo_release(&repo);
	return rc;
}
