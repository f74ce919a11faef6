#ifndef MLV_INI_H
#define MLV_INI_H

#include <stddef.h>

#include <ini.h>

/*
 * INI text through inih with lines of any length up to MLV_INI_MAX_LINE
 * bytes, for every INI file mlv reads (sidecars, .mlvconfig, the AWS
 * config and credentials files).
 *
 * inih reads a line into a buffer of INI_MAX_LINE bytes, 200 in Debian's
 * build, and reads what does not fit as further lines. Debian's libinih
 * (unlike upstream's, which fixes these at compile time) exports run-time
 * options: with ini_use_stack off and ini_allow_realloc on, its buffer
 * starts small and doubles up to ini_max_line, which this module sets to
 * MLV_INI_MAX_LINE + 3 (room for CR, LF and NUL) once per process. So inih
 * itself still parses every byte of every line: sections, comments, the
 * first '=' or ':', inline comments and white space are cut by the one set
 * of rules whatever a line's length.
 *
 * The reader hands inih one line at a time, as fgets does: at most the
 * buffer's size, the rest when inih grows it. A line longer than
 * MLV_INI_MAX_LINE, or holding a NUL byte (inih would end the line there
 * and read the rest as a line of its own), reaches inih as an empty line,
 * so a "key = value" hidden in it is never read and the lines after it
 * keep their numbers.
 */

#define MLV_INI_MAX_LINE (1024 * 1024)

/*
 * Called with each whole line (`text`, `len` bytes without its LF) before
 * inih reads it; `line` counts from 1 and is the number inih gives errors.
 * Return nonzero to have inih read an empty line instead (a line the
 * caller refused and reported). It also sees the lines this module
 * replaces, so that it can say why.
 */
typedef int (*mlv_ini_line_fn)(void *ctx, unsigned line, const char *text,
			       size_t len);

/*
 * Parse `len` bytes of INI text: `check` (may be NULL) sees each line
 * first, then inih calls `handler` for each key = value, both with `ctx`.
 * Returns what ini_parse_stream does: 0, or the number of the first line
 * inih could not parse (or whose handler returned 0).
 */
int mlv_ini_parse(const char *data, size_t len, mlv_ini_line_fn check,
		  ini_handler handler, void *ctx);

#endif
