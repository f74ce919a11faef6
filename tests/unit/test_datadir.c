/*
 * Unit tests for include/mlv/datadir.h: the manifest of a data directory
 * from a tree and from the index, the problems that refuse one, the cache
 * of blob and tree hashes, and the description of what changed.
 */
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
#include <git2.h>

#include "mlv/buf.h"
#include "mlv/datadir.h"
#include "mlv/error.h"
#include "mlv/problems.h"
#include "mlv/util.h"

#include "helpers.h"

#define HEX1 "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
#define HEX2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POINTER(hex, size) \
	"version https://git-lfs.github.com/spec/v1\noid sha256:" hex "\nsize " size "\n"
#define EMPTY_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct fixture {
	char dir[64];
	git_repository *repo;
	git_index *index; /* in memory: what the trees are written from */
	git_tree *tree;
};

static void add_entry(struct fixture *f, const char *path, unsigned mode,
		      const char *content)
{
	git_index_entry e;
	git_oid id;

	memset(&e, 0, sizeof(e));
	if (mode == GIT_FILEMODE_COMMIT)
		assert_int_equal(git_oid_fromstr(&id, "9fceb02d0ae598e95dc970b74767f19372d61af8"), 0);
	else
		assert_int_equal(git_blob_create_from_buffer(&id, f->repo, content,
							     strlen(content)), 0);
	e.path = path;
	e.mode = mode;
	git_oid_cpy(&e.id, &id);
	assert_int_equal(git_index_add(f->index, &e), 0);
}

static void add_file(struct fixture *f, const char *path, const char *content)
{
	add_entry(f, path, GIT_FILEMODE_BLOB, content);
}

/* f->tree from f->index. */
static void write_tree(struct fixture *f)
{
	git_oid id;

	git_tree_free(f->tree);
	f->tree = NULL;
	assert_int_equal(git_index_write_tree_to(&id, f->index, f->repo), 0);
	assert_int_equal(git_tree_lookup(&f->tree, f->repo, &id), 0);
}

/*
 * data/img/ holds two mlv files (one two directories down), two plain
 * files and an empty one; beside it are paths that share its prefix.
 */
static void add_images(struct fixture *f)
{
	add_file(f, "data/img/a/b.png", POINTER(HEX1, "12345"));
	add_file(f, "data/img/a/c/deep.bin", POINTER(HEX2, "7"));
	add_file(f, "data/img/a.b", "dot\n");
	add_file(f, "data/img/z.txt", "zz\n");
	add_file(f, "data/img/empty", "");
	add_file(f, "data/img2/x", "not in it\n");
	add_file(f, "data/img.txt", "not in it either\n");
	add_file(f, "data/other.csv", "id\n");
	write_tree(f);
}

/* The manifest of add_images(), built here without mlv. */
static void expected_manifest(struct mlv_buf *out)
{
	char dot[MLV_OID_HEXSZ + 1], zz[MLV_OID_HEXSZ + 1];

	test_hash_hex(dot, "dot\n", 4);
	test_hash_hex(zz, "zz\n", 3);
	mlv_buf_printf(out, "%s 4 a.b\n", dot);
	mlv_buf_printf(out, "%s 12345 a/b.png\n", HEX1);
	mlv_buf_printf(out, "%s 7 a/c/deep.bin\n", HEX2);
	mlv_buf_printf(out, "%s 0 empty\n", EMPTY_HEX);
	mlv_buf_printf(out, "%s 3 z.txt\n", zz);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mlv-datadir-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	if (git_repository_init(&f->repo, f->dir, 1) < 0 ||
	    git_index_new(&f->index) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	git_tree_free(f->tree);
	git_index_free(f->index);
	git_repository_free(f->repo);
	test_remove_tree(f->dir);
	free(f);
	return 0;
}

static void assert_manifest(const struct mlv_datadir *d)
{
	struct mlv_buf want = MLV_BUF_INIT, got = MLV_BUF_INIT;
	char hex[MLV_OID_HEXSZ + 1];

	expected_manifest(&want);
	assert_int_equal(mlv_datadir_format(&got, d), 0);
	assert_string_equal(got.ptr, want.ptr);
	test_hash_hex(hex, want.ptr, want.len);
	assert_string_equal(d->oid, hex);
	assert_int_equal(d->n, 5);
	assert_int_equal(d->count, 5);
	assert_int_equal(d->size, 4 + 12345 + 7 + 0 + 3);
	mlv_buf_release(&want);
	mlv_buf_release(&got);
}

static void test_datadir__from_tree(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	add_images(f);
	assert_int_equal(mlv_datadir_from_tree(&d, &problems, f->repo, f->tree,
					       "data/img/"), 0);
	assert_int_equal(problems.n, 0);
	assert_manifest(&d);
	/* the relative path, and git's blob id */
	assert_string_equal(d.files[1].path, "a/b.png");
	assert_false(git_oid_is_zero(&d.files[1].blob));
	mlv_datadir_release(&d);
	mlv_problems_release(&problems);
}

static void test_datadir__from_index(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	add_images(f);
	assert_int_equal(mlv_datadir_from_index(&d, &problems, f->repo, f->index,
						"data/img/"), 0);
	assert_int_equal(problems.n, 0);
	assert_manifest(&d);
	mlv_datadir_release(&d);
	mlv_problems_release(&problems);
}

/* A file added with `git add -N` is not part of the commit, so not of
 * the manifest. */
static void test_datadir__intent_to_add_left_out(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	git_index_entry e;

	add_images(f);
	memset(&e, 0, sizeof(e));
	e.path = "data/img/later.png";
	e.mode = GIT_FILEMODE_BLOB;
	e.flags_extended = GIT_INDEX_ENTRY_INTENT_TO_ADD;
	assert_int_equal(git_blob_create_from_buffer(&e.id, f->repo, "", 0), 0);
	assert_int_equal(git_index_add(f->index, &e), 0);
	assert_int_equal(mlv_datadir_from_index(&d, &problems, f->repo, f->index,
						"data/img/"), 0);
	assert_manifest(&d);
	mlv_datadir_release(&d);
	mlv_problems_release(&problems);
}

static void assert_one_problem(struct mlv_problems *p, const char *needle)
{
	if (p->n != 1 || !strstr(p->items[0], needle))
		fail_msg("expected one problem with \"%s\", got %zu: %s", needle,
			 p->n, p->n ? p->items[0] : "");
}

/* Refused, with `out` empty and one problem holding `needle`, both from
 * the tree and from the index. */
static void assert_refused(struct fixture *f, const char *dir, const char *needle)
{
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	write_tree(f);
	assert_int_equal(mlv_datadir_from_tree(&d, &problems, f->repo, f->tree, dir),
			 MLV_EINVALID);
	assert_one_problem(&problems, needle);
	assert_int_equal(d.n, 0);
	assert_null(d.files);
	mlv_problems_release(&problems);
	assert_int_equal(mlv_datadir_from_index(&d, &problems, f->repo, f->index,
						dir), MLV_EINVALID);
	assert_one_problem(&problems, needle);
	assert_int_equal(d.n, 0);
	mlv_problems_release(&problems);
}

static void test_datadir__symlink_refused(void **state)
{
	struct fixture *f = *state;

	add_images(f);
	add_entry(f, "data/img/a/link", GIT_FILEMODE_LINK, "../../../etc/passwd");
	assert_refused(f, "data/img/", "'data/img/a/link' is a symbolic link");
}

static void test_datadir__submodule_refused(void **state)
{
	struct fixture *f = *state;

	add_images(f);
	add_entry(f, "data/img/sub", GIT_FILEMODE_COMMIT, NULL);
	assert_refused(f, "data/img/", "'data/img/sub' is a submodule");
}

static void test_datadir__newline_refused(void **state)
{
	struct fixture *f = *state;

	add_images(f);
	add_file(f, "data/img/two\nlines.png", "x");
	assert_refused(f, "data/img/", "'data/img/two\\nlines.png' has a line break");
}

static void test_datadir__newline_in_a_directory_name(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	add_images(f);
	add_file(f, "data/img/bad\ndir/1", "1");
	add_file(f, "data/img/bad\ndir/2", "2");
	write_tree(f);
	/* from a tree, the directory is named once */
	assert_int_equal(mlv_datadir_from_tree(&d, &problems, f->repo, f->tree,
					       "data/img/"), MLV_EINVALID);
	assert_one_problem(&problems, "'data/img/bad\\ndir/' has a line break");
	mlv_problems_release(&problems);
}

static void test_datadir__missing_and_not_a_directory(void **state)
{
	struct fixture *f = *state;

	add_images(f);
	assert_refused(f, "nothing/here/", "data directory 'nothing/here/'");
	assert_refused(f, "data/other.csv/", "'data/other.csv' is a file");
	assert_refused(f, "data/other.csv/x/", "'data/other.csv' is a file");
}

static void test_datadir__missing_wording(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	add_images(f);
	assert_int_equal(mlv_datadir_from_tree(&d, &problems, f->repo, f->tree,
					       "data/im/"), MLV_EINVALID);
	assert_one_problem(&problems, "data directory 'data/im/' is not in this commit");
	mlv_problems_release(&problems);
	assert_int_equal(mlv_datadir_from_index(&d, &problems, f->repo, f->index,
						"data/im/"), MLV_EINVALID);
	assert_one_problem(&problems, "has no file in the index; git add it");
	mlv_problems_release(&problems);
}

static void test_datadir__many_problems_counted(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	char path[64];
	int i;

	add_images(f);
	for (i = 0; i < 15; i++) {
		snprintf(path, sizeof(path), "data/img/l%02d", i);
		add_entry(f, path, GIT_FILEMODE_LINK, "x");
	}
	write_tree(f);
	assert_int_equal(mlv_datadir_from_tree(&d, &problems, f->repo, f->tree,
					       "data/img/"), MLV_EINVALID);
	assert_int_equal(problems.n, 11);
	assert_non_null(strstr(problems.items[0], "'data/img/l00'"));
	assert_string_equal(problems.items[10],
			    "... and 5 more like these under 'data/img/'");
	mlv_problems_release(&problems);
}

static void test_datadir__unmerged_refused(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	git_index_entry ours, theirs;

	add_images(f);
	memset(&ours, 0, sizeof(ours));
	ours.path = "data/img/both.csv";
	ours.mode = GIT_FILEMODE_BLOB;
	assert_int_equal(git_blob_create_from_buffer(&ours.id, f->repo, "1", 1), 0);
	theirs = ours;
	assert_int_equal(git_blob_create_from_buffer(&theirs.id, f->repo, "2", 1), 0);
	assert_int_equal(git_index_conflict_add(f->index, NULL, &ours, &theirs), 0);
	assert_int_equal(mlv_datadir_from_index(&d, &problems, f->repo, f->index,
						"data/img/"), MLV_EINVALID);
	assert_one_problem(&problems, "'data/img/both.csv' is unmerged");
	mlv_problems_release(&problems);
}

static void test_datadir__bad_argument(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	add_images(f);
	assert_int_equal(mlv_datadir_from_tree(&d, &problems, f->repo, f->tree,
					       "data/img"), MLV_ERROR);
	assert_int_equal(problems.n, 0);
	assert_non_null(strstr(mlv_error_last(), "ending in '/'"));
}

static void cache_file(char *out, size_t len, const struct fixture *f,
		       const char *name)
{
	snprintf(out, len, "%s/mlv/cache/%s", f->dir, name);
}

static void loose_object(char *out, size_t len, const struct fixture *f,
			 const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	snprintf(out, len, "%s/objects/%.2s/%s", f->dir, hex, hex + 2);
}

static void flip_byte(const char *path, off_t at)
{
	int fd = open(path, O_RDWR);
	unsigned char c;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, at), 1);
	c ^= 0x40;
	assert_int_equal(pwrite(fd, &c, 1, at), 1);
	close(fd);
}

/* The tree's manifest through a new cache, which is then saved. */
static int through_cache(struct mlv_datadir *d, struct fixture *f, int summary)
{
	struct mlv_datadir_cache *cache = NULL;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	int err;

	assert_int_equal(mlv_datadir_cache_new(&cache, f->repo), 0);
	err = summary ? mlv_datadir_summary_from_tree(d, &problems, cache, f->tree,
						      "data/img/") :
			mlv_datadir_from_tree_cached(d, &problems, cache, f->tree,
						     "data/img/");
	if (!err)
		assert_int_equal(mlv_datadir_cache_save(cache), 0);
	mlv_datadir_cache_free(cache);
	mlv_problems_release(&problems);
	return err;
}

/*
 * What a blob hashes to is kept beside the repository: once known, its
 * object is not needed again. A damaged cache file is never believed.
 */
static void test_datadir__blob_cache(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir d = MLV_DATADIR_INIT;
	char blobs[128], object[128];
	struct stat st;

	add_images(f);
	cache_file(blobs, sizeof(blobs), f, "datadir-blobs");
	assert_int_equal(through_cache(&d, f, 0), 0);
	assert_manifest(&d);
	assert_int_equal(stat(blobs, &st), 0);
	/* header, 5 records of 60 bytes, seal */
	assert_int_equal(st.st_size, 16 + 5 * 60 + 32);

	/* a flipped bit: ignored, recomputed, rewritten */
	flip_byte(blobs, 16 + 60 + 30);
	mlv_datadir_release(&d);
	assert_int_equal(through_cache(&d, f, 0), 0);
	assert_manifest(&d);

	/* the object gone: the cache answers */
	loose_object(object, sizeof(object), f, &d.files[1].blob);
	assert_int_equal(unlink(object), 0);
	mlv_datadir_release(&d);
	assert_int_equal(through_cache(&d, f, 0), 0);
	assert_manifest(&d);

	/* and a cut cache file is not believed: the object is needed again */
	assert_int_equal(truncate(blobs, st.st_size - 1), 0);
	mlv_datadir_release(&d);
	assert_int_equal(through_cache(&d, f, 0), MLV_ENOTFOUND);
	assert_non_null(strstr(mlv_error_last(), "cannot read 'data/img/a/b.png'"));
	assert_null(d.files);
}

/* A directory tree seen before is answered from the tree cache, without
 * its file list. */
static void test_datadir__tree_cache(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir full = MLV_DATADIR_INIT, sum = MLV_DATADIR_INIT;
	char trees[128];
	struct stat st;

	add_images(f);
	assert_int_equal(through_cache(&sum, f, 1), 0); /* computed */
	assert_manifest(&sum);
	cache_file(trees, sizeof(trees), f, "datadir-trees");
	assert_int_equal(stat(trees, &st), 0);
	assert_int_equal(st.st_size, 16 + 68 + 32);
	mlv_datadir_release(&sum);
	assert_int_equal(through_cache(&sum, f, 1), 0); /* from the cache */
	assert_int_equal(sum.n, 0);
	assert_null(sum.files);
	assert_int_equal(sum.count, 5);
	assert_int_equal(sum.size, 4 + 12345 + 7 + 3);
	assert_int_equal(through_cache(&full, f, 0), 0);
	assert_string_equal(sum.oid, full.oid);
	mlv_datadir_release(&full);
	mlv_datadir_release(&sum);

	/* another version of the directory is another tree */
	add_file(f, "data/img/new", "new\n");
	write_tree(f);
	assert_int_equal(through_cache(&sum, f, 1), 0);
	assert_int_equal(sum.count, 6);
	assert_int_equal(sum.n, 6);
	mlv_datadir_release(&sum);
}

/*
 * Enough files that the blobs are read by several threads: the manifest
 * is the same, and a blob that cannot be read is named whichever thread
 * met it.
 */
static void test_datadir__many_files(void **state)
{
	struct fixture *f = *state;
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf want = MLV_BUF_INIT, got = MLV_BUF_INIT, content = MLV_BUF_INIT;
	char path[64], hex[MLV_OID_HEXSZ + 1], object[128];
	const git_index_entry *e;
	int i;

	for (i = 0; i < 600; i++) {
		mlv_buf_clear(&content);
		snprintf(path, sizeof(path), "big/%03d/f%03d", i / 100, i);
		if (i % 2) {
			mlv_buf_printf(&content, "plain %d\n", i);
			test_hash_hex(hex, content.ptr, content.len);
			mlv_buf_printf(&want, "%s %zu %03d/f%03d\n", hex, content.len,
				       i / 100, i);
		} else {
			test_hash_hex(hex, &i, sizeof(i));
			mlv_buf_printf(&content, POINTER("%s", "%d"), hex, i + 1);
			mlv_buf_printf(&want, "%s %d %03d/f%03d\n", hex, i + 1, i / 100, i);
		}
		add_file(f, path, content.ptr);
	}
	write_tree(f);
	assert_int_equal(mlv_datadir_from_tree(&d, &problems, f->repo, f->tree, "big/"), 0);
	mlv_datadir_format(&got, &d);
	assert_string_equal(got.ptr, want.ptr);
	assert_int_equal(d.count, 600);
	mlv_datadir_release(&d);

	/* a blob gone, and no cache that knows it */
	assert_non_null(e = git_index_get_bypath(f->index, "big/004/f417", 0));
	loose_object(object, sizeof(object), f, &e->id);
	assert_int_equal(unlink(object), 0);
	cache_file(object, sizeof(object), f, "datadir-blobs");
	assert_int_equal(unlink(object), 0);
	assert_int_equal(mlv_datadir_from_index(&d, &problems, f->repo, f->index,
						"big/"), MLV_ENOTFOUND);
	assert_non_null(strstr(mlv_error_last(), "cannot read 'big/004/f417'"));
	assert_null(d.files);
	assert_int_equal(problems.n, 0);
	mlv_buf_release(&want);
	mlv_buf_release(&got);
	mlv_buf_release(&content);
}

static void set_file(struct mlv_datadir_file *file, const char *path,
		     const char *hex, uint64_t size)
{
	memset(file, 0, sizeof(*file));
	file->path = mlv_xstrdup(path);
	memcpy(file->oid, hex, MLV_OID_HEXSZ + 1);
	file->size = size;
}

static void test_datadir__describe_changes(void **state)
{
	struct mlv_datadir before = MLV_DATADIR_INIT, after = MLV_DATADIR_INIT;
	struct mlv_buf out = MLV_BUF_INIT;

	(void)state;
	before.files = calloc(3, sizeof(*before.files));
	after.files = calloc(3, sizeof(*after.files));
	assert_non_null(before.files);
	assert_non_null(after.files);
	set_file(&before.files[0], "a", HEX1, 1);
	set_file(&before.files[1], "b", HEX2, 2);
	set_file(&before.files[2], "c", EMPTY_HEX, 0);
	before.n = before.alloc = 3;
	set_file(&after.files[0], "a", HEX2, 2);
	set_file(&after.files[1], "d", EMPTY_HEX, 0);
	set_file(&after.files[2], "e", HEX1, 9);
	after.n = after.alloc = 3;

	mlv_datadir_describe_changes(&out, &before, &after, "x/", 10);
	assert_string_equal(out.ptr, "4 files differ: 'x/a' changed, 'x/b' removed, "
			    "'x/c' renamed to 'x/d', 'x/e' added");
	mlv_buf_clear(&out);
	mlv_datadir_describe_changes(&out, &before, &after, "x/", 2);
	assert_string_equal(out.ptr, "4 files differ: 'x/a' changed, 'x/b' removed "
			    "and 2 more");
	mlv_buf_clear(&out);
	mlv_datadir_describe_changes(&out, &before, &before, "x/", 2);
	assert_string_equal(out.ptr, "");
	mlv_datadir_release(&before);
	mlv_datadir_release(&after);
	mlv_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_datadir__from_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datadir__from_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datadir__intent_to_add_left_out,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_datadir__symlink_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_datadir__submodule_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_datadir__newline_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_datadir__newline_in_a_directory_name,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_datadir__missing_and_not_a_directory,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_datadir__missing_wording, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_datadir__many_problems_counted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_datadir__unmerged_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_datadir__bad_argument, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_datadir__blob_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datadir__tree_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datadir__many_files, setup, teardown),
		cmocka_unit_test(test_datadir__describe_changes),
	};

	git_libgit2_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
