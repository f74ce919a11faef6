/* Unit tests for include/mlv/ini.h: INI text through inih, long lines whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlv/buf.h"
#include "mlv/ini.h"

/* What the line check and the handler saw. */
struct seen {
	struct mlv_buf entries; /* "LINE [section] key=value\n" per entry */
	struct mlv_buf lines;   /* "LINE:LENGTH\n" per line checked */
	unsigned line;
	unsigned refuse;        /* the check refuses this line (0: none) */
};

static int check(void *ctx, unsigned line, const char *text, size_t len)
{
	struct seen *s = ctx;

	(void)text;
	s->line = line;
	mlv_buf_printf(&s->lines, "%u:%zu\n", line, len);
	return line == s->refuse;
}

static int handler(void *ctx, const char *section, const char *key, const char *value)
{
	struct seen *s = ctx;

	mlv_buf_printf(&s->entries, "%u [%s] %s=%s\n", s->line, section, key, value);
	return 1;
}

/* Parse exactly `len` bytes held in a heap block of that size. */
static int parse(struct seen *s, const char *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, data, len);
	mlv_buf_clear(&s->entries);
	mlv_buf_clear(&s->lines);
	s->line = 0;
	rc = mlv_ini_parse(copy, len, check, handler, s);
	free(copy);
	return rc;
}

static void seen_release(struct seen *s)
{
	mlv_buf_release(&s->entries);
	mlv_buf_release(&s->lines);
}

static void test_ini__short_lines(void **state)
{
	static const char text[] = "; c\n[a]\nk = v ; c\r\nx:y\n\n[b \"n\"]\nk=\n";
	struct seen s = { MLV_BUF_INIT, MLV_BUF_INIT, 0, 0 };

	(void)state;
	assert_int_equal(parse(&s, text, sizeof(text) - 1), 0);
	assert_string_equal(s.entries.ptr, "3 [a] k=v\n4 [a] x=y\n7 [b \"n\"] k=\n");
	assert_string_equal(s.lines.ptr, "1:3\n2:3\n3:10\n4:3\n5:0\n6:7\n7:2\n");
	/* inih's own errors keep their line numbers */
	assert_int_equal(parse(&s, "[a]\nk = 1\nnot ini\n", 18), 3);
	assert_int_equal(parse(&s, "", 0), 0);
	assert_string_equal(s.lines.ptr, "");
	seen_release(&s);
}

/* Lines of every length around inih's buffer sizes (200, doubling) and up
 * to the limit reach the handler whole, with the right numbers after. */
static void test_ini__long_lines(void **state)
{
	static const size_t lens[] = { 196, 197, 198, 199, 200, 201, 398, 399, 400,
				       401, 65536, MLV_INI_MAX_LINE - 4 };
	struct seen s = { MLV_BUF_INIT, MLV_BUF_INIT, 0, 0 };
	struct mlv_buf text = MLV_BUF_INIT, want = MLV_BUF_INIT, v = MLV_BUF_INIT;
	size_t i, j;
	int last;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (last = 0; last <= 1; last++) {
			mlv_buf_clear(&v);
			for (j = 0; j < lens[i]; j++)
				mlv_buf_putc(&v, j % 50 == 49 ? '=' : 'a' + (char)(j % 26));
			mlv_buf_clear(&text);
			mlv_buf_printf(&text, "[s]\nk = %s\n", v.ptr);
			if (!last)
				mlv_buf_puts(&text, "after = 1\n");
			else
				mlv_buf_truncate(&text, text.len - 1); /* no final LF */
			mlv_buf_clear(&want);
			mlv_buf_printf(&want, "2 [s] k=%s\n%s", v.ptr,
				       last ? "" : "3 [s] after=1\n");
			assert_int_equal(parse(&s, text.ptr, text.len), 0);
			assert_string_equal(s.entries.ptr, want.ptr);
		}
	}
	mlv_buf_release(&text);
	mlv_buf_release(&want);
	mlv_buf_release(&v);
	seen_release(&s);
}

/* A line over the limit, one the check refuses and one with a NUL byte
 * reach inih empty: nothing of them is read, and the lines after them
 * keep their numbers. */
static void test_ini__replaced_lines(void **state)
{
	struct seen s = { MLV_BUF_INIT, MLV_BUF_INIT, 0, 0 };
	struct mlv_buf text = MLV_BUF_INIT, want = MLV_BUF_INIT;

	(void)state;
	mlv_buf_puts(&text, "[s]\nk = ");
	while (text.len < 4 + MLV_INI_MAX_LINE + 1)
		mlv_buf_puts(&text, " hidden = 1 ");
	mlv_buf_truncate(&text, 4 + MLV_INI_MAX_LINE + 1);
	mlv_buf_puts(&text, "\nafter = 1\n");
	assert_int_equal(parse(&s, text.ptr, text.len), 0);
	assert_string_equal(s.entries.ptr, "3 [s] after=1\n");
	mlv_buf_printf(&want, "1:3\n2:%d\n3:9\n", MLV_INI_MAX_LINE + 1);
	assert_string_equal(s.lines.ptr, want.ptr);

	s.refuse = 2;
	assert_int_equal(parse(&s, "[s]\nk = 1\nafter = 2\n", 20), 0);
	assert_string_equal(s.entries.ptr, "3 [s] after=2\n");
	s.refuse = 0;

	/* inih would end the line at the NUL and read "hidden = 1" as a line */
	{
		static const char nul[] = "[s]\nk = 1\0 hidden = 1\nafter = 2\n";

		assert_int_equal(parse(&s, nul, sizeof(nul) - 1), 0);
	}
	assert_string_equal(s.entries.ptr, "3 [s] after=2\n");
	mlv_buf_release(&text);
	mlv_buf_release(&want);
	seen_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ini__short_lines),
		cmocka_unit_test(test_ini__long_lines),
		cmocka_unit_test(test_ini__replaced_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
