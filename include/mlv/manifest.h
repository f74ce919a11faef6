#ifndef MLV_MANIFEST_H
#define MLV_MANIFEST_H

#include <stddef.h>

#include "mlv/buf.h"

/*
 * The ref manifest, `git/refs` in a remote store: which commit each ref
 * points at, the default branch, and the packs that hold the Git objects.
 *
 *   # mlv ref manifest 1
 *   head refs/heads/main
 *   pack <sha256 of the pack>
 *   <commit id> <refname>
 *   end <sha256 of every byte before this line>
 *
 * Lines are '\n'-terminated and at most MLV_MANIFEST_LINE_MAX bytes; refs
 * are kept sorted by name, each ref and pack listed once. The end line
 * seals the manifest: a torn or truncated one is an error, never a smaller
 * set of refs. A push replaces the whole manifest by compare-and-swap, so
 * it is read, changed in memory and written back.
 */

#define MLV_MANIFEST_LINE_MAX 4096

/* Where a store keeps it, and the most a reader takes of it. */
#define MLV_MANIFEST_KEY "git/refs"
#define MLV_MANIFEST_MAX (64u << 20)

struct mlv_manifest_ref {
	char *name;
	char oid[65]; /* 40 (SHA-1) or 64 (SHA-256) hex digits */
};

struct mlv_manifest {
	char *head; /* NULL when the store has no default branch yet */
	char **packs;
	size_t npacks, packs_alloc;
	struct mlv_manifest_ref *refs;
	size_t nrefs, refs_alloc;
	/* parsed from a manifest without an end line, as mlv wrote them before
	 * it sealed them: read, for the caller to warn that the next push
	 * rewrites it */
	int unsealed;
};

#define MLV_MANIFEST_INIT { NULL, NULL, 0, 0, NULL, 0, 0, 0 }

/*
 * Parse `text`; `where` names it in messages. MLV_EINVALID on any bad
 * line, a ref or pack listed twice, a last line cut short, or an end line
 * whose hash does not match what comes before it.
 */
int mlv_manifest_parse(struct mlv_manifest *m, const char *text, size_t len,
		       const char *where);
void mlv_manifest_format(struct mlv_buf *out, const struct mlv_manifest *m);
void mlv_manifest_release(struct mlv_manifest *m);

/*
 * The manifest of the store `c` is connected to, with its ETag into
 * `etag` when non-NULL (emptied when there is none). MLV_ENOTFOUND when
 * the store has none; MLV_EINVALID, naming the store, when it is damaged.
 */
struct mlv_conn;
int mlv_manifest_read(struct mlv_manifest *m, struct mlv_buf *etag,
		      struct mlv_conn *c);

/* The ref called `name`, or NULL (a binary search). */
const struct mlv_manifest_ref *mlv_manifest_find(const struct mlv_manifest *m,
						 const char *name);

/* Point `name` at `oid`, or delete it when `oid` is NULL. */
void mlv_manifest_set(struct mlv_manifest *m, const char *name, const char *oid);

/* Add pack `name`: 1, or 0 when it is listed already (nothing added). */
int mlv_manifest_add_pack(struct mlv_manifest *m, const char *name);

/* 1 when `name` is a ref name git accepts (check-ref-format), under
 * refs/. Needs libgit2 initialised, as the rest of mlv does. */
int mlv_manifest_refname_ok(const char *name);

#endif
