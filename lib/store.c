#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mlv/error.h"
#include "mlv/store.h"
#include "mlv/trace.h"
#include "mlv/util.h"

int mlv_store_init(struct mlv_store *s, const char *common_dir)
{
	mode_t mask;

	memset(s, 0, sizeof(*s));
	s->root = mlv_path_join(common_dir, "mlv");
	s->objects = mlv_path_join(s->root, "objects");
	s->tmp = mlv_path_join(s->root, "tmp");
	mask = umask(0);
	umask(mask);
	s->object_mode = 0444 & ~mask;
	return 0;
}

void mlv_store_release(struct mlv_store *s)
{
	free(s->root);
	free(s->objects);
	free(s->tmp);
	memset(s, 0, sizeof(*s));
}

int mlv_store_object_path_in(struct mlv_buf *out, const char *objects_dir,
			     const char *oid)
{
	if (!mlv_oid_is_valid(oid)) {
		mlv_error_set("invalid object id '%s'", oid);
		return MLV_EINVALID;
	}
	mlv_buf_clear(out);
	return mlv_buf_printf(out, "%s/%.2s/%.2s/%s", objects_dir, oid, oid + 2, oid);
}

int mlv_store_object_path(struct mlv_buf *out, const struct mlv_store *s,
			  const char *oid)
{
	return mlv_store_object_path_in(out, s->objects, oid);
}

int mlv_store_has(const struct mlv_store *s, const char *oid)
{
	struct mlv_buf path = MLV_BUF_INIT;
	struct stat st;
	int found = 0;

	if (!mlv_store_object_path(&path, s, oid) &&
	    mlv_dirs_beneath(s->root, path.ptr, 0) == 0)
		found = lstat(path.ptr, &st) == 0 && S_ISREG(st.st_mode);
	mlv_error_clear();
	mlv_buf_release(&path);
	return found;
}

int mlv_store_open(int *fd, uint64_t *size, const struct mlv_store *s,
		   const char *oid)
{
	struct mlv_buf path = MLV_BUF_INIT;
	struct stat st;
	int err;

	*fd = -1;
	if ((err = mlv_store_object_path(&path, s, oid)) < 0)
		goto done;
	if ((err = mlv_dirs_beneath(s->root, path.ptr, 0)) < 0) {
		if (err == MLV_ENOTFOUND)
			mlv_error_set("object %s is not in the local store", oid);
		goto done;
	}
	if ((*fd = open(path.ptr, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
		if (err == MLV_ENOTFOUND)
			mlv_error_set("object %s is not in the local store", oid);
		else
			mlv_error_set_errno("cannot open '%s'", path.ptr);
		goto done;
	}
	if (fstat(*fd, &st) < 0) {
		mlv_error_set_errno("cannot stat '%s'", path.ptr);
		close(*fd);
		*fd = -1;
		err = MLV_ERROR;
		goto done;
	}
	*size = (uint64_t)st.st_size;
done:
	mlv_buf_release(&path);
	return err;
}

int mlv_store_writer_open(struct mlv_store_writer *w, const struct mlv_store *s)
{
	struct mlv_buf path = MLV_BUF_INIT;
	int err;

	w->store = s;
	w->size = 0;
	w->fd = -1;
	if ((err = mlv_sha256_init(&w->hash)) < 0)
		goto done;
	mlv_buf_printf(&path, "%s/obj-XXXXXX", s->tmp);
	if ((err = mlv_dirs_beneath(s->root, path.ptr, 1)) < 0)
		goto done;
	if ((w->fd = mkostemp(path.ptr, O_CLOEXEC)) < 0) {
		mlv_error_set_errno("cannot create a temporary file in '%s'", s->tmp);
		err = MLV_ERROR;
		goto done;
	}
	w->tmp_path = mlv_buf_detach(&path);
	err = 0;
done:
	mlv_buf_release(&path);
	return err;
}

int mlv_store_writer_write(struct mlv_store_writer *w, const void *data,
			   size_t len)
{
	if (mlv_write_all(w->fd, data, len) < 0) {
		mlv_error_set_errno("cannot write '%s'", w->tmp_path);
		return MLV_ERROR;
	}
	mlv_sha256_update(&w->hash, data, len);
	w->size += len;
	return 0;
}

/* Rename `from` to `to` in store `s`, making the directories of `to`
 * and refusing any that is a symbolic link. */
static int rename_into_place(const struct mlv_store *s, const char *from,
			     const char *to)
{
	int err;

	if ((err = mlv_dirs_beneath(s->root, to, 1)) < 0)
		return err;
	if (rename(from, to) == 0)
		return 0;
	mlv_error_set_errno("cannot move '%s' to '%s'", from, to);
	return MLV_ERROR;
}

int mlv_store_writer_commit(struct mlv_store_writer *w, struct mlv_pointer *out,
			    const char *expect_oid)
{
	struct mlv_buf path = MLV_BUF_INIT;
	int err = MLV_ERROR;

	mlv_sha256_final_hex(out->oid, &w->hash);
	out->size = w->size;
	if (expect_oid && strcmp(expect_oid, out->oid)) {
		mlv_error_set("object %s arrived with content that hashes to %s",
			      expect_oid, out->oid);
		err = MLV_ECORRUPT;
		goto done;
	}
	/* read-only, like git's objects: nothing rewrites one in place */
	if (fchmod(w->fd, w->store->object_mode) < 0) {
		mlv_error_set_errno("cannot set the mode of '%s'", w->tmp_path);
		goto done;
	}
	if (w->store->fsync && fsync(w->fd) < 0) {
		mlv_error_set_errno("cannot fsync '%s'", w->tmp_path);
		goto done;
	}
	if (close(w->fd) < 0) {
		w->fd = -1;
		mlv_error_set_errno("cannot write '%s'", w->tmp_path);
		goto done;
	}
	w->fd = -1;
	if ((err = mlv_store_object_path(&path, w->store, out->oid)) < 0)
		goto done;
	/* Replacing an existing copy is harmless and repairs a damaged one. */
	if ((err = rename_into_place(w->store, w->tmp_path, path.ptr)) < 0)
		goto done;
	free(w->tmp_path);
	w->tmp_path = NULL;
	if (w->store->fsync && (err = mlv_fsync_parent_dir(path.ptr)) < 0)
		goto done;
done:
	mlv_buf_release(&path);
	mlv_store_writer_abort(w);
	return err;
}

void mlv_store_writer_abort(struct mlv_store_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->tmp_path) {
		unlink(w->tmp_path);
		free(w->tmp_path);
		w->tmp_path = NULL;
	}
	mlv_sha256_release(&w->hash);
}

int mlv_store_verify(const struct mlv_store *s, const char *oid)
{
	struct mlv_buf path = MLV_BUF_INIT;
	char hex[MLV_OID_HEXSZ + 1];
	int err;

	if ((err = mlv_store_object_path(&path, s, oid)) < 0)
		goto done;
	if ((err = mlv_sha256_file(hex, NULL, path.ptr)) < 0)
		goto done;
	if (strcmp(hex, oid)) {
		mlv_error_set("object %s is corrupt: its content hashes to %s", oid,
			      hex);
		err = MLV_ECORRUPT;
	}
done:
	mlv_buf_release(&path);
	return err;
}

int mlv_store_quarantine(struct mlv_buf *moved_to, const struct mlv_store *s,
			 const char *oid)
{
	struct mlv_buf path = MLV_BUF_INIT;
	int err;

	if ((err = mlv_store_object_path(&path, s, oid)) < 0)
		goto done;
	mlv_buf_clear(moved_to);
	mlv_buf_printf(moved_to, "%s/bad/%s", s->root, oid);
	err = rename_into_place(s, path.ptr, moved_to->ptr);
done:
	mlv_buf_release(&path);
	return err;
}

int mlv_store_download_open(struct mlv_store_download *d,
			    const struct mlv_store *s, const char *oid)
{
	struct mlv_buf path = MLV_BUF_INIT;
	char *chunk = NULL;
	struct stat st;
	uint64_t have = 0;
	ssize_t n;
	int err;

	d->store = s;
	d->fd = -1;
	d->copy_fd = -1;
	d->want_direct = 0;
	d->direct = NULL;
	d->have = 0;
	if (!mlv_oid_is_valid(oid)) {
		mlv_error_set("invalid object id '%s'", oid);
		return MLV_EINVALID;
	}
	memcpy(d->oid, oid, sizeof(d->oid));
	mlv_buf_printf(&path, "%s/incomplete/%s", s->root, oid);
	if ((err = mlv_dirs_beneath(s->root, path.ptr, 1)) < 0)
		goto done;
	if ((d->fd = open(path.ptr, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    flock(d->fd, LOCK_EX) < 0 || fstat(d->fd, &st) < 0) {
		mlv_error_set_errno("cannot open '%s'", path.ptr);
		err = MLV_ERROR;
		goto done;
	}
	d->path = mlv_buf_detach(&path);
	if (mlv_store_has(s, oid)) {
		/* someone finished it while we waited for the lock */
		mlv_store_download_abort(d);
		return MLV_EEXISTS;
	}
	if ((err = mlv_sha256_init(&d->hash)) < 0)
		goto done;
	chunk = mlv_xmalloc(MLV_IO_CHUNK);
	while ((n = mlv_read_retry(d->fd, chunk, MLV_IO_CHUNK)) > 0) {
		mlv_sha256_update(&d->hash, chunk, (size_t)n);
		have += (uint64_t)n;
	}
	if (n < 0) {
		mlv_error_set_errno("cannot read '%s'", d->path);
		err = MLV_ERROR;
		goto done;
	}
	d->have = have;
	err = 0;
done:
	free(chunk);
	mlv_buf_release(&path);
	if (err < 0)
		mlv_store_download_abort(d);
	return err;
}

/*
 * A large download is written back in windows of 8 MiB as it arrives: the
 * window just filled starts going to disk at once, and the one two windows
 * back, on disk by then, leaves the page cache. A gigabyte download so
 * keeps about 24 MiB of cache in use, recycled, instead of taking a
 * gigabyte of fresh memory (which a VM pays for dearly) and leaving it
 * dirty for the checkout that follows. Whoever reads the object next reads
 * it from disk; the streaming filter has sent each window to git by then.
 */
#define DOWNLOAD_WINDOW_SHIFT 23

static void download_writeback(struct mlv_store_download *d)
{
	const off_t window = (off_t)1 << DOWNLOAD_WINDOW_SHIFT;
	off_t filled = (off_t)(d->have >> DOWNLOAD_WINDOW_SHIFT) << DOWNLOAD_WINDOW_SHIFT;

	sync_file_range(d->fd, filled, window, SYNC_FILE_RANGE_WRITE);
	if (filled >= 2 * window &&
	    sync_file_range(d->fd, filled - 2 * window, window,
			    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				    SYNC_FILE_RANGE_WAIT_AFTER) == 0)
		posix_fadvise(d->fd, filled - 2 * window, window,
			      POSIX_FADV_DONTNEED);
}

/*
 * The direct writer of a download (mlv_store_download_direct()): bytes are
 * staged in one of two aligned blocks; a full block goes to a thread that
 * writes it at its offset through a descriptor opened with O_DIRECT (or
 * without, where the file system refuses it) while the other fills.
 */
#define DIRECT_BLOCK (4u << 20)
#define DIRECT_ALIGN 4096

struct mlv_store_direct {
	int fd;
	char *block[2];
	int cur;       /* the block being filled */
	size_t fill;   /* bytes in it */
	uint64_t base; /* its offset in the file */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const char *job; /* the block being written, or NULL */
	size_t job_len;
	uint64_t job_off;
	int quit;
	int error; /* errno of a failed write */
};

static void *direct_writer(void *arg)
{
	struct mlv_store_direct *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->job && !w->quit)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->job)
			break;
		pthread_mutex_unlock(&w->lock);
		if (mlv_pwrite_all(w->fd, w->job, w->job_len, (off_t)w->job_off) < 0 &&
		    (errno != EINVAL || fcntl(w->fd, F_SETFL, 0) < 0 ||
		     mlv_pwrite_all(w->fd, w->job, w->job_len, (off_t)w->job_off) < 0))
			w->error = errno ? errno : EIO;
		/* (EINVAL: the file system took O_DIRECT but not this
		 * alignment; the block, and the rest, go through the cache) */
		pthread_mutex_lock(&w->lock);
		w->job = NULL;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Wait until the writer is idle; its error, if it had one, into errno. */
static int direct_wait(struct mlv_store_direct *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->job)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	errno = w->error;
	return w->error ? -1 : 0;
}

static void direct_free(struct mlv_store_direct *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->block[0]);
	free(w->block[1]);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}

/* Begin writing directly at d->have (a multiple of DIRECT_ALIGN). */
static int direct_start(struct mlv_store_download *d)
{
	struct mlv_store_direct *w = mlv_xmalloc(sizeof(*w));
	int err = MLV_ERROR, e = 0;

	memset(w, 0, sizeof(*w));
	w->base = d->have;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if ((w->fd = open(d->path, O_WRONLY | O_CLOEXEC | O_DIRECT)) < 0 &&
	    errno == EINVAL)
		w->fd = open(d->path, O_WRONLY | O_CLOEXEC);
	if (w->fd < 0)
		e = errno;
	else if ((e = posix_memalign((void **)&w->block[0], DIRECT_ALIGN,
				     DIRECT_BLOCK)) == 0 &&
		 (e = posix_memalign((void **)&w->block[1], DIRECT_ALIGN,
				     DIRECT_BLOCK)) == 0)
		e = pthread_create(&w->thread, NULL, direct_writer, w);
	if (e) {
		mlv_trace("store: %s: no direct writes (%s)", d->path, strerror(e));
		direct_free(w);
		goto done;
	}
	d->direct = w;
	err = 0;
done:
	return err;
}

/*
 * Stop the direct writer. With `keep`, what is still staged is written
 * (the end of the object, not a whole block: through the page cache);
 * without it, it is dropped.
 */
static int direct_finish(struct mlv_store_download *d, int keep)
{
	struct mlv_store_direct *w = d->direct;
	int err = 0;

	if (!w)
		goto done;
	if (direct_wait(w) < 0 ||
	    (keep && mlv_pwrite_all(d->fd, w->block[w->cur], w->fill,
				    (off_t)w->base) < 0)) {
		mlv_error_set_errno("cannot write '%s'", d->path);
		err = MLV_ERROR;
	}
	pthread_mutex_lock(&w->lock);
	w->quit = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	direct_free(w);
	d->direct = NULL;
done:
	return err;
}

/* Stage up to `len` bytes; a full block goes to the writer. How many were
 * taken, or -1. */
static ssize_t direct_stage(struct mlv_store_download *d, const char *data,
			    size_t len)
{
	struct mlv_store_direct *w = d->direct;
	ssize_t n = (ssize_t)(DIRECT_BLOCK - w->fill);

	if ((size_t)n > len)
		n = (ssize_t)len;
	memcpy(w->block[w->cur] + w->fill, data, (size_t)n);
	w->fill += (size_t)n;
	if (w->fill < DIRECT_BLOCK)
		goto done;
	if (direct_wait(w) < 0) {
		mlv_error_set_errno("cannot write '%s'", d->path);
		n = -1;
		goto done;
	}
	pthread_mutex_lock(&w->lock);
	w->job = w->block[w->cur];
	w->job_len = w->fill;
	w->job_off = w->base;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	w->cur ^= 1;
	w->base += w->fill;
	w->fill = 0;
done:
	return n;
}

void mlv_store_download_direct(struct mlv_store_download *d)
{
	d->want_direct = 1;
}

/* Write through the page cache, stopping at the next window when the
 * download is to go direct there. How many bytes were taken, or -1. */
static ssize_t buffered_write(struct mlv_store_download *d, const char *data,
			      size_t len)
{
	uint64_t window = (uint64_t)1 << DOWNLOAD_WINDOW_SHIFT;
	ssize_t n = -1;

	if (d->want_direct && len > window - d->have % window)
		len = (size_t)(window - d->have % window);
	if (mlv_write_all(d->fd, data, len) < 0) {
		mlv_error_set_errno("cannot write '%s'", d->path);
		goto done;
	}
	if ((d->have + len) >> DOWNLOAD_WINDOW_SHIFT != d->have >> DOWNLOAD_WINDOW_SHIFT)
		download_writeback(d);
	n = (ssize_t)len;
done:
	return n;
}

int mlv_store_download_write(struct mlv_store_download *d, const void *data,
			     size_t len)
{
	const char *p = data;
	int err = 0;

	if (d->copy_fd >= 0 && mlv_write_all(d->copy_fd, data, len) < 0) {
		mlv_error_set_errno("cannot write the copy of object %s", d->oid);
		err = MLV_ERROR;
		goto done;
	}
	mlv_sha256_update(&d->hash, data, len);
	while (len) {
		ssize_t n;

		if (d->want_direct && !d->direct &&
		    d->have >= ((uint64_t)1 << DOWNLOAD_WINDOW_SHIFT) &&
		    d->have % ((uint64_t)1 << DOWNLOAD_WINDOW_SHIFT) == 0 &&
		    direct_start(d) < 0)
			d->want_direct = 0; /* go on through the page cache */
		n = d->direct ? direct_stage(d, p, len) : buffered_write(d, p, len);
		if (n < 0) {
			err = MLV_ERROR;
			goto done;
		}
		p += n;
		len -= (size_t)n;
		d->have += (uint64_t)n;
	}
done:
	return err;
}

int mlv_store_download_tee(struct mlv_store_download *d, int fd)
{
	int err = MLV_ERROR;

	if (mlv_empty_file(fd) < 0 || mlv_copy_range(d->fd, 0, fd, d->have) < 0)
		goto done;
	d->copy_fd = fd;
	err = 0;
done:
	if (err < 0)
		mlv_error_set_errno("cannot copy the start of object %s", d->oid);
	return err;
}

void mlv_store_download_discard(struct mlv_store_download *d)
{
	direct_finish(d, 0);
	if (d->copy_fd >= 0)
		mlv_empty_file(d->copy_fd);
	mlv_empty_file(d->fd);
	d->have = 0;
	mlv_sha256_release(&d->hash);
	mlv_sha256_init(&d->hash);
}

int mlv_store_download_commit(struct mlv_store_download *d, uint64_t size)
{
	struct mlv_buf path = MLV_BUF_INIT;
	char hex[MLV_OID_HEXSZ + 1];
	int err = MLV_ERROR;

	if (direct_finish(d, 1) < 0)
		goto done;
	if (d->have != size) {
		mlv_error_set("object %s arrived with %llu bytes, not %llu", d->oid,
			      (unsigned long long)d->have,
			      (unsigned long long)size);
		mlv_store_download_discard(d);
		err = MLV_ECORRUPT;
		goto done;
	}
	mlv_sha256_final_hex(hex, &d->hash);
	if (strcmp(hex, d->oid)) {
		mlv_error_set("object %s arrived with content that hashes to %s",
			      d->oid, hex);
		mlv_store_download_discard(d);
		err = MLV_ECORRUPT;
		goto done;
	}
	if (fchmod(d->fd, d->store->object_mode) < 0 ||
	    (d->store->fsync && fsync(d->fd) < 0)) {
		mlv_error_set_errno("cannot write '%s'", d->path);
		goto done;
	}
	if ((err = mlv_store_object_path(&path, d->store, d->oid)) < 0 ||
	    (err = rename_into_place(d->store, d->path, path.ptr)) < 0)
		goto done;
	if (d->store->fsync && (err = mlv_fsync_parent_dir(path.ptr)) < 0)
		goto done;
done:
	mlv_buf_release(&path);
	mlv_store_download_abort(d);
	return err;
}

void mlv_store_download_abort(struct mlv_store_download *d)
{
	if (d->direct) {
		/* what arrived stays for a resume; the caller's reason for
		 * stopping stays the message */
		char *why = mlv_xstrdup(mlv_error_last());

		direct_finish(d, 1);
		mlv_error_set("%s", why);
		free(why);
	}
	if (d->fd >= 0)
		close(d->fd); /* releases the lock */
	d->fd = -1;
	free(d->path);
	d->path = NULL;
	mlv_sha256_release(&d->hash);
}

static int is_fanout(const char *name)
{
	static const char hex[] = "0123456789abcdef";

	return strlen(name) == 2 && strchr(hex, name[0]) && strchr(hex, name[1]);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * The entries of `dir` but "." and "..", sorted: into `*names` (free each
 * and the array); how many, or -1 when it cannot be read (errno set;
 * ENOENT for a directory that was never made).
 */
static int sorted_entries(struct dirent ***names, const char *dir)
{
	int n = scandir(dir, names, NULL, by_name), i, j;

	for (i = j = 0; i < n; i++) {
		if (!strcmp((*names)[i]->d_name, ".") || !strcmp((*names)[i]->d_name, ".."))
			free((*names)[i]);
		else
			(*names)[j++] = (*names)[i];
	}
	return n < 0 ? n : j;
}

/*
 * Every entry of the fan-out directory `dir` (depth 1 or 2 under
 * objects/, `prefix` the oid's first hex digits it stands for) to `fn`.
 */
static int each_in(const char *dir, const char *prefix, int depth,
		   mlv_store_each_fn fn, void *payload)
{
	struct mlv_buf path = MLV_BUF_INIT, sub = MLV_BUF_INIT;
	struct dirent **names = NULL;
	struct stat st;
	int n, i, err = 0;

	if ((n = sorted_entries(&names, dir)) < 0) {
		if (errno != ENOENT || depth > 0) {
			mlv_error_set_errno("cannot read '%s'", dir);
			err = MLV_ERROR;
		}
		goto done;
	}
	for (i = 0; i < n && !err; i++) {
		const char *name = names[i]->d_name;

		mlv_buf_clear(&path);
		mlv_buf_printf(&path, "%s/%s", dir, name);
		if (lstat(path.ptr, &st) < 0) {
			if (errno == ENOENT)
				continue; /* removed meanwhile */
			mlv_error_set_errno("cannot read '%s'", path.ptr);
			err = MLV_ERROR;
		} else if (depth < 2 && S_ISDIR(st.st_mode) && is_fanout(name)) {
			mlv_buf_clear(&sub);
			mlv_buf_printf(&sub, "%s%s", prefix, name);
			err = each_in(path.ptr, sub.ptr, depth + 1, fn, payload);
		} else {
			int object = depth == 2 && S_ISREG(st.st_mode) &&
				     mlv_oid_is_valid(name) && !strncmp(name, prefix, 4);

			err = fn(path.ptr, object ? name : NULL, &st, payload);
		}
	}
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	mlv_buf_release(&path);
	mlv_buf_release(&sub);
	return err;
}

int mlv_store_each_in(const char *objects_dir, mlv_store_each_fn fn, void *payload)
{
	return each_in(objects_dir, "", 0, fn, payload);
}

int mlv_store_each(const struct mlv_store *s, mlv_store_each_fn fn, void *payload)
{
	return mlv_store_each_in(s->objects, fn, payload);
}

int mlv_store_remove(const struct mlv_store *s, const char *oid)
{
	struct mlv_buf path = MLV_BUF_INIT;
	int err;

	if ((err = mlv_store_object_path(&path, s, oid)) < 0)
		goto done;
	if (unlink(path.ptr) < 0) {
		err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
		mlv_error_set_errno("cannot delete '%s'", path.ptr);
	} else {
		mlv_trace("store: removed %s", oid);
	}
done:
	mlv_buf_release(&path);
	return err;
}

/* Remove the regular files in `dirpath` unchanged for `max_age` seconds
 * (`empty_age` for empty ones); count them in `*removed`. */
static void prune_dir(const char *dirpath, unsigned max_age, unsigned empty_age,
		      size_t *removed)
{
	struct mlv_buf path = MLV_BUF_INIT;
	time_t now = time(NULL);
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (!(dir = opendir(dirpath)))
		return; /* nothing was ever written there */
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		mlv_buf_clear(&path);
		mlv_buf_printf(&path, "%s/%s", dirpath, d->d_name);
		if (lstat(path.ptr, &st) == 0 && S_ISREG(st.st_mode) &&
		    now - st.st_mtime > (time_t)(st.st_size ? max_age : empty_age) &&
		    unlink(path.ptr) == 0)
			(*removed)++;
	}
	closedir(dir);
	mlv_buf_release(&path);
}

int mlv_store_prune_tmp(const struct mlv_store *s, unsigned max_age,
			size_t *removed)
{
	char *incomplete = mlv_path_join(s->root, "incomplete");

	*removed = 0;
	prune_dir(s->tmp, max_age, max_age, removed);
	/* partial downloads wait longer for a resume; empty ones do not */
	prune_dir(incomplete, MLV_STORE_INCOMPLETE_MAX_AGE, max_age, removed);
	free(incomplete);
	return 0;
}
