/* Unit tests for include/mlv/attributes.h: editing .gitattributes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mlv/attributes.h"
#include "mlv/error.h"

#define LINE(pat) pat " filter=mlv diff=mlv merge=mlv -text\n"
#define MODEL_LINE(pat) pat " filter=mlv diff=mlv merge=mlv -text mlv-model\n"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mlv-attr-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/.gitattributes", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct dirent *de;
	DIR *d = opendir(f->dir);

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[512];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void assert_file_is(const char *path, const char *text, size_t len)
{
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, (ssize_t)len);
	assert_memory_equal(buf, text, len);
}

/* Load an attributes file holding exactly `text`. */
static void load_text(struct mlv_attr_file *a, const struct fixture *f,
		      const char *text)
{
	write_file(f->path, text, strlen(text));
	assert_int_equal(mlv_attr_file_load(a, f->path), 0);
	assert_int_equal(a->text.len, strlen(text));
	assert_memory_equal(a->text.ptr, text, a->text.len);
}

static void assert_text(const struct mlv_attr_file *a, const char *want)
{
	assert_string_equal(a->text.ptr, want);
	assert_int_equal(a->text.len, strlen(want));
}

static int count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* The lowest free file descriptor: a leaked fd shows as a change in it. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

static void test_attributes__load_missing(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	assert_int_equal(mlv_attr_file_load(&a, f->path), 0);
	assert_int_equal(a.text.len, 0);
	assert_string_equal(a.path, f->path);
	mlv_attr_file_release(&a);
	assert_null(a.path);
	/* a missing file stays missing until saved */
	assert_int_equal(access(f->path, F_OK), -1);
}

static void test_attributes__load_error(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	/* a directory where the file should be is an error, not "empty" */
	assert_int_equal(mkdir(f->path, 0755), 0);
	mlv_error_clear();
	assert_int_equal(mlv_attr_file_load(&a, f->path), MLV_ERROR);
	assert_non_null(strstr(mlv_error_last(), f->path));
	mlv_attr_file_release(&a);
	assert_int_equal(rmdir(f->path), 0);
}

static void test_attributes__track_appends(void **state)
{
	static const char before[] = "# comment\n*.txt text eol=lf\n\n";
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	load_text(&a, f, before);
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 1);
	assert_text(&a, "# comment\n*.txt text eol=lf\n\n" LINE("*.bin"));
	assert_int_equal(mlv_attr_file_track(&a, "*.onnx", MLV_ATTR_MODEL), 1);
	assert_text(&a, "# comment\n*.txt text eol=lf\n\n" LINE("*.bin")
			MODEL_LINE("*.onnx"));
	mlv_attr_file_release(&a);
}

static void test_attributes__track_into_empty(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	assert_int_equal(mlv_attr_file_load(&a, f->path), 0);
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 1);
	assert_text(&a, LINE("*.bin"));
	mlv_attr_file_release(&a);
}

static void test_attributes__track_after_line_without_lf(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	load_text(&a, f, "*.txt text");
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 1);
	assert_text(&a, "*.txt text\n" LINE("*.bin"));
	mlv_attr_file_release(&a);
}

static void test_attributes__track_model_replaces_in_place(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	load_text(&a, f, "# top\n" LINE("*.bin") "*.txt text\n" LINE("*.pt"));
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", MLV_ATTR_MODEL), 1);
	assert_text(&a, "# top\n" MODEL_LINE("*.bin") "*.txt text\n" LINE("*.pt"));
	/* and back */
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 1);
	assert_text(&a, "# top\n" LINE("*.bin") "*.txt text\n" LINE("*.pt"));
	mlv_attr_file_release(&a);
}

static void test_attributes__track_rewrites_partial_line(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	/* a hand-written line that sets filter=mlv becomes the full line */
	load_text(&a, f, "a\n*.bin filter=mlv\nb\n");
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 1);
	assert_text(&a, "a\n" LINE("*.bin") "b\n");
	mlv_attr_file_release(&a);
}

static void test_attributes__track_twice_is_noop(void **state)
{
	static const char before[] = "# keep\n" LINE("*.bin") MODEL_LINE("*.onnx")
				     "*.txt text\n";
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	load_text(&a, f, before);
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 0);
	assert_text(&a, before);
	assert_int_equal(mlv_attr_file_track(&a, "*.onnx", MLV_ATTR_MODEL), 0);
	assert_text(&a, before);
	mlv_attr_file_release(&a);

	/* tracking a new pattern twice changes the text once */
	assert_int_equal(mlv_attr_file_load(&a, f->path), 0);
	assert_int_equal(mlv_attr_file_track(&a, "*.ckpt", 0), 1);
	assert_int_equal(mlv_attr_file_track(&a, "*.ckpt", 0), 0);
	assert_text(&a, "# keep\n" LINE("*.bin") MODEL_LINE("*.onnx")
			"*.txt text\n" LINE("*.ckpt"));
	mlv_attr_file_release(&a);
}

static void test_attributes__track_keeps_other_lines(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	/* a line for the same pattern without filter=mlv is not ours */
	load_text(&a, f, "*.bin -diff\r\n#\t*.bin filter=mlv\n   \n*.bin2 filter=mlv\n");
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 1);
	assert_text(&a, "*.bin -diff\r\n#\t*.bin filter=mlv\n   \n*.bin2 filter=mlv\n"
			LINE("*.bin"));
	mlv_attr_file_release(&a);
}

static void test_attributes__track_drops_duplicates(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	load_text(&a, f, LINE("*.bin") "x\n" LINE("*.bin"));
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 1);
	assert_text(&a, LINE("*.bin") "x\n");
	mlv_attr_file_release(&a);
}

static void test_attributes__untrack(void **state)
{
	static const char before[] =
		"# models live here\n"
		"\n"
		LINE("*.bin")
		"*.bin -diff\n"
		"  # indented   comment with  spaces \n"
		MODEL_LINE("*.onnx")
		LINE("*.bin2")
		"*.txt\ttext  eol=crlf\r\n"
		"# " LINE("*.bin")
		"last line without LF";
	static const char after[] =
		"# models live here\n"
		"\n"
		"*.bin -diff\n"
		"  # indented   comment with  spaces \n"
		MODEL_LINE("*.onnx")
		LINE("*.bin2")
		"*.txt\ttext  eol=crlf\r\n"
		"# " LINE("*.bin")
		"last line without LF";
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	load_text(&a, f, before);
	assert_int_equal(mlv_attr_file_untrack(&a, "*.bin"), 1);
	assert_text(&a, after);
	/* again: nothing left to remove, nothing changes */
	assert_int_equal(mlv_attr_file_untrack(&a, "*.bin"), 0);
	assert_text(&a, after);
	/* a pattern never tracked */
	assert_int_equal(mlv_attr_file_untrack(&a, "*.txt"), 0);
	assert_int_equal(mlv_attr_file_untrack(&a, "*.bi"), 0);
	assert_text(&a, after);
	/* a model pattern */
	assert_int_equal(mlv_attr_file_untrack(&a, "*.onnx"), 1);
	assert_int_equal(mlv_attr_file_untrack(&a, "*.bin2"), 1);
	assert_text(&a, "# models live here\n"
			"\n"
			"*.bin -diff\n"
			"  # indented   comment with  spaces \n"
			"*.txt\ttext  eol=crlf\r\n"
			"# " LINE("*.bin")
			"last line without LF");
	mlv_attr_file_release(&a);
}

static void test_attributes__untrack_all_copies(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	load_text(&a, f, LINE("*.bin") "a\n" MODEL_LINE("*.bin") "b");
	assert_int_equal(mlv_attr_file_untrack(&a, "*.bin"), 1);
	assert_text(&a, "a\nb");
	/* the last line, without LF */
	mlv_attr_file_release(&a);
	load_text(&a, f, "a\n*.bin filter=mlv");
	assert_int_equal(mlv_attr_file_untrack(&a, "*.bin"), 1);
	assert_text(&a, "a\n");
	mlv_attr_file_release(&a);
}

static void test_attributes__untrack_indented_line(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	/* git ignores whitespace before a pattern, so must we */
	load_text(&a, f, "a\n  \t*.bin filter=mlv diff=mlv\nb\n");
	assert_int_equal(mlv_attr_file_untrack(&a, "*.bin"), 1);
	assert_text(&a, "a\nb\n");
	mlv_attr_file_release(&a);
}

static void test_attributes__escape(void **state)
{
	char *s;

	(void)state;
	s = mlv_attr_escape_pattern("my models/*.bin");
	assert_string_equal(s, "my[[:space:]]models/*.bin");
	free(s);
	s = mlv_attr_escape_pattern(" a  b ");
	assert_string_equal(s, "[[:space:]]a[[:space:]][[:space:]]b[[:space:]]");
	free(s);
	s = mlv_attr_escape_pattern("*.bin");
	assert_string_equal(s, "*.bin");
	free(s);
	s = mlv_attr_escape_pattern("");
	assert_string_equal(s, "");
	free(s);
}

struct seen {
	char patterns[8][64];
	unsigned flags[8];
	int n;
	int stop_at;
};

static int collect(const struct mlv_attr_pattern *p, void *payload)
{
	struct seen *s = payload;

	assert_true(s->n < 8);
	snprintf(s->patterns[s->n], sizeof(s->patterns[0]), "%s", p->pattern);
	s->flags[s->n] = p->flags;
	s->n++;
	return s->n == s->stop_at ? 42 : 0;
}

static void test_attributes__escaped_pattern_round_trip(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;
	struct seen seen = { .n = 0 };
	char *pat = mlv_attr_escape_pattern("big data/*.bin");

	assert_int_equal(mlv_attr_file_load(&a, f->path), 0);
	assert_int_equal(mlv_attr_file_track(&a, pat, 0), 1);
	assert_text(&a, LINE("big[[:space:]]data/*.bin"));
	assert_int_equal(mlv_attr_file_foreach(&a, collect, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.patterns[0], "big[[:space:]]data/*.bin");
	assert_int_equal(mlv_attr_file_track(&a, pat, 0), 0);
	assert_int_equal(mlv_attr_file_untrack(&a, pat), 1);
	assert_text(&a, "");
	free(pat);
	mlv_attr_file_release(&a);
}

static void test_attributes__foreach(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;
	struct seen seen = { .n = 0 };

	load_text(&a, f, "# " LINE("*.no") LINE("*.bin") "*.txt text\n"
			 MODEL_LINE("*.onnx") "*.x diff=mlv\n"
			 "*.y filter=mlv-other\n" "*.z\tfilter=mlv\tmlv-model");
	assert_int_equal(mlv_attr_file_foreach(&a, collect, &seen), 0);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.patterns[0], "*.bin");
	assert_int_equal(seen.flags[0], 0);
	assert_string_equal(seen.patterns[1], "*.onnx");
	assert_int_equal(seen.flags[1], MLV_ATTR_MODEL);
	assert_string_equal(seen.patterns[2], "*.z");
	assert_int_equal(seen.flags[2], MLV_ATTR_MODEL);

	/* a non-zero return stops the walk and comes back */
	memset(&seen, 0, sizeof(seen));
	seen.stop_at = 2;
	assert_int_equal(mlv_attr_file_foreach(&a, collect, &seen), 42);
	assert_int_equal(seen.n, 2);
	mlv_attr_file_release(&a);
}

static void test_attributes__save(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;
	char link_path[256];
	struct stat before, after;

	load_text(&a, f, "*.txt text\n");
	/* a hard link keeps the old inode: an in-place rewrite would show in it */
	snprintf(link_path, sizeof(link_path), "%s/old-copy", f->dir);
	assert_int_equal(link(f->path, link_path), 0);
	assert_int_equal(stat(f->path, &before), 0);

	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 1);
	assert_int_equal(mlv_attr_file_save(&a), 0);
	assert_file_is(f->path, "*.txt text\n" LINE("*.bin"),
		       strlen("*.txt text\n" LINE("*.bin")));
	assert_int_equal(stat(f->path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	assert_true(S_ISREG(after.st_mode));
	assert_true(after.st_mode & S_IRUSR);
	assert_file_is(link_path, "*.txt text\n", strlen("*.txt text\n"));
	/* no temporary file left next to it */
	assert_int_equal(count_entries(f->dir), 2);
	mlv_attr_file_release(&a);

	/* what was saved loads back the same */
	assert_int_equal(mlv_attr_file_load(&a, f->path), 0);
	assert_text(&a, "*.txt text\n" LINE("*.bin"));
	mlv_attr_file_release(&a);
}

static void test_attributes__save_new_file(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	assert_int_equal(mlv_attr_file_load(&a, f->path), 0);
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", MLV_ATTR_MODEL), 1);
	assert_int_equal(mlv_attr_file_save(&a), 0);
	assert_file_is(f->path, MODEL_LINE("*.bin"), strlen(MODEL_LINE("*.bin")));
	assert_int_equal(count_entries(f->dir), 1);
	mlv_attr_file_release(&a);
}

static void test_attributes__save_into_missing_dir(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;
	char path[256];

	snprintf(path, sizeof(path), "%s/no/such/dir/.gitattributes", f->dir);
	assert_int_equal(mlv_attr_file_load(&a, path), 0);
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 1);
	mlv_error_clear();
	assert_int_equal(mlv_attr_file_save(&a), MLV_ERROR);
	assert_non_null(strstr(mlv_error_last(), path));
	assert_int_equal(count_entries(f->dir), 0);
	mlv_attr_file_release(&a);
}

static void test_attributes__failed_save_keeps_old_file(void **state)
{
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;
	struct rlimit old, small;
	void (*old_handler)(int);
	int fd_before, err;

	load_text(&a, f, "*.txt text\n");
	assert_int_equal(mlv_attr_file_track(&a, "*.bin", 0), 1);

	/* files may grow to 8 bytes only: the write fails half-way */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 8;
	old_handler = signal(SIGXFSZ, SIG_IGN);
	fd_before = lowest_free_fd();
	if (setrlimit(RLIMIT_FSIZE, &small) < 0) {
		signal(SIGXFSZ, old_handler);
		mlv_attr_file_release(&a);
		skip();
	}
	mlv_error_clear();
	err = mlv_attr_file_save(&a);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);

	assert_int_equal(err, MLV_ERROR);
	assert_true(strlen(mlv_error_last()) > 0);
	/* the old file is whole, no temp file is left, no fd leaked */
	assert_file_is(f->path, "*.txt text\n", strlen("*.txt text\n"));
	assert_int_equal(count_entries(f->dir), 1);
	assert_int_equal(lowest_free_fd(), fd_before);
	mlv_attr_file_release(&a);
}

static void test_attributes__from_lfs(void **state)
{
	static const char before[] =
		"# filter=lfs in a comment stays\n"
		"*.bin filter=lfs diff=lfs merge=lfs -text\n"
		"  *.dat\tfilter=lfs  diff=lfs merge=lfs -text lockable\r\n"
		"filter=lfs filter=lfs\n"
		"*.txt text filter=lfsx xfilter=lfs\n"
		"\n"
		"last filter=lfs";
	static const char after[] =
		"# filter=lfs in a comment stays\n"
		"*.bin filter=mlv diff=mlv merge=mlv -text\n"
		"  *.dat\tfilter=mlv  diff=mlv merge=mlv -text lockable\r\n"
		"filter=lfs filter=mlv\n"
		"*.txt text filter=lfsx xfilter=lfs\n"
		"\n"
		"last filter=mlv";
	struct fixture *f = *state;
	struct mlv_attr_file a = MLV_ATTR_FILE_INIT;

	load_text(&a, f, before);
	assert_int_equal(mlv_attr_file_from_lfs(&a), 4);
	assert_text(&a, after);
	/* again: nothing left to change */
	assert_int_equal(mlv_attr_file_from_lfs(&a), 0);
	assert_text(&a, after);
	mlv_attr_file_release(&a);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_attributes__load_missing),
		T(test_attributes__load_error),
		T(test_attributes__track_appends),
		T(test_attributes__track_into_empty),
		T(test_attributes__track_after_line_without_lf),
		T(test_attributes__track_model_replaces_in_place),
		T(test_attributes__track_rewrites_partial_line),
		T(test_attributes__track_twice_is_noop),
		T(test_attributes__track_keeps_other_lines),
		T(test_attributes__track_drops_duplicates),
		T(test_attributes__untrack),
		T(test_attributes__untrack_all_copies),
		T(test_attributes__untrack_indented_line),
		T(test_attributes__from_lfs),
		T(test_attributes__escape),
		T(test_attributes__escaped_pattern_round_trip),
		T(test_attributes__foreach),
		T(test_attributes__save),
		T(test_attributes__save_new_file),
		T(test_attributes__save_into_missing_dir),
		T(test_attributes__failed_save_keeps_old_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
