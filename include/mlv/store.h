#ifndef MLV_STORE_H
#define MLV_STORE_H

#include <stdint.h>
#include <sys/stat.h>

#include "mlv/buf.h"
#include "mlv/pointer.h"
#include "mlv/sha256.h"

/*
 * The local content-addressed store under `<git common dir>/mlv/`:
 *
 *   objects/<oid[0:2]>/<oid[2:4]>/<oid>   whole, verified objects
 *   tmp/                                  objects being written
 *   incomplete/                           downloads in progress
 *   bad/                                  corrupt objects moved aside by fsck
 *
 * An object becomes visible only by rename() from tmp/ once all of it is
 * written and its SHA-256 is known, read-only, so every visible object is whole and
 * matches its name. Worktrees share the store since it lives in the common
 * directory.
 */

struct mlv_store {
	char *root;    /* <common dir>/mlv */
	char *objects; /* root/objects */
	char *tmp;     /* root/tmp */
	int fsync;     /* fsync objects before they become visible */
	unsigned object_mode; /* 0444 less the umask */
};

#define MLV_STORE_INIT { 0 }

/* Point `s` at `<common_dir>/mlv`; creates nothing until the first write. */
int mlv_store_init(struct mlv_store *s, const char *common_dir);
void mlv_store_release(struct mlv_store *s);

/* `<objects>/aa/bb/<oid>` into `out` (replacing its contents). */
int mlv_store_object_path(struct mlv_buf *out, const struct mlv_store *s,
			  const char *oid);

/* The same under any directory laid out as objects/ is. */
int mlv_store_object_path_in(struct mlv_buf *out, const char *objects_dir,
			     const char *oid);

/* 1 when the object is present, 0 when not. */
int mlv_store_has(const struct mlv_store *s, const char *oid);

/*
 * Open an object for reading: 0 with `*fd` and its size in `*size`,
 * MLV_ENOTFOUND when absent.
 */
int mlv_store_open(int *fd, uint64_t *size, const struct mlv_store *s,
		   const char *oid);

/*
 * Writing an object whose oid is not known in advance: open a temporary
 * file, write, commit. commit() hashes what was written, renames it to its
 * object path (replacing an existing copy, which repairs a damaged one) and
 * fills `out`. If `expect_oid` is non-NULL a different hash fails with
 * MLV_ECORRUPT and nothing becomes visible. abort() removes the temporary
 * file; it is safe to call after commit() or on a writer never opened.
 */
struct mlv_store_writer {
	const struct mlv_store *store;
	struct mlv_sha256 hash;
	char *tmp_path;
	int fd;
	uint64_t size;
};

#define MLV_STORE_WRITER_INIT { NULL, MLV_SHA256_INIT, NULL, -1, 0 }

int mlv_store_writer_open(struct mlv_store_writer *w, const struct mlv_store *s);
int mlv_store_writer_write(struct mlv_store_writer *w, const void *data,
			   size_t len);
int mlv_store_writer_commit(struct mlv_store_writer *w, struct mlv_pointer *out,
			    const char *expect_oid);
void mlv_store_writer_abort(struct mlv_store_writer *w);

/*
 * Hash the object `oid` in place: 0 when whole, MLV_ECORRUPT when its
 * content does not match, MLV_ENOTFOUND when absent.
 */
int mlv_store_verify(const struct mlv_store *s, const char *oid);

/*
 * Downloads from a remote store land in `incomplete/<oid>` and stay there
 * across interruptions, so the next attempt resumes where the last one
 * stopped. open() locks that file (waiting for another process that is
 * downloading the same object), hashes what is already there and tells
 * how much (`have`): the download goes on from that byte. commit() checks
 * size and SHA-256 and only then moves it into objects/; content that does
 * not match is deleted and fails with MLV_ECORRUPT. abort() keeps the
 * bytes for the next attempt.
 */
struct mlv_store_download {
	const struct mlv_store *store;
	char oid[MLV_OID_HEXSZ + 1];
	char *path;
	int fd;
	uint64_t have;
	struct mlv_sha256 hash;
	int copy_fd; /* see mlv_store_download_tee() */
	int want_direct; /* see mlv_store_download_direct() */
	struct mlv_store_direct *direct;
};

#define MLV_STORE_DOWNLOAD_INIT \
	{ NULL, "", NULL, -1, 0, MLV_SHA256_INIT, -1, 0, NULL }

/* MLV_EEXISTS (nothing to do, nothing held) when the object is already
 * in the store, perhaps put there by the process we waited for. */
int mlv_store_download_open(struct mlv_store_download *d,
			    const struct mlv_store *s, const char *oid);
int mlv_store_download_write(struct mlv_store_download *d, const void *data,
			     size_t len);
int mlv_store_download_commit(struct mlv_store_download *d, uint64_t size);
/*
 * Also write every byte of the object to `fd` (the caller's file, which
 * it keeps open): what an earlier attempt left is copied at once, and a
 * discard empties `fd` too. Used to build a work-tree file while the
 * object downloads, in one pass over the bytes.
 */
int mlv_store_download_tee(struct mlv_store_download *d, int fd);
/*
 * Nobody reads the partial file while this download runs (no streaming
 * from it): past its first 8 MiB, write it without the page cache
 * (O_DIRECT, where the file system takes it) from a thread of its own,
 * in 4 MiB blocks. A gigabyte then costs neither fresh memory nor the
 * kernel's copying and writeback on the downloading thread.
 */
void mlv_store_download_direct(struct mlv_store_download *d);
/* Throw away the bytes kept so far: the download starts again at 0. */
void mlv_store_download_discard(struct mlv_store_download *d);
void mlv_store_download_abort(struct mlv_store_download *d);

/* Move a corrupt object aside to `bad/<oid>`; that new path into `moved_to`. */
int mlv_store_quarantine(struct mlv_buf *moved_to, const struct mlv_store *s,
			 const char *oid);

/*
 * Call `fn` for every file under objects/, fan-out directory by directory
 * in byte order of the names: `path` is where it is, `oid` its name when
 * it is an object (a regular file named by a valid oid in the right
 * fan-out directory), NULL for anything else found there (a foreign
 * file, a symlink, a directory too deep), `st` its lstat(). A non-zero
 * return stops the walk and is returned. A store never written to has
 * nothing to list.
 */
typedef int (*mlv_store_each_fn)(const char *path, const char *oid,
				 const struct stat *st, void *payload);
int mlv_store_each(const struct mlv_store *s, mlv_store_each_fn fn, void *payload);

/* The same for any directory laid out as objects/ is (git-lfs's
 * .git/lfs/objects is); a directory that does not exist lists nothing. */
int mlv_store_each_in(const char *objects_dir, mlv_store_each_fn fn, void *payload);

/*
 * Delete the object `oid`: one unlink, so the store never holds part of
 * it. MLV_ENOTFOUND when it was not there (someone removed it first).
 * The fan-out directories stay, so a writer renaming into them at the
 * same moment never finds its directory gone.
 */
int mlv_store_remove(const struct mlv_store *s, const char *oid);

/*
 * Remove temporary files in tmp/ last changed more than `max_age` seconds
 * ago: what a killed command left behind. A command still writing keeps
 * touching its file, so it is never taken. Partial downloads in
 * incomplete/ are kept for a resume up to MLV_STORE_INCOMPLETE_MAX_AGE
 * (empty ones only `max_age`). The count goes to `*removed`.
 */
#define MLV_STORE_INCOMPLETE_MAX_AGE (7u * 24 * 3600)

int mlv_store_prune_tmp(const struct mlv_store *s, unsigned max_age,
			size_t *removed);

#endif
