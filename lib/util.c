#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/util.h"

void *mlv_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
		abort();
	}
	return p;
}

char *mlv_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = mlv_xmalloc(n);

	memcpy(p, s, n);
	return p;
}

char *mlv_xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = mlv_xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void *mlv_xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > (size_t)-1 / size) {
		fprintf(stderr, "fatal: array of %zu elements overflows\n", nmemb);
		abort();
	}
	if (!(p = realloc(ptr, nmemb * size > 0 ? nmemb * size : 1))) {
		fprintf(stderr, "fatal: out of memory allocating %zu bytes\n",
			nmemb * size);
		abort();
	}
	return p;
}

ssize_t mlv_read_retry(int fd, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return n;
}

ssize_t mlv_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = mlv_read_retry(fd, (char *)buf + got, len - got);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Write all of `buf` at `off`, or at the file position when `off` < 0. */
static int write_loop(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = off < 0 ? write(fd, p, len) : pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

int mlv_write_all(int fd, const void *buf, size_t len)
{
	return write_loop(fd, buf, len, -1);
}

int mlv_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	return write_loop(fd, buf, len, off);
}

int mlv_empty_file(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	return end < 0 || (end > 0 && ftruncate(fd, 0) < 0) ||
			       lseek(fd, 0, SEEK_SET) < 0 ?
		       -1 : 0;
}

int mlv_copy_range(int in, uint64_t offset, int out, uint64_t len)
{
	loff_t from = (loff_t)offset;
	uint64_t end = offset + len;
	char *chunk = NULL;
	ssize_t n = 0;
	int err = 0;

	while ((uint64_t)from < end &&
	       (n = copy_file_range(in, &from, out, NULL,
				    (size_t)(end - (uint64_t)from), 0)) > 0)
		;
	if (n < 0 && (errno == ENOSYS || errno == EXDEV || errno == EINVAL ||
		      errno == EOPNOTSUPP)) {
		/* not here (seccomp, some FUSE or network file systems) */
		chunk = mlv_xmalloc(MLV_IO_CHUNK);
		n = 0;
		while ((uint64_t)from < end &&
		       (n = pread(in, chunk,
				  end - (uint64_t)from < MLV_IO_CHUNK ?
					  (size_t)(end - (uint64_t)from) : MLV_IO_CHUNK,
				  from)) > 0 &&
		       mlv_write_all(out, chunk, (size_t)n) == 0)
			from += n;
	}
	if ((uint64_t)from != end) {
		if (n >= 0)
			errno = EIO; /* the source ended early */
		err = -1;
	}
	free(chunk);
	return err;
}

/* mkdir `dir` (its first `len` bytes), making missing parents first. */
static int mkdir_with_parents(char *dir, size_t len)
{
	char saved = dir[len];
	char *slash;
	int err = 0;

	dir[len] = '\0';
	if (mkdir(dir, 0777) == 0 || errno == EEXIST)
		goto done;
	if (errno != ENOENT || !(slash = strrchr(dir, '/')) || slash == dir) {
		mlv_error_set_errno("cannot create directory '%s'", dir);
		err = MLV_ERROR;
		goto done;
	}
	if ((err = mkdir_with_parents(dir, (size_t)(slash - dir))) == 0 &&
	    mkdir(dir, 0777) < 0 && errno != EEXIST) {
		mlv_error_set_errno("cannot create directory '%s'", dir);
		err = MLV_ERROR;
	}
done:
	dir[len] = saved;
	return err;
}

int mlv_mkdir_parents(const char *path)
{
	char *copy = mlv_xstrdup(path);
	char *slash = strrchr(copy, '/');
	int err = 0;

	/* the common case, one missing level, costs one mkdir() */
	if (slash && slash != copy)
		err = mkdir_with_parents(copy, (size_t)(slash - copy));
	free(copy);
	return err;
}

int mlv_dirs_beneath(const char *root, const char *path, int create)
{
	size_t rl = strlen(root);
	char *copy = mlv_xstrdup(path), *slash;
	struct stat st;
	int err = 0;

	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (strncmp(path, root, rl) || path[rl] != '/') {
		mlv_error_set("'%s' is not inside '%s'", path, root);
		err = MLV_EINVALID;
		goto done;
	}
	/* the root may follow links (a store moved to another disk) */
	if (create && (err = mkdir_with_parents(copy, rl)) < 0)
		goto done;
	for (slash = strchr(copy + rl + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (lstat(copy, &st) < 0 &&
		    (errno != ENOENT || !create ||
		     (mkdir(copy, 0777) < 0 && errno != EEXIST) || lstat(copy, &st) < 0)) {
			err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
			mlv_error_set_errno("cannot %s '%s'", create ? "create" : "read", copy);
			goto done;
		}
		if (S_ISLNK(st.st_mode)) {
			mlv_error_set("'%s' is a symbolic link; mlv neither writes nor "
				      "reads a store through links inside it (they "
				      "could lead anywhere): replace it with a directory",
				      copy);
			err = MLV_EINVALID;
			goto done;
		}
		if (!S_ISDIR(st.st_mode)) {
			mlv_error_set("'%s' is not a directory", copy);
			err = MLV_EINVALID;
			goto done;
		}
		*slash = '/';
	}
done:
	free(copy);
	return err;
}

int mlv_path_append_parts(struct mlv_buf *out, const char *path)
{
	const char *p = path, *last;
	int climbed = 0;

	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (!out->len)
				climbed = 1;
			last = out->len ? memrchr(out->ptr, '/', out->len) : NULL;
			mlv_buf_truncate(out, last ? (size_t)(last - out->ptr) : 0);
		} else if (n && !(n == 1 && p[0] == '.')) {
			mlv_buf_putc(out, '/');
			mlv_buf_put(out, p, n);
		}
		p += n + (p[n] == '/');
	}
	return climbed;
}

char *mlv_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p;

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	p = mlv_xmalloc(dl + nl + 2);
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, name, nl + 1);
	return p;
}

int mlv_parse_bool(const char *v)
{
	if (!v)
		return -1;
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "on") || !strcmp(v, "1"))
		return 1;
	if (!strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	    !strcasecmp(v, "off") || !strcmp(v, "0") || !*v)
		return 0;
	return -1;
}

/* A temporary file beside `path` with `data`, then renamed onto `path`
 * (`replace`) or linked to it, which fails when it exists. */
static int write_beside(const char *path, const void *data, size_t len,
			unsigned mode, int replace)
{
	size_t n = strlen(path);
	char *tmp = mlv_xmalloc(n + sizeof(".mlv-XXXXXX"));
	mode_t mask = umask(0);
	int fd = -1, made = 0, err = MLV_ERROR;

	umask(mask);
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".mlv-XXXXXX", sizeof(".mlv-XXXXXX"));
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		mlv_error_set_errno("cannot create a temporary file beside '%s'", path);
		goto done;
	}
	made = 1;
	if (fchmod(fd, mode & ~mask) < 0 || mlv_write_all(fd, data, len) < 0) {
		mlv_error_set_errno("cannot write '%s'", tmp);
		goto done;
	}
	err = close(fd);
	fd = -1;
	if (err < 0) {
		mlv_error_set_errno("cannot write '%s'", tmp);
		err = MLV_ERROR;
		goto done;
	}
	if (replace ? rename(tmp, path) == 0 : link(tmp, path) == 0) {
		made = !replace;
		err = 0;
	} else if (!replace && errno == EEXIST) {
		err = MLV_EEXISTS;
	} else {
		mlv_error_set_errno("cannot %s '%s'", replace ? "replace" : "create",
				    path);
		err = MLV_ERROR;
	}
done:
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp);
	free(tmp);
	return err;
}

int mlv_write_file_atomic(const char *path, const void *data, size_t len,
			  unsigned mode)
{
	return write_beside(path, data, len, mode, 1);
}

int mlv_write_file_new(const char *path, const void *data, size_t len,
		       unsigned mode)
{
	return write_beside(path, data, len, mode, 0);
}

int mlv_fsync_parent_dir(const char *path)
{
	char *dir = mlv_xstrdup(path);
	char *slash = strrchr(dir, '/');
	int fd, err = 0;

	if (slash)
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fsync(fd) < 0) {
		mlv_error_set_errno("cannot fsync directory '%s'", dir);
		err = MLV_ERROR;
	}
	if (fd >= 0)
		close(fd);
	free(dir);
	return err;
}

int mlv_format_time(struct mlv_buf *out, int64_t when, int offset)
{
	time_t secs = (time_t)(when + (int64_t)offset * 60);
	int off = offset < 0 ? -offset : offset;
	struct tm tm;
	char text[40];

	if (!gmtime_r(&secs, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return -1;
	strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
	mlv_buf_printf(out, "%s%c%02d:%02d", text, offset < 0 ? '-' : '+', off / 60,
		       off % 60);
	return 0;
}
