#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlv/convert.h"
#include "mlv/error.h"
#include "mlv/util.h"
#include "mlv/worktree.h"

const char *mlv_worktree_state_name(enum mlv_worktree_state state)
{
	switch (state) {
	case MLV_WT_MISSING:
		return "missing";
	case MLV_WT_POINTER:
		return "pointer";
	case MLV_WT_MATERIALIZED:
		return "materialized";
	case MLV_WT_MODIFIED:
		return "modified";
	}
	return "unknown";
}

static int stat_matches(const struct stat *st, const git_index_entry *e)
{
	return e && (uint32_t)st->st_size == e->file_size &&
	       (uint32_t)st->st_mtim.tv_sec == (uint32_t)e->mtime.seconds &&
	       (uint32_t)st->st_mtim.tv_nsec == e->mtime.nanoseconds &&
	       (uint32_t)st->st_ino == e->ino;
}

int mlv_worktree_recorded(struct mlv_repo *r, const char *path,
			  const git_index_entry *e)
{
	char *full = mlv_path_join(r->workdir, path);
	struct stat st;
	int same = lstat(full, &st) == 0 && stat_matches(&st, e);

	free(full);
	return same;
}

int mlv_worktree_state(enum mlv_worktree_state *out, struct mlv_repo *r,
		       const char *path, const struct mlv_pointer *p,
		       const git_index_entry *e, int deep)
{
	char *full = mlv_path_join(r->workdir, path);
	char head[MLV_POINTER_MAX], hex[MLV_OID_HEXSZ + 1];
	struct mlv_pointer found;
	unsigned long long size;
	struct stat st;
	int fd = -1, err = 0;
	ssize_t n;

	if (lstat(full, &st) < 0 || !S_ISREG(st.st_mode)) {
		*out = MLV_WT_MISSING;
		goto done;
	}
	if (st.st_size < MLV_POINTER_MAX && (uint64_t)st.st_size != p->size) {
		if ((fd = open(full, O_RDONLY | O_CLOEXEC)) < 0 ||
		    (n = mlv_read_full(fd, head, sizeof(head))) < 0) {
			mlv_error_set_errno("cannot read '%s'", full);
			err = MLV_ERROR;
			goto done;
		}
		*out = mlv_pointer_parse(&found, head, (size_t)n) == 0 &&
				       !strcmp(found.oid, p->oid) ?
			       MLV_WT_POINTER : MLV_WT_MODIFIED;
		goto done;
	}
	if ((uint64_t)st.st_size != p->size) {
		*out = MLV_WT_MODIFIED;
		goto done;
	}
	if (stat_matches(&st, e) || !deep) {
		*out = MLV_WT_MATERIALIZED;
		goto done;
	}
	if ((err = mlv_sha256_file(hex, &size, full)) < 0)
		goto done;
	*out = !strcmp(hex, p->oid) ? MLV_WT_MATERIALIZED : MLV_WT_MODIFIED;
done:
	if (fd >= 0)
		close(fd);
	free(full);
	return err;
}

static mode_t current_umask(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return mask;
}

static int write_fd(void *ctx, const void *data, size_t len)
{
	if (mlv_write_all(*(int *)ctx, data, len) < 0) {
		mlv_error_set_errno("cannot write the work tree");
		return MLV_ERROR;
	}
	return 0;
}

int mlv_worktree_materialize(struct mlv_repo *r, const char *path,
			     const struct mlv_pointer *p, unsigned mode)
{
	char *full = mlv_path_join(r->workdir, path);
	struct mlv_buf tmp = MLV_BUF_INIT;
	int fd = -1, err = MLV_ERROR;

	mlv_buf_printf(&tmp, "%s.mlv-XXXXXX", full);
	if ((fd = mkostemp(tmp.ptr, O_CLOEXEC)) < 0) {
		mlv_error_set_errno("cannot create a temporary file beside '%s'", path);
		goto done;
	}
	if ((err = mlv_smudge_object(&r->store, p, path, write_fd, &fd)) < 0)
		goto done;
	if (fchmod(fd, (mode & 0111 ? 0777 : 0666) & ~current_umask()) < 0 ||
	    close(fd) < 0) {
		fd = -1;
		mlv_error_set_errno("cannot write '%s'", tmp.ptr);
		err = MLV_ERROR;
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, full) < 0) {
		mlv_error_set_errno("cannot replace '%s'", path);
		err = MLV_ERROR;
		goto done;
	}
	mlv_buf_clear(&tmp);
	err = 0;
done:
	if (fd >= 0)
		close(fd);
	if (tmp.len)
		unlink(tmp.ptr);
	mlv_buf_release(&tmp);
	free(full);
	return err;
}

/* 1 when `path` is a regular file of exactly the `len` bytes of `want`;
 * its stat data into `st`. */
static int holds_exactly(const char *path, const char *want, size_t len,
			 struct stat *st)
{
	char head[MLV_POINTER_MAX];
	int fd = -1, same = 0;

	if (lstat(path, st) < 0 || !S_ISREG(st->st_mode) ||
	    (uint64_t)st->st_size != len || len > sizeof(head) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		goto done;
	same = mlv_read_full(fd, head, sizeof(head)) == (ssize_t)len &&
	       !memcmp(head, want, len);
done:
	if (fd >= 0)
		close(fd);
	return same;
}

int mlv_worktree_replace_pointer(struct mlv_repo *r, const char *path,
				 const char *tmp, const char *pointer,
				 size_t len)
{
	char *full = mlv_path_join(r->workdir, path);
	struct stat st, displaced;
	int err = MLV_ECONFLICT;

	if (!holds_exactly(full, pointer, len, &st))
		goto done;
	if (chmod(tmp, st.st_mode & 07777) < 0) {
		mlv_error_set_errno("cannot change the mode of '%s'", tmp);
		err = MLV_ERROR;
		goto done;
	}
	/*
	 * An exchange, where the file system has it, rather than a rename
	 * over the pointer: what it displaces is checked afterwards and put
	 * back unless it is the pointer, so a file written there meanwhile is
	 * never lost; and ext4 flushes a file renamed over another at once
	 * (auto_da_alloc), a gigabyte of writeback on this command's time.
	 */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, full, RENAME_EXCHANGE) == 0) {
		if (!holds_exactly(tmp, pointer, len, &displaced)) {
			renameat2(AT_FDCWD, tmp, AT_FDCWD, full, RENAME_EXCHANGE);
			goto done;
		}
		unlink(tmp);
	} else if (rename(tmp, full) < 0) {
		mlv_error_set_errno("cannot replace '%s'", path);
		err = MLV_ERROR;
		goto done;
	}
	err = 0;
done:
	if (err == MLV_ECONFLICT)
		mlv_error_set("'%s' changed while its object downloaded", path);
	free(full);
	return err;
}

/*
 * libgit2 hashes the raw work tree file of every entry it takes for
 * racily clean before it writes an index, and without git's filters an
 * mlv file never matches its pointer: it would zero the size of entries
 * git wrote a moment ago, and `git diff-files` would list them. Git
 * itself checked them when it wrote this index, so all are marked
 * up to date (a flag libgit2 keeps in memory only).
 */
static void trust_entries(git_index *index)
{
	size_t i, n = git_index_entrycount(index);

	for (i = 0; i < n; i++) {
		git_index_entry *e = (git_index_entry *)git_index_get_byindex(index, i);

		e->flags_extended |= GIT_INDEX_ENTRY_UPTODATE;
	}
}

int mlv_worktree_record_stat(git_index *index, const char *workdir,
			     const struct mlv_worktree_file *files, size_t n)
{
	const char *index_path = git_index_path(index);
	struct timespec times[2];
	struct stat before;
	size_t i, updated = 0;
	int had_index, err;

	had_index = index_path && stat(index_path, &before) == 0;
	if ((err = git_index_read(index, 0)) < 0) {
		err = mlv_error_from_git(err, "cannot read the index");
		goto done;
	}
	trust_entries(index);
	for (i = 0; i < n; i++) {
		const git_index_entry *e;
		git_index_entry entry;
		struct stat st;
		char *full;

		if (!(e = git_index_get_bypath(index, files[i].path, 0)) ||
		    !git_oid_equal(&e->id, &files[i].blob))
			continue;
		full = mlv_path_join(workdir, files[i].path);
		err = lstat(full, &st);
		free(full);
		if (err < 0 || !S_ISREG(st.st_mode))
			continue;
		entry = *e;
		entry.ctime.seconds = (int32_t)st.st_ctim.tv_sec;
		entry.ctime.nanoseconds = (uint32_t)st.st_ctim.tv_nsec;
		entry.mtime.seconds = (int32_t)st.st_mtim.tv_sec;
		entry.mtime.nanoseconds = (uint32_t)st.st_mtim.tv_nsec;
		entry.dev = (uint32_t)st.st_dev;
		entry.ino = (uint32_t)st.st_ino;
		entry.uid = (uint32_t)st.st_uid;
		entry.gid = (uint32_t)st.st_gid;
		entry.file_size = (uint32_t)st.st_size; /* truncated, as git does */
		entry.flags_extended |= GIT_INDEX_ENTRY_UPTODATE;
		if ((err = git_index_add(index, &entry)) < 0) {
			err = mlv_error_from_git(err, "cannot update the index");
			goto done;
		}
		updated++;
	}
	err = 0;
	if (!updated)
		goto done;
	if ((err = git_index_write(index)) < 0) {
		err = mlv_error_from_git(err, "cannot write the index");
		goto done;
	}
	/* The old index's time: what git takes for racily clean stays so
	 * (git compares entries' times with the index file's). */
	if (had_index) {
		times[0] = before.st_atim;
		times[1] = before.st_mtim;
		utimensat(AT_FDCWD, index_path, times, 0);
	}
done:
	return err;
}
