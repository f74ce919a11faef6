/* Unit tests for include/mlv/sha256.h: digests and sealed text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mlv/buf.h"
#include "mlv/sha256.h"

static void test_sha256__buf_is_the_known_digest(void **state)
{
	char hex[MLV_OID_HEXSZ + 1];

	(void)state;
	assert_int_equal(mlv_sha256_buf(hex, "abc", 3), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256__a_seal_covers_every_byte_before_it(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	mlv_buf_puts(&b, "mlv test 1\nline\n");
	assert_int_equal(mlv_sha256_seal(&b), 0);
	assert_int_equal(b.len, 16 + 5 + MLV_OID_HEXSZ);
	assert_memory_equal(b.ptr + 16, "end ", 4);
	assert_int_equal(mlv_sha256_sealed_len(b.ptr, b.len), 16);
	/* torn: the last byte, or the whole seal line, missing */
	assert_int_equal(mlv_sha256_sealed_len(b.ptr, b.len - 1), -1);
	assert_int_equal(mlv_sha256_sealed_len(b.ptr, 16), -1);
	/* one byte of the body changed */
	b.ptr[3] = 'X';
	assert_int_equal(mlv_sha256_sealed_len(b.ptr, b.len), -1);
	b.ptr[3] = ' ';
	/* one digit of the seal changed */
	b.ptr[20] = b.ptr[20] == '0' ? '1' : '0';
	assert_int_equal(mlv_sha256_sealed_len(b.ptr, b.len), -1);
	mlv_buf_release(&b);
}

static void test_sha256__an_empty_body_seals_too(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(mlv_sha256_seal(&b), 0);
	assert_int_equal(mlv_sha256_sealed_len(b.ptr, b.len), 0);
	assert_int_equal(mlv_sha256_sealed_len("", 0), -1);
	mlv_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256__buf_is_the_known_digest),
		cmocka_unit_test(test_sha256__a_seal_covers_every_byte_before_it),
		cmocka_unit_test(test_sha256__an_empty_body_seals_too),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
