#ifndef MLV_QUOTE_H
#define MLV_QUOTE_H

#include "mlv/buf.h"

/*
 * Quoting for the commands mlv prints for a user to paste ("fix with:
 * git mlv sidecar update ..."). Every name that came from a user or a
 * repository goes through here, whatever it holds: POSIX sh reads the
 * result back as exactly one word with exactly those bytes, and nothing in
 * it (quotes, `$()`, backticks, `;`, newlines) is ever run.
 */

/*
 * Append `s` in single quotes, each `'` inside written as `'\''`:
 * `it's` becomes `'it'\''s'`.
 */
int mlv_quote_shell(struct mlv_buf *b, const char *s);

/*
 * The same for a path argument: a path starting with `-` gets `./` in
 * front, so that no command reads it as an option.
 */
int mlv_quote_shell_path(struct mlv_buf *b, const char *path);

/*
 * The same for a path that git reads as a pathspec (git add, git rm): a
 * path with a glob character (`*?[\`) or a leading `:` is written as
 * `:(literal)PATH`, so that git matches that one file and nothing else.
 */
int mlv_quote_shell_pathspec(struct mlv_buf *b, const char *path);

/*
 * Replace the contents of `b` with `path` quoted as by
 * mlv_quote_shell_path() and return `b->ptr`, to pass to a format:
 * `printf("git add %s", mlv_quote_path(&q, path))`.
 */
const char *mlv_quote_path(struct mlv_buf *b, const char *path);
/* The same with mlv_quote_shell_pathspec(). */
const char *mlv_quote_pathspec(struct mlv_buf *b, const char *path);

/*
 * `s` fit to show on a terminal: control characters (C0, DEL and C1) as
 * \xNN or \u00NN, so that a name from a repository cannot move the
 * cursor, retitle the window or hide text; everything else as it is.
 * NULL gives "(none)". The result is `s` itself when nothing needed
 * escaping, else a buffer that stays valid for the next 15 calls (one
 * printf may use several).
 */
const char *mlv_quote_display(const char *s);

#endif
