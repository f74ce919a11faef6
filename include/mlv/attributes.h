#ifndef MLV_ATTRIBUTES_H
#define MLV_ATTRIBUTES_H

#include "mlv/buf.h"

/*
 * Editing the mlv lines of a .gitattributes file. A tracked pattern is a
 * line `PATTERN filter=mlv diff=mlv merge=mlv -text`, with ` mlv-model`
 * appended for models. Every other line is kept exactly as it was.
 */

#define MLV_ATTR_MODEL 1 /* the pattern carries mlv-model */

struct mlv_attr_pattern {
	char *pattern; /* as written in the file (spaces escaped) */
	unsigned flags;
};

struct mlv_attr_file {
	char *path;
	struct mlv_buf text;
};

#define MLV_ATTR_FILE_INIT { NULL, MLV_BUF_INIT }

/* Read `path` (a missing file reads as empty). */
int mlv_attr_file_load(struct mlv_attr_file *f, const char *path);
void mlv_attr_file_release(struct mlv_attr_file *f);

/* Escape a user's pattern for .gitattributes (spaces become [[:space:]]). */
char *mlv_attr_escape_pattern(const char *pattern);

/*
 * Call `fn` for each line that sets filter=mlv, in file order. A non-zero
 * return stops the walk and is returned.
 */
int mlv_attr_file_foreach(const struct mlv_attr_file *f,
			  int (*fn)(const struct mlv_attr_pattern *p, void *payload),
			  void *payload);

/*
 * Track `pattern` (already escaped) with `flags`: a line for the same
 * pattern that sets filter=mlv is replaced in place, else a line is
 * appended. Returns 1 when the file changed, 0 when it already said so.
 */
int mlv_attr_file_track(struct mlv_attr_file *f, const char *pattern,
			unsigned flags);

/* Remove the filter=mlv lines for `pattern`: 1 when one went, else 0. */
int mlv_attr_file_untrack(struct mlv_attr_file *f, const char *pattern);

/*
 * Hand git-lfs's lines to mlv: in every line that is not a comment, the
 * words filter=lfs, diff=lfs and merge=lfs become filter=mlv, diff=mlv
 * and merge=mlv; everything else stays byte for byte. Returns how many
 * lines changed.
 */
size_t mlv_attr_file_from_lfs(struct mlv_attr_file *f);

/* Write the file back through a temporary file and rename. */
int mlv_attr_file_save(const struct mlv_attr_file *f);

#endif
