#ifndef MLV_OIDSET_H
#define MLV_OIDSET_H

#include <stddef.h>

#include <git2.h>

/*
 * A set of git object ids (open addressing, grown as it fills): what a
 * walk over history has seen, so that each tree and blob is read once.
 */
struct mlv_oidset {
	git_oid *slots;
	unsigned char *used;
	size_t cap, n;
};

#define MLV_OIDSET_INIT { NULL, NULL, 0, 0 }

/* 1 when `id` is new (and now in the set), 0 when it was there. */
int mlv_oidset_add(struct mlv_oidset *s, const git_oid *id);

int mlv_oidset_has(const struct mlv_oidset *s, const git_oid *id);

void mlv_oidset_release(struct mlv_oidset *s);

#endif
