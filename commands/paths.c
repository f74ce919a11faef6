/* The paths a command line names, matched against repository paths. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "builtin.h"
#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/quote.h"
#include "mlv/repo.h"
#include "mlv/util.h"

struct path_arg {
	char *path;         /* from the work tree top; "" for all */
	int glob;           /* `path` is a pattern for git_pathspec */
	git_pathspec *spec; /* the pattern, for a glob */
	int matched;
};

char *path_cwd_prefix(const char *workdir)
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

/*
 * `arg` from a command run in `prefix` ("" or "dir/") as a path from the
 * work tree top, "." and ".." resolved, no trailing '/'. NULL (message
 * set) when it leads out of the work tree.
 */
static char *top_relative(const char *prefix, const char *arg)
{
	struct mlv_buf joined = MLV_BUF_INIT, out = MLV_BUF_INIT;
	char *rel = NULL;

	mlv_buf_printf(&joined, "%s%s", prefix, arg);
	if (mlv_path_append_parts(&out, joined.ptr))
		mlv_error_set("'%s' is outside the work tree", arg);
	else
		rel = mlv_xstrdup(out.len ? out.ptr + 1 : "");
	mlv_buf_release(&joined);
	mlv_buf_release(&out);
	return rel;
}

static int add_arg(struct path_args *a, const char *prefix, const char *arg, int glob)
{
	struct path_arg *w;
	git_strarray arr;
	char *pattern;
	int err;

	a->items = mlv_xreallocarray(a->items, a->n + 1, sizeof(*a->items));
	w = &a->items[a->n];
	memset(w, 0, sizeof(*w));
	if (!strncmp(arg, ":(glob)", 7)) {
		arg += 7;
		glob = 1;
	}
	if (!glob) {
		if (!(w->path = top_relative(prefix, arg)))
			return MLV_EINVALID;
		a->n++;
		return 0;
	}
	w->glob = 1;
	w->path = mlv_path_join(prefix[0] ? prefix : ".", arg);
	pattern = prefix[0] ? w->path : w->path + 2;
	arr.strings = &pattern;
	arr.count = 1;
	a->n++;
	if ((err = git_pathspec_new(&w->spec, &arr)) < 0)
		return mlv_error_from_git(err, "bad pattern");
	return 0;
}

int path_args_init(struct path_args *a, const char *workdir, char *const *args,
		   size_t n, int glob)
{
	char *prefix;
	size_t i;
	int err = 0;

	memset(a, 0, sizeof(*a));
	a->args = args;
	if (!n)
		return 0;
	prefix = path_cwd_prefix(workdir);
	for (i = 0; i < n && !err; i++)
		err = add_arg(a, prefix, args[i], glob);
	free(prefix);
	return err;
}

int path_args_match(struct path_args *a, const char *path)
{
	size_t i, n;
	int hit = !a->n;

	for (i = 0; i < a->n; i++) {
		struct path_arg *w = &a->items[i];

		n = strlen(w->path);
		if (w->glob ? git_pathspec_matches_path(w->spec, GIT_PATHSPEC_DEFAULT, path) :
			      !n || (!strncmp(path, w->path, n) &&
				     (!path[n] || path[n] == '/'))) {
			w->matched = 1;
			hit = 1;
		}
	}
	return hit;
}

int path_args_report_unmatched(const struct path_args *a)
{
	struct mlv_buf q = MLV_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < a->n; i++) {
		if (a->items[i].matched)
			continue;
		mlv_buf_clear(&q);
		mlv_quote_shell(&q, a->args[i]);
		fprintf(stderr, "error: %s matches no file stored by mlv\n", q.ptr);
		rc = 1;
	}
	mlv_buf_release(&q);
	return rc;
}

const char *path_pathspec_here(struct mlv_buf *q, const char *prefix, const char *path)
{
	struct mlv_buf top = MLV_BUF_INIT;

	mlv_buf_clear(q);
	if (!prefix[0]) {
		mlv_quote_shell_pathspec(q, path);
	} else {
		mlv_buf_printf(&top, ":(top,literal)%s", path);
		mlv_quote_shell(q, top.ptr);
	}
	mlv_buf_release(&top);
	return q->ptr;
}

const char *path_arg_here(struct mlv_buf *q, const char *prefix, const char *path)
{
	struct mlv_buf rel = MLV_BUF_INIT;
	size_t shared = 0, i;

	/* the leading directories `prefix` and `path` share */
	for (i = 0; prefix[i] && prefix[i] == path[i]; i++)
		if (prefix[i] == '/')
			shared = i + 1;
	for (i = shared; prefix[i]; i++)
		if (prefix[i] == '/')
			mlv_buf_puts(&rel, "../");
	if (!rel.len && !strncmp(path + shared, ":(glob)", 7))
		mlv_buf_puts(&rel, "./");
	mlv_buf_puts(&rel, path + shared);
	mlv_buf_clear(q);
	mlv_quote_shell_path(q, rel.ptr);
	mlv_buf_release(&rel);
	return q->ptr;
}

void path_args_release(struct path_args *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->items[i].path);
		git_pathspec_free(a->items[i].spec);
	}
	free(a->items);
	memset(a, 0, sizeof(*a));
}
