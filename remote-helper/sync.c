#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlv/error.h"
#include "mlv/ini.h"
#include "mlv/policy.h"
#include "mlv/run.h"
#include "mlv/scan.h"
#include "mlv/sync.h"
#include "mlv/trace.h"
#include "mlv/util.h"

void mlv_sync_list_add(struct mlv_sync_list *l, const char *oid, uint64_t size,
		       const char *path)
{
	struct mlv_sync_object *o;

	MLV_ALLOC_GROW(l->items, l->n, l->alloc);
	o = &l->items[l->n++];
	snprintf(o->oid, sizeof(o->oid), "%s", oid);
	o->size = size;
	o->path = path ? mlv_xstrdup(path) : NULL;
}

static int cmp_object(const void *a, const void *b)
{
	return strcmp(((const struct mlv_sync_object *)a)->oid,
		      ((const struct mlv_sync_object *)b)->oid);
}

void mlv_sync_list_uniq(struct mlv_sync_list *l)
{
	size_t i, j = 0;

	if (!l->n)
		return;
	qsort(l->items, l->n, sizeof(*l->items), cmp_object);
	for (i = 1; i < l->n; i++) {
		if (!strcmp(l->items[i].oid, l->items[j].oid)) {
			free(l->items[i].path);
			continue;
		}
		l->items[++j] = l->items[i];
	}
	l->n = j + 1;
}

const struct mlv_sync_object *mlv_sync_list_find(const struct mlv_sync_list *l,
						 const char *oid)
{
	struct mlv_sync_object key;

	if (!l->n)
		return NULL;
	snprintf(key.oid, sizeof(key.oid), "%s", oid);
	return bsearch(&key, l->items, l->n, sizeof(*l->items), cmp_object);
}

void mlv_sync_list_release(struct mlv_sync_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i].path);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

struct store_ini {
	char *url;
};

static int handle_store(void *ctx, const char *section, const char *key,
			const char *value)
{
	struct store_ini *si = ctx;

	if (!strcmp(section, "store") && !strcmp(key, "url") && *value) {
		free(si->url);
		si->url = mlv_xstrdup(value);
	}
	return 1;
}

/* `[store] url` from .mlvconfig in the work tree, else in HEAD; `from`
 * says which. */
static int mlvconfig_store_url(struct mlv_buf *out, struct mlv_buf *from,
			       struct mlv_repo *r)
{
	const char *where = MLV_POLICY_FILE " in the work tree";
	struct mlv_buf text = MLV_BUF_INIT;
	struct store_ini si = { NULL };
	git_object *blob = NULL;
	int err = MLV_ENOTFOUND;

	if (r->workdir) {
		char *path = mlv_path_join(r->workdir, MLV_POLICY_FILE);

		if (mlv_buf_read_file(&text, path) == 0)
			err = 0;
		free(path);
	}
	if (err && git_revparse_single(&blob, r->git, "HEAD:" MLV_POLICY_FILE) == 0 &&
	    git_object_type(blob) == GIT_OBJECT_BLOB) {
		mlv_buf_put(&text, git_blob_rawcontent((git_blob *)blob),
			    (size_t)git_blob_rawsize((git_blob *)blob));
		where = MLV_POLICY_FILE " in HEAD";
		err = 0;
	}
	git_error_clear();
	if (err == 0) {
		mlv_ini_parse(text.ptr, text.len, NULL, handle_store, &si);
		if (si.url) {
			mlv_buf_sets(out, si.url);
			if (from)
				mlv_buf_sets(from, where);
		} else {
			err = MLV_ENOTFOUND;
		}
	}
	free(si.url);
	git_object_free(blob);
	mlv_buf_release(&text);
	return err;
}

int mlv_sync_store_url(struct mlv_buf *out, struct mlv_buf *from,
		       struct mlv_repo *r, const char *remote)
{
	struct mlv_buf key = MLV_BUF_INIT, url = MLV_BUF_INIT;
	int err = 0;

	if (from)
		mlv_buf_clear(from);
	mlv_buf_printf(&key, "remote.%s.mlvstore", remote);
	if (mlv_repo_config_string(out, r, key.ptr))
		goto done;
	mlv_buf_clear(&key);
	mlv_buf_printf(&key, "remote.%s.url", remote);
	if (mlv_repo_config_string(&url, r, key.ptr) &&
	    !strncmp(url.ptr, "mlv::", 5)) {
		mlv_buf_sets(out, url.ptr + 5);
		goto done;
	}
	if ((err = mlvconfig_store_url(out, from, r)) == MLV_ENOTFOUND)
		mlv_error_set("remote '%s' has no mlv store: set "
			      "remote.%s.mlvstore (s3://bucket/prefix or "
			      "file:///path), or [store] url in " MLV_POLICY_FILE,
			      remote, remote);
done:
	if (err == 0) {
		/* a relative path is taken from the top of the work tree (the
		 * git dir when bare), where git runs helpers and filters */
		char *resolved = mlv_backend_resolve_url(
			out->ptr, r->workdir ? r->workdir : git_repository_path(r->git));

		mlv_buf_sets(out, resolved);
		free(resolved);
	}
	mlv_buf_release(&key);
	mlv_buf_release(&url);
	return err;
}

int mlv_sync_store_notice(struct mlv_buf *out, struct mlv_repo *r,
			  const char *remote, const char *url,
			  const char *from)
{
	struct mlv_buf shown = MLV_BUF_INIT, file = MLV_BUF_INIT,
		       line = MLV_BUF_INIT;
	char *path = NULL;
	int due = 0, fd = -1;

	if (!from || !*from)
		return 0;
	path = mlv_path_join(r->common_dir, "mlv/shown-stores");
	/* one URL a line; "\nURL\n" matches whole lines only */
	mlv_buf_printf(&line, "\n%s\n", url);
	mlv_buf_putc(&shown, '\n');
	if (mlv_buf_read_file(&file, path) == 0)
		mlv_buf_put(&shown, file.ptr, file.len);
	if (strstr(shown.ptr, line.ptr))
		goto done;
	due = 1;
	mlv_buf_clear(out);
	mlv_buf_printf(out, "the store %s comes from %s, a file of the repository "
		       "that whoever committed it chose, not your own config; set "
		       "remote.%s.mlvstore to choose the store yourself", url, from,
		       remote);
	/* remembered best effort: at worst the line shows again next time */
	if (mlv_mkdir_parents(path) == 0 &&
	    (fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666)) >= 0)
		mlv_write_all(fd, line.ptr + 1, line.len - 1);
done:
	if (fd >= 0)
		close(fd);
	free(path);
	mlv_buf_release(&shown);
	mlv_buf_release(&file);
	mlv_buf_release(&line);
	return due;
}

size_t mlv_sync_remote_names(char ***names, struct mlv_repo *r)
{
	git_config_iterator *it = NULL;
	git_config_entry *e;
	size_t count = 0, alloc = 0;

	*names = NULL;
	if (!r->config || git_config_iterator_new(&it, r->config) < 0) {
		git_error_clear();
		return 0;
	}
	while (git_config_next(&e, it) == 0) {
		size_t n = strlen(e->name);

		if (strncasecmp(e->name, "remote.", 7) || n < 12 ||
		    strcasecmp(e->name + n - 4, ".url"))
			continue;
		MLV_ALLOC_GROW(*names, count, alloc);
		(*names)[count++] = mlv_xstrndup(e->name + 7, n - 11);
	}
	git_config_iterator_free(it);
	git_error_clear();
	return count;
}

void mlv_sync_remote_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int mlv_sync_is_remote(struct mlv_repo *r, const char *name)
{
	char **names;
	size_t i, n = mlv_sync_remote_names(&names, r);
	int found = 0;

	for (i = 0; i < n; i++)
		found |= !strcmp(names[i], name);
	mlv_sync_remote_names_free(names, n);
	return found;
}

/* The remotes configured: "origin" when there is one, else the only one. */
static int pick_configured_remote(struct mlv_buf *out, struct mlv_repo *r)
{
	char **names;
	size_t i, n = mlv_sync_remote_names(&names, r);
	const char *pick = n == 1 ? names[0] : NULL;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], "origin"))
			pick = names[i];
	if (pick)
		mlv_buf_sets(out, pick);
	mlv_sync_remote_names_free(names, n);
	return pick != NULL;
}

int mlv_sync_default_remote(struct mlv_buf *out, struct mlv_repo *r)
{
	git_reference *head = NULL;
	struct mlv_buf key = MLV_BUF_INIT;
	int err = 0;

	if (mlv_repo_config_string(out, r, "mlv.remote"))
		goto done;
	if (git_repository_head(&head, r->git) == 0 &&
	    git_reference_is_branch(head)) {
		mlv_buf_printf(&key, "branch.%s.remote",
			       git_reference_shorthand(head));
		if (mlv_repo_config_string(out, r, key.ptr) && strcmp(out->ptr, "."))
			goto done;
	}
	git_error_clear();
	mlv_buf_clear(out);
	if (!pick_configured_remote(out, r)) {
		mlv_buf_clear(out);
		mlv_error_set("no remote to fetch mlv objects from (add one, or "
			      "set mlv.remote)");
		err = MLV_ENOTFOUND;
	}
done:
	git_reference_free(head);
	mlv_buf_release(&key);
	return err;
}

unsigned mlv_sync_jobs(struct mlv_repo *r)
{
	long n = mlv_repo_config_int(r, "mlv.concurrenttransfers", 8);

	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

int mlv_sync_collect(struct mlv_buf *objects, struct mlv_sync_list *pointers,
		     struct mlv_repo *r, const char *const *tips, size_t ntips,
		     const char *const *hides, size_t nhides)
{
	const char **args = mlv_xreallocarray(NULL, ntips + nhides + 6,
					      sizeof(*args));
	struct mlv_buf out = MLV_BUF_INIT;
	size_t n = 0, i;
	char *line, *next;
	int err = 0, rc;

	args[n++] = "rev-list";
	args[n++] = "--objects";
	args[n++] = "--ignore-missing";
	for (i = 0; i < ntips; i++)
		args[n++] = tips[i];
	if (nhides)
		args[n++] = "--not";
	for (i = 0; i < nhides; i++)
		args[n++] = hides[i];
	args[n] = NULL;
	if (!ntips)
		goto done;
	if ((rc = mlv_run_git(&out, args, MLV_RUN_NO_STDIN)) != 0) {
		mlv_error_set("git rev-list --objects failed (exit %d): cannot tell "
			      "which objects to push",
			      rc);
		err = MLV_ERROR;
		goto done;
	}
	for (line = out.ptr; *line; line = next) {
		const char *path = NULL;
		struct mlv_pointer p;
		git_oid id;
		char *sp;

		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		else
			next = line + strlen(line);
		if ((sp = strchr(line, ' '))) {
			*sp = '\0';
			path = sp + 1;
		}
		if (git_oid_fromstr(&id, line) < 0)
			continue;
		if (objects)
			mlv_buf_printf(objects, "%s\n", line);
		/* trees and commits have no path or are never pointers */
		if (!path || !*path)
			continue;
		err = mlv_scan_read_pointer(&p, r, &id);
		if (err == MLV_EINVALID) {
			err = 0;
			continue;
		}
		if (err < 0)
			goto done;
		if (p.size > 0)
			mlv_sync_list_add(pointers, p.oid, p.size, path);
	}
	mlv_sync_list_uniq(pointers);
done:
	free(args);
	mlv_buf_release(&out);
	return err;
}

/*
 * Glob `p` against all of `s`, as git's wildmatch: '*' and '?' stop at
 * '/'; a "**" segment followed by '/' stands for zero or more directories,
 * a trailing "**" segment for everything below; "[...]" is a class and
 * '\' quotes the next character.
 */
static int glob_match(const char *p, const char *s)
{
	for (;;) {
		if (p[0] == '*' && p[1] == '*' &&
		    (p[2] == '/' || p[2] == '\0')) {
			const char *rest = p[2] ? p + 3 : p + 2;

			if (!*rest)
				return 1;
			for (;;) {
				if (glob_match(rest, s))
					return 1;
				if (!(s = strchr(s, '/')))
					return 0;
				s++;
			}
		}
		switch (*p) {
		case '\0':
			return *s == '\0';
		case '*':
			while (*p == '*')
				p++;
			for (;; s++) {
				if (glob_match(p, s))
					return 1;
				if (!*s || *s == '/')
					return 0;
			}
		case '?':
			if (!*s || *s == '/')
				return 0;
			break;
		case '[': {
			const char *end = strchr(p + 1 + (p[1] == ']'), ']');
			char cls[256], ch[2] = { *s, '\0' };

			if (!end || (size_t)(end - p + 2) > sizeof(cls)) {
				if (*s != '[')
					return 0;
				break;
			}
			if (!*s || *s == '/')
				return 0;
			memcpy(cls, p, (size_t)(end - p + 1));
			cls[end - p + 1] = '\0';
			if (fnmatch(cls, ch, 0))
				return 0;
			p = end;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*p != *s)
				return 0;
		}
		p++;
		s++;
	}
}

/*
 * One gitignore-style pattern against a file's path: a pattern with a
 * '/' at its start or middle is anchored at the top, one without matches
 * a name at any depth; a trailing '/' matches directories only. A match of
 * a directory takes in everything below it.
 */
static int pattern_matches(const char *pattern, size_t len, const char *path)
{
	char *pat = mlv_xstrndup(pattern, len), *p = pat;
	int dir_only = 0, anchored, hit = 0;
	size_t plen = strlen(path), i, j;

	if (len && p[len - 1] == '/') {
		p[--len] = '\0';
		dir_only = 1;
	}
	anchored = strchr(p, '/') != NULL;
	if (*p == '/')
		p++;
	/* the path's pieces from `i` to `j`, both at component boundaries;
	 * anchored patterns start only at the top */
	for (i = 0; i <= plen && !hit; i++) {
		if (i > 0 && path[i - 1] != '/')
			continue;
		for (j = i; j <= plen && !hit; j++) {
			char *piece;

			if (j < plen && path[j] != '/')
				continue;
			if (j == plen && dir_only)
				break; /* the file itself is no directory */
			if (!anchored && memchr(path + i, '/', j - i))
				break; /* a slashless pattern names one component */
			piece = mlv_xstrndup(path + i, j - i);
			hit = glob_match(p, piece);
			free(piece);
		}
		if (anchored)
			break;
	}
	free(pat);
	return hit;
}

/* -1 when `patterns` (comma-separated) has none, else 1 when one matches. */
static int any_matches(const char *patterns, const char *path)
{
	const char *p = patterns;
	int any = 0;

	while (*p) {
		size_t n = strcspn(p, ","), start = 0;

		while (start < n && p[start] == ' ')
			start++;
		while (n > start && p[n - 1] == ' ')
			n--;
		if (n > start) {
			any = 1;
			if (pattern_matches(p + start, n - start, path))
				return 1;
		}
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return any ? 0 : -1;
}

int mlv_sync_path_wanted(const char *path, const char *include,
			 const char *exclude)
{
	if (include && any_matches(include, path) == 0)
		return 0;
	return !(exclude && any_matches(exclude, path) == 1);
}

/* The pattern given, else the value of config `key`, else NULL. */
static char *pattern_or_config(struct mlv_repo *r, const char *given,
			       const char *key)
{
	struct mlv_buf v = MLV_BUF_INIT;
	char *out = NULL;

	if (given)
		out = mlv_xstrdup(given);
	else if (mlv_repo_config_string(&v, r, key))
		out = mlv_buf_detach(&v);
	mlv_buf_release(&v);
	return out;
}

void mlv_sync_filter_init(struct mlv_sync_filter *f, struct mlv_repo *r,
			  const char *include, const char *exclude)
{
	f->include = pattern_or_config(r, include, "mlv.fetchinclude");
	f->exclude = pattern_or_config(r, exclude, "mlv.fetchexclude");
}

void mlv_sync_filter_add_path(struct mlv_sync_filter *f, const char *path)
{
	size_t len = strlen(path);

	f->paths = mlv_xreallocarray(f->paths, f->npaths + 1, sizeof(*f->paths));
	while (len > 1 && path[len - 1] == '/')
		len--;
	f->paths[f->npaths++] = mlv_xstrndup(path, len);
}

void mlv_sync_filter_release(struct mlv_sync_filter *f)
{
	size_t i;

	free(f->include);
	free(f->exclude);
	for (i = 0; i < f->npaths; i++)
		free(f->paths[i]);
	free(f->paths);
	f->include = f->exclude = NULL;
	f->paths = NULL;
	f->npaths = 0;
}

/* `path` is `named`, or under the directory `named`. */
static int path_is_under(const char *path, const char *named)
{
	size_t n = strlen(named);

	return !strcmp(named, ".") ||
	       (!strncmp(path, named, n) && (!path[n] || path[n] == '/'));
}

int mlv_sync_filter_named(const struct mlv_sync_filter *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->npaths; i++)
		if (path_is_under(path, f->paths[i]))
			return (int)i;
	return -1;
}

int mlv_sync_filter_wants(const struct mlv_sync_filter *f, const char *path)
{
	return mlv_sync_path_wanted(path, f->include, f->exclude) &&
	       (!f->npaths || mlv_sync_filter_named(f, path) >= 0);
}

struct missing_walk {
	struct mlv_repo *repo;
	struct mlv_sync_list *out;
	const struct mlv_sync_filter *filter;
};

static int add_if_missing(const char *path, const struct mlv_pointer *p,
			  const git_index_entry *entry, void *payload)
{
	struct missing_walk *mw = payload;

	if (mlv_sync_filter_wants(mw->filter, path) &&
	    !mlv_store_has(&mw->repo->store, p->oid))
		mlv_sync_list_add(mw->out, p->oid, p->size, path);
	return 0;
}

int mlv_sync_missing(struct mlv_sync_list *out, struct mlv_repo *r,
		     const char *const *revs, size_t nrevs,
		     const struct mlv_sync_filter *filter)
{
	struct missing_walk mw = { r, out, filter };
	size_t i;
	int err = 0;

	if (!nrevs)
		err = mlv_scan_tree(r, "HEAD", add_if_missing, &mw);
	for (i = 0; i < nrevs && err == 0; i++)
		err = mlv_scan_tree(r, revs[i], add_if_missing, &mw);
	mlv_sync_list_uniq(out);
	return err;
}

int mlv_sync_transfer(struct mlv_problems *failures, struct mlv_repo *r,
		      struct mlv_backend *b, enum mlv_transfer_direction dir,
		      const struct mlv_sync_list *list, int quiet,
		      struct mlv_transfer_stats *stats, size_t *skipped)
{
	struct mlv_transfer *t;
	struct mlv_transfer_result res;
	char *first = NULL;
	size_t i, nfailed = 0, nskipped = 0;
	int err = 0;

	if (!list->n)
		goto done;
	t = mlv_transfer_new(b, &r->store, dir, mlv_sync_jobs(r),
			     dir == MLV_TRANSFER_UPLOAD ? "Uploading mlv objects" :
							  "Downloading mlv objects",
			     quiet);
	for (i = 0; i < list->n; i++)
		mlv_transfer_add(t, list->items[i].oid, list->items[i].size,
				 list->items[i].path);
	while (mlv_transfer_next(t, &res, 1) > 0) {
		if (res.err < 0) {
			mlv_problems_add(failures, "%s", res.message);
			if (!nfailed++) {
				err = res.err;
				first = mlv_xstrdup(res.message);
			}
		} else if (res.skipped) {
			nskipped++;
		}
		mlv_transfer_result_release(&res);
	}
	if (stats)
		mlv_transfer_stats_add(stats, t);
	mlv_transfer_free(t);
	if (nfailed)
		mlv_error_set("%zu of %zu objects could not be %s; the first: %s",
			      nfailed, list->n,
			      dir == MLV_TRANSFER_UPLOAD ? "uploaded" : "downloaded",
			      first);
done:
	if (skipped)
		*skipped = nskipped;
	free(first);
	return err;
}
