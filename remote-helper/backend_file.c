/*
 * The file:// backend: a store in a directory, on this machine or a shared
 * drive. Objects are written to a temporary file beside their key, checked
 * against their SHA-256 and renamed into place, so a reader sees a whole
 * object or none. The ref manifest is replaced under an flock(2) on
 * "<key>.lock" (released by the kernel if the writer dies, so a killed push
 * never leaves the store locked); its ETag is the SHA-256 of its content.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mlv/backend.h"
#include "mlv/error.h"
#include "mlv/quote.h"
#include "mlv/sha256.h"
#include "mlv/util.h"

struct file_store {
	char *root;
	mode_t object_mode; /* 0444 less the umask, read once */
};

/*
 * A store is made in a directory that exists, never with the directories
 * above it: a mistyped URL must not grow a tree of its own somewhere.
 * MLV_ENOTFOUND with a message naming the missing parent when the store's
 * directory is missing and so is the one it would be made in.
 */
static int check_parent(const char *root, const char *url)
{
	struct mlv_buf q = MLV_BUF_INIT;
	const char *slash = strrchr(root, '/');
	char *parent = slash && slash != root ?
			       mlv_xstrndup(root, (size_t)(slash - root)) :
			       mlv_xstrdup("/");
	struct stat st;
	int err = 0;

	if (stat(root, &st) == 0 || errno != ENOENT)
		goto done; /* there, or a problem its first use names */
	if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode)) {
		mlv_error_set("no such directory '%s' to make the store %s in: "
			      "check the URL, or create the directory first "
			      "(mkdir -p %s)",
			      mlv_quote_display(parent), mlv_quote_display(url),
			      mlv_quote_path(&q, parent));
		err = MLV_ENOTFOUND;
	}
done:
	mlv_buf_release(&q);
	free(parent);
	return err;
}

static int file_open(struct mlv_backend *b, const char *rest)
{
	struct file_store *fs;
	size_t len;

	/* file:///abs/path; "file://localhost/abs" as curl allows */
	if (!strncmp(rest, "localhost/", 10))
		rest += 9;
	if (rest[0] != '/') {
		mlv_error_set("store URL '%s' must name an absolute path "
			      "(file:///path)",
			      b->url);
		return MLV_EINVALID;
	}
	fs = mlv_xmalloc(sizeof(*fs));
	fs->root = mlv_xstrdup(rest);
	b->impl = fs;
	/* umask() changes the whole process: read it here, never in the
	 * worker threads */
	fs->object_mode = umask(0);
	umask(fs->object_mode);
	fs->object_mode = 0444 & ~fs->object_mode;
	len = strlen(fs->root);
	while (len > 1 && fs->root[len - 1] == '/')
		fs->root[--len] = '\0';
	return check_parent(fs->root, b->url);
}

static void file_free(struct mlv_backend *b)
{
	struct file_store *fs = b->impl;

	if (fs)
		free(fs->root);
	free(fs);
}

static int file_conn_open(struct mlv_conn *c)
{
	return 0;
}

static void file_conn_close(struct mlv_conn *c)
{
}

/*
 * The file of `key`, after checking (with `create`: making) each
 * directory on the way: a store on a shared drive is written by others
 * too, and a directory of it that is a symbolic link would lead reads and
 * writes anywhere.
 */
static int key_path(char **out, struct mlv_conn *c, const char *key, int create)
{
	struct file_store *fs = c->backend->impl;
	int err;

	*out = mlv_path_join(fs->root, key);
	/* the store's own directory, but not the ones above it */
	if (create && mkdir(fs->root, 0777) < 0 && errno != EEXIST) {
		int saved = errno;

		if (saved != ENOENT ||
		    (err = check_parent(fs->root, c->backend->url)) == 0) {
			mlv_error_set("cannot create '%s': %s", fs->root,
				      strerror(saved));
			err = MLV_ERROR;
		}
		return err;
	}
	if ((err = mlv_dirs_beneath(fs->root, *out, create)) == MLV_ENOTFOUND)
		mlv_error_set("'%s' is not in '%s'", key, c->backend->url);
	return err;
}

static int file_head(struct mlv_conn *c, const char *key, uint64_t *size)
{
	char *path = NULL;
	struct stat st;
	int err;

	if ((err = key_path(&path, c, key, 0)) < 0)
		goto done;
	if (lstat(path, &st) < 0) {
		err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
		mlv_error_set_errno("cannot stat '%s'", path);
	} else if (!S_ISREG(st.st_mode)) {
		mlv_error_set("'%s' is not a regular file", path);
		err = MLV_EINVALID;
	} else if (size) {
		*size = (uint64_t)st.st_size;
	}
done:
	free(path);
	return err;
}

static int open_key(int *fd, struct mlv_conn *c, const char *key)
{
	char *path = NULL;
	int err;

	*fd = -1;
	if ((err = key_path(&path, c, key, 0)) < 0)
		goto done;
	if ((*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
		mlv_error_set_errno("cannot open '%s'", path);
	}
done:
	free(path);
	return err;
}

static int file_get(struct mlv_conn *c, const char *key, uint64_t offset,
		    mlv_write_fn sink, void *ctx)
{
	char *chunk = NULL;
	ssize_t n;
	int fd, err;

	if ((err = open_key(&fd, c, key)) < 0)
		return err;
	chunk = mlv_xmalloc(MLV_IO_CHUNK);
	while ((n = pread(fd, chunk, MLV_IO_CHUNK, (off_t)offset)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mlv_error_set_errno("cannot read '%s' in '%s'", key,
					    c->backend->url);
			err = MLV_ERROR;
			break;
		}
		if ((err = sink(ctx, chunk, (size_t)n)) < 0)
			break;
		offset += (uint64_t)n;
		if (c->on_bytes)
			c->on_bytes(c->on_bytes_ctx, (uint64_t)n);
	}
	free(chunk);
	close(fd);
	return err;
}

static int file_get_buf(struct mlv_conn *c, const char *key, struct mlv_buf *out,
			struct mlv_buf *etag)
{
	char *path = NULL;
	char hex[MLV_OID_HEXSZ + 1];
	int err;

	if ((err = key_path(&path, c, key, 0)) < 0 ||
	    (err = mlv_buf_read_file(out, path)) < 0)
		goto done;
	if (etag) {
		if ((err = mlv_sha256_buf(hex, out->ptr, out->len)) < 0)
			goto done;
		mlv_buf_sets(etag, hex);
	}
done:
	free(path);
	return err;
}

/*
 * A temporary file in the store's tmp/, where no object key can be, for
 * `path`: on the same file system, so it can be linked or renamed into
 * place, and in one directory, so that what a killed push left is found
 * without walking objects/ (file_clean_temp()).
 */
static int create_temp(int *fd, struct mlv_buf *tmp, struct mlv_conn *c,
		       const char *path)
{
	struct file_store *fs = c->backend->impl;
	const char *slash = strrchr(path, '/');
	int err;

	mlv_buf_clear(tmp);
	mlv_buf_printf(tmp, "%s/tmp/%s-XXXXXX", fs->root, slash + 1);
	if ((err = mlv_dirs_beneath(fs->root, tmp->ptr, 1)) < 0)
		return err;
	if ((*fd = mkostemp(tmp->ptr, O_CLOEXEC)) < 0) {
		mlv_error_set_errno("cannot create a temporary file in '%s/tmp'",
				    fs->root);
		return MLV_ERROR;
	}
	return 0;
}

static int file_clean_temp(struct mlv_conn *c, unsigned max_age, size_t *removed)
{
	struct file_store *fs = c->backend->impl;
	char *dir = mlv_path_join(fs->root, "tmp");
	time_t now = time(NULL);
	struct dirent *d;
	struct stat st;
	DIR *dh;
	int fd;

	/* O_NOFOLLOW: a tmp/ that is a link is never cleaned through */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    !(dh = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		free(dir);
		return 0; /* no tmp/: nothing was left */
	}
	while ((d = readdir(dh))) {
		if (d->d_name[0] == '.' ||
		    fstatat(dirfd(dh), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || now - st.st_mtime < (time_t)max_age)
			continue;
		if (unlinkat(dirfd(dh), d->d_name, 0) == 0)
			(*removed)++;
	}
	closedir(dh);
	free(dir);
	return 0;
}

/*
 * fsync and make read-only the temporary file, then give it its name:
 * by rename() when `replace` (the manifest), else by link(), so that an
 * object already there is never overwritten (MLV_EEXISTS).
 */
static int install_temp(struct mlv_conn *c, int fd, const char *tmp,
			const char *path, int replace)
{
	struct file_store *fs = c->backend->impl;

	if (fchmod(fd, fs->object_mode) < 0 || fsync(fd) < 0) {
		mlv_error_set_errno("cannot write '%s'", tmp);
		return MLV_ERROR;
	}
	if (replace ? rename(tmp, path) < 0 : link(tmp, path) < 0) {
		if (!replace && errno == EEXIST)
			return MLV_EEXISTS;
		mlv_error_set_errno("cannot move '%s' to '%s'", tmp, path);
		return MLV_ERROR;
	}
	return mlv_fsync_parent_dir(path);
}

static int file_put_file(struct mlv_conn *c, const char *key, int fd,
			 uint64_t size, const char *sha256_hex)
{
	char *path = NULL, *chunk = NULL;
	struct mlv_buf tmp = MLV_BUF_INIT;
	struct mlv_sha256 h = MLV_SHA256_INIT;
	char hex[MLV_OID_HEXSZ + 1];
	uint64_t done_bytes = 0;
	int out = -1, err;
	ssize_t n;

	if ((err = key_path(&path, c, key, 1)) < 0 ||
	    (err = mlv_sha256_init(&h)) < 0 ||
	    (err = create_temp(&out, &tmp, c, path)) < 0)
		goto done;
	chunk = mlv_xmalloc(MLV_IO_CHUNK);
	while (done_bytes < size) {
		size_t want = size - done_bytes < MLV_IO_CHUNK ?
				      (size_t)(size - done_bytes) :
				      MLV_IO_CHUNK;

		n = pread(fd, chunk, want, (off_t)done_bytes);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			mlv_error_set("cannot read the object for '%s': %s", path,
				      n < 0 ? strerror(errno) : "file shrank");
			err = MLV_ERROR;
			goto done;
		}
		mlv_sha256_update(&h, chunk, (size_t)n);
		if (mlv_write_all(out, chunk, (size_t)n) < 0) {
			mlv_error_set_errno("cannot write '%s'", tmp.ptr);
			err = MLV_ERROR;
			goto done;
		}
		done_bytes += (uint64_t)n;
		if (c->on_bytes)
			c->on_bytes(c->on_bytes_ctx, (uint64_t)n);
	}
	mlv_sha256_final_hex(hex, &h);
	if (sha256_hex && strcmp(hex, sha256_hex)) {
		mlv_error_set("content for '%s' hashes to %s, not %s", path, hex,
			      sha256_hex);
		err = MLV_ECORRUPT;
		goto done;
	}
	err = install_temp(c, out, tmp.ptr, path, c->replace);
done:
	if (out >= 0) {
		close(out);
		unlink(tmp.ptr); /* linked into place, or not wanted */
	}
	mlv_sha256_release(&h);
	mlv_buf_release(&tmp);
	free(chunk);
	free(path);
	return err;
}

static int file_put_buf_cas(struct mlv_conn *c, const char *key,
			    const void *data, size_t len, const char *if_match,
			    struct mlv_buf *etag)
{
	char *path = NULL;
	struct mlv_buf lock_path = MLV_BUF_INIT, cur = MLV_BUF_INIT;
	struct mlv_buf cur_tag = MLV_BUF_INIT, tmp = MLV_BUF_INIT;
	char hex[MLV_OID_HEXSZ + 1];
	int lock = -1, out = -1, err;

	if ((err = key_path(&path, c, key, 1)) < 0)
		goto done;
	mlv_buf_printf(&lock_path, "%s.lock", path);
	if ((lock = open(lock_path.ptr, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			 0666)) < 0 ||
	    flock(lock, LOCK_EX) < 0) {
		mlv_error_set_errno("cannot lock '%s'", lock_path.ptr);
		err = MLV_ERROR;
		goto done;
	}
	err = file_get_buf(c, key, &cur, &cur_tag);
	if (err < 0 && err != MLV_ENOTFOUND)
		goto done;
	if (err == MLV_ENOTFOUND ? if_match != NULL :
				   !if_match || strcmp(if_match, cur_tag.ptr)) {
		mlv_error_set("'%s' was changed by someone else", path);
		err = MLV_ECONFLICT;
		goto done;
	}
	if ((err = create_temp(&out, &tmp, c, path)) < 0)
		goto done;
	if (mlv_write_all(out, data, len) < 0) {
		mlv_error_set_errno("cannot write '%s'", tmp.ptr);
		err = MLV_ERROR;
		goto done;
	}
	if ((err = install_temp(c, out, tmp.ptr, path, 1)) < 0)
		goto done;
	if (etag) {
		if ((err = mlv_sha256_buf(hex, data, len)) < 0)
			goto done;
		mlv_buf_sets(etag, hex);
	}
done:
	if (out >= 0) {
		close(out);
		if (err < 0)
			unlink(tmp.ptr);
	}
	if (lock >= 0)
		close(lock); /* releases the flock */
	mlv_buf_release(&lock_path);
	mlv_buf_release(&cur);
	mlv_buf_release(&cur_tag);
	mlv_buf_release(&tmp);
	free(path);
	return err;
}

/* A listing in progress: the key of the directory being read in `key`
 * (relative to the root, ending in '/', or empty for the root). */
struct file_walk {
	struct mlv_conn *c;
	const char *prefix;
	size_t prefix_len;
	mlv_list_fn fn;
	void *ctx;
	struct mlv_buf key;
};

/* Whether keys under the directory `dir_key` ("a/b/") can begin with the
 * prefix: one of the two begins with the other. */
static int dir_may_match(const struct file_walk *w, const char *dir_key,
			 size_t len)
{
	return !strncmp(dir_key, w->prefix, len < w->prefix_len ? len : w->prefix_len);
}

/* What a listing never shows: the store's tmp/, the temporary files of
 * writers, and the lock files of compare-and-swap. */
static int is_store_internal(const char *name, int at_root, int is_dir)
{
	size_t n = strlen(name);

	if (is_dir)
		return at_root && !strcmp(name, "tmp");
	return !strncmp(name, ".tmp-", 5) ||
	       (n > 5 && !strcmp(name + n - 5, ".lock"));
}

static int walk_dir(struct file_walk *w, int dfd)
{
	struct file_store *fs = w->c->backend->impl;
	size_t base = w->key.len;
	struct mlv_store_entry e;
	struct dirent *d;
	struct stat st;
	DIR *dh;
	int err = 0, sub;

	if (!(dh = fdopendir(dfd))) {
		mlv_error_set_errno("cannot read '%s/%s'", fs->root, w->key.ptr);
		close(dfd);
		return MLV_ERROR;
	}
	while (err == 0) {
		errno = 0;
		if (!(d = readdir(dh))) {
			if (errno) {
				mlv_buf_truncate(&w->key, base);
				mlv_error_set_errno("cannot read '%s/%s'", fs->root,
						    w->key.ptr);
				err = MLV_ERROR;
			}
			break;
		}
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		mlv_buf_truncate(&w->key, base);
		mlv_buf_puts(&w->key, d->d_name);
		if (fstatat(dirfd(dh), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* removed meanwhile */
			mlv_error_set_errno("cannot stat '%s/%s'", fs->root,
					    w->key.ptr);
			err = MLV_ERROR;
			break;
		}
		if (is_store_internal(d->d_name, base == 0, S_ISDIR(st.st_mode)))
			continue;
		if (S_ISLNK(st.st_mode)) {
			struct stat target;
			char *path;

			mlv_buf_putc(&w->key, '/');
			if (fstatat(dirfd(dh), d->d_name, &target, 0) < 0 ||
			    !S_ISDIR(target.st_mode) ||
			    !dir_may_match(w, w->key.ptr, w->key.len))
				continue; /* a link to a file is no key */
			/* names the link as every other use of the store does */
			path = mlv_path_join(fs->root, w->key.ptr);
			err = mlv_dirs_beneath(fs->root, path, 0);
			free(path);
			if (err == 0) {
				mlv_error_set("'%s/%s' is a symbolic link", fs->root,
					      w->key.ptr);
				err = MLV_EINVALID;
			}
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			mlv_buf_putc(&w->key, '/');
			if (!dir_may_match(w, w->key.ptr, w->key.len))
				continue;
			sub = openat(dirfd(dh), d->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 && errno == ENOENT)
				continue;
			if (sub < 0) {
				mlv_error_set_errno("cannot open '%s/%s'", fs->root,
						    w->key.ptr);
				err = MLV_ERROR;
				break;
			}
			err = walk_dir(w, sub);
			continue;
		}
		if (!S_ISREG(st.st_mode) ||
		    strncmp(w->key.ptr, w->prefix, w->prefix_len))
			continue;
		e.key = w->key.ptr;
		e.size = (uint64_t)st.st_size;
		e.mtime = (int64_t)st.st_mtim.tv_sec;
		err = w->fn(w->ctx, &e);
	}
	closedir(dh);
	mlv_buf_truncate(&w->key, base);
	return err;
}

static int file_list(struct mlv_conn *c, const char *prefix, mlv_list_fn fn,
		     void *ctx)
{
	struct file_store *fs = c->backend->impl;
	struct file_walk w = { c, prefix, strlen(prefix), fn, ctx, MLV_BUF_INIT };
	int fd, err;

	/* the root may be a link (a store moved to another disk) */
	if ((fd = open(fs->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0; /* no store yet: nothing in it */
		mlv_error_set_errno("cannot open the store '%s'", c->backend->url);
		return MLV_ERROR;
	}
	err = walk_dir(&w, fd);
	mlv_buf_release(&w.key);
	return err;
}

static int file_delete(struct mlv_conn *c, const char *key)
{
	char *path = NULL;
	int err;

	if ((err = key_path(&path, c, key, 0)) == MLV_ENOTFOUND)
		err = 0; /* its directory is not there either */
	else if (err == 0 && unlink(path) < 0 && errno != ENOENT) {
		mlv_error_set_errno("cannot delete '%s' in '%s'", key,
				    c->backend->url);
		err = MLV_ERROR;
	}
	free(path);
	return err;
}

static int file_move(struct mlv_conn *c, const char *from, const char *to)
{
	char *from_path = NULL, *to_path = NULL;
	struct stat st;
	int err;

	err = key_path(&from_path, c, from, 0);
	if (err < 0 && err != MLV_ENOTFOUND)
		goto done; /* a link or a file on the way: the message says */
	if (err == 0 && lstat(from_path, &st) < 0)
		err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
	if (err == 0 && !S_ISREG(st.st_mode)) {
		mlv_error_set("cannot move '%s': '%s' is not a regular file", from,
			      from_path);
		err = MLV_EINVALID;
		goto done;
	}
	if (err == 0 && (err = key_path(&to_path, c, to, 1)) < 0)
		goto done;
	if (err == 0 && rename(from_path, to_path) < 0)
		err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
	if (err == MLV_ENOTFOUND)
		mlv_error_set("cannot move '%s' to '%s': '%s' is not in '%s'", from,
			      to, from, c->backend->url);
	else if (err == MLV_ERROR)
		mlv_error_set_errno("cannot move '%s' to '%s' in '%s'", from, to,
				    c->backend->url);
	if (err < 0)
		goto done;
	if ((err = mlv_fsync_parent_dir(to_path)) == 0)
		err = mlv_fsync_parent_dir(from_path);
done:
	free(from_path);
	free(to_path);
	return err;
}

const struct mlv_backend_ops mlv_backend_file = {
	"file",
	file_open,
	file_free,
	file_conn_open,
	file_conn_close,
	file_head,
	file_get,
	file_get_buf,
	file_put_file,
	file_put_buf_cas,
	file_clean_temp,
	file_list,
	file_delete,
	file_move,
};
