#ifndef MLV_SCAN_H
#define MLV_SCAN_H

#include <git2.h>

#include "mlv/pointer.h"
#include "mlv/repo.h"

/*
 * Finding mlv files: index entries and tree entries whose blob is a
 * non-empty pointer. Blobs of MLV_POINTER_MAX bytes or more are skipped
 * without being read.
 */

/* Called per pointer; a non-zero return stops the walk and is returned. */
typedef int (*mlv_scan_fn)(const char *path, const struct mlv_pointer *p,
			   const git_index_entry *entry, void *payload);

/* Every stage-0 index entry holding a pointer, in index order. `entry` is
 * the index entry (its stat data describes the work tree file). */
int mlv_scan_index(struct mlv_repo *r, git_index *index, mlv_scan_fn fn,
		   void *payload);

/* Every blob in the tree of `rev` (e.g. "HEAD") holding a pointer; `entry`
 * is NULL. MLV_ENOTFOUND when `rev` does not resolve (an unborn HEAD). */
int mlv_scan_tree(struct mlv_repo *r, const char *rev, mlv_scan_fn fn,
		  void *payload);

/* Read the blob `id` as a pointer: 0; MLV_EINVALID when it is none;
 * MLV_ENOTFOUND or MLV_ERROR (message set) when git cannot read it. */
int mlv_scan_read_pointer(struct mlv_pointer *out, struct mlv_repo *r,
			  const git_oid *id);

/* The mlv oid and size of the blob `id`: its pointer's when it is one,
 * else the SHA-256 and length of its content (a file Git stores itself).
 * 0, or a negative error with a message naming `what`. */
int mlv_scan_blob_identity(char oid[MLV_OID_HEXSZ + 1], uint64_t *size,
			   git_repository *repo, const git_oid *id,
			   const char *what);

#endif
