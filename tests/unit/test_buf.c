/* Unit tests for include/mlv/buf.h: the growable binary-safe buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlv/buf.h"
#include "mlv/error.h"

/* Every buffer keeps a NUL after its `len` bytes. */
static void assert_terminated(const struct mlv_buf *b)
{
	assert_non_null(b->ptr);
	assert_int_equal(b->ptr[b->len], '\0');
	if (b->alloc)
		assert_true(b->len < b->alloc);
}

static void test_buf__init(void **state)
{
	struct mlv_buf a = MLV_BUF_INIT, b;

	(void)state;
	assert_int_equal(a.len, 0);
	assert_int_equal(a.alloc, 0);
	assert_int_equal(a.cap, 0);
	assert_string_equal(a.ptr, "");

	memset(&b, 0xff, sizeof(b));
	mlv_buf_init(&b, 42);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.cap, 42);
	assert_string_equal(b.ptr, "");
	/* releasing a buffer that never allocated is fine */
	mlv_buf_release(&a);
	mlv_buf_release(&b);
	assert_int_equal(b.cap, 42);
}

static void test_buf__put(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(mlv_buf_put(&b, "hello", 5), 0);
	assert_int_equal(b.len, 5);
	assert_terminated(&b);
	assert_int_equal(mlv_buf_puts(&b, ", "), 0);
	assert_int_equal(mlv_buf_putc(&b, 'w'), 0);
	assert_int_equal(mlv_buf_put(&b, "orld!!!", 4), 0);
	assert_int_equal(mlv_buf_put(&b, "ignored", 0), 0);
	assert_int_equal(mlv_buf_puts(&b, ""), 0);
	assert_string_equal(b.ptr, "hello, world");
	assert_int_equal(b.len, 12);
	assert_terminated(&b);
	mlv_buf_release(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
}

static void test_buf__put_nothing_into_empty(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(mlv_buf_put(&b, NULL, 0), 0);
	assert_int_equal(b.len, 0);
	assert_terminated(&b);
	mlv_buf_release(&b);
	/* the shared empty string is still empty */
	assert_int_equal(mlv_buf__empty[0], '\0');
}

static void test_buf__grows(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		assert_int_equal(mlv_buf_putc(&b, (char)('a' + i % 26)), 0);
		assert_int_equal(b.len, i + 1);
	}
	assert_terminated(&b);
	for (i = 0; i < 100000; i++)
		assert_int_equal(b.ptr[i], (char)('a' + i % 26));
	mlv_buf_release(&b);
}

static void test_buf__grow_keeps_content(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;
	size_t alloc;

	(void)state;
	assert_int_equal(mlv_buf_puts(&b, "keep"), 0);
	assert_int_equal(mlv_buf_grow(&b, 1 << 20), 0);
	assert_true(b.alloc >= 4 + (1 << 20) + 1);
	assert_string_equal(b.ptr, "keep");
	assert_int_equal(b.len, 4);
	/* room that exists needs no new allocation */
	alloc = b.alloc;
	assert_int_equal(mlv_buf_grow(&b, 1000), 0);
	assert_int_equal(b.alloc, alloc);
	mlv_buf_release(&b);
}

static void test_buf__grow_empty_is_terminated(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	/* room without content is still an empty string */
	assert_int_equal(mlv_buf_grow(&b, 500), 0);
	assert_true(b.alloc > 500);
	assert_true(b.ptr != mlv_buf__empty);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	mlv_buf_release(&b);
}

static void test_buf__grow_overflow(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(mlv_buf_puts(&b, "abc"), 0);
	mlv_error_clear();
	assert_int_equal(mlv_buf_grow(&b, SIZE_MAX), MLV_EINVALID);
	assert_true(strlen(mlv_error_last()) > 0);
	assert_int_equal(mlv_buf_grow(&b, SIZE_MAX - 3), MLV_EINVALID);
	assert_int_equal(mlv_buf_put(&b, "x", SIZE_MAX / 2), MLV_EINVALID);
	assert_string_equal(b.ptr, "abc");
	assert_int_equal(b.len, 3);
	mlv_buf_release(&b);
}

static void test_buf__binary(void **state)
{
	static const char bin[] = { 'a', '\0', 'b', '\0', '\0', 'c', '\xff', '\n' };
	struct mlv_buf b = MLV_BUF_INIT;
	int i;

	(void)state;
	assert_int_equal(mlv_buf_put(&b, bin, sizeof(bin)), 0);
	assert_int_equal(b.len, sizeof(bin));
	assert_memory_equal(b.ptr, bin, sizeof(bin));
	assert_terminated(&b);
	/* NULs in the middle do not stop later appends */
	for (i = 0; i < 100; i++)
		assert_int_equal(mlv_buf_put(&b, bin, sizeof(bin)), 0);
	assert_int_equal(b.len, 101 * sizeof(bin));
	for (i = 0; i < 101; i++)
		assert_memory_equal(b.ptr + i * sizeof(bin), bin, sizeof(bin));
	assert_int_equal(mlv_buf_putc(&b, '\0'), 0);
	assert_int_equal(b.len, 101 * sizeof(bin) + 1);
	assert_int_equal(b.ptr[b.len - 1], '\0');
	assert_terminated(&b);
	mlv_buf_release(&b);
}

static void test_buf__printf(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;
	char big[1000];

	(void)state;
	assert_int_equal(mlv_buf_printf(&b, "%s=%d", "size", 42), 0);
	assert_string_equal(b.ptr, "size=42");
	assert_int_equal(b.len, 7);
	assert_int_equal(mlv_buf_printf(&b, "%s", ""), 0);
	assert_int_equal(b.len, 7);
	assert_int_equal(mlv_buf_printf(&b, " %llu%c", 18446744073709551615ULL, '!'), 0);
	assert_string_equal(b.ptr, "size=42 18446744073709551615!");
	assert_int_equal(b.len, strlen("size=42 18446744073709551615!"));

	/* longer than any first allocation */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mlv_buf_clear(&b);
	assert_int_equal(mlv_buf_printf(&b, "<%s>", big), 0);
	assert_int_equal(b.len, sizeof(big) + 1);
	assert_int_equal(b.ptr[0], '<');
	assert_memory_equal(b.ptr + 1, big, sizeof(big) - 1);
	assert_int_equal(b.ptr[sizeof(big)], '>');
	assert_terminated(&b);
	mlv_buf_release(&b);
}

static void test_buf__printf_after_binary(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(mlv_buf_put(&b, "x\0y", 3), 0);
	assert_int_equal(mlv_buf_printf(&b, "%d", 7), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.ptr, "x\0y7", 5);
	mlv_buf_release(&b);
}

static void test_buf__cap(void **state)
{
	struct mlv_buf b;

	(void)state;
	mlv_buf_init(&b, 10);
	assert_int_equal(mlv_buf_put(&b, "0123456789", 10), 0); /* exactly the cap */
	assert_int_equal(b.len, 10);
	mlv_error_clear();
	assert_int_equal(mlv_buf_putc(&b, 'x'), MLV_EINVALID);
	assert_true(strlen(mlv_error_last()) > 0);
	assert_int_equal(mlv_buf_puts(&b, "more"), MLV_EINVALID);
	assert_int_equal(mlv_buf_put(&b, "\0", 1), MLV_EINVALID);
	assert_int_equal(mlv_buf_printf(&b, "%d", 1), MLV_EINVALID);
	assert_int_equal(mlv_buf_grow(&b, 1), MLV_EINVALID);
	/* the content is intact */
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.ptr, "0123456789", 11);
	/* appending nothing is still fine at the cap */
	assert_int_equal(mlv_buf_put(&b, "", 0), 0);
	assert_int_equal(mlv_buf_grow(&b, 0), 0);
	mlv_buf_release(&b);
	assert_int_equal(b.cap, 10); /* the cap outlives a release */
}

static void test_buf__cap_partial_append(void **state)
{
	struct mlv_buf b;

	(void)state;
	mlv_buf_init(&b, 8);
	assert_int_equal(mlv_buf_puts(&b, "abcde"), 0);
	/* 5 + 4 > 8: nothing of it goes in */
	assert_int_equal(mlv_buf_put(&b, "fghi", 4), MLV_EINVALID);
	assert_string_equal(b.ptr, "abcde");
	assert_int_equal(b.len, 5);
	assert_int_equal(mlv_buf_printf(&b, "%s", "fghi"), MLV_EINVALID);
	assert_string_equal(b.ptr, "abcde");
	assert_int_equal(b.len, 5);
	assert_int_equal(mlv_buf_printf(&b, "%d%d%d", 1, 2, 3), 0);
	assert_string_equal(b.ptr, "abcde123");
	/* sets past the cap leaves the buffer empty, never over the cap */
	assert_int_equal(mlv_buf_sets(&b, "123456789"), MLV_EINVALID);
	assert_true(b.len <= 8);
	assert_terminated(&b);
	assert_int_equal(mlv_buf_sets(&b, "12345678"), 0);
	assert_string_equal(b.ptr, "12345678");
	mlv_buf_release(&b);
}

static void test_buf__cap_large(void **state)
{
	struct mlv_buf b;
	char chunk[1000];
	int i;

	(void)state;
	memset(chunk, 'c', sizeof(chunk));
	mlv_buf_init(&b, 64 * 1024);
	for (i = 0; i < 65; i++)
		assert_int_equal(mlv_buf_put(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(b.len, 65000);
	assert_int_equal(mlv_buf_put(&b, chunk, 536), 0);
	assert_int_equal(b.len, 65536);
	assert_int_equal(mlv_buf_putc(&b, 'c'), MLV_EINVALID);
	assert_int_equal(b.len, 65536);
	assert_terminated(&b);
	mlv_buf_release(&b);
}

static void test_buf__sets_clear_truncate(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;
	size_t alloc;

	(void)state;
	/* on a buffer that never allocated */
	mlv_buf_clear(&b);
	mlv_buf_truncate(&b, 0);
	assert_string_equal(b.ptr, "");
	assert_int_equal(mlv_buf__empty[0], '\0');

	assert_int_equal(mlv_buf_sets(&b, "first value"), 0);
	assert_string_equal(b.ptr, "first value");
	assert_int_equal(mlv_buf_sets(&b, "2nd"), 0);
	assert_string_equal(b.ptr, "2nd");
	assert_int_equal(b.len, 3);

	assert_int_equal(mlv_buf_puts(&b, "-and-more"), 0);
	mlv_buf_truncate(&b, 5);
	assert_string_equal(b.ptr, "2nd-a");
	assert_int_equal(b.len, 5);
	/* truncating beyond the end does not grow */
	mlv_buf_truncate(&b, 50);
	assert_string_equal(b.ptr, "2nd-a");
	assert_int_equal(b.len, 5);

	alloc = b.alloc;
	mlv_buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	assert_int_equal(b.alloc, alloc); /* the allocation stays */
	assert_int_equal(mlv_buf_puts(&b, "again"), 0);
	assert_string_equal(b.ptr, "again");
	mlv_buf_release(&b);
}

static void test_buf__detach(void **state)
{
	struct mlv_buf b;
	char *s;

	(void)state;
	mlv_buf_init(&b, 100);
	assert_int_equal(mlv_buf_put(&b, "a\0b", 3), 0);
	s = mlv_buf_detach(&b);
	assert_non_null(s);
	assert_memory_equal(s, "a\0b", 4);
	/* the buffer is empty and usable, with its cap */
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.cap, 100);
	assert_string_equal(b.ptr, "");
	assert_true(b.ptr != s);
	assert_int_equal(mlv_buf_puts(&b, "new"), 0);
	assert_string_equal(b.ptr, "new");
	assert_string_equal(s, "a"); /* the detached string is unaffected */
	free(s);
	mlv_buf_release(&b);
}

static void test_buf__detach_empty(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;
	char *s;

	(void)state;
	/* even a buffer that never allocated hands out a string to free() */
	s = mlv_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_true(s != mlv_buf__empty);
	free(s);

	/* and one that was cleared */
	assert_int_equal(mlv_buf_puts(&b, "x"), 0);
	mlv_buf_clear(&b);
	s = mlv_buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(b.alloc, 0);
}

static void test_buf__release_twice(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(mlv_buf_puts(&b, "something"), 0);
	mlv_buf_release(&b);
	mlv_buf_release(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_string_equal(b.ptr, "");
	/* reusable after release */
	assert_int_equal(mlv_buf_puts(&b, "back"), 0);
	assert_string_equal(b.ptr, "back");
	mlv_buf_release(&b);
}

static int vwrap(struct mlv_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int vwrap(struct mlv_buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = mlv_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

static void test_buf__vprintf(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;
	struct mlv_buf capped;

	(void)state;
	assert_int_equal(vwrap(&b, "%s:%04x", "hex", 255), 0);
	assert_string_equal(b.ptr, "hex:00ff");
	mlv_buf_release(&b);

	mlv_buf_init(&capped, 4);
	assert_int_equal(vwrap(&capped, "%s", "12345"), MLV_EINVALID);
	assert_int_equal(capped.len, 0);
	assert_string_equal(capped.ptr, "");
	assert_int_equal(vwrap(&capped, "%s", "1234"), 0);
	assert_string_equal(capped.ptr, "1234");
	mlv_buf_release(&capped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf__init),
		cmocka_unit_test(test_buf__put),
		cmocka_unit_test(test_buf__put_nothing_into_empty),
		cmocka_unit_test(test_buf__grows),
		cmocka_unit_test(test_buf__grow_keeps_content),
		cmocka_unit_test(test_buf__grow_empty_is_terminated),
		cmocka_unit_test(test_buf__grow_overflow),
		cmocka_unit_test(test_buf__binary),
		cmocka_unit_test(test_buf__printf),
		cmocka_unit_test(test_buf__printf_after_binary),
		cmocka_unit_test(test_buf__cap),
		cmocka_unit_test(test_buf__cap_partial_append),
		cmocka_unit_test(test_buf__cap_large),
		cmocka_unit_test(test_buf__sets_clear_truncate),
		cmocka_unit_test(test_buf__detach),
		cmocka_unit_test(test_buf__detach_empty),
		cmocka_unit_test(test_buf__release_twice),
		cmocka_unit_test(test_buf__vprintf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
