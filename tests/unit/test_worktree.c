/*
 * Unit tests for mlv_worktree_replace_pointer() (include/mlv/worktree.h):
 * a downloaded file takes the place of the pointer git wrote, only while
 * the pointer is still there, with the pointer file's mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mlv/error.h"
#include "mlv/worktree.h"

#include "helpers.h"

#define POINTER "version https://git-lfs.github.com/spec/v1\n" \
		"oid sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n" \
		"size 3\n"

struct fixture {
	char dir[64];     /* the work tree, ending in '/' */
	char target[128]; /* dir/model.bin */
	char tmp[128];    /* dir/.copy */
	struct mlv_repo repo;
};

static void put(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mlv_repo init = MLV_REPO_INIT;

	if (!f)
		return -1;
	*state = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mlv-worktree-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->target, sizeof(f->target), "%s/model.bin", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s/.copy", f->dir);
	f->dir[strlen(f->dir) + 1] = '\0'; /* the buffer has room for "/" */
	f->dir[strlen(f->dir)] = '/';
	f->repo = init;
	f->repo.workdir = f->dir;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int err = 0;

	if (f && strncmp(f->dir, "/tmp/mlv-worktree-XXXXXX", 24))
		err = test_remove_tree(f->dir);
	free(f);
	return err;
}

static void test_worktree__replace_keeps_mode(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	put(f->target, POINTER, 0755);
	put(f->tmp, "abc", 0600);
	assert_int_equal(mlv_worktree_replace_pointer(&f->repo, "model.bin", f->tmp,
						      POINTER, strlen(POINTER)),
			 0);
	test_assert_holds(f->target, "abc");
	assert_int_equal(stat(f->target, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	/* the pointer it displaced is gone, not left beside it */
	assert_int_equal(access(f->tmp, F_OK), -1);
}

static void test_worktree__replace_refuses_changed_file(void **state)
{
	struct fixture *f = *state;
	char other[] = POINTER;

	other[sizeof(other) - 3] = '4'; /* "size 4": a different pointer */
	put(f->target, other, 0644);
	put(f->tmp, "abc", 0600);
	assert_int_equal(mlv_worktree_replace_pointer(&f->repo, "model.bin", f->tmp,
						      POINTER, strlen(POINTER)),
			 MLV_ECONFLICT);
	assert_non_null(strstr(mlv_error_last(), "model.bin"));
	test_assert_holds(f->target, other);
	test_assert_holds(f->tmp, "abc");

	put(f->target, "edited by hand\n", 0644);
	assert_int_equal(mlv_worktree_replace_pointer(&f->repo, "model.bin", f->tmp,
						      POINTER, strlen(POINTER)),
			 MLV_ECONFLICT);
	test_assert_holds(f->target, "edited by hand\n");
}

static void test_worktree__replace_refuses_missing_or_symlink(void **state)
{
	struct fixture *f = *state;
	char link_target[160];

	put(f->tmp, "abc", 0600);
	assert_int_equal(mlv_worktree_replace_pointer(&f->repo, "model.bin", f->tmp,
						      POINTER, strlen(POINTER)),
			 MLV_ECONFLICT);
	assert_int_equal(access(f->target, F_OK), -1);

	snprintf(link_target, sizeof(link_target), "%s/real", f->dir);
	put(link_target, POINTER, 0644);
	assert_int_equal(symlink(link_target, f->target), 0);
	assert_int_equal(mlv_worktree_replace_pointer(&f->repo, "model.bin", f->tmp,
						      POINTER, strlen(POINTER)),
			 MLV_ECONFLICT);
	test_assert_holds(link_target, POINTER);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_worktree__replace_keeps_mode),
		T(test_worktree__replace_refuses_changed_file),
		T(test_worktree__replace_refuses_missing_or_symlink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
