#ifndef MLV_SIDECAR_H
#define MLV_SIDECAR_H

#include <stddef.h>

#include "mlv/buf.h"
#include "mlv/problems.h"

/*
 * Sidecar files: `MODEL.mlv`, the INI lineage record committed next to a
 * model (../shared/DESIGN.md, "Sidecar files"). Parsed with inih, through
 * ini.h so that a line may be long.
 *
 *   [mlv]          version = 1
 *   [model]        oid, name, version (semver), base (oid)
 *   [data "NAME"]  path or uri, oid            (one per input data set);
 *                  a path ending in '/' is a data directory (datadir.h),
 *                  recorded with files (how many) and size (total bytes)
 *   [config]       path, oid
 *   [params]       free key = value
 *   [environment]  free key = value; lockfile + lockfile-oid
 *   [code]         commit, dirty
 *   [metrics]      free key = value
 *
 * The parser reports every problem at once, each as "FILE:LINE: what".
 * Lines are limited to MLV_SIDECAR_MAX_LINE bytes (room for a long URI,
 * path or param; a record is not a place for data), files to
 * MLV_SIDECAR_MAX_SIZE (which keeps a server's pre-receive check quick);
 * binary content, unknown sections or keys, duplicate sections or keys,
 * malformed oids and paths that leave the repository are problems.
 */

#define MLV_SIDECAR_MAX_LINE (256 * 1024) /* below MLV_INI_MAX_LINE */
#define MLV_SIDECAR_MAX_SIZE (1024 * 1024) /* a record, not a data set */
#define MLV_SIDECAR_SUFFIX ".mlv"

struct mlv_sidecar_entry {
	char *section; /* "model", "data", ... */
	char *name;    /* [data "train"] gives "train"; NULL without a name */
	char *key;
	char *value;
	unsigned line;
};

struct mlv_sidecar {
	struct mlv_sidecar_entry *entries;
	size_t n, alloc;
};

#define MLV_SIDECAR_INIT { NULL, 0, 0 }

/*
 * Parse `len` bytes of the sidecar `file` (named in messages). Returns 0
 * when it is valid; MLV_EINVALID when problems were added to `problems`
 * (`out` then holds what could be read).
 */
int mlv_sidecar_parse(struct mlv_sidecar *out, struct mlv_problems *problems,
		      const char *file, const char *data, size_t len);
void mlv_sidecar_release(struct mlv_sidecar *sc);

/* The entry for `key` in `section` (with subsection `name`, or NULL). */
const struct mlv_sidecar_entry *mlv_sidecar_find(const struct mlv_sidecar *sc,
						 const char *section,
						 const char *name,
						 const char *key);

/* Its value, or NULL. */
const char *mlv_sidecar_get(const struct mlv_sidecar *sc, const char *section,
			    const char *name, const char *key);

/* Set `key` in `section` (subsection `name` or NULL) to `value`, replacing
 * an existing value in place or appending (after the section's last entry
 * when the section exists). */
void mlv_sidecar_set(struct mlv_sidecar *sc, const char *section,
		     const char *name, const char *key, const char *value);

/* Remove every entry of a section (and subsection `name`, or NULL). */
void mlv_sidecar_remove_section(struct mlv_sidecar *sc, const char *section,
				const char *name);

/* Append the INI text: sections in order of first appearance, a blank
 * line between them. */
void mlv_sidecar_format(struct mlv_buf *out, const struct mlv_sidecar *sc);

/* 1 when `path` is a safe repository-relative path of a file: not empty,
 * not absolute, no ".", ".." or ".git" component, no backslash, no
 * trailing '/'. */
int mlv_repo_path_is_safe(const char *path);
/* NULL when it is; else why not, as the rest of a sentence that starts
 * with the path ("holds a backslash, ..."). */
const char *mlv_repo_path_problem(const char *path);
/* The same for a path to record as a sidecar value, which also may hold
 * no line break and no white space at either end. */
const char *mlv_sidecar_path_problem(const char *path);
/* The same for a [data] path, which may also name a directory with one
 * trailing '/' ("data/images/"). */
const char *mlv_sidecar_data_path_problem(const char *path);
/* 1 when a recorded path names a directory: it ends in '/'. */
int mlv_sidecar_path_is_dir(const char *path);

/* 1 when `v` is a semantic version MAJOR.MINOR.PATCH[-pre][+build]. */
int mlv_semver_is_valid(const char *v);

/* Compare two valid semantic versions (pre-release sorts lower):
 * <0, 0, >0. */
int mlv_semver_compare(const char *a, const char *b);

#endif
