/* Unit tests for include/mlv/quote.h: words for the user to paste. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mlv/buf.h"
#include "mlv/quote.h"

/* Names that would do harm if pasted unquoted. */
static const char *const hostile[] = {
	"",
	"plain.onnx",
	"with space.onnx",
	"x';touch PWNED;'.onnx",
	"'",
	"''",
	"a'b'c",
	"$(touch PWNED)",
	"`touch PWNED`",
	"a;touch PWNED",
	"nl\ninside",
	"\n",
	"back\\slash\\",
	"-rf",
	"--force",
	"-",
	"#comment",
	"*.onnx",
	"tab\there",
	"\"double\"",
	"!history",
	"~user",
	"a&b|c>d<e",
};

/* What `sh -c 'printf %s <word>'` prints for `word`, in `out`. */
static void through_sh(struct mlv_buf *out, const char *word)
{
	struct mlv_buf cmd = MLV_BUF_INIT;
	char chunk[256];
	size_t n;
	FILE *p;

	mlv_buf_printf(&cmd, "printf %%s %s", word);
	p = popen(cmd.ptr, "r");
	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		mlv_buf_put(out, chunk, n);
	assert_int_equal(pclose(p), 0);
	mlv_buf_release(&cmd);
}

static void test_quote__exact_bytes(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	mlv_quote_shell(&b, "plain");
	assert_string_equal(b.ptr, "'plain'");
	mlv_buf_clear(&b);
	mlv_quote_shell(&b, "it's");
	assert_string_equal(b.ptr, "'it'\\''s'");
	mlv_buf_clear(&b);
	mlv_quote_shell(&b, "");
	assert_string_equal(b.ptr, "''");
	mlv_buf_clear(&b);
	mlv_quote_shell(&b, "'");
	assert_string_equal(b.ptr, "''\\'''");
	mlv_buf_clear(&b);
	mlv_quote_shell(&b, "-x");
	assert_string_equal(b.ptr, "'-x'");
	mlv_buf_release(&b);
}

static void test_quote__path_with_leading_dash(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	assert_string_equal(mlv_quote_path(&b, "-rf"), "./'-rf'");
	assert_string_equal(mlv_quote_path(&b, "models/-x.onnx"), "'models/-x.onnx'");
	assert_string_equal(mlv_quote_path(&b, "a b"), "'a b'");
	/* mlv_quote_path replaces, mlv_quote_shell_path appends */
	mlv_buf_sets(&b, "git add ");
	mlv_quote_shell_path(&b, "--force");
	assert_string_equal(b.ptr, "git add ./'--force'");
	mlv_buf_release(&b);
}

static void test_quote__pathspec_is_literal(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	assert_string_equal(mlv_quote_pathspec(&b, "models/a.onnx"), "'models/a.onnx'");
	assert_string_equal(mlv_quote_pathspec(&b, "-x.onnx"), "./'-x.onnx'");
	assert_string_equal(mlv_quote_pathspec(&b, "*.onnx"), "':(literal)*.onnx'");
	assert_string_equal(mlv_quote_pathspec(&b, "a[1].onnx"), "':(literal)a[1].onnx'");
	assert_string_equal(mlv_quote_pathspec(&b, "a?b"), "':(literal)a?b'");
	assert_string_equal(mlv_quote_pathspec(&b, "back\\slash"), "':(literal)back\\slash'");
	assert_string_equal(mlv_quote_pathspec(&b, ":x.onnx"), "':(literal):x.onnx'");
	assert_string_equal(mlv_quote_pathspec(&b, "it's*"), "':(literal)it'\\''s*'");
	mlv_buf_release(&b);
}

/* sh reads every quoted name back as one word with the same bytes. */
static void test_quote__sh_reads_back_the_same_bytes(void **state)
{
	struct mlv_buf q = MLV_BUF_INIT, out = MLV_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hostile) / sizeof(*hostile); i++) {
		mlv_buf_clear(&q);
		mlv_buf_clear(&out);
		mlv_quote_shell(&q, hostile[i]);
		through_sh(&out, q.ptr);
		assert_int_equal(out.len, strlen(hostile[i]));
		assert_memory_equal(out.ptr, hostile[i], out.len);

		mlv_buf_clear(&out);
		mlv_quote_path(&q, hostile[i]);
		through_sh(&out, q.ptr);
		if (hostile[i][0] == '-') {
			assert_int_equal(out.len, strlen(hostile[i]) + 2);
			assert_memory_equal(out.ptr, "./", 2);
			assert_memory_equal(out.ptr + 2, hostile[i], out.len - 2);
		} else {
			assert_int_equal(out.len, strlen(hostile[i]));
			assert_memory_equal(out.ptr, hostile[i], out.len);
		}
	}
	assert_int_equal(access("PWNED", F_OK), -1);
	mlv_buf_release(&q);
	mlv_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote__exact_bytes),
		cmocka_unit_test(test_quote__path_with_leading_dash),
		cmocka_unit_test(test_quote__pathspec_is_literal),
		cmocka_unit_test(test_quote__sh_reads_back_the_same_bytes),
	};
	char dir[] = "/tmp/mlv-test-quote.XXXXXX";
	int rc;

	/* a PWNED file, were one made, lands here and is seen */
	if (!mkdtemp(dir) || chdir(dir) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink("PWNED");
	rmdir(dir);
	return rc;
}
