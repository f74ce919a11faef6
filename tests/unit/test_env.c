/* Unit tests for include/mlv/env.h: the [environment] capture and file oids. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "mlv/env.h"
#include "mlv/error.h"
#include "mlv/util.h"

#define EMPTY_OID "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define OID "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
#define POINTER "version https://git-lfs.github.com/spec/v1\noid sha256:" OID "\nsize 12345\n"

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mlv-env-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

/* The fixture directory holds files and at most one level of directories. */
static void remove_tree(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[512];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->dir);
	free(f);
	return 0;
}

/* Write `len` bytes to `dir`/`name`; returns the malloc'd path. */
static char *write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = mlv_path_join(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(mlv_write_all(fd, data, len), 0);
	assert_int_equal(close(fd), 0);
	return path;
}

/* The SHA-256 of `len` bytes as lowercase hex, computed by OpenSSL here. */
static void sha256_hex(char hex[65], const void *data, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t i;

	SHA256(data, len, md);
	for (i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void test_env__set_get(void **state)
{
	struct mlv_env env = MLV_ENV_INIT;
	char key[16], value[16];
	int i;

	(void)state;
	assert_null(mlv_env_get(&env, "os"));
	mlv_env_set(&env, "os", "Debian");
	mlv_env_set(&env, "arch", "x86_64");
	assert_int_equal(env.n, 2);
	assert_string_equal(mlv_env_get(&env, "os"), "Debian");

	/* setting again replaces in place: no second entry */
	mlv_env_set(&env, "os", "Ubuntu");
	assert_int_equal(env.n, 2);
	assert_string_equal(env.entries[0].key, "os");
	assert_string_equal(env.entries[0].value, "Ubuntu");
	assert_string_equal(mlv_env_get(&env, "arch"), "x86_64");
	/* keys are exact */
	assert_null(mlv_env_get(&env, "OS"));
	assert_null(mlv_env_get(&env, "o"));

	/* the value is copied */
	snprintf(value, sizeof(value), "abc");
	mlv_env_set(&env, "k", value);
	value[0] = 'X';
	assert_string_equal(mlv_env_get(&env, "k"), "abc");

	/* growing keeps every entry */
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		snprintf(value, sizeof(value), "v%d", i);
		mlv_env_set(&env, key, value);
	}
	assert_int_equal(env.n, 103);
	assert_string_equal(mlv_env_get(&env, "key0"), "v0");
	assert_string_equal(mlv_env_get(&env, "key99"), "v99");
	assert_string_equal(mlv_env_get(&env, "os"), "Ubuntu");
	mlv_env_release(&env);
	assert_int_equal(env.n, 0);
	assert_null(env.entries);
}

static void test_env__file_oid_regular(void **state)
{
	struct fixture *f = *state;
	char want[65], hex[MLV_OID_HEXSZ + 1];
	size_t len = 3 * MLV_IO_CHUNK + 7, i;
	unsigned char *data = malloc(len);
	char *path;

	assert_non_null(data);
	/* small, and larger than the streaming buffer and a pointer */
	path = write_file(f->dir, "small.txt", "hello\n", 6);
	sha256_hex(want, "hello\n", 6);
	memset(hex, 'x', sizeof(hex));
	assert_int_equal(mlv_file_oid(hex, path), 0);
	assert_string_equal(hex, want);
	free(path);

	for (i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 131 + (i >> 9));
	path = write_file(f->dir, "big.bin", data, len);
	sha256_hex(want, data, len);
	assert_int_equal(mlv_file_oid(hex, path), 0);
	assert_string_equal(hex, want);
	free(path);
	free(data);
}

static void test_env__file_oid_pointer(void **state)
{
	struct fixture *f = *state;
	char want[65], hex[MLV_OID_HEXSZ + 1];
	char *path;

	/* a file that holds a pointer: the oid it points at */
	path = write_file(f->dir, "model.onnx", POINTER, sizeof(POINTER) - 1);
	assert_int_equal(mlv_file_oid(hex, path), 0);
	assert_string_equal(hex, OID);
	free(path);

	/* almost a pointer (one byte more): the hash of its bytes */
	path = write_file(f->dir, "almost.onnx", POINTER "x", sizeof(POINTER));
	sha256_hex(want, POINTER "x", sizeof(POINTER));
	assert_int_equal(mlv_file_oid(hex, path), 0);
	assert_string_equal(hex, want);
	assert_string_not_equal(hex, OID);
	free(path);
}

static void test_env__file_oid_empty(void **state)
{
	struct fixture *f = *state;
	char hex[MLV_OID_HEXSZ + 1];
	char *path = write_file(f->dir, "empty", "", 0);

	assert_int_equal(mlv_file_oid(hex, path), 0);
	assert_string_equal(hex, EMPTY_OID);
	free(path);
}

static void test_env__file_oid_missing(void **state)
{
	struct fixture *f = *state;
	char hex[MLV_OID_HEXSZ + 1];
	char *path = mlv_path_join(f->dir, "no-such-file");

	mlv_error_clear();
	assert_int_equal(mlv_file_oid(hex, path), MLV_ENOTFOUND);
	assert_non_null(strstr(mlv_error_last(), path));
	free(path);
}

static void test_env__file_oid_directory(void **state)
{
	struct fixture *f = *state;
	char hex[MLV_OID_HEXSZ + 1];

	mlv_error_clear();
	assert_int_equal(mlv_file_oid(hex, f->dir), MLV_EINVALID);
	assert_non_null(strstr(mlv_error_last(), f->dir));
	assert_non_null(strstr(mlv_error_last(), "not a regular file"));
}

/* "3.11.7", "3.13.0rc2": digits, a dot, digits, then anything printable. */
static int looks_like_version(const char *v)
{
	const char *p = v;

	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '.' || !isdigit((unsigned char)*p))
		return 0;
	for (; *p; p++)
		if (!isgraph((unsigned char)*p))
			return 0;
	return 1;
}

static void test_env__capture_lockfiles(void **state)
{
	static const char uv[] = "version = 1\n[[package]]\nname = \"numpy\"\n";
	static const char dev[] = "pytest==8.0.0\n";
	static const char req[] = "numpy==1.26.4\n";
	struct fixture *f = *state;
	struct mlv_env env = MLV_ENV_INIT;
	char hex[65], want[72];
	char *sub;
	size_t i;

	free(write_file(f->dir, "requirements-dev.txt", dev, sizeof(dev) - 1));
	free(write_file(f->dir, "requirements.txt", req, sizeof(req) - 1));
	free(write_file(f->dir, "uv.lock", uv, sizeof(uv) - 1));
	/* not lockfiles */
	free(write_file(f->dir, "requirements.in", "numpy\n", 6));
	free(write_file(f->dir, "notes.txt", "x\n", 2));
	sub = mlv_path_join(f->dir, "requirements-dir.txt");
	assert_int_equal(mkdir(sub, 0755), 0);
	free(sub);

	assert_int_equal(mlv_env_capture(&env, f->dir), 0);

	/* uv.lock is preferred over the requirements files */
	assert_string_equal(mlv_env_get(&env, "lockfile"), "uv.lock");
	sha256_hex(hex, uv, sizeof(uv) - 1);
	snprintf(want, sizeof(want), "sha256:%s", hex);
	assert_string_equal(mlv_env_get(&env, "lockfile-oid"), want);

	sha256_hex(hex, dev, sizeof(dev) - 1);
	snprintf(want, sizeof(want), "sha256:%s", hex);
	assert_string_equal(mlv_env_get(&env, "lockfile.requirements-dev.txt"), want);
	sha256_hex(hex, req, sizeof(req) - 1);
	snprintf(want, sizeof(want), "sha256:%s", hex);
	assert_string_equal(mlv_env_get(&env, "lockfile.requirements.txt"), want);

	assert_null(mlv_env_get(&env, "lockfile.uv.lock"));
	assert_null(mlv_env_get(&env, "lockfile.requirements.in"));
	assert_null(mlv_env_get(&env, "lockfile.notes.txt"));
	assert_null(mlv_env_get(&env, "lockfile.requirements-dir.txt"));
	/* nothing else about lockfiles */
	{
		size_t n = 0;

		for (i = 0; i < env.n; i++)
			n += !strncmp(env.entries[i].key, "lockfile", 8);
		assert_int_equal(n, 4); /* lockfile, lockfile-oid, two requirements */
	}
	mlv_env_release(&env);
}

static void test_env__capture_preference(void **state)
{
	struct fixture *f = *state;
	struct mlv_env env = MLV_ENV_INIT;
	char hex[65], want[72];

	/* poetry.lock is preferred over requirements.lock, and both are kept */
	free(write_file(f->dir, "requirements.lock", "a\n", 2));
	free(write_file(f->dir, "poetry.lock", "b\n", 2));
	assert_int_equal(mlv_env_capture(&env, f->dir), 0);
	assert_string_equal(mlv_env_get(&env, "lockfile"), "poetry.lock");
	sha256_hex(hex, "b\n", 2);
	snprintf(want, sizeof(want), "sha256:%s", hex);
	assert_string_equal(mlv_env_get(&env, "lockfile-oid"), want);
	sha256_hex(hex, "a\n", 2);
	snprintf(want, sizeof(want), "sha256:%s", hex);
	assert_string_equal(mlv_env_get(&env, "lockfile.requirements.lock"), want);
	mlv_env_release(&env);
}

static void test_env__capture_system(void **state)
{
	struct fixture *f = *state;
	struct mlv_env env = MLV_ENV_INIT;
	struct utsname u;
	const char *v;
	size_t i;

	/* a work tree without lockfiles, and none at all */
	assert_int_equal(mlv_env_capture(&env, f->dir), 0);
	assert_null(mlv_env_get(&env, "lockfile"));
	assert_null(mlv_env_get(&env, "lockfile-oid"));
	mlv_env_release(&env);
	assert_int_equal(mlv_env_capture(&env, NULL), 0);
	assert_null(mlv_env_get(&env, "lockfile"));

	assert_int_equal(uname(&u), 0);
	assert_string_equal(mlv_env_get(&env, "kernel"), u.release);
	assert_string_equal(mlv_env_get(&env, "arch"), u.machine);
	assert_non_null(v = mlv_env_get(&env, "cpus"));
	assert_true(atoi(v) >= 1);
	assert_non_null(v = mlv_env_get(&env, "libc"));
	assert_true(!strncmp(v, "glibc ", 6) && looks_like_version(v + 6));
	if ((v = mlv_env_get(&env, "python")))
		assert_true(looks_like_version(v));

	/* every value is one line (it becomes "key = value" in a sidecar) */
	for (i = 0; i < env.n; i++) {
		assert_true(env.entries[i].key[0] != '\0');
		assert_null(strchr(env.entries[i].value, '\n'));
		assert_null(strchr(env.entries[i].value, '\r'));
	}
	mlv_env_release(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env__set_get),
		cmocka_unit_test_setup_teardown(test_env__file_oid_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env__file_oid_pointer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env__file_oid_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env__file_oid_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env__file_oid_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env__capture_lockfiles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env__capture_preference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env__capture_system, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
