#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mlv/env.h"
#include "mlv/error.h"
#include "mlv/pointer.h"
#include "mlv/problems.h"
#include "mlv/run.h"
#include "mlv/util.h"

void mlv_env_set(struct mlv_env *env, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		if (!strcmp(env->entries[i].key, key)) {
			free(env->entries[i].value);
			env->entries[i].value = mlv_xstrdup(value);
			return;
		}
	MLV_ALLOC_GROW(env->entries, env->n, env->alloc);
	env->entries[env->n].key = mlv_xstrdup(key);
	env->entries[env->n].value = mlv_xstrdup(value);
	env->n++;
}

const char *mlv_env_get(const struct mlv_env *env, const char *key)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		if (!strcmp(env->entries[i].key, key))
			return env->entries[i].value;
	return NULL;
}

void mlv_env_release(struct mlv_env *env)
{
	size_t i;

	for (i = 0; i < env->n; i++) {
		free(env->entries[i].key);
		free(env->entries[i].value);
	}
	free(env->entries);
	mlv_problems_release(&env->skipped);
	memset(env, 0, sizeof(*env));
}

/* Read a small text file (up to 64 KiB) into `out`. */
static int read_small(struct mlv_buf *out, const char *path)
{
	char chunk[4096];
	ssize_t n;
	int fd;

	mlv_buf_clear(out);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while ((n = mlv_read_retry(fd, chunk, sizeof(chunk))) > 0 &&
	       out->len < 65536)
		mlv_buf_put(out, chunk, (size_t)n);
	close(fd);
	return n < 0 ? -1 : 0;
}

/* The value of the first line "key<sep>value" in `text`, trimmed and
 * unquoted, into `out`. */
static int find_field(struct mlv_buf *out, const char *text, const char *key,
		      char sep)
{
	size_t kl = strlen(key);
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *p = line + kl;

		if (len > kl && !strncmp(line, key, kl)) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == sep) {
				const char *end = line + len;

				p++;
				while (p < end && (*p == ' ' || *p == '\t' || *p == '"'))
					p++;
				while (end > p && (end[-1] == ' ' || end[-1] == '"' ||
						   end[-1] == '\r' || end[-1] == '\t'))
					end--;
				mlv_buf_clear(out);
				mlv_buf_put(out, p, (size_t)(end - p));
				return 0;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return -1;
}

static void capture_system(struct mlv_env *env, struct mlv_buf *tmp)
{
	struct mlv_buf value = MLV_BUF_INIT;
	struct utsname u;
	long cpus;

	if (read_small(tmp, "/etc/os-release") == 0 &&
	    find_field(&value, tmp->ptr, "PRETTY_NAME", '=') == 0)
		mlv_env_set(env, "os", value.ptr);
	if (uname(&u) == 0) {
		mlv_env_set(env, "kernel", u.release);
		mlv_env_set(env, "arch", u.machine);
	}
	if (read_small(tmp, "/proc/cpuinfo") == 0 &&
	    find_field(&value, tmp->ptr, "model name", ':') == 0)
		mlv_env_set(env, "cpu", value.ptr);
	if ((cpus = sysconf(_SC_NPROCESSORS_ONLN)) > 0) {
		mlv_buf_clear(&value);
		mlv_buf_printf(&value, "%ld", cpus);
		mlv_env_set(env, "cpus", value.ptr);
	}
	mlv_buf_clear(&value);
	mlv_buf_printf(&value, "glibc %s", gnu_get_libc_version());
	mlv_env_set(env, "libc", value.ptr);
	mlv_buf_release(&value);
}

/* 1 when an executable `name` is on PATH. */
static int on_path(const char *name)
{
	const char *path = getenv("PATH");
	struct mlv_buf candidate = MLV_BUF_INIT;
	int found = 0;

	while (path && *path && !found) {
		size_t n = strcspn(path, ":");

		mlv_buf_clear(&candidate);
		mlv_buf_printf(&candidate, "%.*s/%s", (int)n, n ? path : ".", name);
		found = access(candidate.ptr, X_OK) == 0;
		path += n;
		if (*path == ':')
			path++;
	}
	mlv_buf_release(&candidate);
	return found;
}

/* Run a probe (`prog --version`): 0 with its output in `out`, or -1. */
static int run_capture(struct mlv_buf *out, const char *const *argv)
{
	mlv_buf_clear(out);
	return mlv_run(out, argv, MLV_RUN_STDERR_TO_OUT | MLV_RUN_NO_STDIN) == 0 ?
		       0 : -1;
}

static void trim(struct mlv_buf *b)
{
	while (b->len && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == ' ' ||
			  b->ptr[b->len - 1] == '\r'))
		mlv_buf_truncate(b, b->len - 1);
}

static void capture_python(struct mlv_env *env, struct mlv_buf *tmp)
{
	static const char *const argv[] = { "python3", "--version", NULL };

	if (!on_path("python3") || run_capture(tmp, argv) < 0)
		return;
	trim(tmp);
	if (!strncmp(tmp->ptr, "Python ", 7))
		mlv_env_set(env, "python", tmp->ptr + 7);
}

static void capture_cuda(struct mlv_env *env, struct mlv_buf *tmp)
{
	struct mlv_buf value = MLV_BUF_INIT;
	const char *home = getenv("CUDA_HOME");
	DIR *gpus;
	struct dirent *d;

	mlv_buf_printf(&value, "%s/version.json", home && *home ? home : "/usr/local/cuda");
	if (read_small(tmp, value.ptr) == 0) {
		const char *cuda = strstr(tmp->ptr, "\"cuda\"");
		const char *ver = cuda ? strstr(cuda, "\"version\"") : NULL;

		if (ver && find_field(&value, ver + 1, "version\"", ':') == 0) {
			mlv_buf_truncate(&value, strcspn(value.ptr, "\","));
			mlv_env_set(env, "cuda", value.ptr);
		}
	} else if (on_path("nvcc")) {
		static const char *const argv[] = { "nvcc", "--version", NULL };
		const char *rel;

		if (run_capture(tmp, argv) == 0 && (rel = strstr(tmp->ptr, "release "))) {
			mlv_buf_clear(&value);
			mlv_buf_put(&value, rel + 8, strcspn(rel + 8, ",\n"));
			mlv_env_set(env, "cuda", value.ptr);
		}
	}
	if (read_small(tmp, "/proc/driver/nvidia/version") == 0) {
		const char *k = strstr(tmp->ptr, "Kernel Module");

		if (k) {
			k += strlen("Kernel Module");
			while (*k == ' ' || (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z'))
				k++;
			mlv_buf_clear(&value);
			mlv_buf_put(&value, k, strcspn(k, " \n"));
			mlv_env_set(env, "nvidia-driver", value.ptr);
		}
	}
	if ((gpus = opendir("/proc/driver/nvidia/gpus"))) {
		while ((d = readdir(gpus))) {
			struct mlv_buf info = MLV_BUF_INIT;

			if (d->d_name[0] == '.')
				continue;
			mlv_buf_printf(&info, "/proc/driver/nvidia/gpus/%s/information",
				       d->d_name);
			if (read_small(tmp, info.ptr) == 0 &&
			    find_field(&value, tmp->ptr, "Model", ':') == 0) {
				mlv_env_set(env, "gpu", value.ptr);
				mlv_buf_release(&info);
				break;
			}
			mlv_buf_release(&info);
		}
		closedir(gpus);
	}
	mlv_buf_release(&value);
}

static void capture_container(struct mlv_env *env, struct mlv_buf *tmp)
{
	struct mlv_buf value = MLV_BUF_INIT;
	const char *kind = NULL, *image;

	if (access("/.dockerenv", F_OK) == 0)
		kind = "docker";
	else if (access("/run/.containerenv", F_OK) == 0)
		kind = "podman";
	else if (getenv("KUBERNETES_SERVICE_HOST"))
		kind = "kubernetes";
	else if ((image = getenv("container")) && *image)
		kind = image;
	if (kind)
		mlv_env_set(env, "container", kind);
	if (read_small(tmp, "/run/.containerenv") == 0 &&
	    find_field(&value, tmp->ptr, "image", '=') == 0 && value.len)
		mlv_env_set(env, "image", value.ptr);
	else if ((image = getenv("MLV_IMAGE")) && *image)
		mlv_env_set(env, "image", image);
	mlv_buf_release(&value);
}

/* Lockfiles in order of preference: the first found is `lockfile`. */
static const char *const lockfile_names[] = {
	"uv.lock", "poetry.lock", "Pipfile.lock", "conda-lock.yml",
	"environment.yml", "requirements.lock", NULL
};

static int is_requirements(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "requirements", 12) && n > 4 &&
	       !strcmp(name + n - 4, ".txt");
}

static void add_lockfile(struct mlv_env *env, const char *dir, const char *name)
{
	char hex[MLV_OID_HEXSZ + 1];
	struct mlv_buf key = MLV_BUF_INIT, value = MLV_BUF_INIT;
	char *path = mlv_path_join(dir, name);

	if (mlv_file_oid(hex, path) == 0) {
		mlv_buf_printf(&value, "sha256:%s", hex);
		if (!mlv_env_get(env, "lockfile")) {
			mlv_env_set(env, "lockfile", name);
			mlv_env_set(env, "lockfile-oid", value.ptr);
		} else {
			mlv_buf_printf(&key, "lockfile.%s", name);
			mlv_env_set(env, key.ptr, value.ptr);
		}
	} else {
		mlv_problems_add(&env->skipped, "lockfile %s is not recorded: %s",
				 name, mlv_error_last());
	}
	mlv_error_clear();
	mlv_buf_release(&key);
	mlv_buf_release(&value);
	free(path);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void capture_lockfiles(struct mlv_env *env, const char *dir)
{
	char *reqs[64];
	size_t nreq = 0, i;
	struct dirent *d;
	DIR *dh;

	for (i = 0; lockfile_names[i]; i++) {
		char *path = mlv_path_join(dir, lockfile_names[i]);
		struct stat st;

		if (lstat(path, &st) == 0)
			add_lockfile(env, dir, lockfile_names[i]);
		free(path);
	}
	if (!(dh = opendir(dir)))
		return;
	while ((d = readdir(dh)) && nreq < sizeof(reqs) / sizeof(reqs[0]))
		if (is_requirements(d->d_name))
			reqs[nreq++] = mlv_xstrdup(d->d_name);
	closedir(dh);
	qsort(reqs, nreq, sizeof(reqs[0]), by_name);
	for (i = 0; i < nreq; i++) {
		add_lockfile(env, dir, reqs[i]);
		free(reqs[i]);
	}
}

int mlv_env_capture(struct mlv_env *env, const char *worktree)
{
	struct mlv_buf tmp = MLV_BUF_INIT;

	capture_system(env, &tmp);
	capture_python(env, &tmp);
	capture_cuda(env, &tmp);
	capture_container(env, &tmp);
	if (worktree)
		capture_lockfiles(env, worktree);
	mlv_buf_release(&tmp);
	return 0;
}

int mlv_file_oid(char hex[MLV_OID_HEXSZ + 1], const char *path)
{
	char head[MLV_POINTER_MAX];
	struct mlv_pointer p;
	struct stat st;
	ssize_t n;
	int fd = -1, err = MLV_EINVALID;

	/* never what a link points to: that may be any file of the machine */
	/* O_NONBLOCK: a FIFO must not hang us before fstat() refuses it */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
		if (errno == ELOOP) {
			mlv_error_set("'%s' is a symbolic link; mlv records a file's "
				      "own bytes, never what a link points to: "
				      "record the file itself", path);
		} else {
			err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
			mlv_error_set_errno("cannot read '%s'", path);
		}
		goto done;
	}
	if (fstat(fd, &st) < 0) {
		err = MLV_ERROR;
		mlv_error_set_errno("cannot read '%s'", path);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		mlv_error_set("'%s' is not a regular file", path);
		goto done;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		err = MLV_ERROR;
		mlv_error_set_errno("cannot read '%s'", path);
		goto done;
	}
	n = mlv_read_full(fd, head, sizeof(head));
	if (n > 0 && (size_t)n < sizeof(head) &&
	    mlv_pointer_parse(&p, head, (size_t)n) == 0) {
		memcpy(hex, p.oid, sizeof(p.oid));
		err = 0;
		goto done;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		err = MLV_ERROR;
		mlv_error_set_errno("cannot read '%s'", path);
		goto done;
	}
	err = mlv_sha256_fd(hex, NULL, fd, path);
done:
	if (fd >= 0)
		close(fd);
	return err;
}
