/*
 * Unit tests for the whole-file writers of include/mlv/util.h:
 * mlv_write_file_atomic() replaces, mlv_write_file_new() never does; both
 * leave no temporary file behind, whatever happens.
 */
#include <dirent.h>
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
#include "mlv/util.h"

#include "helpers.h"

struct fixture {
	char dir[64];
	char path[128]; /* dir/hook */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mlv-test-util-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/hook", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	test_remove_tree(f->dir);
	free(f);
	return 0;
}

/* How many names the directory holds besides . and .. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_util__new_file_is_written_whole_with_its_mode(void **state)
{
	struct fixture *f = *state;
	mode_t mask = umask(022);
	struct stat st;

	assert_int_equal(mlv_write_file_new(f->path, "#!/bin/sh\n", 10, 0777), 0);
	umask(mask);
	test_assert_holds(f->path, "#!/bin/sh\n");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(entries(f->dir), 1);
}

static void test_util__new_file_never_replaces(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mlv_write_file_atomic(f->path, "mine\n", 5, 0644), 0);
	mlv_error_clear();
	assert_int_equal(mlv_write_file_new(f->path, "theirs\n", 7, 0777), MLV_EEXISTS);
	assert_string_equal(mlv_error_last(), "");
	test_assert_holds(f->path, "mine\n");
	assert_int_equal(entries(f->dir), 1);
}

static void test_util__new_file_in_a_missing_directory_names_it(void **state)
{
	struct fixture *f = *state;
	char path[160];

	snprintf(path, sizeof(path), "%s/none/hook", f->dir);
	assert_int_equal(mlv_write_file_new(path, "x", 1, 0644), MLV_ERROR);
	assert_non_null(strstr(mlv_error_last(), path));
	assert_int_equal(entries(f->dir), 0);
}

static void test_util__atomic_replaces(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mlv_write_file_atomic(f->path, "old\n", 4, 0644), 0);
	assert_int_equal(mlv_write_file_atomic(f->path, "", 0, 0644), 0);
	test_assert_holds(f->path, "");
	assert_int_equal(entries(f->dir), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_util__new_file_is_written_whole_with_its_mode,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_util__new_file_never_replaces,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_util__new_file_in_a_missing_directory_names_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_util__atomic_replaces, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
