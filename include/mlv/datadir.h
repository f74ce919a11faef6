#ifndef MLV_DATADIR_H
#define MLV_DATADIR_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "mlv/buf.h"
#include "mlv/problems.h"
#include "mlv/sha256.h"

/*
 * Data directories: a sidecar's [data] input whose path ends in '/'
 * (../shared/DESIGN.md, "Data directories"). What stands for the
 * directory is its manifest, one line per regular file under it:
 *
 *   <64 lowercase hex oid> SP <decimal size> SP <path relative to dir> LF
 *
 * in byte order of the whole relative path (memcmp: "a.b" before "a/x"
 * before "a0", as git ls-files lists them; sorting each directory's names
 * on their own would put "a/x" first). The oid and size are a file's mlv
 * ones: those in its pointer for an mlv file, else the SHA-256 and length
 * of its blob. The directory's oid is the SHA-256 of the manifest, and a
 * record also carries the number of files and their total size.
 *
 * Everything comes from git's trees, the index and blobs of pointer size:
 * no file content is downloaded, and the work tree is never read. A
 * symbolic link, a submodule, an unmerged entry or a path with a line
 * break under the directory is a problem naming the path (a manifest
 * cannot stand for it, and skipping it would record less than is there);
 * so is a directory that holds no file.
 *
 * The cache (`<git common dir>/mlv/cache/`) is derived data: deleting it
 * costs time, never correctness. Two tables, each one file written whole
 * through a temporary file and a rename, and sealed with the SHA-256 of
 * its bytes (a file that is short, unsorted or whose seal differs is
 * ignored and rewritten):
 *
 *   datadir-blobs   git blob id -> (mlv oid, size)        60-byte records
 *   datadir-trees   git tree id -> (manifest oid, files, size)  68 bytes
 *
 * Git ids are content addresses, so an entry never goes stale; a missing
 * one is computed and added. Each table keeps at most a bounded number of
 * records (what the current process used first).
 *
 * Blobs the cache lacks are read by one thread per CPU when there are
 * many: they share only the repository's object database, which libgit2
 * locks for itself. A cache is used by one thread at a time.
 */

struct mlv_datadir_file {
	char *path; /* relative to the directory */
	char oid[MLV_OID_HEXSZ + 1];
	uint64_t size;
	git_oid blob; /* git's blob id */
};

struct mlv_datadir {
	struct mlv_datadir_file *files; /* sorted by path bytes */
	size_t n, alloc;
	size_t count;  /* files in the manifest: n, or from the tree cache
			* when only a summary was asked for (files empty) */
	uint64_t size; /* total bytes */
	char oid[MLV_OID_HEXSZ + 1]; /* SHA-256 of the manifest, hex */
};

#define MLV_DATADIR_INIT { 0 }

/* The cache of what blobs and directory trees hash to, for one repository. */
struct mlv_datadir_cache;

/*
 * A cache for `repo` (which must outlive it). Nothing is read until a
 * lookup needs it. 0, or a negative error with a message.
 */
int mlv_datadir_cache_new(struct mlv_datadir_cache **out, git_repository *repo);

/*
 * Write what was learned since the cache was read, if anything: 0, or a
 * negative error (a read-only repository, say), which callers may ignore.
 */
int mlv_datadir_cache_save(struct mlv_datadir_cache *cache);

/* Free it without writing. NULL is fine. */
void mlv_datadir_cache_free(struct mlv_datadir_cache *cache);

/*
 * The manifest of the directory `dir` (relative to the top, ending in
 * '/') in the tree `root` of a commit. Problems (a symbolic link, a
 * submodule, a line break, a missing or empty directory) go to `problems`,
 * each naming the path, and return MLV_EINVALID with `out` empty; other
 * errors (git cannot read an object) return another negative code with a
 * message. Opens the repository's cache and saves it.
 */
int mlv_datadir_from_tree(struct mlv_datadir *out, struct mlv_problems *problems,
			  git_repository *repo, git_tree *root, const char *dir);

/*
 * The same from the stage-0 entries of `index` (what `git commit` would
 * record: intent-to-add entries are left out, unmerged ones are problems).
 */
int mlv_datadir_from_index(struct mlv_datadir *out, struct mlv_problems *problems,
			   git_repository *repo, git_index *index,
			   const char *dir);

/* The same two through a cache the caller holds (and saves). */
int mlv_datadir_from_tree_cached(struct mlv_datadir *out,
				 struct mlv_problems *problems,
				 struct mlv_datadir_cache *cache, git_tree *root,
				 const char *dir);
int mlv_datadir_from_index_cached(struct mlv_datadir *out,
				  struct mlv_problems *problems,
				  struct mlv_datadir_cache *cache,
				  git_index *index, const char *dir);

/*
 * Only oid, count and size of the directory in `root`: answered from the
 * tree cache when the directory's tree was seen before (`files` stays
 * empty then), else computed as by mlv_datadir_from_tree_cached().
 */
int mlv_datadir_summary_from_tree(struct mlv_datadir *out,
				  struct mlv_problems *problems,
				  struct mlv_datadir_cache *cache, git_tree *root,
				  const char *dir);

void mlv_datadir_release(struct mlv_datadir *d);

/* Append the manifest text, the bytes whose SHA-256 is `d->oid`. */
int mlv_datadir_format(struct mlv_buf *out, const struct mlv_datadir *d);

/*
 * Append what changed from `before` to `after` (both with their file
 * lists), for a person: "2 files differ: 'a.png' changed, 'b.png' added".
 * Paths are shown under `dir`; a removed and an added file with the same
 * oid are a rename. At most `max_names` paths are named, then "and N
 * more". Nothing is appended when the lists are equal.
 */
int mlv_datadir_describe_changes(struct mlv_buf *out,
				 const struct mlv_datadir *before,
				 const struct mlv_datadir *after, const char *dir,
				 size_t max_names);

#endif
