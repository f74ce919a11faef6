#ifndef MLV_LFS_H
#define MLV_LFS_H

#include <stddef.h>
#include <stdint.h>

#include "mlv/repo.h"

/*
 * A git-lfs repository's local objects, taken into mlv's store
 * (`git mlv migrate --from-lfs`). git-lfs keeps them as mlv does, by
 * SHA-256 under <lfs dir>/objects/<oid[0:2]>/<oid[2:4]>/<oid>, and its
 * pointers are mlv's, so nothing is converted: each object is hashed,
 * then hard-linked into the store (copied, through a temporary file, when
 * the two cannot share a file).
 */

/* git-lfs's objects directory: `lfs.storage` (relative to the common
 * directory when not absolute), else <common dir>/lfs, then "/objects". */
void mlv_lfs_objects_dir(struct mlv_buf *out, struct mlv_repo *r);

/* 1 when git-lfs's objects directory `dir` holds `oid` as a file. */
int mlv_lfs_has(const char *dir, const char *oid);

struct mlv_lfs_import {
	size_t linked, copied, present; /* present: the store had it */
	uint64_t bytes;                 /* linked or copied */
	size_t corrupt;                 /* content does not hash to the name */
	size_t foreign;                 /* not an object: a file of its own */
};

/*
 * Take every object of `dir` into `r`'s store; with `dry_run` only count
 * (hashing all the same); a progress meter unless `quiet`. `bad` is called for each file left out, with
 * why. An object is visible in the store only once whole and verified.
 * Fails on a file it cannot read or a store it cannot write.
 */
int mlv_lfs_import(struct mlv_lfs_import *stats, struct mlv_repo *r, const char *dir,
		   int dry_run, int quiet, void (*bad)(const char *path, const char *why, void *payload),
		   void *payload);

#endif
