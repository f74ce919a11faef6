/* git mlv push | fetch | pull, and the upload the pre-push hook does */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/quote.h"
#include "mlv/scan.h"
#include "mlv/similar.h"
#include "mlv/store.h"
#include "mlv/sync.h"
#include "mlv/util.h"

struct sync_args {
	const char *remote;
	int all;
	int quiet;
	const char *include, *exclude;
	int repair;
	const char **objects;
	size_t nobjects;
};

int open_remote_store(struct mlv_backend **b, struct mlv_repo *repo,
		      const char *remote)
{
	struct mlv_buf url = MLV_BUF_INIT, from = MLV_BUF_INIT,
		       notice = MLV_BUF_INIT;
	int err;

	if ((err = mlv_sync_store_url(&url, &from, repo, remote)) == 0) {
		if (mlv_sync_store_notice(&notice, repo, remote, url.ptr, from.ptr))
			fprintf(stderr, "mlv: %s\n", notice.ptr);
		err = mlv_backend_open(b, url.ptr);
	}
	mlv_buf_release(&url);
	mlv_buf_release(&from);
	mlv_buf_release(&notice);
	return err;
}

/* Move `list`, then say what failed and, unless `quiet`, what moved:
 * one line, on a terminal too (after the meter), as in a log. */
static int transfer(struct mlv_repo *repo, struct mlv_backend *b,
		    enum mlv_transfer_direction dir,
		    const struct mlv_sync_list *list, int quiet, size_t *moved,
		    size_t *skipped)
{
	struct mlv_problems failures = MLV_PROBLEMS_INIT;
	struct mlv_transfer_stats stats = MLV_TRANSFER_STATS_INIT;
	struct mlv_buf line = MLV_BUF_INIT;
	size_t i;
	int err = mlv_sync_transfer(&failures, repo, b, dir, list, quiet, &stats,
				    skipped);

	for (i = 0; i < failures.n; i++)
		fprintf(stderr, "error: %s\n", failures.items[i]);
	if (!quiet && mlv_transfer_summary(&line, dir, &stats))
		fprintf(stderr, "mlv: %s\n", line.ptr);
	if (moved)
		*moved = stats.files;
	mlv_problems_release(&failures);
	mlv_buf_release(&line);
	return err;
}

/* After a push: remove what earlier, killed pushes left in the store. */
static void clean_store_temp(struct mlv_backend *b, int quiet)
{
	struct mlv_conn *c = NULL;
	size_t removed = 0;

	if (mlv_conn_open(&c, b) == 0 &&
	    mlv_conn_clean_temp(c, MLV_STALE_PUSH_TEMP_SECONDS, &removed) == 0 &&
	    removed && !quiet)
		fprintf(stderr, "mlv: removed %zu temporary file%s that interrupted "
			"pushes left in %s\n", removed, removed == 1 ? "" : "s",
			mlv_backend_url(b));
	mlv_conn_close(c);
	mlv_error_clear();
}

int push_objects(struct mlv_repo *repo, const char *remote,
		 const char *const *tips, size_t ntips, const char *const *hides,
		 size_t nhides, int quiet)
{
	struct mlv_sync_list list = MLV_SYNC_LIST_INIT;
	struct mlv_backend *b = NULL;
	int err;

	if ((err = mlv_sync_collect(NULL, &list, repo, tips, ntips, hides,
				    nhides)) < 0)
		goto done;
	if (!list.n)
		goto done;
	if ((err = open_remote_store(&b, repo, remote)) < 0) {
		if (err == MLV_ENOTFOUND) {
			char *why = mlv_xstrdup(mlv_error_last());

			mlv_error_set("%s; this push carries %zu mlv object%s that "
				      "would be missing there ('git push "
				      "--no-verify' pushes without them)",
				      why, list.n, list.n == 1 ? "" : "s");
			free(why);
		}
		goto done;
	}
	if ((err = transfer(repo, b, MLV_TRANSFER_UPLOAD, &list, quiet, NULL,
			    NULL)) < 0)
		goto done;
	clean_store_temp(b, quiet);
done:
	mlv_backend_free(b);
	mlv_sync_list_release(&list);
	return err;
}

#define PUSH_USAGE "push [<remote>] [--all | --object <oid>... | --repair] [--quiet]"
#define FETCH_USAGE \
	"fetch [<remote>] [--all] [--include=<patterns>] [--exclude=<patterns>] [--quiet]"
#define PULL_USAGE \
	"pull [<remote>] [--include=<patterns>] [--exclude=<patterns>] [--quiet]\n" \
	"pull [<remote>] [--] <path>..."

static int add_object(const struct option *o, const char *oid)
{
	struct sync_args *a = o->value;

	a->objects = mlv_xreallocarray(a->objects, a->nobjects + 1, sizeof(*a->objects));
	a->objects[a->nobjects++] = oid;
	return 0;
}

/* The options of push (`kind` 'p'), fetch ('f') and pull ('l'); the
 * arguments left in argv[1..*argc-1]. 0, or the exit code. */
static int parse_args(struct sync_args *a, int *argc, char **argv, int kind,
		      const char *usage)
{
	const struct option all[] = {
		OPT_FLAG('q', "quiet", &a->quiet, "no progress and no summary line"),
		OPT_FLAG(0, "all", &a->all, "every ref's objects, not only HEAD's"),
		OPT_STRING('I', "include", &a->include, "<patterns>",
			   "only paths matching these (comma-separated)"),
		OPT_STRING('X', "exclude", &a->exclude, "<patterns>",
			   "no paths matching these"),
		OPT_FLAG(0, "repair", &a->repair,
			 "upload again what git mlv fsck --remote found bad"),
		OPT_CALLBACK(0, "object", a, add_object, "<oid>", "upload this object"),
		OPT_END(),
	};
	struct option opts[sizeof(all) / sizeof(all[0])];
	size_t n = 0, i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const char *name = all[i].long_name ? all[i].long_name : "";

		/* push has no filter; fetch and pull no repair; pull no --all */
		if ((kind == 'p' && (!strcmp(name, "include") || !strcmp(name, "exclude"))) ||
		    (kind != 'p' && (!strcmp(name, "repair") || !strcmp(name, "object"))) ||
		    (kind == 'l' && !strcmp(name, "all")))
			continue;
		opts[n++] = all[i];
	}
	return parse_options(argc, argv, opts, usage);
}

/* The remote near enough to `name` to be what was meant (malloc'd), or NULL. */
static char *nearest_remote(struct mlv_repo *repo, const char *name)
{
	char **names;
	size_t n = mlv_sync_remote_names(&names, repo);
	const char *best = mlv_similar_nearest(name, (const char *const *)names, n);
	char *out = best ? mlv_xstrdup(best) : NULL;

	mlv_sync_remote_names_free(names, n);
	return out;
}

/* `arg` of pull names no file here and is a remote's name mistyped. */
static int looks_like_remote(struct mlv_repo *repo, const char *arg)
{
	struct stat st;
	char *best;
	int near;

	if (lstat(arg, &st) == 0)
		return 0;
	best = nearest_remote(repo, arg);
	near = best != NULL;
	free(best);
	return near;
}

int check_remote(struct mlv_repo *repo, const char *name)
{
	char *best;

	if (mlv_sync_is_remote(repo, name))
		return 0;
	fprintf(stderr, "fatal: no such remote '%s'", mlv_quote_display(name));
	best = nearest_remote(repo, name);
	if (best)
		fprintf(stderr, "\n\nThe most similar remote is\n\t%s\n", best);
	else
		fprintf(stderr, " (git remote -v lists them)\n");
	free(best);
	return 128;
}

/* The remote named on the command line, which must exist, else the
 * default one. 0, or the exit code after a message. */
static int pick_remote(struct mlv_buf *out, struct mlv_repo *repo,
		       const struct sync_args *a)
{
	if (a->remote) {
		mlv_buf_sets(out, a->remote);
		return check_remote(repo, a->remote);
	}
	return mlv_sync_default_remote(out, repo) < 0 ? die_with_error("") : 0;
}

/* One optional argument: the remote. 0, or the exit code. */
static int remote_arg(struct sync_args *a, int argc, char **argv, const char *usage)
{
	if (argc > 2) {
		fprintf(stderr, "error: one remote at most, not '%s' too\n", argv[2]);
		return usage_error(usage);
	}
	a->remote = argc == 2 ? argv[1] : NULL;
	return 0;
}

/*
 * git mlv push --repair: upload again, over what is there, the objects git
 * mlv fsck --remote found missing or damaged in the store, from this
 * repository's verified copies.
 */
static int repair(struct mlv_repo *repo, const char *remote, int quiet)
{
	struct mlv_buf list = MLV_BUF_INIT, left = MLV_BUF_INIT, key = MLV_BUF_INIT;
	struct mlv_backend *b = NULL;
	struct mlv_conn *c = NULL;
	char *path = remote_bad_path(repo, remote), *line, *next;
	size_t repaired = 0, kept = 0;
	uint64_t size;
	int fd, err, rc = 0;

	if ((err = mlv_buf_read_file(&list, path)) < 0) {
		if (err == MLV_ENOTFOUND)
			mlv_error_set("nothing to repair in the store of '%s': 'git mlv "
				      "fsck --remote %s' finds what is bad there first",
				      remote, remote);
		rc = die_with_error("");
		goto done;
	}
	if (open_remote_store(&b, repo, remote) < 0 || mlv_conn_open(&c, b) < 0) {
		rc = die_with_error("");
		goto done;
	}
	c->replace = 1; /* the one exception to write-once, asked for */
	for (line = list.ptr; *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (!mlv_oid_is_valid(line))
			continue;
		mlv_backend_object_key(&key, line);
		if ((err = mlv_store_verify(&repo->store, line)) < 0 ||
		    (err = mlv_store_open(&fd, &size, &repo->store, line)) < 0) {
			fprintf(stderr, "warning: cannot repair %s: %s\n", line,
				err == MLV_ENOTFOUND ? "it is not in the local store "
				"either (run this where it was made)" : mlv_error_last());
			mlv_buf_printf(&left, "%s\n", line);
			kept++;
			continue;
		}
		err = mlv_conn_put_file(c, key.ptr, fd, size, line);
		close(fd);
		if (err < 0) {
			fprintf(stderr, "warning: cannot repair %s: %s\n", line,
				mlv_error_last());
			mlv_buf_printf(&left, "%s\n", line);
			kept++;
			continue;
		}
		repaired++;
	}
	if (kept ? mlv_write_file_atomic(path, left.ptr, left.len, 0666) : unlink(path))
		mlv_error_clear();
	(void)quiet; /* the result is stdout's, as for push --object */
	printf("%zu object%s uploaded again to %s%s\n", repaired,
		       repaired == 1 ? "" : "s", mlv_backend_url(b),
		       kept ? ", some could not be (see above)" : "");
	rc = kept ? 1 : 0;
done:
	mlv_conn_close(c);
	mlv_backend_free(b);
	mlv_buf_release(&list);
	mlv_buf_release(&left);
	mlv_buf_release(&key);
	free(path);
	return rc;
}

int cmd_push(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_buf remote = MLV_BUF_INIT, hide = MLV_BUF_INIT;
	struct mlv_sync_list list = MLV_SYNC_LIST_INIT;
	struct mlv_backend *b = NULL;
	struct sync_args a;
	size_t i, moved = 0, skipped = 0;
	int rc = 0, err;

	if ((rc = parse_args(&a, &argc, argv, 'p', PUSH_USAGE)) ||
	    (rc = remote_arg(&a, argc, argv, PUSH_USAGE)))
		return rc;
	if (mlv_repo_open(&repo) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if ((rc = pick_remote(&remote, &repo, &a)))
		goto done;
	if (a.repair) {
		rc = repair(&repo, remote.ptr, a.quiet);
		goto done;
	}
	if (a.nobjects) {
		for (i = 0; i < a.nobjects; i++) {
			uint64_t size = 0;
			int fd;

			if (mlv_store_open(&fd, &size, &repo.store, a.objects[i]) < 0) {
				rc = die_with_error("");
				goto done;
			}
			close(fd);
			mlv_sync_list_add(&list, a.objects[i], size, NULL);
		}
		if ((err = open_remote_store(&b, &repo, remote.ptr)) < 0 ||
		    (err = transfer(&repo, b, MLV_TRANSFER_UPLOAD, &list, a.quiet,
				    &moved, &skipped)) < 0) {
			rc = die_with_error("");
			goto done;
		}
		printf("%zu object%s uploaded, %zu already there\n", moved,
		       moved == 1 ? "" : "s", skipped);
		clean_store_temp(b, a.quiet);
		goto done;
	}
	{
		const char *tips[] = { a.all ? "--all" : "HEAD" };
		const char *hides[1];
		size_t nhides = 0;

		if (!a.all) {
			mlv_buf_printf(&hide, "--remotes=%s", remote.ptr);
			hides[nhides++] = hide.ptr;
		}
		if (push_objects(&repo, remote.ptr, tips, 1, hides, nhides, a.quiet) < 0)
			rc = die_with_error("");
	}
done:
	free(a.objects);
	mlv_backend_free(b);
	mlv_sync_list_release(&list);
	mlv_buf_release(&remote);
	mlv_buf_release(&hide);
	mlv_repo_release(&repo);
	return rc;
}

/* Download what `filter` wants of HEAD (or all history). */
static int fetch(struct mlv_repo *repo, const struct sync_args *a,
		 const struct mlv_sync_filter *filter, const char *remote,
		 size_t *moved)
{
	struct mlv_sync_list list = MLV_SYNC_LIST_INIT, all = MLV_SYNC_LIST_INIT;
	struct mlv_backend *b = NULL;
	size_t i;
	int err;

	if (a->all) {
		const char *tips[] = { "--all" };

		if ((err = mlv_sync_collect(NULL, &all, repo, tips, 1, NULL, 0)) < 0)
			goto done;
		for (i = 0; i < all.n; i++)
			if (mlv_sync_filter_wants(filter, all.items[i].path) &&
			    !mlv_store_has(&repo->store, all.items[i].oid))
				mlv_sync_list_add(&list, all.items[i].oid,
						  all.items[i].size, all.items[i].path);
	} else if ((err = mlv_sync_missing(&list, repo, NULL, 0, filter)) < 0 &&
		   err != MLV_ENOTFOUND) {
		goto done;
	}
	err = 0;
	if (!list.n)
		goto done;
	if ((err = open_remote_store(&b, repo, remote)) < 0)
		goto done;
	err = transfer(repo, b, MLV_TRANSFER_DOWNLOAD, &list, a->quiet, moved, NULL);
done:
	mlv_backend_free(b);
	mlv_sync_list_release(&list);
	mlv_sync_list_release(&all);
	return err;
}

int cmd_fetch(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_buf remote = MLV_BUF_INIT;
	struct mlv_sync_filter filter = MLV_SYNC_FILTER_INIT;
	struct sync_args a;
	size_t moved = 0;
	int rc = 0;

	if ((rc = parse_args(&a, &argc, argv, 'f', FETCH_USAGE)) ||
	    (rc = remote_arg(&a, argc, argv, FETCH_USAGE)))
		return rc;
	if (mlv_repo_open(&repo) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if ((rc = pick_remote(&remote, &repo, &a)))
		goto done;
	mlv_sync_filter_init(&filter, &repo, a.include, a.exclude);
	if (fetch(&repo, &a, &filter, remote.ptr, &moved) < 0)
		rc = die_with_error("");
done:
	mlv_sync_filter_release(&filter);
	mlv_buf_release(&remote);
	mlv_repo_release(&repo);
	return rc;
}

struct wanted_paths {
	struct mlv_repo *repo;
	const struct mlv_sync_filter *filter;
	char **paths;
	size_t n, alloc;
	unsigned char *named; /* per path of the filter: a pointer lies there */
};

static int add_wanted(const char *path, const struct mlv_pointer *p,
		      const git_index_entry *e, void *payload)
{
	struct wanted_paths *w = payload;
	int at = mlv_sync_filter_named(w->filter, path);

	if (at >= 0)
		w->named[at] = 1;

	if (mlv_sync_filter_wants(w->filter, path) &&
	    mlv_store_has(&w->repo->store, p->oid)) {
		MLV_ALLOC_GROW(w->paths, w->n, w->alloc);
		w->paths[w->n++] = mlv_xstrdup(path);
	}
	return 0;
}

int cmd_pull(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_buf remote = MLV_BUF_INIT;
	struct mlv_sync_filter filter = MLV_SYNC_FILTER_INIT;
	struct wanted_paths w;
	git_index *index = NULL;
	struct sync_args a;
	size_t moved = 0, i, nargs, first;
	char **args = NULL;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	if ((rc = parse_args(&a, &argc, argv, 'l', PULL_USAGE)))
		return rc;
	w.repo = &repo;
	w.filter = &filter;
	if (mlv_repo_open(&repo) < 0) {
		rc = die_with_error("");
		goto done;
	}
	/* pull [<remote>] [<path>...]: the first is the remote when it names
	 * one (git-lfs users write paths alone) */
	first = 1;
	if (argc > 1 && (mlv_sync_is_remote(&repo, argv[1]) || looks_like_remote(&repo, argv[1])))
		a.remote = argv[first++];
	if ((rc = pick_remote(&remote, &repo, &a)))
		goto done;
	mlv_sync_filter_init(&filter, &repo, a.include, a.exclude);
	for (i = first; i < (size_t)argc; i++) {
		char *path = mlv_repo_relative(&repo, argv[i]);

		mlv_sync_filter_add_path(&filter, path);
		free(path);
	}
	if (fetch(&repo, &a, &filter, remote.ptr, &moved) < 0) {
		rc = die_with_error("");
		goto done;
	}
	/* materialize what the filter wants and the store now has */
	w.named = calloc(filter.npaths + 1, 1);
	if (!w.named)
		abort();
	if (git_repository_index(&index, repo.git) < 0 ||
	    mlv_scan_index(&repo, index, add_wanted, &w) < 0) {
		rc = die_with_error("cannot read the index");
		goto done;
	}
	for (i = 0; i < filter.npaths; i++) {
		if (!w.named[i]) {
			fprintf(stderr, "fatal: '%s' is no file that mlv stores here, nor "
					"a directory holding one (git mlv ls-files lists "
					"them)\n", mlv_quote_display(filter.paths[i]));
			rc = 128;
		}
	}
	if (rc)
		goto done;
	if (!w.n)
		goto done;
	if (!repo.workdir || chdir(repo.workdir) < 0) {
		rc = die_with_error("pull needs a work tree");
		goto done;
	}
	args = mlv_xreallocarray(NULL, w.n + 3, sizeof(*args));
	nargs = 0;
	args[nargs++] = "checkout";
	if (a.quiet)
		args[nargs++] = "--quiet";
	args[nargs++] = "--";
	for (i = 0; i < w.n; i++)
		args[nargs++] = w.paths[i];
	git_index_free(index);
	index = NULL;
	mlv_repo_release(&repo);
	rc = cmd_checkout((int)nargs, args);
done:
	free(args);
	for (i = 0; i < w.n; i++)
		free(w.paths[i]);
	free(w.paths);
	free(w.named);
	mlv_sync_filter_release(&filter);
	git_index_free(index);
	mlv_buf_release(&remote);
	mlv_repo_release(&repo);
	return rc;
}
