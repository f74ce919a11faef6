/* git mlv fsck [--quiet] [--remote [REMOTE] [--full]] */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "mlv/backend.h"
#include "mlv/error.h"
#include "mlv/json.h"
#include "mlv/progress.h"
#include "mlv/quote.h"
#include "mlv/sha256.h"
#include "mlv/scan.h"
#include "mlv/sync.h"
#include "mlv/util.h"
#include "mlv/worktree.h"

/* A temporary file untouched this long belongs to no running command. */
#define STALE_TMP_SECONDS 3600

struct ref {
	char oid[MLV_OID_HEXSZ + 1];
	uint64_t size;
	char *path; /* one path that refers to it, for messages */
	const char *where;
};

struct refs {
	struct ref *items;
	size_t n, alloc;
	const char *where;
};

static int add_ref(const char *path, const struct mlv_pointer *p,
		   const git_index_entry *e, void *payload)
{
	struct refs *r = payload;

	(void)e;
	if (p->size == 0)
		return 0;
	MLV_ALLOC_GROW(r->items, r->n, r->alloc);
	memcpy(r->items[r->n].oid, p->oid, sizeof(p->oid));
	r->items[r->n].size = p->size;
	r->items[r->n].path = mlv_xstrdup(path);
	r->items[r->n].where = r->where;
	r->n++;
	return 0;
}

/* 1 when a remote store is there to fetch objects from. */
static int has_remote_store(struct mlv_repo *repo)
{
	struct mlv_buf remote = MLV_BUF_INIT, url = MLV_BUF_INIT;
	int found = mlv_sync_default_remote(&remote, repo) == 0 &&
		    mlv_sync_store_url(&url, NULL, repo, remote.ptr) == 0;

	mlv_buf_release(&remote);
	mlv_buf_release(&url);
	mlv_error_clear();
	return found;
}

/* 1 when the work tree holds the pointer of `r` itself: with a remote
 * store, a file a lazy clone or the fetch filter never downloaded, not a
 * lost object. */
static int left_as_pointer(struct mlv_repo *repo, const struct ref *r)
{
	enum mlv_worktree_state state;
	struct mlv_pointer p;

	memset(&p, 0, sizeof(p));
	memcpy(p.oid, r->oid, sizeof(p.oid));
	p.size = r->size;
	return repo->workdir &&
	       mlv_worktree_state(&state, repo, r->path, &p, NULL, 0) == 0 &&
	       state == MLV_WT_POINTER;
}

static int by_oid(const void *a, const void *b)
{
	return strcmp(((const struct ref *)a)->oid, ((const struct ref *)b)->oid);
}

char *remote_bad_path(struct mlv_repo *repo, const char *remote)
{
	struct mlv_buf name = MLV_BUF_INIT;
	char *path;
	const char *p;

	/* a remote name may hold '/': one file per remote all the same */
	mlv_buf_puts(&name, "mlv/remote-bad/");
	for (p = remote; *p; p++)
		if (*p == '/' || *p == '%')
			mlv_buf_printf(&name, "%%%02X", (unsigned char)*p);
		else
			mlv_buf_putc(&name, *p);
	path = mlv_path_join(repo->common_dir, name.ptr);
	mlv_buf_release(&name);
	return path;
}

/* Where a check's findings go: printed, or into `problems` for JSON. */
struct report {
	json_t *problems; /* NULL: print each */
};

/* One finding: `kind` ("missing", "corrupt", "wrong-size"), the object,
 * the path that refers to it and the line a person reads. */
static void report(struct report *r, const char *kind, const char *oid, const char *path,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void report(struct report *r, const char *kind, const char *oid, const char *path,
		   const char *fmt, ...)
{
	struct mlv_buf line = MLV_BUF_INIT;
	json_t *o;
	va_list ap;

	va_start(ap, fmt);
	mlv_buf_vprintf(&line, fmt, ap);
	va_end(ap);
	if (!r->problems) {
		printf("%s\n", line.ptr);
	} else {
		o = json_object();
		mlv_json_set_string(o, "problem", kind);
		mlv_json_set(o, "oid", json_sprintf("sha256:%s", oid));
		mlv_json_set_string(o, "path", path);
		mlv_json_set_string(o, "message", line.ptr);
		json_array_append_new(r->problems, o);
	}
	mlv_buf_release(&line);
}

/* What a full check hashes the store's copy with. */
static int hash_sink(void *ctx, const void *data, size_t len)
{
	mlv_sha256_update(ctx, data, len);
	return 0;
}

/*
 * The store's copy of `o`: 0 when whole, else a line for the user in
 * `why` (missing, wrong size, or with `full` hashing to something else).
 */
static int check_stored(struct mlv_buf *why, struct mlv_conn *c,
			const struct mlv_sync_object *o, int full)
{
	struct mlv_sha256 h = MLV_SHA256_INIT;
	struct mlv_buf key = MLV_BUF_INIT;
	char hex[MLV_OID_HEXSZ + 1];
	uint64_t size = 0;
	int err;

	mlv_backend_object_key(&key, o->oid);
	mlv_buf_clear(why);
	if ((err = mlv_conn_head(c, key.ptr, &size)) == MLV_ENOTFOUND) {
		mlv_buf_printf(why, "missing in the store: %s (%s)", o->oid,
			       o->path ? o->path : "");
		err = 1;
	} else if (err == 0 && size != o->size) {
		mlv_buf_printf(why, "wrong size in the store: %s (%s) has %llu bytes, "
			       "its pointer says %llu", o->oid, o->path ? o->path : "",
			       (unsigned long long)size, (unsigned long long)o->size);
		err = 1;
	} else if (err == 0 && full && (err = mlv_sha256_init(&h)) == 0 &&
		   (err = mlv_conn_get(c, key.ptr, 0, hash_sink, &h)) == 0) {
		mlv_sha256_final_hex(hex, &h);
		if (strcmp(hex, o->oid)) {
			mlv_buf_printf(why, "corrupt in the store: %s (%s) hashes to %s",
				       o->oid, o->path ? o->path : "", hex);
			err = 1;
		}
	}
	mlv_sha256_release(&h);
	mlv_buf_release(&key);
	return err;
}

/* The kind of what check_stored found, from the line it wrote. */
static const char *err_kind(const struct mlv_buf *why)
{
	if (!strncmp(why->ptr, "missing", 7))
		return "missing";
	return strncmp(why->ptr, "wrong size", 10) ? "corrupt" : "wrong-size";
}

/* 1 when this repository has remote-tracking refs of `remote`. */
static int has_tracking_refs(struct mlv_repo *repo, const char *remote)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	struct mlv_buf glob = MLV_BUF_INIT;
	int found = 0;

	mlv_buf_printf(&glob, "refs/remotes/%s/*", remote);
	if (git_reference_iterator_glob_new(&it, repo->git, glob.ptr) == 0 &&
	    git_reference_next(&ref, it) == 0)
		found = 1;
	git_reference_free(ref);
	git_reference_iterator_free(it);
	git_error_clear();
	mlv_buf_release(&glob);
	return found;
}

/*
 * git mlv fsck --remote: every object the remote's refs need is in its
 * store with the size its pointer says (and, with `full`, its hash); what
 * is not is listed for git mlv push --repair.
 */
static int fsck_remote(struct mlv_repo *repo, const char *name, int full,
		       int quiet, struct report *out)
{
	struct mlv_buf remote = MLV_BUF_INIT, tips = MLV_BUF_INIT,
		       why = MLV_BUF_INIT, bad = MLV_BUF_INIT;
	struct mlv_sync_list list = MLV_SYNC_LIST_INIT;
	struct mlv_backend *b = NULL;
	struct mlv_conn *c = NULL;
	struct mlv_progress progress;
	const char *tip;
	char *bad_path = NULL;
	size_t i, nbad = 0;
	int err, rc = 0;

	if ((name ? mlv_buf_sets(&remote, name) : mlv_sync_default_remote(&remote, repo)) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (!has_tracking_refs(repo, remote.ptr)) {
		mlv_error_set("this repository has no refs of remote '%s' to check "
			      "(git fetch %s first)", remote.ptr, remote.ptr);
		rc = die_with_error("");
		goto done;
	}
	mlv_buf_printf(&tips, "--remotes=%s", remote.ptr);
	tip = tips.ptr;
	if (mlv_sync_collect(NULL, &list, repo, &tip, 1, NULL, 0) < 0 ||
	    open_remote_store(&b, repo, remote.ptr) < 0 || mlv_conn_open(&c, b) < 0) {
		rc = die_with_error("");
		goto done;
	}
	mlv_progress_start(&progress, "Checking mlv objects in the store", list.n, quiet);
	for (i = 0; i < list.n; i++) {
		if ((err = check_stored(&why, c, &list.items[i], full)) < 0) {
			mlv_progress_stop(&progress);
			rc = die_with_error("");
			goto done;
		}
		mlv_progress_add(&progress, 1, list.items[i].size);
		if (err) {
			report(out, err_kind(&why), list.items[i].oid,
			       list.items[i].path ? list.items[i].path : "", "%s", why.ptr);
			mlv_buf_printf(&bad, "%s\n", list.items[i].oid);
			nbad++;
		}
	}
	mlv_progress_stop(&progress);
	bad_path = remote_bad_path(repo, remote.ptr);
	if (nbad) {
		if (mlv_mkdir_parents(bad_path) < 0 ||
		    mlv_write_file_atomic(bad_path, bad.ptr, bad.len, 0666) < 0) {
			rc = die_with_error("");
			goto done;
		}
		rc = 1;
		if (!out->problems)
			printf("%zu objects of remote '%s' checked in %s: %zu bad; 'git mlv "
			       "push --repair %s' uploads them again from here\n", list.n,
			       remote.ptr, mlv_backend_url(b), nbad, remote.ptr);
	} else {
		unlink(bad_path);
		if (!quiet && !out->problems)
			printf("%zu objects of remote '%s' checked in %s, all present "
			       "with their size%s\n", list.n, remote.ptr,
			       mlv_backend_url(b), full ? " and hash" : "");
	}
	if (out->problems) {
		json_t *o = json_object(), *counts = json_object();

		mlv_json_set(counts, "checked", json_integer((json_int_t)list.n));
		mlv_json_set(counts, "bad", json_integer((json_int_t)nbad));
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set(o, "store", json_string("remote"));
		mlv_json_set_string(o, "remote", remote.ptr);
		mlv_json_set_string(o, "url", mlv_backend_url(b));
		mlv_json_set(o, "full", json_boolean(full));
		mlv_json_set(o, "counts", counts);
		mlv_json_set(o, "problems", json_incref(out->problems));
		mlv_json_write(stdout, o, 2);
		putchar('\n');
		json_decref(o);
	}
done:
	mlv_conn_close(c);
	mlv_backend_free(b);
	mlv_sync_list_release(&list);
	mlv_buf_release(&remote);
	mlv_buf_release(&tips);
	mlv_buf_release(&why);
	mlv_buf_release(&bad);
	free(bad_path);
	return rc;
}

#define FSCK_USAGE "fsck [--quiet] [--format text|json] [--remote [<remote>] [--full]]"

int cmd_fsck(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct refs refs = { NULL, 0, 0, NULL };
	struct mlv_buf moved = MLV_BUF_INIT;
	struct mlv_progress progress;
	git_index *index = NULL;
	size_t i, missing = 0, corrupt = 0, checked = 0, stale = 0, unfetched = 0,
	       wrong_size = 0;
	uint64_t size = 0;
	int quiet = 0, remote_store, err = 0, rc = 0, fd, check_remote = 0, full = 0;
	int json = 0;
	const char *remote_name = NULL, *format = NULL;
	struct report out = { NULL };
	const struct option opts[] = {
		OPT_FLAG('q', "quiet", &quiet, "print only what is wrong"),
		OPT_FORMAT_JSON(&format, &json),
		OPT_FLAG(0, "remote", &check_remote,
			 "check the remote's store instead (the remote after it, or the default)"),
		OPT_FLAG(0, "full", &full, "with --remote: download each object and check its hash"),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, FSCK_USAGE)) ||
	    (rc = text_or_json(&json, format)))
		return rc;
	if (json) {
		out.problems = json_array();
		quiet = 1; /* no progress either */
	}
	if ((full && !check_remote) || argc > 1 + check_remote)
		return usage_with_options(FSCK_USAGE, opts);
	remote_name = argc > 1 ? argv[1] : NULL;
	if (mlv_repo_open(&repo) < 0)
		return die_with_error("");
	if (check_remote) {
		rc = fsck_remote(&repo, remote_name, full, quiet, &out);
		goto done;
	}
	refs.where = "HEAD";
	err = mlv_scan_tree(&repo, "HEAD", add_ref, &refs);
	if (err < 0 && err != MLV_ENOTFOUND) {
		rc = die_with_error("");
		goto done;
	}
	refs.where = "the index";
	if ((err = git_repository_index(&index, repo.git)) < 0) {
		mlv_error_from_git(err, "cannot read the index");
		rc = die_with_error("");
		goto done;
	}
	if (mlv_scan_index(&repo, index, add_ref, &refs) < 0) {
		rc = die_with_error("");
		goto done;
	}
	qsort(refs.items, refs.n, sizeof(*refs.items), by_oid);
	remote_store = has_remote_store(&repo);
	mlv_progress_start(&progress, "Checking mlv objects", refs.n, quiet);
	for (i = 0; i < refs.n; i++) {
		struct ref *r = &refs.items[i];

		mlv_progress_add(&progress, 1, r->size);
		if (!i || strcmp(r->oid, refs.items[i - 1].oid)) {
			checked++;
			err = mlv_store_verify(&repo.store, r->oid);
			if (err == 0 && (err = mlv_store_open(&fd, &size, &repo.store,
							       r->oid)) == 0)
				close(fd);
		} else if (err != 0) {
			continue; /* the same object: reported once */
		}
		/* every pointer of an intact object must say its size */
		if (err == 0 && size != r->size) {
			report(&out, "wrong-size", r->oid, r->path,
			       "wrong size: %s in %s: its pointer says %llu bytes, "
			       "object %s has %llu (git add the file again)",
			       mlv_quote_display(r->path), r->where,
			       (unsigned long long)r->size, r->oid,
			       (unsigned long long)size);
			wrong_size++;
		} else if (err == 0) {
			continue;
		} else if (err == MLV_ENOTFOUND && remote_store &&
		    left_as_pointer(&repo, r)) {
			unfetched++;
		} else if (err == MLV_ENOTFOUND) {
			report(&out, "missing", r->oid, r->path, "missing: %s (%s in %s)",
			       r->oid, mlv_quote_display(r->path), r->where);
			missing++;
		} else if (err == MLV_ECORRUPT) {
			if (mlv_store_quarantine(&moved, &repo.store, r->oid) < 0)
				report(&out, "corrupt", r->oid, r->path,
				       "corrupt: %s (%s in %s), cannot move it aside: %s",
				       r->oid, mlv_quote_display(r->path), r->where,
				       mlv_error_last());
			else
				report(&out, "corrupt", r->oid, r->path,
				       "corrupt: %s (%s in %s), moved to %s", r->oid,
				       mlv_quote_display(r->path), r->where, moved.ptr);
			corrupt++;
		} else if (err < 0) {
			mlv_progress_stop(&progress);
			rc = die_with_error("");
			goto done;
		}
	}
	mlv_progress_stop(&progress);
	if (mlv_store_prune_tmp(&repo.store, STALE_TMP_SECONDS, &stale) < 0)
		stale = 0;
	rc = missing || corrupt || wrong_size ? 1 : 0;
	if (json) {
		json_t *o = json_object(), *counts = json_object();

		mlv_json_set(counts, "checked", json_integer((json_int_t)checked));
		mlv_json_set(counts, "missing", json_integer((json_int_t)missing));
		mlv_json_set(counts, "corrupt", json_integer((json_int_t)corrupt));
		mlv_json_set(counts, "wrong_size", json_integer((json_int_t)wrong_size));
		mlv_json_set(counts, "not_fetched", json_integer((json_int_t)unfetched));
		mlv_json_set(counts, "temporary_removed", json_integer((json_int_t)stale));
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set(o, "store", json_string("local"));
		mlv_json_set(o, "counts", counts);
		mlv_json_set(o, "problems", json_incref(out.problems));
		mlv_json_write(stdout, o, 2);
		putchar('\n');
		json_decref(o);
		goto done;
	}
	if (stale)
		printf("removed %zu temporary file%s left by interrupted commands\n",
		       stale, stale == 1 ? "" : "s");
	if (unfetched && !quiet)
		printf("%zu object%s not fetched: %s pointers in the work tree "
		       "('git mlv fetch' downloads them)\n",
		       unfetched, unfetched == 1 ? "" : "s",
		       unfetched == 1 ? "its file is a pointer" : "their files are");
	if (missing || corrupt || wrong_size) {
		printf("%zu objects checked: %zu missing, %zu corrupt, %zu pointer%s "
		       "with a wrong size\n", checked, missing, corrupt, wrong_size,
		       wrong_size == 1 ? "" : "s");
		if (missing || corrupt)
			printf("fetch them again with 'git mlv fetch', or re-add the "
			       "files from a good copy\n");
	} else if (!quiet) {
		printf("%zu objects checked, all %spresent and intact\n", checked,
		       unfetched ? "fetched ones " : "");
	}
done:
	json_decref(out.problems);
	for (i = 0; i < refs.n; i++)
		free(refs.items[i].path);
	free(refs.items);
	mlv_buf_release(&moved);
	git_index_free(index);
	mlv_repo_release(&repo);
	return rc;
}
