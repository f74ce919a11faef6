#ifndef MLV_OIDSET_H
#define MLV_OIDSET_H

#include <stddef.h>

#include <git2.h>

#include "mlv/buf.h"

/*
 * A set of git object ids (open addressing, grown as it fills): what a
 * walk over history has seen, so that each tree and blob is read once.
 */
struct mlv_oidset {
	git_oid *slots;
	unsigned char *used;
	size_t cap, n;
	git_oid *values; /* a map: one value per slot, after mlv_oidset_put() */
};

#define MLV_OIDSET_INIT { NULL, NULL, 0, 0, NULL }

/* 1 when `id` is new (and now in the set), 0 when it was there. */
int mlv_oidset_add(struct mlv_oidset *s, const git_oid *id);

int mlv_oidset_has(const struct mlv_oidset *s, const git_oid *id);

/* The set as a map from id to id: put replaces the value of `key`; get
 * gives it, or NULL when `key` has none. Use a set for one or the other. */
void mlv_oidset_put(struct mlv_oidset *s, const git_oid *key, const git_oid *value);
const git_oid *mlv_oidset_get(const struct mlv_oidset *s, const git_oid *key);

void mlv_oidset_release(struct mlv_oidset *s);

/*
 * Call `blob` for every blob (plain or executable) in `tree` and below
 * that `seen` has not held, with its path (`path` as given, "" or "dir/",
 * then the names; restored on return), skipping subtrees `seen` holds
 * and adding every tree and blob met to it: over many commits, each tree
 * of history is read once. A non-zero return of `blob` stops the walk and
 * is returned.
 */
typedef int (*mlv_oidset_blob_fn)(const git_oid *id, const char *path, void *payload);
int mlv_oidset_walk_tree(struct mlv_oidset *seen, git_repository *repo,
			 const git_tree *tree, struct mlv_buf *path,
			 mlv_oidset_blob_fn blob, void *payload);

#endif
