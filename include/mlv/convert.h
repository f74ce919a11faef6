#ifndef MLV_CONVERT_H
#define MLV_CONVERT_H

#include <stdint.h>

#include "mlv/buf.h"
#include "mlv/pointer.h"
#include "mlv/store.h"

/*
 * Clean and smudge, independent of how content arrives (the filter
 * protocol, stdin, a file in the work tree).
 */

/*
 * Smudge hands its sink this many bytes at a time (less only at the end):
 * 16 full pkt-line payloads of 65516 bytes, so that the filter never sends
 * a short packet between full ones (filter/process.c checks the relation
 * at compile time).
 */
#define MLV_SMUDGE_CHUNK (16 * 65516)

/* Where streamed output goes: returns 0 or a negative mlv error. */
typedef int (*mlv_write_fn)(void *ctx, const void *data, size_t len);

/*
 * Clean: content in, pointer out. Content is streamed into the store and
 * hashed as it arrives; only the first MLV_POINTER_MAX bytes are held, so
 * that content which already is a valid pointer comes back unchanged and
 * stores nothing.
 */
struct mlv_clean {
	const struct mlv_store *store;
	struct mlv_store_writer writer;
	char head[MLV_POINTER_MAX];
	size_t head_len;
	int spilled; /* the writer holds the content; head is stale */
};

void mlv_clean_start(struct mlv_clean *c, const struct mlv_store *s);
int mlv_clean_write(struct mlv_clean *c, const void *data, size_t len);
/*
 * Finish: the object becomes visible in the store and its pointer text is
 * appended to `out` (or the input itself, when it was a pointer). Releases
 * `c` whatever the outcome.
 */
int mlv_clean_finish(struct mlv_buf *out, struct mlv_clean *c);
/* Give up: no object becomes visible. Safe after finish. */
void mlv_clean_abort(struct mlv_clean *c);

/*
 * Smudge: stream the object `p` names from the store to `write`,
 * verifying its hash as it goes. Returns 0; MLV_ENOTFOUND when the object
 * is not in the store (nothing written); MLV_ECORRUPT when it does not
 * match `p` (possibly after writing bytes, which the caller must discard).
 * `path` names the file in messages.
 */
int mlv_smudge_object(const struct mlv_store *s, const struct mlv_pointer *p,
		      const char *path, mlv_write_fn write, void *ctx);

/*
 * The same, for a sink that can take bytes straight from the object's file
 * (a pipe, by splice(2)): `copy` gets the range just hashed, so the bytes
 * go out without passing through this process. The range is read once to
 * hash it; objects are never rewritten in place, so what is copied is what
 * was hashed.
 */
typedef int (*mlv_copy_fn)(void *ctx, int fd, uint64_t offset, size_t len);

int mlv_smudge_object_copy(const struct mlv_store *s, const struct mlv_pointer *p,
			   const char *path, mlv_copy_fn copy, void *ctx);

#endif
