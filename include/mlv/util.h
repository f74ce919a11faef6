#ifndef MLV_UTIL_H
#define MLV_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mlv_buf;

/* Size of the fixed buffers that stream file contents. */
#define MLV_IO_CHUNK (256 * 1024)

/* malloc/strdup that abort with a message when memory runs out. */
void *mlv_xmalloc(size_t n);
char *mlv_xstrdup(const char *s);
/* At most `n` bytes of `s`, NUL-terminated. */
char *mlv_xstrndup(const char *s, size_t n);

/* realloc(ptr, nmemb * size), aborting on overflow or when memory runs out. */
void *mlv_xreallocarray(void *ptr, size_t nmemb, size_t size);

/*
 * Make room in a growable array for one more element: `ptr` has `n`
 * elements of `alloc` allocated; grows `alloc` geometrically (as git's
 * ALLOC_GROW).
 */
#define MLV_ALLOC_GROW(ptr, n, alloc)                                          \
	do {                                                                   \
		if ((n) >= (alloc)) {                                          \
			(alloc) = (alloc) ? (alloc) * 2 : 16;                  \
			(ptr) = mlv_xreallocarray((ptr), (alloc), sizeof(*(ptr))); \
		}                                                              \
	} while (0)

/* read()/write() that retry on EINTR; write_all writes everything or fails. */
ssize_t mlv_read_retry(int fd, void *buf, size_t len);
/* Read until `len` bytes or end of file; returns bytes read or -1. */
ssize_t mlv_read_full(int fd, void *buf, size_t len);
int mlv_write_all(int fd, const void *buf, size_t len);
/* Write all of `buf` at offset `off` (>= 0), or fail. */
int mlv_pwrite_all(int fd, const void *buf, size_t len, off_t off);
/* Empty `fd` and leave it at offset 0; a file already empty is not
 * truncated (ext4 flushes a truncated file's new data at close). */
int mlv_empty_file(int fd);
/* Append `len` bytes of `in` from `offset` to `out` (copy_file_range,
 * else read and write): 0, or -1 with errno (EIO when `in` is short). */
int mlv_copy_range(int in, uint64_t offset, int out, uint64_t len);

/*
 * Replace the file at `path` with `len` bytes, mode `mode` (less the
 * umask): written to a temporary file beside it and renamed, so a reader
 * sees the old file or the new one, never part of either.
 */
int mlv_write_file_atomic(const char *path, const void *data, size_t len,
			  unsigned mode);

/*
 * The same for a file that must not exist yet: the whole temporary file
 * is linked to `path`, which never replaces anything, however many
 * processes race. MLV_EEXISTS (no message) when `path` exists.
 */
int mlv_write_file_new(const char *path, const void *data, size_t len,
		       unsigned mode);

/* fsync the directory holding `path`, so that a new name in it survives a
 * crash. */
int mlv_fsync_parent_dir(const char *path);

/* mkdir -p of every directory in `path` up to (not including) its last '/'. */
int mlv_mkdir_parents(const char *path);

/*
 * The directories of `path` below `root` (`path` starts with `root` and a
 * '/'; `root` itself is trusted), up to its last '/': each must be a real
 * directory, never a symbolic link, so that nothing written under `root`
 * lands elsewhere through a link someone planted. With `create`, missing
 * ones are made (mkdir -p). 0; MLV_ENOTFOUND when one is missing and not
 * `create`; MLV_EINVALID naming a link or a non-directory.
 */
int mlv_dirs_beneath(const char *root, const char *path, int create);

/*
 * Append the parts of `path` to `out`, each as "/part", taking "." and ".."
 * as the shell does, without looking at the file system: ".." drops the
 * last part of `out`; empty parts are skipped. Returns 1 when a ".." found
 * `out` empty (the path climbs above where `out` began), else 0.
 */
int mlv_path_append_parts(struct mlv_buf *out, const char *path);

/* Join a directory and a name with one '/'; returns a malloc'd string. */
char *mlv_path_join(const char *dir, const char *name);

/* Append `when` (seconds since the epoch) as ISO 8601 in the zone
 * `offset` minutes east of UTC: 2026-12-03T12:00:00+01:00. 0, or -1 (and
 * nothing appended) for a time outside the years 0 to 9999. */
int mlv_format_time(struct mlv_buf *out, int64_t when, int offset);

/* Parse a git-style boolean ("true", "yes", "on", "1", ...). -1 if neither. */
int mlv_parse_bool(const char *value);

#endif
