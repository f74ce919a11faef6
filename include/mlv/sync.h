#ifndef MLV_SYNC_H
#define MLV_SYNC_H

#include <stdint.h>

#include "mlv/backend.h"
#include "mlv/problems.h"
#include "mlv/repo.h"
#include "mlv/transfer.h"

/*
 * Moving mlv objects between a repository and a remote store: which store
 * a remote uses, which objects a push carries, which ones a checkout
 * needs, and running the transfers.
 */

/* One object to move, with a path that names it in messages. */
struct mlv_sync_object {
	char oid[65];
	uint64_t size;
	char *path;
};

struct mlv_sync_list {
	struct mlv_sync_object *items;
	size_t n, alloc;
};

#define MLV_SYNC_LIST_INIT { NULL, 0, 0 }

void mlv_sync_list_add(struct mlv_sync_list *l, const char *oid, uint64_t size,
		       const char *path);
/* Sort by oid and drop repeats. */
void mlv_sync_list_uniq(struct mlv_sync_list *l);
/* In a list mlv_sync_list_uniq() sorted: the object `oid`, or NULL. */
const struct mlv_sync_object *mlv_sync_list_find(const struct mlv_sync_list *l,
						 const char *oid);
void mlv_sync_list_release(struct mlv_sync_list *l);

/*
 * The store URL of remote `remote`: remote.<name>.mlvstore, else the URL
 * of an mlv:: remote without its "mlv::", else `[store] url` in the
 * .mlvconfig of the work tree (or of HEAD). MLV_ENOTFOUND when none. A
 * path there becomes a file:// URL, a relative one taken from the top of
 * the work tree (mlv_backend_resolve_url()).
 *
 * A URL from .mlvconfig was written by whoever committed it, not by the
 * user: then `from` (when not NULL) says where it came from (".mlvconfig
 * in HEAD"); it is left empty for the user's own config.
 */
int mlv_sync_store_url(struct mlv_buf *out, struct mlv_buf *from,
		       struct mlv_repo *r, const char *remote);

/*
 * The line to show the user before anything is sent to a store URL that
 * came from a committed file (`from` as set above): once per repository
 * and URL, remembered in <common dir>/mlv/shown-stores. Sets `out` and
 * returns 1 when it is due, 0 when it was shown before.
 */
int mlv_sync_store_notice(struct mlv_buf *out, struct mlv_repo *r,
			  const char *remote, const char *url,
			  const char *from);

/*
 * The remote whose store lazy fetches use: mlv.remote, else the upstream
 * remote of the current branch, else "origin", else the only remote.
 * MLV_ENOTFOUND when there is none.
 */
int mlv_sync_default_remote(struct mlv_buf *out, struct mlv_repo *r);

/* The names of the configured remotes (those with remote.<name>.url),
 * into a malloc'd array; how many. Not git_remote_list(): libgit2 1.5
 * leaks in the regex it uses for that. */
size_t mlv_sync_remote_names(char ***names, struct mlv_repo *r);
void mlv_sync_remote_names_free(char **names, size_t n);

/* 1 when `name` is a configured remote. */
int mlv_sync_is_remote(struct mlv_repo *r, const char *name);

/* mlv.concurrenttransfers (default 8, 1..64). */
unsigned mlv_sync_jobs(struct mlv_repo *r);

/*
 * The objects `git rev-list --objects TIPS --not HIDES` lists: all of them
 * into `objects` (one hex id per line, for a pack; NULL to skip) and those
 * that are mlv pointers into `pointers`. Hides git does not have are
 * ignored.
 */
int mlv_sync_collect(struct mlv_buf *objects, struct mlv_sync_list *pointers,
		     struct mlv_repo *r, const char *const *tips, size_t ntips,
		     const char *const *hides, size_t nhides);

/*
 * 1 when `path` passes a fetch filter: it matches one of the include
 * patterns (comma-separated, gitignore-style; or there are none) and no
 * exclude pattern.
 */
int mlv_sync_path_wanted(const char *path, const char *include,
			 const char *exclude);

/*
 * The fetch filter a command applies: the patterns it was given (NULL
 * when not given), else mlv.fetchinclude / mlv.fetchexclude; and, when
 * the command named paths, only those files and what is under those
 * directories (literal paths, never patterns).
 */
struct mlv_sync_filter {
	char *include, *exclude; /* NULL: no such patterns */
	char **paths;            /* repository-relative; npaths 0: any */
	size_t npaths;
};

#define MLV_SYNC_FILTER_INIT { NULL, NULL, NULL, 0 }

void mlv_sync_filter_init(struct mlv_sync_filter *f, struct mlv_repo *r,
			  const char *include, const char *exclude);
/* Keep only `path` (a file, or a directory with or without its '/') and
 * the other paths added. */
void mlv_sync_filter_add_path(struct mlv_sync_filter *f, const char *path);
void mlv_sync_filter_release(struct mlv_sync_filter *f);

/* Which of the filter's paths `path` is or lies under (the first), or -1. */
int mlv_sync_filter_named(const struct mlv_sync_filter *f, const char *path);

/* mlv_sync_path_wanted() with the filter's patterns, and its paths. */
int mlv_sync_filter_wants(const struct mlv_sync_filter *f, const char *path);

/*
 * Every pointer in the trees of `revs` (all of HEAD's when none) whose
 * path passes `filter` and whose object is not in the local store.
 */
int mlv_sync_missing(struct mlv_sync_list *out, struct mlv_repo *r,
		     const char *const *revs, size_t nrevs,
		     const struct mlv_sync_filter *filter);

/*
 * Upload (or download) every object of `list`, `mlv_sync_jobs()` at a time,
 * with a progress meter unless `quiet`. Each failure goes to `failures`;
 * returns 0, or the first object's error when any failed (its message
 * says how many failed). What moved is added to `stats`, and the count
 * of objects already there goes to `skipped` (either may be NULL).
 */
int mlv_sync_transfer(struct mlv_problems *failures, struct mlv_repo *r,
		      struct mlv_backend *b, enum mlv_transfer_direction dir,
		      const struct mlv_sync_list *list, int quiet,
		      struct mlv_transfer_stats *stats, size_t *skipped);

#endif
