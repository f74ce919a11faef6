#ifndef MLV_IMPORT_H
#define MLV_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "mlv/buf.h"
#include "mlv/repo.h"

/*
 * Rewriting history so that files committed into Git itself become mlv
 * pointers (`git mlv migrate --import`), through git's own machinery:
 *
 *   git fast-export --no-data --full-tree REVS | (this) | git fast-import
 *
 * Every commit the revisions reach is written again with each regular
 * file whose path matches a pattern replaced by its pointer (the content
 * goes into the store first) and its root .gitattributes tracking the
 * patterns. Blobs are converted once however many commits hold them;
 * files that already are pointers stay as they are. fast-import moves the
 * refs; the caller keeps backups of them first.
 */

struct mlv_import_options {
	const char *const *patterns; /* gitattributes patterns, as the user wrote them */
	size_t npatterns;
	const char *const *revs;     /* for fast-export: ref names, --branches, --tags */
	size_t nrevs;
	int quiet;                   /* no progress meter */
};

struct mlv_import_result {
	size_t commits;        /* written again */
	size_t files;          /* distinct blobs made pointers */
	uint64_t bytes;        /* their content */
	struct mlv_buf map;    /* "<old commit> <new commit>\n" per commit */
};

#define MLV_IMPORT_RESULT_INIT { 0, 0, 0, MLV_BUF_INIT }

/* 1 when `path` (from the top) matches `pattern` as a .gitattributes
 * line would: without a '/', its last component; else all of it, a
 * pattern "dir/" followed by two stars standing for everything below. */
int mlv_import_matches(const char *pattern, const char *path);

int mlv_import(struct mlv_import_result *res, struct mlv_repo *r,
	       const struct mlv_import_options *o);

void mlv_import_result_release(struct mlv_import_result *res);

#endif
