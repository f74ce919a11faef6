#ifndef MLV_SIZES_H
#define MLV_SIZES_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "mlv/repo.h"

/*
 * What the history holds, by kind of file (`git mlv migrate --info`):
 * every distinct blob that the commits of a walk reach, grouped by the
 * extension of its name ("*.bin"; a name without one is its own group),
 * with how many of them are pointers (stored by mlv or git-lfs) and the
 * bytes they stand for (a pointer's size, else the blob's).
 */
struct mlv_size_group {
	char *pattern;    /* "*.bin", or a file name such as "Makefile" */
	size_t files;     /* distinct blobs */
	size_t pointers;  /* of them, pointers */
	uint64_t bytes;   /* of all of them */
	uint64_t pointer_bytes;
};

struct mlv_sizes {
	struct mlv_size_group *groups; /* by bytes, largest first */
	size_t n, alloc;
	size_t commits;
};

#define MLV_SIZES_INIT { NULL, 0, 0, 0 }

/* Add every blob of the commits `walk` yields. */
int mlv_sizes_walk(struct mlv_sizes *s, struct mlv_repo *r, git_revwalk *walk);

void mlv_sizes_release(struct mlv_sizes *s);

#endif
