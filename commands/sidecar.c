/* git mlv sidecar init | update | check | show */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "mlv/datadir.h"
#include "mlv/env.h"
#include "mlv/error.h"
#include "mlv/json.h"
#include "mlv/params.h"
#include "mlv/policy.h"
#include "mlv/quote.h"
#include "mlv/run.h"
#include "mlv/sidecar.h"
#include "mlv/util.h"

#define INIT_USAGE "sidecar init <model> --data <path|dir/|uri[=oid]>... --config <path> " \
	"[--lockfile <path>] [--param k=v]... [--metric k=v]... " \
	"[--params-from <file>]... [--metrics-from <file>[#last]]... [--base <oid>] " \
	"[--version X.Y.Z] [--name <name>] [--force]"
#define UPDATE_USAGE "sidecar update <model> [--version X.Y.Z] [--name <name>] " \
	"[--param k=v]... [--metric k=v]... [--params-from <file>]... " \
	"[--metrics-from <file>[#last]]..."

/* `path` (absolute, normalized) relative to `top`, or NULL when outside. */
static char *under_top(const char *top, const char *path)
{
	size_t tl = strlen(top);

	if (!strncmp(path, top, tl) && path[tl] == '/' && path[tl + 1])
		return mlv_xstrdup(path + tl + 1);
	return NULL;
}

/*
 * A path from the command line, relative to the work tree top: relative to
 * the current directory or absolute, with "." and ".." taken as the shell
 * takes them. A path that leaves the work tree comes back as given, for
 * mlv_repo_path_is_safe() to refuse.
 */
static char *repo_relative(const char *workdir, const char *arg)
{
	char cwd[PATH_MAX], top[PATH_MAX], dir[PATH_MAX];
	struct mlv_buf norm = MLV_BUF_INIT;
	const char *slash;
	char *rel;

	if (!realpath(workdir, top) || (arg[0] != '/' && !getcwd(cwd, sizeof(cwd))))
		return mlv_xstrdup(arg);
	if (arg[0] != '/')
		mlv_buf_puts(&norm, cwd);
	mlv_path_append_parts(&norm, arg); /* "/.." is "/", as for the shell */
	rel = under_top(top, norm.ptr);
	/* an absolute path may reach the work tree through a symbolic link */
	if (!rel && (slash = strrchr(norm.ptr, '/')) && slash != norm.ptr) {
		struct mlv_buf resolved = MLV_BUF_INIT;
		char *parent = mlv_xstrndup(norm.ptr, (size_t)(slash - norm.ptr));

		if (!parent)
			abort();
		if (realpath(parent, dir)) {
			mlv_buf_printf(&resolved, "%s%s", dir, slash);
			rel = under_top(top, resolved.ptr);
		}
		free(parent);
		mlv_buf_release(&resolved);
	}
	mlv_buf_release(&norm);
	return rel ? rel : mlv_xstrdup(arg);
}

/* The mlv oid of the work tree file `rel`, as "sha256:<hex>". */
static int path_oid(struct mlv_buf *out, const char *workdir, const char *rel)
{
	char hex[MLV_OID_HEXSZ + 1], top[PATH_MAX], real[PATH_MAX];
	char *full = mlv_path_join(workdir, rel);
	struct stat st;
	size_t tl;
	int err = MLV_EINVALID;

	/* git records a symlink, not what it points to: a recorded path
	 * must be the file itself, inside the work tree */
	if (mlv_repo_path_problem(rel)) {
		mlv_error_set("'%s' cannot be recorded: it %s", rel,
			      mlv_repo_path_problem(rel));
		goto done;
	}
	if (lstat(full, &st) == 0 && S_ISLNK(st.st_mode)) {
		mlv_error_set("'%s' is a symbolic link; record the file itself", rel);
		goto done;
	}
	if (realpath(workdir, top) && realpath(full, real) &&
	    (tl = strlen(top), strncmp(real, top, tl) || real[tl] != '/')) {
		mlv_error_set("'%s' leads outside the work tree (to '%s')", rel, real);
		goto done;
	}
	if ((err = mlv_file_oid(hex, full)) < 0)
		goto done;
	mlv_buf_clear(out);
	err = mlv_buf_printf(out, "sha256:%s", hex);
done:
	free(full);
	return err;
}

static int set_path_and_oid(struct mlv_sidecar *sc, const char *workdir,
			    const char *section, const char *name,
			    const char *path_key, const char *oid_key,
			    const char *rel)
{
	struct mlv_buf oid = MLV_BUF_INIT;
	int err;

	if (mlv_sidecar_path_problem(rel)) {
		mlv_error_set("'%s' cannot be recorded: it %s", rel,
			      mlv_sidecar_path_problem(rel));
		return MLV_EINVALID;
	}
	if ((err = path_oid(&oid, workdir, rel)) < 0)
		return err;
	mlv_sidecar_set(sc, section, name, path_key, rel);
	mlv_sidecar_set(sc, section, name, oid_key, oid.ptr);
	mlv_buf_release(&oid);
	return 0;
}

/* "k=v" into [section]. */
static int set_pair(struct mlv_sidecar *sc, const char *section, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *key;

	if (!eq || eq == arg) {
		mlv_error_set("'%s' is not key=value", arg);
		return MLV_EINVALID;
	}
	key = mlv_xstrndup(arg, (size_t)(eq - arg));
	if (!key)
		abort();
	if (mlv_params_key_problem(key)) {
		mlv_error_set("'%s' cannot be a key in a sidecar: use letters, "
			      "digits, '.', '_' and '-'", key);
		free(key);
		return MLV_EINVALID;
	}
	mlv_sidecar_set(sc, section, NULL, key, eq + 1);
	free(key);
	return 0;
}

/* A data set name from a path or URI: its last component, no extension. */
static char *data_name(const struct mlv_sidecar *sc, const char *src)
{
	struct mlv_buf name = MLV_BUF_INIT, candidate = MLV_BUF_INIT;
	size_t len = strlen(src), start, i;
	int n;

	while (len && src[len - 1] == '/')
		len--;
	start = len;
	while (start && src[start - 1] != '/')
		start--;
	for (i = start; i < len && src[i] != '.'; i++)
		mlv_buf_putc(&name, (src[i] == '"' || src[i] == ']') ? '_' : src[i]);
	if (!name.len)
		mlv_buf_puts(&name, "data");
	mlv_buf_sets(&candidate, name.ptr);
	for (n = 2; mlv_sidecar_find(sc, "data", candidate.ptr, "oid"); n++) {
		mlv_buf_clear(&candidate);
		mlv_buf_printf(&candidate, "%s-%d", name.ptr, n);
	}
	mlv_buf_release(&name);
	return mlv_buf_detach(&candidate);
}

/* What `git status` says of a work tree file, for a message. */
static const char *status_word(char y)
{
	return y == '?' ? "untracked" : y == 'M' ? "modified" : y == 'D' ? "deleted" :
	       y == 'T' ? "changed in type" : y == 'A' ? "added with -N" : "unmerged";
}

/*
 * A data directory is recorded from the index, so its work tree must not
 * differ: nothing untracked (and not ignored), modified or deleted under
 * it that is not staged. 0, or MLV_EINVALID naming what differs.
 */
static int check_dir_staged(const char *dir)
{
	struct mlv_buf out = MLV_BUF_INIT, spec = MLV_BUF_INIT, list = MLV_BUF_INIT,
		       q = MLV_BUF_INIT;
	const char *args[] = { "status", "--porcelain", "-z", "--untracked-files=all",
			       "--no-renames", "--", NULL, NULL };
	const char *p, *end;
	size_t differ = 0;
	int err;

	mlv_buf_printf(&spec, ":(top,literal)%s", dir);
	args[6] = spec.ptr;
	if ((err = mlv_run_git(&out, args, MLV_RUN_QUIET)) != 0) {
		if (err > 0)
			mlv_error_set("cannot compare '%s' with the index: 'git status' "
				      "exited with %d", dir, err);
		err = MLV_ERROR;
		goto done;
	}
	/* "XY path" NUL ...: Y is the work tree against the index */
	for (p = out.ptr, end = out.ptr + out.len; p + 3 < end; p += strlen(p) + 1) {
		if (p[1] == ' ')
			continue; /* staged: what the record takes */
		if (differ++ < 3)
			mlv_buf_printf(&list, "%s'%s' is %s", list.len ? ", " : "", p + 3,
				       status_word(p[1]));
	}
	if (differ) {
		if (differ > 3)
			mlv_buf_printf(&list, " and %zu more", differ - 3);
		mlv_error_set("data directory '%s' is recorded from what is staged, "
			      "and its work tree differs: %s; stage it first with: "
			      "git add %s (and put what is not data in .gitignore)",
			      dir, list.ptr, mlv_quote_pathspec(&q, dir));
		err = MLV_EINVALID;
	}
done:
	mlv_buf_release(&out);
	mlv_buf_release(&spec);
	mlv_buf_release(&list);
	mlv_buf_release(&q);
	return err;
}

/*
 * When the record held another oid for `dir` and HEAD's version of the
 * directory is that one, say what changed since.
 */
static void print_dir_changes(struct mlv_repo *repo, const char *name,
			      const char *dir, const char *old_oid,
			      const struct mlv_datadir *now)
{
	struct mlv_datadir before = MLV_DATADIR_INIT;
	struct mlv_problems ignored = MLV_PROBLEMS_INIT;
	struct mlv_buf what = MLV_BUF_INIT;
	git_object *head = NULL;

	if (!old_oid || strlen(old_oid) <= 7 || !strcmp(old_oid + 7, now->oid) ||
	    git_revparse_single(&head, repo->git, "HEAD^{tree}") < 0 ||
	    mlv_datadir_from_tree(&before, &ignored, repo->git, (git_tree *)head,
				  dir) < 0 ||
	    strcmp(before.oid, old_oid + 7))
		goto done;
	mlv_datadir_describe_changes(&what, &before, now, dir, 5);
	if (what.len)
		printf("[data \"%s\"] %s: %s\n", name, dir, what.ptr);
done:
	git_error_clear();
	mlv_error_clear();
	git_object_free(head);
	mlv_datadir_release(&before);
	mlv_problems_release(&ignored);
	mlv_buf_release(&what);
}

/*
 * Record the data directory `dir` (ending in '/') as [data "name"]: the
 * manifest of what is staged under it, with its number of files and
 * size. `want` is an oid the user gave, or NULL.
 */
static int set_data_dir(struct mlv_sidecar *sc, struct mlv_repo *repo,
			const char *name, const char *dir, const char *want)
{
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf v = MLV_BUF_INIT;
	git_index *index = NULL;
	char *old_oid = NULL;
	const char *old;
	size_t i;
	int err;

	if (mlv_sidecar_data_path_problem(dir)) {
		mlv_error_set("'%s' cannot be recorded: it %s", dir,
			      mlv_sidecar_data_path_problem(dir));
		err = MLV_EINVALID;
		goto done;
	}
	if ((err = check_dir_staged(dir)) < 0)
		goto done;
	/* git status may have refreshed the index: read it after */
	if ((err = git_repository_index(&index, repo->git)) < 0 ||
	    (err = git_index_read(index, 0)) < 0) {
		err = mlv_error_from_git(err, "cannot read the index");
		goto done;
	}
	if ((err = mlv_datadir_from_index(&d, &problems, repo->git, index, dir)) < 0) {
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "  %s\n", problems.items[i]);
		if (err == MLV_EINVALID)
			mlv_error_set("data directory '%s' cannot be recorded: %zu "
				      "problem%s above", dir, problems.n,
				      problems.n == 1 ? "" : "s");
		goto done;
	}
	if (want && strcmp(want, d.oid)) {
		mlv_error_set("data directory '%s' hashes to sha256:%s, not the given "
			      "%s", dir, d.oid, want);
		err = MLV_EINVALID;
		goto done;
	}
	if ((old = mlv_sidecar_get(sc, "data", name, "oid")))
		old_oid = mlv_xstrdup(old);
	print_dir_changes(repo, name, dir, old_oid, &d);
	mlv_sidecar_set(sc, "data", name, "path", dir);
	mlv_buf_printf(&v, "sha256:%s", d.oid);
	mlv_sidecar_set(sc, "data", name, "oid", v.ptr);
	mlv_buf_clear(&v);
	mlv_buf_printf(&v, "%zu", d.count);
	mlv_sidecar_set(sc, "data", name, "files", v.ptr);
	mlv_buf_clear(&v);
	mlv_buf_printf(&v, "%llu", (unsigned long long)d.size);
	mlv_sidecar_set(sc, "data", name, "size", v.ptr);
done:
	mlv_datadir_release(&d);
	mlv_problems_release(&problems);
	mlv_buf_release(&v);
	git_index_free(index);
	free(old_oid);
	return err;
}

/* 1 when `rel` is a directory in the work tree (not a link to one). */
static int is_worktree_dir(const char *workdir, const char *rel)
{
	char *full = mlv_path_join(workdir, rel);
	struct stat st;
	int yes = lstat(full, &st) == 0 && S_ISDIR(st.st_mode);

	free(full);
	return yes;
}

static int add_data(struct mlv_sidecar *sc, struct mlv_repo *repo, const char *arg)
{
	char oid[MLV_OID_HEXSZ + 1];
	struct mlv_buf value = MLV_BUF_INIT;
	const char *eq = strrchr(arg, '=');
	char *src, *name = NULL, *rel = NULL;
	int has_oid = eq && mlv_oid_parse(oid, eq + 1) == 0, err = 0;

	mlv_error_clear();
	src = has_oid ? mlv_xstrndup(arg, (size_t)(eq - arg)) : mlv_xstrdup(arg);
	if (!src)
		abort();
	name = data_name(sc, src);
	if (strstr(src, "://")) {
		if (!has_oid) {
			mlv_error_set("data '%s' is outside the repository: give its "
				      "oid as %s=sha256:<hex>", src, src);
			err = MLV_EINVALID;
			goto done;
		}
		mlv_buf_printf(&value, "sha256:%s", oid);
		mlv_sidecar_set(sc, "data", name, "uri", src);
		mlv_sidecar_set(sc, "data", name, "oid", value.ptr);
		goto done;
	}
	rel = repo_relative(repo->workdir, src);
	/* a directory, named with its '/' or not, is recorded with it */
	if ((src[0] && src[strlen(src) - 1] == '/') ||
	    (*rel && is_worktree_dir(repo->workdir, rel))) {
		mlv_buf_printf(&value, "%s/", rel);
		err = set_data_dir(sc, repo, name, value.ptr, has_oid ? oid : NULL);
		goto done;
	}
	if ((err = set_path_and_oid(sc, repo->workdir, "data", name, "path", "oid",
				    rel)) < 0)
		goto done;
	if (has_oid && strcmp(mlv_sidecar_get(sc, "data", name, "oid") + 7, oid)) {
		mlv_error_set("data '%s' hashes to %s, not the given %s", rel,
			      mlv_sidecar_get(sc, "data", name, "oid"), oid);
		err = MLV_EINVALID;
	}
done:
	mlv_buf_release(&value);
	free(src);
	free(name);
	free(rel);
	return err;
}

/*
 * [code]: the HEAD the training ran at, and whether tracked files differ
 * from it. The model and its sidecar are what training writes, so they do
 * not make the code dirty.
 */
static int set_code(struct mlv_sidecar *sc, struct mlv_repo *repo,
		    const char *model)
{
	struct mlv_buf out = MLV_BUF_INIT, not_model = MLV_BUF_INIT,
		       not_sidecar = MLV_BUF_INIT;
	const char *status[] = { "status", "--porcelain", "--untracked-files=no",
				 "--", ":/", NULL, NULL, NULL };
	git_oid head;
	char hex[GIT_OID_HEXSZ + 1];
	int err;

	if (git_reference_name_to_id(&head, repo->git, "HEAD") == 0) {
		git_oid_tostr(hex, sizeof(hex), &head);
		mlv_sidecar_set(sc, "code", NULL, "commit", hex);
	}
	git_error_clear();
	mlv_buf_printf(&not_model, ":(top,exclude,literal)%s", model);
	mlv_buf_printf(&not_sidecar, ":(top,exclude,literal)%s" MLV_SIDECAR_SUFFIX,
		       model);
	status[5] = not_model.ptr;
	status[6] = not_sidecar.ptr;
	/* a record that says "clean" must know it: no guess when git fails */
	if ((err = mlv_run_git(&out, status, MLV_RUN_QUIET)) != 0) {
		if (err > 0)
			mlv_error_set("cannot tell whether the work tree is dirty: "
				      "'git status' exited with %d", err);
		err = MLV_ERROR;
	} else {
		mlv_sidecar_set(sc, "code", NULL, "dirty", out.len ? "true" : "false");
	}
	mlv_buf_release(&out);
	mlv_buf_release(&not_model);
	mlv_buf_release(&not_sidecar);
	return err;
}

static void set_environment(struct mlv_sidecar *sc, struct mlv_repo *repo,
			    const char *lockfile)
{
	struct mlv_env env = MLV_ENV_INIT;
	size_t i;

	mlv_env_capture(&env, lockfile ? NULL : repo->workdir);
	mlv_sidecar_remove_section(sc, "environment", NULL);
	for (i = 0; i < env.n; i++)
		mlv_sidecar_set(sc, "environment", NULL, env.entries[i].key,
				env.entries[i].value);
	for (i = 0; i < env.skipped.n; i++)
		fprintf(stderr, "warning: %s\n", env.skipped.items[i]);
	mlv_env_release(&env);
}

static int write_sidecar(const struct mlv_sidecar *sc, const char *path)
{
	struct mlv_buf text = MLV_BUF_INIT;
	size_t i;
	int err;

	/* never write what the parser would refuse or read differently */
	for (i = 0; i < sc->n; i++) {
		const struct mlv_sidecar_entry *e = &sc->entries[i];
		size_t len = strlen(e->key) + 3 + strlen(e->value);

		if (strpbrk(e->key, "\r\n") || strpbrk(e->value, "\r\n")) {
			mlv_error_set("[%s] %s: a sidecar value cannot hold a line "
				      "break", e->section, e->key);
			return MLV_EINVALID;
		}
		if (strstr(e->value, " ;") || strstr(e->value, "\t;")) {
			mlv_error_set("[%s] %s: ' ;' would start a comment in the "
				      "sidecar and cut the value '%s'", e->section,
				      e->key, e->value);
			return MLV_EINVALID;
		}
		if (len > MLV_SIDECAR_MAX_LINE) {
			mlv_error_set("[%s] %s is too long for a sidecar line (%zu "
				      "bytes, the limit is %d)", e->section, e->key,
				      len, MLV_SIDECAR_MAX_LINE);
			return MLV_EINVALID;
		}
	}
	mlv_sidecar_format(&text, sc);
	err = mlv_write_file_atomic(path, text.ptr, text.len, 0666);
	mlv_buf_release(&text);
	return err;
}

/* Options shared by init and update. */
static int apply_option(struct mlv_sidecar *sc, struct mlv_repo *repo,
			const char *opt, const char *val, const char **lockfile)
{
	char oid[MLV_OID_HEXSZ + 1];
	struct mlv_buf v = MLV_BUF_INIT;
	char *rel = NULL;
	int err = 0;

	if (!strcmp(opt, "--data")) {
		err = add_data(sc, repo, val);
	} else if (!strcmp(opt, "--config")) {
		rel = repo_relative(repo->workdir, val);
		err = set_path_and_oid(sc, repo->workdir, "config", NULL, "path", "oid",
				       rel);
	} else if (!strcmp(opt, "--lockfile")) {
		rel = repo_relative(repo->workdir, val);
		err = set_path_and_oid(sc, repo->workdir, "environment", NULL,
				       "lockfile", "lockfile-oid", rel);
		*lockfile = val;
	} else if (!strcmp(opt, "--param")) {
		err = set_pair(sc, "params", val);
	} else if (!strcmp(opt, "--metric")) {
		err = set_pair(sc, "metrics", val);
	} else if (!strcmp(opt, "--base")) {
		if ((err = mlv_oid_parse(oid, val)) == 0) {
			mlv_buf_printf(&v, "sha256:%s", oid);
			mlv_sidecar_set(sc, "model", NULL, "base", v.ptr);
		}
	} else if (!strcmp(opt, "--version")) {
		if (!mlv_semver_is_valid(val)) {
			mlv_error_set("'%s' is not a semantic version (X.Y.Z)", val);
			err = MLV_EINVALID;
		} else {
			mlv_sidecar_set(sc, "model", NULL, "version", val);
		}
	} else if (!strcmp(opt, "--name")) {
		mlv_sidecar_set(sc, "model", NULL, "name", val);
	} else {
		err = 1; /* not ours */
	}
	mlv_buf_release(&v);
	free(rel);
	return err;
}

static int open_worktree_repo(struct mlv_repo *repo)
{
	if (mlv_repo_open(repo) < 0)
		return die_with_error("");
	if (!repo->workdir) {
		mlv_error_set("sidecars need a work tree");
		mlv_repo_release(repo);
		return die_with_error("");
	}
	return 0;
}

static int print_problems(const struct mlv_problems *p, const char *what)
{
	size_t i;

	if (!p->n)
		return 0;
	fprintf(stderr, "%s: %zu problem%s\n", what, p->n, p->n == 1 ? "" : "s");
	for (i = 0; i < p->n; i++)
		fprintf(stderr, "  %s\n", p->items[i]);
	return 1;
}

/*
 * --params-from and --metrics-from: the files' keys, later files winning,
 * replace the section where it stands in the record, and every --param /
 * --metric then wins over them.
 */
static int apply_files(struct mlv_sidecar *sc, const char *section,
		       const struct mlv_params *from, int argc, char **argv)
{
	struct mlv_sidecar out = MLV_SIDECAR_INIT;
	const char *opt = !strcmp(section, "params") ? "--param" : "--metric";
	size_t k, j;
	int i, placed = 0, err;

	for (k = 0; k <= sc->n; k++) {
		const struct mlv_sidecar_entry *e = k < sc->n ? &sc->entries[k] : NULL;

		if (!placed && (!e || !strcmp(e->section, section))) {
			for (j = 0; j < from->n; j++)
				mlv_sidecar_set(&out, section, NULL, from->entries[j].key,
						from->entries[j].value);
			placed = 1;
		}
		if (e && strcmp(e->section, section))
			mlv_sidecar_set(&out, e->section, e->name, e->key, e->value);
	}
	mlv_sidecar_release(sc);
	*sc = out;
	/* as write_record walks them: each option with its value */
	for (i = 2; i + 1 < argc; i += 2)
		if (!strcmp(argv[i], opt) && (err = set_pair(sc, section, argv[i + 1])) < 0)
			return err;
	return 0;
}

/* The options of init and update, in the order given: the record is
 * written in that order, and later ones win. */
struct in_order {
	char **argv; /* [verb, model, --opt, value, ...] */
	int argc;
};

static int keep_in_order(const struct option *o, const char *arg)
{
	struct in_order *ord = o->value;
	size_t len = strlen(o->long_name) + 3;
	char *opt = mlv_xmalloc(len);

	snprintf(opt, len, "--%s", o->long_name);
	ord->argv[ord->argc++] = opt;
	ord->argv[ord->argc++] = (char *)arg;
	return 0;
}

/*
 * Parse init's or update's options (update takes no inputs) into `ord`,
 * the model first: 0, or the exit code. `ord->argv` has room for them
 * all; the option names in it are malloc'd (free_in_order).
 */
static int parse_record_args(struct in_order *ord, int *force, int argc, char **argv,
			     int update)
{
	const char *usage = update ? UPDATE_USAGE : INIT_USAGE;
	const struct option opts[] = {
		OPT_CALLBACK(0, "version", ord, keep_in_order, "<X.Y.Z>", "[model] version"),
		OPT_CALLBACK(0, "name", ord, keep_in_order, "<name>", "[model] name"),
		OPT_CALLBACK(0, "param", ord, keep_in_order, "<k=v>", "one [params] entry"),
		OPT_CALLBACK(0, "metric", ord, keep_in_order, "<k=v>", "one [metrics] entry"),
		OPT_CALLBACK(0, "params-from", ord, keep_in_order, "<file>",
			     "[params] from a YAML or JSON file, flattened"),
		OPT_CALLBACK(0, "metrics-from", ord, keep_in_order, "<file>[#last]",
			     "[metrics] from a YAML or JSON file (#last: trainer_state.json)"),
		/* init only, from here */
		OPT_CALLBACK(0, "data", ord, keep_in_order, "<path|dir/|uri[=oid]>",
			     "a training data input"),
		OPT_CALLBACK(0, "config", ord, keep_in_order, "<path>", "the training config"),
		OPT_CALLBACK(0, "lockfile", ord, keep_in_order, "<path>",
			     "the environment's lockfile"),
		OPT_CALLBACK(0, "base", ord, keep_in_order, "<oid>", "the model fine-tuned"),
		OPT_FLAG(0, "force", force, "write over an existing sidecar"),
		OPT_END(),
	};
	struct option shown[sizeof(opts) / sizeof(opts[0])];
	int rc;

	memcpy(shown, opts, sizeof(opts));
	if (update)
		shown[6] = shown[sizeof(opts) / sizeof(opts[0]) - 1];
	ord->argv = mlv_xreallocarray(NULL, (size_t)argc * 2 + 2, sizeof(*ord->argv));
	ord->argv[0] = argv[0];
	ord->argv[1] = NULL;
	ord->argc = 2;
	if ((rc = parse_options(&argc, argv, shown, usage)))
		return rc;
	if (argc != 2)
		return usage_with_options(usage, shown);
	ord->argv[1] = argv[1];
	ord->argv[ord->argc] = NULL;
	return 0;
}

static void free_in_order(struct in_order *ord)
{
	int i;

	for (i = 2; i < ord->argc; i += 2)
		free(ord->argv[i]);
	free(ord->argv);
}

/* init and update share everything but where they start from. */
static int write_record(int given_argc, char **given_argv, int update)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf oid = MLV_BUF_INIT, sidecar_path = MLV_BUF_INIT;
	struct mlv_params params = MLV_PARAMS_INIT, metrics = MLV_PARAMS_INIT;
	const char *usage = update ? UPDATE_USAGE : INIT_USAGE;
	const char *lockfile = NULL;
	char *model = NULL, *full = NULL;
	int i, force = 0, has_config = 0, has_data = 0, rc = 0, err;
	int params_from = 0, metrics_from = 0, argc;
	struct in_order ord = { NULL, 0 };
	char **argv;
	size_t k;

	if ((rc = parse_record_args(&ord, &force, given_argc, given_argv, update))) {
		free_in_order(&ord);
		return rc;
	}
	argc = ord.argc;
	argv = ord.argv;
	if ((rc = open_worktree_repo(&repo)) != 0) {
		free_in_order(&ord);
		return rc;
	}
	model = repo_relative(repo.workdir, argv[1]);
	if (mlv_repo_path_problem(model)) {
		mlv_error_set("'%s' cannot have a sidecar: it %s", model,
			      mlv_repo_path_problem(model));
		rc = die_with_error("");
		goto done;
	}
	mlv_buf_printf(&sidecar_path, "%s%s", model, MLV_SIDECAR_SUFFIX);
	full = mlv_path_join(repo.workdir, sidecar_path.ptr);

	if (update) {
		struct mlv_buf text = MLV_BUF_INIT;

		err = mlv_buf_read_file(&text, full);
		if (err == 0 && mlv_sidecar_parse(&sc, &problems, sidecar_path.ptr,
						  text.ptr, text.len) < 0) {
			/* what the parser could not read would be lost */
			print_problems(&problems, "mlv: cannot update a sidecar it "
				       "cannot read whole");
			fprintf(stderr, "fatal: fix it by hand, or write it anew with "
				"'git mlv sidecar init --force'\n");
			rc = 128;
		} else if (err < 0) {
			rc = die_with_error("");
		}
		mlv_buf_release(&text);
		if (rc)
			goto done;
	}
	/* [mlv] and [model] come first in a new record */
	mlv_sidecar_set(&sc, "mlv", NULL, "version", "1");
	if ((err = path_oid(&oid, repo.workdir, model)) < 0) {
		rc = die_with_error("");
		goto done;
	}
	mlv_sidecar_set(&sc, "model", NULL, "oid", oid.ptr);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--params-from") || !strcmp(argv[i], "--metrics-from")) {
			int is_params = argv[i][2] == 'p';

			err = mlv_params_read_file(is_params ? &params : &metrics, argv[i + 1]);
			params_from |= is_params;
			metrics_from |= !is_params;
		} else {
			err = apply_option(&sc, &repo, argv[i], argv[i + 1], &lockfile);
		}
		if (err > 0) {
			rc = usage_error(usage);
			goto done;
		}
		if (err < 0) {
			rc = die_with_error("");
			goto done;
		}
		has_data |= !strcmp(argv[i], "--data");
		has_config |= !strcmp(argv[i], "--config");
		i++;
	}
	if (!update) {
		if (!has_data || !has_config) {
			fprintf(stderr, "fatal: a sidecar records the training data "
				"and the config: give --data and --config\n");
			rc = usage_error(usage);
			goto done;
		}
		if (!force && access(full, F_OK) == 0) {
			struct mlv_buf q = MLV_BUF_INIT;

			fprintf(stderr, "fatal: '%s' exists; refresh its hashes with: "
				"git mlv sidecar update %s (or start it anew with "
				"--force)\n",
				sidecar_path.ptr, mlv_quote_path(&q, model));
			mlv_buf_release(&q);
			rc = 128;
			goto done;
		}
	}

	if ((params_from && apply_files(&sc, "params", &params, argc, argv) < 0) ||
	    (metrics_from && apply_files(&sc, "metrics", &metrics, argc, argv) < 0)) {
		rc = die_with_error("");
		goto done;
	}
	if (update) {
		/* recompute every recorded path's oid from the work tree */
		for (k = 0; k < sc.n; k++) {
			struct mlv_sidecar_entry *e = &sc.entries[k];
			const char *oid_key = !strcmp(e->key, "path") ? "oid" :
					      !strcmp(e->key, "lockfile") ? "lockfile-oid" :
					      NULL;

			if (!oid_key || (strcmp(e->section, "data") &&
					 strcmp(e->section, "config") &&
					 strcmp(e->section, "environment")))
				continue;
			if (!strcmp(e->section, "data") &&
			    mlv_sidecar_path_is_dir(e->value)) {
				/* it may add keys: `e` does not survive it */
				char *name = mlv_xstrdup(e->name), *dir = mlv_xstrdup(e->value);

				err = set_data_dir(&sc, &repo, name, dir, NULL);
				free(name);
				free(dir);
				if (err < 0) {
					rc = die_with_error("");
					goto done;
				}
				continue;
			}
			if (!mlv_repo_path_is_safe(e->value) ||
			    path_oid(&oid, repo.workdir, e->value) < 0) {
				rc = die_with_error("");
				goto done;
			}
			mlv_sidecar_set(&sc, e->section, e->name, oid_key, oid.ptr);
		}
		if (mlv_sidecar_get(&sc, "environment", NULL, "lockfile"))
			lockfile = mlv_sidecar_get(&sc, "environment", NULL, "lockfile");
	}
	{
		/* the environment is captured anew; an explicit lockfile stays */
		char *lf = lockfile ? mlv_xstrdup(lockfile) : NULL;
		char *lf_path = lf ? mlv_xstrdup(mlv_sidecar_get(&sc, "environment", NULL,
								 "lockfile")) : NULL;
		char *lf_oid = lf ? mlv_xstrdup(mlv_sidecar_get(&sc, "environment", NULL,
								"lockfile-oid")) : NULL;

		set_environment(&sc, &repo, lf);
		if (lf) {
			mlv_sidecar_set(&sc, "environment", NULL, "lockfile", lf_path);
			mlv_sidecar_set(&sc, "environment", NULL, "lockfile-oid", lf_oid);
		}
		free(lf);
		free(lf_path);
		free(lf_oid);
	}
	if (set_code(&sc, &repo, model) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if ((err = write_sidecar(&sc, full)) < 0) {
		rc = die_with_error("");
		goto done;
	}
	printf("%s %s\n", update ? "updated" : "wrote", sidecar_path.ptr);
done:
	free_in_order(&ord);
	mlv_sidecar_release(&sc);
	mlv_params_release(&params);
	mlv_params_release(&metrics);
	mlv_problems_release(&problems);
	mlv_buf_release(&oid);
	mlv_buf_release(&sidecar_path);
	free(model);
	free(full);
	mlv_repo_release(&repo);
	return rc;
}


/* Check the index: one model (NULL: every model in it); the models out
 * of date with their inputs into `stale`. */
static int check_index(struct mlv_repo *repo, const char *model,
		       struct mlv_problems *problems, struct mlv_problems *stale)
{
	struct mlv_snapshot snap = { NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL };
	git_object *head = NULL;
	int err;

	if ((err = git_repository_index(&snap.index, repo->git)) < 0)
		return mlv_error_from_git(err, "cannot read the index");
	if (git_revparse_single(&head, repo->git, "HEAD^{tree}") == 0)
		snap.parent = (git_tree *)head;
	git_error_clear();
	snap.check_all = 1;
	snap.only = model;
	snap.stale = stale;
	err = mlv_policy_check(problems, repo, &snap);
	git_object_free(head);
	git_index_free(snap.index);
	return err;
}

#define CHECK_USAGE "sidecar check [--format text|json] [<model>]"

/* The notices of models out of date with their inputs, on stdout. */
static void print_stale(const struct mlv_problems *stale)
{
	size_t i;

	for (i = 0; i < stale->n; i++)
		printf("notice: %s\n", stale->items[i]);
}

static int cmd_sidecar_check(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT, stale = MLV_PROBLEMS_INIT;
	const char *format = NULL;
	char *model = NULL;
	int rc, json = 0;
	const struct option opts[] = {
		OPT_FORMAT_JSON(&format, &json),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, CHECK_USAGE)) ||
	    (rc = text_or_json(&json, format)))
		return rc;
	if (argc > 2)
		return usage_with_options(CHECK_USAGE, opts);
	if ((rc = open_worktree_repo(&repo)) != 0)
		return rc;
	if (argc == 2)
		model = repo_relative(repo.workdir, argv[1]);
	if (check_index(&repo, model, &problems, &stale) < 0) {
		rc = die_with_error("");
	} else if (json) {
		json_t *o = json_object();

		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set_string(o, "model", model);
		mlv_json_set(o, "matches", json_boolean(!problems.n));
		mlv_json_set(o, "problems", problems_json(&problems));
		mlv_json_set(o, "stale", problems_json(&stale));
		mlv_json_write(stdout, o, 2);
		putchar('\n');
		json_decref(o);
		rc = problems.n ? 1 : 0;
	} else {
		print_stale(&stale);
		if (print_problems(&problems, "mlv: sidecar check failed"))
			rc = 1;
		else if (stale.n)
			printf("sidecars match the commits their models were trained at; "
			       "%zu recorded input%s changed since (notice%s above)\n",
			       stale.n, stale.n == 1 ? " has" : "s have",
			       stale.n == 1 ? "" : "s");
		else
			printf("sidecars match what is staged\n");
	}
	mlv_problems_release(&problems);
	mlv_problems_release(&stale);
	free(model);
	mlv_repo_release(&repo);
	return rc;
}

#define SHOW_USAGE \
	"sidecar show [--manifest[=<name>]] [--format text|json] <model> [<rev>] | <rev>:<model> | " \
	"<model-ref>"

/*
 * `sidecar show --manifest`: the manifest of the record's data directory
 * (the one called `name`, or the only one) as staged, or as `tree` holds
 * it when not NULL, byte for byte.
 */
static int show_manifest(struct mlv_repo *repo, const struct mlv_sidecar *sc,
			 const char *sidecar_path, const char *name, git_tree *tree)
{
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf names = MLV_BUF_INIT, text = MLV_BUF_INIT;
	const struct mlv_sidecar_entry *dir = NULL;
	git_index *index = NULL;
	size_t i, found = 0;
	int rc = 0, err;

	for (i = 0; i < sc->n; i++) {
		const struct mlv_sidecar_entry *e = &sc->entries[i];

		if (strcmp(e->section, "data") || strcmp(e->key, "path") ||
		    !mlv_sidecar_path_is_dir(e->value) || (name && strcmp(name, e->name)))
			continue;
		mlv_buf_printf(&names, "%s%s", found ? ", " : "", e->name);
		found++;
		dir = e;
	}
	if (found != 1) {
		if (found)
			mlv_error_set("%s records %zu data directories (%s): name one "
				      "with --manifest=<name>", sidecar_path, found,
				      names.ptr);
		else
			mlv_error_set("%s records no data directory%s%s", sidecar_path,
				      name ? " called " : "", name ? name : "");
		rc = die_with_error("");
		goto done;
	}
	if (!tree && (err = git_repository_index(&index, repo->git)) < 0) {
		mlv_error_from_git(err, "cannot read the index");
		rc = die_with_error("");
		goto done;
	}
	if ((err = tree ? mlv_datadir_from_tree(&d, &problems, repo->git, tree, dir->value)
			: mlv_datadir_from_index(&d, &problems, repo->git, index,
						 dir->value)) < 0) {
		if (err == MLV_EINVALID)
			print_problems(&problems, "mlv: no manifest");
		rc = err == MLV_EINVALID ? 1 : die_with_error("");
		goto done;
	}
	mlv_datadir_format(&text, &d);
	if (fwrite(text.ptr, 1, text.len, stdout) != text.len || fflush(stdout)) {
		mlv_error_set_errno("cannot write the manifest");
		rc = die_with_error("");
	}
done:
	mlv_datadir_release(&d);
	mlv_problems_release(&problems);
	mlv_buf_release(&names);
	mlv_buf_release(&text);
	git_index_free(index);
	return rc;
}

/* Check the sidecar of `model` against the tree of commit `id` (after
 * its first parent, where the search for the training commit starts). */
static int check_tree(struct mlv_repo *repo, git_tree *tree, const git_oid *id,
		      const char *model, struct mlv_problems *problems,
		      struct mlv_problems *stale)
{
	struct mlv_snapshot snap = { NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL };
	git_commit *commit = NULL, *parent = NULL;
	git_tree *parent_tree = NULL;
	int err;

	if (git_commit_lookup(&commit, repo->git, id) == 0 &&
	    git_commit_parentcount(commit) > 0 && git_commit_parent(&parent, commit, 0) == 0 &&
	    git_commit_tree(&parent_tree, parent) == 0)
		snap.parent = parent_tree;
	git_error_clear();
	snap.tree = tree;
	snap.commit_id = id;
	snap.check_all = 1;
	snap.only = model;
	snap.stale = stale;
	err = mlv_policy_check(problems, repo, &snap);
	git_tree_free(parent_tree);
	git_commit_free(parent);
	git_commit_free(commit);
	return err;
}

/*
 * `arg` as REV:MODEL, the way git names a file at a revision: MODEL from
 * the top of the work tree, or from the current directory when it starts
 * with "./" or "../". 1 when it is one (`commit`, `rev` and a malloc'd
 * `*model` set); 0 when `arg` has no "REV:", starts with '.' or '/', or
 * names a sidecar of the work tree (a model with ':' in its name); a negative error (message set)
 * when what comes before the ':' names no commit.
 */
static int rev_colon_model(git_oid *commit, struct mlv_buf *rev, char **model,
			   struct mlv_repo *repo, const char *arg)
{
	const char *colon = strchr(arg, ':');
	struct mlv_buf sidecar = MLV_BUF_INIT;
	char *rel = NULL, *full = NULL;
	const char *path;
	int err = 0;

	/* "./:x" and "/top/:x" are paths, as git reads them */
	if (!colon || colon == arg || !colon[1] || arg[0] == '.' || arg[0] == '/')
		return 0;
	rel = repo_relative(repo->workdir, arg);
	mlv_buf_printf(&sidecar, "%s%s", rel, MLV_SIDECAR_SUFFIX);
	full = mlv_path_join(repo->workdir, sidecar.ptr);
	if (access(full, F_OK) == 0)
		goto done;
	mlv_buf_sets(rev, "");
	mlv_buf_put(rev, arg, (size_t)(colon - arg));
	if ((err = resolve_rev(commit, NULL, repo, rev->ptr)) == MLV_ENOTFOUND)
		mlv_error_set("no sidecar '%s' in the work tree, and '%s' is not a "
			      "commit or a model reference in this repository (for "
			      "<rev>:<model>)", sidecar.ptr, rev->ptr);
	if (err < 0)
		goto done;
	path = colon + 1;
	*model = strncmp(path, "./", 2) && strncmp(path, "../", 3) ?
		 mlv_xstrdup(path) : repo_relative(repo->workdir, path);
	err = 1;
done:
	mlv_buf_release(&sidecar);
	free(rel);
	free(full);
	return err;
}

/* After `read_committed` found no sidecar at `rev`: say whether the model
 * is missing there, or only its sidecar. */
static void explain_not_committed(git_tree *tree, const char *model, const char *sidecar,
				  const char *hex, const char *rev)
{
	git_tree_entry *e = NULL;

	if (tree && git_tree_entry_bypath(&e, tree, model) == 0)
		mlv_error_set("'%s' has no sidecar in commit %.12s (%s): '%s' is not "
			      "there", model, hex, rev, sidecar);
	else
		mlv_error_set("'%s' is not in commit %.12s (%s): name a revision "
			      "that holds the model", model, hex, rev);
	git_error_clear();
	git_tree_entry_free(e);
}

static int cmd_sidecar_show(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT, parsed = MLV_PROBLEMS_INIT,
			    stale = MLV_PROBLEMS_INIT;
	struct mlv_buf path = MLV_BUF_INIT, text = MLV_BUF_INIT, ref_model = MLV_BUF_INIT;
	struct mlv_buf against = MLV_BUF_INIT, heading = MLV_BUF_INIT, colon_rev = MLV_BUF_INIT;
	git_tree *tree = NULL;
	git_oid commit;
	char *model = NULL, *full = NULL, hex[GIT_OID_HEXSZ + 1] = "";
	const char *last_section = "", *last_name = "", *arg = NULL, *rev = NULL;
	const char *manifest = NULL; /* "" for the only directory */
	size_t i;
	int err, rc;
	const char *format = NULL;
	json_t *o = NULL, *sections = NULL, *entries = NULL;
	int json = 0;
	const struct option opts[] = {
		OPT_OPTARG(0, "manifest", &manifest, "<name>", "",
			   "the manifest of the (named) data directory it records"),
		OPT_FORMAT_JSON(&format, &json),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, SHOW_USAGE)) ||
	    (rc = text_or_json(&json, format)))
		return rc;
	if (argc < 2 || argc > 3)
		return usage_with_options(SHOW_USAGE, opts);
	arg = argv[1];
	rev = argc == 3 ? argv[2] : NULL;
	if ((rc = open_worktree_repo(&repo)) != 0)
		return rc;
	/* REV:MODEL, MODEL REV, a model reference alone, or MODEL as the work
	 * tree has it */
	if (!rev && (err = rev_colon_model(&commit, &colon_rev, &model, &repo, arg)) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (model)
		rev = colon_rev.ptr;
	else if (rev && (err = resolve_rev(&commit, NULL, &repo, rev)) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (!rev && (err = resolve_rev(&commit, &ref_model, &repo, arg)) != 1 &&
	    err != 0 && err != MLV_ENOTFOUND) {
		rc = die_with_error("");
		goto done;
	}
	if (model) {
		/* REV:MODEL, above */
	} else if (rev) {
		model = repo_relative(repo.workdir, arg);
	} else if (err == 1) {
		model = mlv_buf_detach(&ref_model);
		rev = arg;
	} else {
		model = repo_relative(repo.workdir, arg);
	}
	mlv_buf_printf(&path, "%s%s", model, MLV_SIDECAR_SUFFIX);
	if (rev) {
		git_oid_tostr(hex, sizeof(hex), &commit);
		err = read_committed(&text, &tree, &repo, &commit, path.ptr, rev);
		if (err == MLV_ENOTFOUND)
			explain_not_committed(tree, model, path.ptr, hex, rev);
	} else {
		full = mlv_path_join(repo.workdir, path.ptr);
		if ((err = mlv_buf_read_file(&text, full)) == MLV_ENOTFOUND) {
			struct mlv_buf q = MLV_BUF_INIT;

			mlv_error_set("'%s' does not exist; write it with: git mlv "
				      "sidecar init %s --data <path> --config <path>",
				      path.ptr, mlv_quote_path(&q, model));
			mlv_buf_release(&q);
		}
	}
	if (err < 0) {
		rc = die_with_error("");
		goto done;
	}
	mlv_sidecar_parse(&sc, &parsed, path.ptr, text.ptr, text.len);
	if (manifest) {
		rc = show_manifest(&repo, &sc, path.ptr, *manifest ? manifest : NULL, tree);
		goto done;
	}
	if (json) {
		o = json_object();
		sections = json_array();
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set_string(o, "model", model);
		mlv_json_set_string(o, "sidecar", path.ptr);
		mlv_json_set_string(o, "rev", rev);
		mlv_json_set_string(o, "commit", rev ? hex : NULL);
		mlv_json_set(o, "sections", sections);
	} else if (rev) {
		printf("lineage of %s (%s) as commit %.12s (%s) holds it\n",
		       mlv_quote_display(model), mlv_quote_display(path.ptr), hex,
		       mlv_quote_display(rev));
	} else {
		printf("lineage of %s (%s)\n", mlv_quote_display(model),
		       mlv_quote_display(path.ptr));
	}
	for (i = 0; i < sc.n; i++) {
		const struct mlv_sidecar_entry *e = &sc.entries[i];

		if (!i || strcmp(e->section, last_section) ||
		    strcmp(e->name ? e->name : "", last_name)) {
			if (json) {
				json_t *s = json_object();

				entries = json_array();
				mlv_json_set_string(s, "section", e->section);
				mlv_json_set_string(s, "name", e->name);
				mlv_json_set(s, "entries", entries);
				json_array_append_new(sections, s);
			} else if (e->name) {
				printf("\n  %s \"%s\"\n", e->section, mlv_quote_display(e->name));
			} else {
				printf("\n  %s\n", e->section);
			}
			last_section = e->section;
			last_name = e->name ? e->name : "";
		}
		if (json) {
			json_t *kv = json_object();

			mlv_json_set_string(kv, "key", e->key);
			mlv_json_set_string(kv, "value", e->value);
			json_array_append_new(entries, kv);
		} else {
			printf("    %-16s %s\n", e->key, mlv_quote_display(e->value));
		}
	}
	if (!json)
		putchar('\n');
	if ((rev ? check_tree(&repo, tree, &commit, model, &problems, &stale)
		 : check_index(&repo, model, &problems, &stale)) < 0) {
		rc = die_with_error("");
		goto done;
	}
	/* the check parses the sidecar too: say each problem once */
	for (i = 0; i < parsed.n; i++) {
		size_t j;

		for (j = 0; j < problems.n; j++)
			if (!strcmp(problems.items[j], parsed.items[i]))
				break;
		if (j == problems.n)
			mlv_problems_add(&problems, "%s", parsed.items[i]);
	}
	if (rev)
		mlv_buf_printf(&against, "commit %.12s", hex);
	else
		mlv_buf_sets(&against, "what is staged");
	mlv_buf_printf(&heading, "does not match %s", against.ptr);
	if (json) {
		mlv_json_set_string(o, "against", against.ptr);
		mlv_json_set(o, "matches", json_boolean(!problems.n));
		mlv_json_set(o, "problems", problems_json(&problems));
		mlv_json_set(o, "stale", problems_json(&stale));
		mlv_json_write(stdout, o, 2);
		putchar('\n');
		rc = problems.n ? 1 : 0;
	} else {
		print_stale(&stale);
		if (print_problems(&problems, heading.ptr))
			rc = 1;
		else if (stale.n)
			printf("matches the commit where the model was trained; out of "
			       "date with its inputs in %s (notice%s above)\n", against.ptr,
			       stale.n == 1 ? "" : "s");
		else
			printf("matches %s\n", against.ptr);
	}
done:
	json_decref(o);
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
	mlv_problems_release(&parsed);
	mlv_problems_release(&stale);
	mlv_buf_release(&path);
	mlv_buf_release(&text);
	mlv_buf_release(&ref_model);
	mlv_buf_release(&against);
	mlv_buf_release(&heading);
	mlv_buf_release(&colon_rev);
	git_tree_free(tree);
	free(model);
	free(full);
	mlv_repo_release(&repo);
	return rc;
}

int cmd_sidecar(int argc, char **argv)
{
	static const char usage[] = "sidecar (init | update | check | show) ...";

	if (argc < 2)
		return usage_error(usage);
	if (!strcmp(argv[1], "init"))
		return write_record(argc - 1, argv + 1, 0);
	if (!strcmp(argv[1], "update"))
		return write_record(argc - 1, argv + 1, 1);
	if (!strcmp(argv[1], "check"))
		return cmd_sidecar_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return cmd_sidecar_show(argc - 1, argv + 1);
	return usage_error(usage);
}
