#ifndef MLV_POINTER_H
#define MLV_POINTER_H

#include <stddef.h>
#include <stdint.h>

#include "mlv/buf.h"
#include "mlv/sha256.h"

/*
 * Pointer files: the Git LFS v1 pointer, byte for byte.
 *
 *   version https://git-lfs.github.com/spec/v1\n
 *   oid sha256:<64 lowercase hex>\n
 *   size <decimal, no leading zeros>\n
 *
 * The parser is strict: exactly these three lines in this order, LF endings,
 * nothing before or after, under MLV_POINTER_MAX bytes. Anything else is
 * not a pointer. The empty file is its own pointer (size 0), as in git-lfs:
 * cleaning empty content yields empty content.
 */

#define MLV_POINTER_MAX 1024
#define MLV_POINTER_VERSION "https://git-lfs.github.com/spec/v1"

struct mlv_pointer {
	char oid[MLV_OID_HEXSZ + 1];
	uint64_t size;
};

/* Parse `len` bytes at `data`: 0, or MLV_EINVALID when it is no pointer. */
int mlv_pointer_parse(struct mlv_pointer *out, const void *data, size_t len);

/* Append the pointer text for `p` to `out`. */
int mlv_pointer_format(struct mlv_buf *out, const struct mlv_pointer *p);

/* 1 when `hex` is exactly 64 lowercase hex digits followed by NUL. */
int mlv_oid_is_valid(const char *hex);

/* Parse "sha256:<hex>" or a bare 64-hex oid into `oid`; 0 or MLV_EINVALID. */
int mlv_oid_parse(char oid[MLV_OID_HEXSZ + 1], const char *text);

#endif
