#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <unistd.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/repo.h"
#include "mlv/util.h"

int mlv_error_from_git(int code, const char *what)
{
	const git_error *e = git_error_last();

	mlv_error_set("%s: %s", what, e && e->message ? e->message : "unknown error");
	if (code == GIT_ENOTFOUND)
		return MLV_ENOTFOUND;
	if (code == GIT_EEXISTS)
		return MLV_EEXISTS;
	return MLV_ERROR;
}

int mlv_error_from_gitf(int code, const char *fmt, ...)
{
	struct mlv_buf what = MLV_BUF_INIT;
	va_list ap;
	int err;

	va_start(ap, fmt);
	mlv_buf_vprintf(&what, fmt, ap);
	va_end(ap);
	err = mlv_error_from_git(code, what.ptr);
	mlv_buf_release(&what);
	return err;
}

/*
 * libgit2 finds the repository from GIT_DIR and friends but refuses
 * GIT_WORK_TREE ("unimplemented"), which git sets for the filters it runs
 * in `git worktree add` and `git --work-tree=<dir>`. Open without it, then
 * apply it as git does: the work tree is that directory.
 */
static int open_from_env(git_repository **out)
{
	const char *env = getenv("GIT_WORK_TREE");
	char *work_tree = env && *env ? mlv_xstrdup(env) : NULL;
	int err;

	if (work_tree)
		unsetenv("GIT_WORK_TREE");
	err = git_repository_open_ext(out, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
	if (work_tree) {
		setenv("GIT_WORK_TREE", work_tree, 1); /* for the git we run */
		if (err == 0 && (err = git_repository_set_workdir(*out, work_tree, 0)) < 0) {
			git_repository_free(*out);
			*out = NULL;
		}
	}
	free(work_tree);
	return err;
}

int mlv_repo_open(struct mlv_repo *r)
{
	const char *common;
	int err;

	memset(r, 0, sizeof(*r));
	err = open_from_env(&r->git);
	if (err == GIT_ENOTFOUND) {
		mlv_error_set("not in a git repository");
		return MLV_ENOTFOUND;
	}
	if (err < 0)
		return mlv_error_from_git(err, "cannot open the git repository");
	if ((err = git_repository_config_snapshot(&r->config, r->git)) < 0) {
		err = mlv_error_from_git(err, "cannot read git config");
		mlv_repo_release(r);
		return err;
	}
	common = git_repository_commondir(r->git);
	r->common_dir = mlv_xstrdup(common);
	r->workdir = git_repository_workdir(r->git);
	mlv_store_init(&r->store, r->common_dir);
	r->store.fsync = mlv_repo_config_bool(r, "mlv.fsyncobjects", 0);
	return 0;
}

void mlv_repo_release(struct mlv_repo *r)
{
	mlv_store_release(&r->store);
	git_config_free(r->config);
	git_repository_free(r->git);
	free(r->common_dir);
	memset(r, 0, sizeof(*r));
}

/*
 * Parse one single-quoted word of GIT_CONFIG_PARAMETERS at `*p` into `out`
 * ('it'\''s' is "it's"), leaving `*p` after it. -1 when malformed.
 */
static int sq_word(struct mlv_buf *out, const char **p)
{
	const char *s = *p;

	mlv_buf_clear(out);
	if (*s != '\'')
		return -1;
	for (;;) {
		const char *end = strchr(s + 1, '\'');

		if (!end)
			return -1;
		mlv_buf_put(out, s + 1, (size_t)(end - s - 1));
		s = end + 1;
		if (s[0] != '\\' || s[1] != '\'' || s[2] != '\'')
			break;
		mlv_buf_putc(out, '\'');
		s += 2;
	}
	*p = s;
	return 0;
}

/*
 * The value `git -c key=value` gives `key`, which git passes to the
 * programs it runs in GIT_CONFIG_PARAMETERS ('key'='value' or the older
 * 'key=value', space separated) and GIT_CONFIG_COUNT/_KEY_<n>/_VALUE_<n>;
 * libgit2 reads neither. The last setting wins, as in git. Returns 1 with
 * the value in `out` (`*has_value` 0 for a bare 'key', which means true),
 * or 0 when the command line does not set `key`.
 */
static int command_line_config(struct mlv_buf *out, int *has_value,
			       const char *key)
{
	struct mlv_buf word = MLV_BUF_INIT, value = MLV_BUF_INIT;
	const char *p = getenv("GIT_CONFIG_PARAMETERS"), *count;
	int found = 0;

	while (p && *p) {
		const char *name;
		int with_value = 0;

		while (*p == ' ')
			p++;
		if (!*p || sq_word(&word, &p) < 0)
			break;
		name = word.ptr;
		if (*p == '=') { /* 'key'='value', or 'key'= for a bare key */
			p++;
			if (*p == '\'') {
				if (sq_word(&value, &p) < 0)
					break;
				with_value = 1;
			}
		} else { /* 'key=value' */
			char *eq = strchr(word.ptr, '=');

			if (eq) {
				*eq = '\0';
				mlv_buf_sets(&value, eq + 1);
				with_value = 1;
			}
		}
		if (!strcasecmp(name, key)) {
			found = 1;
			*has_value = with_value;
			mlv_buf_sets(out, with_value ? value.ptr : "");
		}
	}
	if (!found && (count = getenv("GIT_CONFIG_COUNT"))) {
		long i, n = strtol(count, NULL, 10);

		for (i = 0; i < n; i++) {
			const char *k, *v;
			char name[64];

			snprintf(name, sizeof(name), "GIT_CONFIG_KEY_%ld", i);
			k = getenv(name);
			snprintf(name, sizeof(name), "GIT_CONFIG_VALUE_%ld", i);
			v = getenv(name);
			if (k && v && !strcasecmp(k, key)) {
				found = 1;
				*has_value = 1;
				mlv_buf_sets(out, v);
			}
		}
	}
	mlv_buf_release(&word);
	mlv_buf_release(&value);
	return found;
}

int mlv_repo_config_bool(struct mlv_repo *r, const char *key, int dflt)
{
	struct mlv_buf text = MLV_BUF_INIT;
	int value, has_value = 0;

	if (command_line_config(&text, &has_value, key)) {
		value = has_value ? mlv_parse_bool(text.ptr) : 1;
		mlv_buf_release(&text);
		if (value >= 0)
			return value;
	}
	if (!r->config || git_config_get_bool(&value, r->config, key) < 0) {
		git_error_clear();
		return dflt;
	}
	return value;
}

int mlv_repo_config_string(struct mlv_buf *out, struct mlv_repo *r,
			   const char *key)
{
	git_buf value = GIT_BUF_INIT;
	int has_value = 0;

	if (command_line_config(out, &has_value, key))
		return 1;
	if (!r->config || git_config_get_string_buf(&value, r->config, key) < 0) {
		git_error_clear();
		return 0;
	}
	mlv_buf_sets(out, value.ptr);
	git_buf_dispose(&value);
	return 1;
}

long mlv_repo_config_int(struct mlv_repo *r, const char *key, long dflt)
{
	struct mlv_buf text = MLV_BUF_INIT;
	long value = dflt;
	char *end;

	if (mlv_repo_config_string(&text, r, key)) {
		value = strtol(text.ptr, &end, 10);
		if (end == text.ptr || *end)
			value = dflt;
	}
	mlv_buf_release(&text);
	return value;
}

int mlv_repo_skip_smudge(struct mlv_repo *r)
{
	const char *env = getenv("MLV_SKIP_SMUDGE");

	if (env && *env)
		return mlv_parse_bool(env) != 0;
	return mlv_repo_config_bool(r, "mlv.skipsmudge", 0);
}

/* `path` (absolute, normalized) relative to `top`, or NULL when outside. */
static char *under_top(const char *top, const char *path)
{
	size_t tl = strlen(top);

	if (!strncmp(path, top, tl) && path[tl] == '/' && path[tl + 1])
		return mlv_xstrdup(path + tl + 1);
	return NULL;
}

char *mlv_repo_relative(const struct mlv_repo *r, const char *arg)
{
	char cwd[PATH_MAX], top[PATH_MAX], dir[PATH_MAX];
	struct mlv_buf norm = MLV_BUF_INIT, resolved = MLV_BUF_INIT;
	size_t len = strlen(arg);
	const char *slash;
	char *rel = NULL, *parent = NULL;

	if (!r->workdir || !realpath(r->workdir, top) ||
	    (arg[0] != '/' && !getcwd(cwd, sizeof(cwd))))
		goto done;
	if (arg[0] != '/')
		mlv_buf_puts(&norm, cwd);
	mlv_path_append_parts(&norm, arg); /* "/.." is "/", as for the shell */
	rel = under_top(top, norm.ptr);
	/* an absolute path may reach the work tree through a symbolic link */
	if (!rel && (slash = strrchr(norm.ptr, '/')) && slash != norm.ptr) {
		parent = mlv_xstrndup(norm.ptr, (size_t)(slash - norm.ptr));
		if (realpath(parent, dir)) {
			mlv_buf_printf(&resolved, "%s%s", dir, slash);
			rel = under_top(top, resolved.ptr);
		}
	}
	/* "data/images/" names a directory, and keeps saying so */
	if (rel && len && arg[len - 1] == '/') {
		mlv_buf_sets(&resolved, rel);
		mlv_buf_putc(&resolved, '/');
		free(rel);
		rel = mlv_buf_detach(&resolved);
	}
done:
	free(parent);
	mlv_buf_release(&resolved);
	mlv_buf_release(&norm);
	return rel ? rel : mlv_xstrdup(arg);
}

void mlv_repo_fast_reads(void)
{
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
			 (size_t)(4 * 1024 * 1024));
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)(64 * 1024 * 1024));
}
