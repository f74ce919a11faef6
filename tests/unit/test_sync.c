/*
 * Unit tests for the parts of include/mlv/sync.h that need no repository:
 * the gitignore-style fetch filter (mlv_sync_path_wanted) and the object
 * list (mlv_sync_list_*).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlv/sync.h"

#define OID_A "1111111111111111111111111111111111111111111111111111111111111111"
#define OID_B "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
#define OID_C "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* `path` against include/exclude must give `want`, with a readable failure. */
static void check(const char *path, const char *include, const char *exclude, int want)
{
	int got = mlv_sync_path_wanted(path, include, exclude);

	if (got != want)
		fail_msg("path '%s' include '%s' exclude '%s': got %d, want %d", path,
			 include ? include : "(null)", exclude ? exclude : "(null)", got,
			 want);
}

#define wanted(path, inc) check((path), (inc), NULL, 1)
#define unwanted(path, inc) check((path), (inc), NULL, 0)

static void test_sync__no_patterns(void **state)
{
	static const char *const paths[] = {
		"a.bin", "dir/sub/a.bin", "data/x", ".hidden", "a b/c d.bin", "x",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		check(paths[i], NULL, NULL, 1);
		check(paths[i], "", NULL, 1);
		check(paths[i], NULL, "", 1);
		check(paths[i], "", "", 1);
	}
}

static void test_sync__basename_glob(void **state)
{
	(void)state;
	wanted("a.bin", "*.bin");
	wanted("dir/a.bin", "*.bin");
	wanted("dir/sub/a.bin", "*.bin");
	wanted(".bin", "*.bin");
	unwanted("a.bin.txt", "*.bin");
	unwanted("a.BIN", "*.bin");
	unwanted("a.csv", "*.bin");
	unwanted("dir/a.csv", "*.bin");
	/* a plain name matches the whole component, not a part of it */
	wanted("a.bin", "a.bin");
	wanted("x/y/a.bin", "a.bin");
	unwanted("xa.bin", "a.bin");
	unwanted("a.bin2", "a.bin");
	/* ? and [] work within a component */
	wanted("m/v1.onnx", "v?.onnx");
	unwanted("m/v10.onnx", "v?.onnx");
	wanted("m/v3.onnx", "v[0-9].onnx");
	unwanted("m/vx.onnx", "v[0-9].onnx");
}

/* A name without a slash also matches a directory of that name anywhere. */
static void test_sync__component_name(void **state)
{
	(void)state;
	wanted("raw", "raw");
	wanted("raw/y.bin", "raw");
	wanted("x/raw/y.bin", "raw");
	wanted("x/y/raw/z/w.bin", "raw");
	wanted("x/raw", "raw");
	unwanted("rawx/y.bin", "raw");
	unwanted("x/xraw/y.bin", "raw");
	unwanted("x/raw.bin", "raw");
	/* a glob without a slash too: a directory called *.d */
	wanted("conf.d/a", "*.d");
}

/* "data/": everything under a directory named data, at any depth. */
static void test_sync__directory_pattern(void **state)
{
	(void)state;
	wanted("data/x", "data/");
	wanted("data/y/z", "data/");
	wanted("data/y/z/w.bin", "data/");
	/* no leading slash: a directory called data anywhere, as in gitignore */
	wanted("sub/data/x", "data/");
	wanted("a/b/data/c/d", "data/");
	/* the directory's name whole, and only a directory */
	unwanted("data", "data/");
	unwanted("mydata/x", "data/");
	unwanted("data2/x", "data/");
	unwanted("a/mydata/x", "data/");
	unwanted("datax", "data/");
}

static void test_sync__anchored_directory(void **state)
{
	(void)state;
	wanted("data/x", "/data/");
	wanted("data/y/z", "/data/");
	unwanted("data", "/data/");
	unwanted("mydata/x", "/data/");
	unwanted("other/x", "/data/");
	/* "/" alone is no pattern at all */
	unwanted("data/x", "/");
}

/* A pattern with an inner slash is a path glob from the top, * within one level. */
static void test_sync__path_glob(void **state)
{
	(void)state;
	wanted("data/raw/a.csv", "data/raw/*.csv");
	wanted("data/raw/.csv", "data/raw/*.csv");
	unwanted("data/raw/x/a.csv", "data/raw/*.csv");
	unwanted("x/data/raw/a.csv", "data/raw/*.csv");
	unwanted("data/raw/a.bin", "data/raw/*.csv");
	unwanted("data/a.csv", "data/raw/*.csv");
	wanted("data/raw/a.csv", "/data/raw/*.csv");
	unwanted("data/raw/x/a.csv", "/data/raw/*.csv");
	/* a matching directory takes everything under it */
	wanted("models/v1/weights.bin", "models/v1");
	wanted("models/v1/a/b.bin", "models/v1");
	wanted("models/v1/a/b.bin", "models/v*");
	unwanted("models/v10/weights.bin", "models/v1");
	unwanted("x/models/v1/weights.bin", "models/v1");
	wanted("a/b/c", "a/*/c");
	unwanted("a/b/x/c", "a/*/c");
	unwanted("a/c", "a/*/c");
}

static void test_sync__double_star(void **state)
{
	(void)state;
	wanted("data/x", "data/**");
	wanted("data/x/y/z", "data/**");
	wanted("data/x/y/z.bin", "data/**");
	unwanted("data", "data/**");
	unwanted("dataX/y", "data/**");
	unwanted("x/data/y", "data/**");
	wanted("a/foo", "**/foo");
	wanted("a/b/foo", "**/foo");
	wanted("a/x/b", "a/**/b");
	wanted("a/x/y/b", "a/**/b");
	unwanted("b/x/a", "a/**/b");
	wanted("d/x/y/z.bin", "d/**/*.bin");
	unwanted("d/x/y/z.csv", "d/**/*.bin");
}

static void test_sync__exclude_wins(void **state)
{
	(void)state;
	check("a.bin", NULL, "*.bin", 0);
	check("a.csv", NULL, "*.bin", 1);
	check("big/a.bin", "*.bin", "big/", 0);
	check("small/a.bin", "*.bin", "big/", 1);
	check("data/raw/a.csv", "data/", "data/raw/*.csv", 0);
	check("data/raw/a.bin", "data/", "data/raw/*.csv", 1);
	/* the same pattern on both sides: out */
	check("a.bin", "*.bin", "*.bin", 0);
	check("data/x", "data/", "data/", 0);
	/* not included stays out whatever the exclude */
	check("a.csv", "*.bin", "*.txt", 0);
	check("a.csv", "*.bin", "", 0);
}

static void test_sync__comma_lists(void **state)
{
	(void)state;
	wanted("a.bin", "*.bin,*.csv");
	wanted("a.csv", "*.bin,*.csv");
	unwanted("a.txt", "*.bin,*.csv");
	/* spaces after commas (and at the start) are ignored */
	wanted("a.csv", "*.bin, *.csv");
	wanted("a.csv", "*.bin,   *.csv");
	wanted("a.bin", "  *.bin");
	wanted("x/a.csv", "data/, *.csv, models/**");
	wanted("models/m/w", "data/, *.csv, models/**");
	wanted("data/q", "data/, *.csv, models/**");
	unwanted("q.bin", "data/, *.csv, models/**");
	/* empty items are skipped, not matched */
	wanted("a.bin", ",*.bin");
	wanted("a.bin", "*.bin,");
	wanted("a.bin", "*.csv,,*.bin");
	wanted("a.bin", "*.csv, ,*.bin");
	check("a.bin", NULL, "*.csv, ,*.bin", 0);
	check("a.txt", NULL, "*.csv, ,*.bin", 1);
	check("a.txt", NULL, ",", 1);
	/* more than one exclude */
	check("a.bin", "*", "*.csv, *.bin", 0);
	check("a.txt", "*", "*.csv, *.bin", 1);
}

/* Inputs are not changed (the patterns are split on a copy). */
static void test_sync__patterns_untouched(void **state)
{
	char include[] = "data/, *.bin";
	char exclude[] = "big/, *.tmp";

	(void)state;
	check("data/x.bin", include, exclude, 1);
	check("big/x.bin", include, exclude, 0);
	assert_string_equal(include, "data/, *.bin");
	assert_string_equal(exclude, "big/, *.tmp");
}

/* Odd paths and patterns neither crash nor match by accident. */
static void test_sync__odd_inputs(void **state)
{
	char longpath[4096 + 8];
	size_t i;

	(void)state;
	unwanted("", "*.bin");
	unwanted("", "data/");
	unwanted("", "a/b");
	check("", NULL, NULL, 1);
	unwanted("a.bin", "/");
	unwanted("a/b", "//");
	unwanted("data\\x", "data/");
	wanted("a b/c d.bin", "*.bin");
	wanted("a b/c d.bin", "a b/");
	wanted("caf\xc3\xa9/x.bin", "caf\xc3\xa9/");
	wanted("a/x", "[ab]");
	for (i = 0; i + 2 < sizeof(longpath) - 8; i += 2)
		memcpy(longpath + i, "d/", 2);
	memcpy(longpath + i, "x.bin", 6);
	wanted(longpath, "*.bin");
	wanted(longpath, "d/");
	wanted(longpath, "d/**");
	unwanted(longpath, "*.csv");
	unwanted(longpath, "e/");
}

static void test_sync__list_add(void **state)
{
	struct mlv_sync_list l = MLV_SYNC_LIST_INIT;
	char path[] = "models/a.bin";

	(void)state;
	mlv_sync_list_add(&l, OID_B, 12345, path);
	mlv_sync_list_add(&l, OID_A, 0, NULL);
	mlv_sync_list_add(&l, OID_C, UINT64_MAX, "");
	assert_int_equal(l.n, 3);
	assert_true(l.alloc >= 3);
	assert_string_equal(l.items[0].oid, OID_B);
	assert_true(l.items[0].size == 12345);
	/* the path is copied */
	assert_string_equal(l.items[0].path, "models/a.bin");
	assert_ptr_not_equal(l.items[0].path, path);
	path[0] = 'X';
	assert_string_equal(l.items[0].path, "models/a.bin");
	assert_null(l.items[1].path);
	assert_true(l.items[1].size == 0);
	assert_string_equal(l.items[2].path, "");
	assert_true(l.items[2].size == UINT64_MAX);
	mlv_sync_list_release(&l);
	assert_null(l.items);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.alloc, 0);
	/* released is empty again, and usable */
	mlv_sync_list_release(&l);
	mlv_sync_list_add(&l, OID_A, 1, "x");
	assert_int_equal(l.n, 1);
	mlv_sync_list_release(&l);
}

/* An oid longer than 64 is cut to fit; a shorter one is kept whole. */
static void test_sync__list_add_oid_bounds(void **state)
{
	struct mlv_sync_list l = MLV_SYNC_LIST_INIT;

	(void)state;
	mlv_sync_list_add(&l, OID_A "ffff", 1, "a");
	mlv_sync_list_add(&l, "abc", 2, "b");
	mlv_sync_list_add(&l, "", 3, "c");
	assert_string_equal(l.items[0].oid, OID_A);
	assert_string_equal(l.items[1].oid, "abc");
	assert_string_equal(l.items[2].oid, "");
	mlv_sync_list_release(&l);
}

static void test_sync__uniq_empty_and_single(void **state)
{
	struct mlv_sync_list l = MLV_SYNC_LIST_INIT;

	(void)state;
	mlv_sync_list_uniq(&l);
	assert_int_equal(l.n, 0);
	mlv_sync_list_add(&l, OID_B, 7, "only");
	mlv_sync_list_uniq(&l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].oid, OID_B);
	assert_string_equal(l.items[0].path, "only");
	mlv_sync_list_release(&l);
}

static void test_sync__find_in_sorted_list(void **state)
{
	struct mlv_sync_list l = MLV_SYNC_LIST_INIT;

	(void)state;
	assert_null(mlv_sync_list_find(&l, OID_A));
	mlv_sync_list_add(&l, OID_C, 3, "c");
	mlv_sync_list_add(&l, OID_A, 1, "a");
	mlv_sync_list_uniq(&l);
	assert_string_equal(mlv_sync_list_find(&l, OID_A)->path, "a");
	assert_string_equal(mlv_sync_list_find(&l, OID_C)->path, "c");
	assert_null(mlv_sync_list_find(&l, OID_B));
	mlv_sync_list_release(&l);
}

static void test_sync__uniq_sorts_and_dedupes(void **state)
{
	struct mlv_sync_list l = MLV_SYNC_LIST_INIT;

	(void)state;
	mlv_sync_list_add(&l, OID_C, 3, "c1");
	mlv_sync_list_add(&l, OID_A, 1, "a1");
	mlv_sync_list_add(&l, OID_B, 2, "b1");
	mlv_sync_list_add(&l, OID_A, 1, "a2");
	mlv_sync_list_add(&l, OID_C, 3, NULL);
	mlv_sync_list_add(&l, OID_A, 1, "a3");
	mlv_sync_list_uniq(&l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].oid, OID_A);
	assert_string_equal(l.items[1].oid, OID_B);
	assert_string_equal(l.items[2].oid, OID_C);
	assert_true(l.items[0].size == 1);
	assert_true(l.items[1].size == 2);
	assert_true(l.items[2].size == 3);
	/* one of the paths that named the object */
	assert_non_null(l.items[0].path);
	assert_true(!strcmp(l.items[0].path, "a1") || !strcmp(l.items[0].path, "a2") ||
		    !strcmp(l.items[0].path, "a3"));
	assert_string_equal(l.items[1].path, "b1");
	assert_true(!l.items[2].path || !strcmp(l.items[2].path, "c1"));
	/* uniq twice changes nothing */
	mlv_sync_list_uniq(&l);
	assert_int_equal(l.n, 3);
	mlv_sync_list_release(&l);
}

static void test_sync__uniq_all_same(void **state)
{
	struct mlv_sync_list l = MLV_SYNC_LIST_INIT;
	char path[32];
	size_t i;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "copy/%zu.bin", i);
		mlv_sync_list_add(&l, OID_B, 42, path);
	}
	mlv_sync_list_uniq(&l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].oid, OID_B);
	assert_non_null(l.items[0].path);
	assert_int_equal(strncmp(l.items[0].path, "copy/", 5), 0);
	mlv_sync_list_release(&l);
}

/* Many objects, many repeats: sorted, each oid once (and no leaks under ASan). */
static void test_sync__uniq_many(void **state)
{
	struct mlv_sync_list l = MLV_SYNC_LIST_INIT;
	char oid[65], path[32];
	size_t i;
	uint32_t seed = 12345;

	(void)state;
	for (i = 0; i < 5000; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(oid, sizeof(oid), "%064x", (unsigned)((seed >> 16) % 700));
		snprintf(path, sizeof(path), "f/%zu", i);
		mlv_sync_list_add(&l, oid, (seed >> 16) % 700, path);
	}
	mlv_sync_list_uniq(&l);
	assert_true(l.n > 600 && l.n <= 700);
	for (i = 0; i < l.n; i++) {
		assert_int_equal(strlen(l.items[i].oid), 64);
		assert_true(l.items[i].size == strtoull(l.items[i].oid, NULL, 16));
		assert_non_null(l.items[i].path);
		if (i)
			assert_true(strcmp(l.items[i - 1].oid, l.items[i].oid) < 0);
	}
	/* the list grows again after uniq */
	mlv_sync_list_add(&l, OID_A, 1, "late");
	assert_string_equal(l.items[l.n - 1].path, "late");
	mlv_sync_list_release(&l);
}

/* The cases the first matcher got wrong: anchoring, directories, "**",
 * and lists with stray separators. */
static void test_sync__gitignore_semantics(void **state)
{
	(void)state;
	check("sub/data/x", "/data/", NULL, 0);
	check("data/x", "/data/", NULL, 1);
	check("x/raw/y", "/raw", NULL, 0);
	check("d/a.bin", "/a.bin", NULL, 0);
	check("a.bin", "/a.bin", NULL, 1);
	check("x/data/raw/y", "data/raw/", NULL, 0);
	check("data/raw/y", "data/raw/", NULL, 1);
	check("data/x", "dat*/", NULL, 1);
	check("data", "data/", NULL, 0);
	check("foo", "**/foo", NULL, 1);
	check("a/b/foo/c", "**/foo", NULL, 1);
	check("a/b", "a/**/b", NULL, 1);
	check("data/x/y/raw/z.bin", "data/**/raw", NULL, 1);
	check("a/b/x/c/d", "a/*/c/**", NULL, 0);
	check("a/b/c/d", "a/*/c/**", NULL, 1);
	check("a.bin", "*.bin ,*.csv", NULL, 1);
	check("a.bin", ",", NULL, 1);
	check("x", " ", NULL, 1);
	check("b.bin", "[ab].bin", NULL, 1);
	check("c.bin", "[ab].bin", NULL, 0);
	check("a.bin", NULL, " , ", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync__no_patterns),
		cmocka_unit_test(test_sync__basename_glob),
		cmocka_unit_test(test_sync__component_name),
		cmocka_unit_test(test_sync__directory_pattern),
		cmocka_unit_test(test_sync__anchored_directory),
		cmocka_unit_test(test_sync__path_glob),
		cmocka_unit_test(test_sync__double_star),
		cmocka_unit_test(test_sync__exclude_wins),
		cmocka_unit_test(test_sync__comma_lists),
		cmocka_unit_test(test_sync__patterns_untouched),
		cmocka_unit_test(test_sync__odd_inputs),
		cmocka_unit_test(test_sync__gitignore_semantics),
		cmocka_unit_test(test_sync__list_add),
		cmocka_unit_test(test_sync__list_add_oid_bounds),
		cmocka_unit_test(test_sync__uniq_empty_and_single),
		cmocka_unit_test(test_sync__find_in_sorted_list),
		cmocka_unit_test(test_sync__uniq_sorts_and_dedupes),
		cmocka_unit_test(test_sync__uniq_all_same),
		cmocka_unit_test(test_sync__uniq_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
