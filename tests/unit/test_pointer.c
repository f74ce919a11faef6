/* Unit tests for include/mlv/pointer.h: the Git LFS v1 pointer, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/pointer.h"

#define EMPTY_OID "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define OID "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
#define VERSION_LINE "version https://git-lfs.github.com/spec/v1\n"
#define OID_LINE "oid sha256:" OID "\n"
#define VALID VERSION_LINE OID_LINE "size 12345\n"

/*
 * Parse exactly `len` bytes held in a heap block of exactly that size, so
 * that the sanitizer build catches any read past the end.
 */
static int parse_exact(struct mlv_pointer *out, const void *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, data, len);
	err = mlv_pointer_parse(out, copy, len);
	free(copy);
	return err;
}

/* A string literal, without its terminating NUL. */
#define parse_lit(out, s) parse_exact((out), (s), sizeof(s) - 1)

static void assert_rejected(const void *data, size_t len)
{
	struct mlv_pointer p;

	mlv_error_clear();
	assert_int_equal(parse_exact(&p, data, len), MLV_EINVALID);
	/* a rejection says why */
	assert_true(strlen(mlv_error_last()) > 0);
}

#define assert_rejected_lit(s) assert_rejected((s), sizeof(s) - 1)

static void test_pointer__parse_valid(void **state)
{
	struct mlv_pointer p;

	(void)state;
	memset(&p, 'x', sizeof(p));
	assert_int_equal(parse_lit(&p, VALID), 0);
	assert_string_equal(p.oid, OID);
	assert_true(p.size == 12345);
}

static void test_pointer__format_exact_bytes(void **state)
{
	struct mlv_pointer p;
	struct mlv_buf out = MLV_BUF_INIT;

	(void)state;
	memcpy(p.oid, OID, sizeof(p.oid));
	p.size = 12345;
	assert_int_equal(mlv_pointer_format(&out, &p), 0);
	assert_int_equal(out.len, sizeof(VALID) - 1);
	assert_memory_equal(out.ptr, VALID, sizeof(VALID) - 1);
	assert_int_equal(out.ptr[out.len], '\0');
	mlv_buf_release(&out);
}

static void test_pointer__format_appends(void **state)
{
	struct mlv_pointer p;
	struct mlv_buf out = MLV_BUF_INIT;

	(void)state;
	memcpy(p.oid, OID, sizeof(p.oid));
	p.size = 12345;
	assert_int_equal(mlv_buf_puts(&out, "before|"), 0);
	assert_int_equal(mlv_pointer_format(&out, &p), 0);
	assert_string_equal(out.ptr, "before|" VALID);
	mlv_buf_release(&out);
}

static void test_pointer__round_trip(void **state)
{
	static const uint64_t sizes[] = { 1, 9, 10, 1023, 1024, 4294967296ULL,
					  UINT64_MAX - 1, UINT64_MAX };
	struct mlv_buf out = MLV_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct mlv_pointer in, back;

		memcpy(in.oid, OID, sizeof(in.oid));
		in.oid[i] = 'f'; /* a different oid each time */
		in.size = sizes[i];
		mlv_buf_clear(&out);
		assert_int_equal(mlv_pointer_format(&out, &in), 0);
		memset(&back, 0, sizeof(back));
		assert_int_equal(parse_exact(&back, out.ptr, out.len), 0);
		assert_string_equal(back.oid, in.oid);
		assert_true(back.size == in.size);
	}
	mlv_buf_release(&out);
}

static void test_pointer__size_zero(void **state)
{
	struct mlv_pointer p;
	struct mlv_buf out = MLV_BUF_INIT;

	(void)state;
	/* a written-out pointer of empty content is a pointer */
	p.size = 99;
	assert_int_equal(parse_lit(&p, VERSION_LINE "oid sha256:" EMPTY_OID "\n"
				   "size 0\n"), 0);
	assert_string_equal(p.oid, EMPTY_OID);
	assert_true(p.size == 0);
	/* size 0 with any other oid names content that cannot exist
	 * (found by tests/fuzz/fuzz_pointer) */
	assert_rejected_lit(VERSION_LINE OID_LINE "size 0\n");

	/* the pointer text of an empty object is empty, as in git-lfs */
	assert_int_equal(mlv_pointer_format(&out, &p), 0);
	assert_int_equal(out.len, 0);
	mlv_buf_release(&out);
}

static void test_pointer__empty_buffer(void **state)
{
	unsigned char raw[SHA256_DIGEST_LENGTH];
	char hex[MLV_OID_HEXSZ + 1];
	struct mlv_pointer p;
	int i;

	(void)state;
	memset(&p, 'x', sizeof(p));
	assert_int_equal(mlv_pointer_parse(&p, "", 0), 0);
	assert_true(p.size == 0);
	/* the oid is that of the empty content */
	SHA256((const unsigned char *)"", 0, raw);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		static const char digits[] = "0123456789abcdef";

		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 0xf];
	}
	hex[MLV_OID_HEXSZ] = '\0';
	assert_string_equal(p.oid, hex);
	assert_true(mlv_oid_is_valid(p.oid));
}

static void test_pointer__max_size(void **state)
{
	struct mlv_pointer p;

	(void)state;
	assert_int_equal(parse_lit(&p, VERSION_LINE OID_LINE
				   "size 18446744073709551615\n"), 0);
	assert_true(p.size == UINT64_MAX);
	assert_int_equal(parse_lit(&p, VERSION_LINE OID_LINE
				   "size 18446744073709551614\n"), 0);
	assert_true(p.size == UINT64_MAX - 1);
}

static void test_pointer__size_overflow(void **state)
{
	(void)state;
	assert_rejected_lit(VERSION_LINE OID_LINE "size 18446744073709551616\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 18446744073709551620\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 18446744073709551625\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 99999999999999999999\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 184467440737095516150\n");
	/* wraps to a small number modulo 2^64 */
	assert_rejected_lit(VERSION_LINE OID_LINE "size 18446744073709551617\n");
	assert_rejected_lit(VERSION_LINE OID_LINE
			    "size 100000000000000000000000000000000000000\n");
}

static void test_pointer__leading_zeros(void **state)
{
	(void)state;
	assert_rejected_lit(VERSION_LINE OID_LINE "size 01\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 00\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 0012345\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 018446744073709551615\n");
}

static void test_pointer__wrong_line_order(void **state)
{
	(void)state;
	assert_rejected_lit(OID_LINE VERSION_LINE "size 12345\n");
	assert_rejected_lit(VERSION_LINE "size 12345\n" OID_LINE);
	assert_rejected_lit("size 12345\n" OID_LINE VERSION_LINE);
	assert_rejected_lit(OID_LINE "size 12345\n" VERSION_LINE);
}

static void test_pointer__missing_lines(void **state)
{
	(void)state;
	assert_rejected_lit(VERSION_LINE);
	assert_rejected_lit(VERSION_LINE OID_LINE);
	assert_rejected_lit(VERSION_LINE "size 12345\n");
	assert_rejected_lit(OID_LINE "size 12345\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size \n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size\n");
	assert_rejected_lit("\n");
	assert_rejected_lit("x");
}

static void test_pointer__every_prefix_rejected(void **state)
{
	static const char valid[] = VALID;
	size_t len;

	(void)state;
	/* len 0 is the empty pointer; every other cut-off is no pointer */
	for (len = 1; len < sizeof(valid) - 1; len++)
		assert_rejected(valid, len);
}

static void test_pointer__uppercase_hex(void **state)
{
	(void)state;
	assert_rejected_lit(VERSION_LINE
			    "oid sha256:4D7A214614AB2935C943F9E0FF69D22EADBB8F32B1258DAAA5E2CA24D17E2393\n"
			    "size 12345\n");
	/* one uppercase digit is enough */
	assert_rejected_lit(VERSION_LINE
			    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e239F\n"
			    "size 12345\n");
	assert_rejected_lit(VERSION_LINE "oid SHA256:" OID "\nsize 12345\n");
}

static void test_pointer__oid_length(void **state)
{
	(void)state;
	/* 63 digits */
	assert_rejected_lit(VERSION_LINE
			    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e239\n"
			    "size 12345\n");
	/* 65 digits */
	assert_rejected_lit(VERSION_LINE
			    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e23930\n"
			    "size 12345\n");
	/* none */
	assert_rejected_lit(VERSION_LINE "oid sha256:\nsize 12345\n");
	/* a sha1 */
	assert_rejected_lit(VERSION_LINE
			    "oid sha1:2aae6c35c94fcfb415dbe95f408b9ce91ee846ed\n"
			    "size 12345\n");
}

static void test_pointer__too_long(void **state)
{
	char *big;
	size_t n;

	(void)state;
	/* a valid pointer at the start of a larger buffer */
	big = malloc(2 * MLV_POINTER_MAX);
	assert_non_null(big);
	memset(big, '\n', 2 * MLV_POINTER_MAX);
	memcpy(big, VALID, sizeof(VALID) - 1);
	for (n = MLV_POINTER_MAX - 1; n <= MLV_POINTER_MAX + 1; n++)
		assert_rejected(big, n);
	assert_rejected(big, 2 * MLV_POINTER_MAX);
	/* only `len` bytes count: the same buffer cut at the pointer's end is one */
	{
		struct mlv_pointer p;

		assert_int_equal(parse_exact(&p, big, sizeof(VALID) - 1), 0);
		assert_string_equal(p.oid, OID);
	}
	free(big);
}

static void test_pointer__crlf(void **state)
{
	(void)state;
	assert_rejected_lit("version https://git-lfs.github.com/spec/v1\r\n"
			    "oid sha256:" OID "\r\n"
			    "size 12345\r\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 12345\r\n");
	assert_rejected_lit(VERSION_LINE "oid sha256:" OID "\r\nsize 12345\n");
	assert_rejected_lit("version https://git-lfs.github.com/spec/v1\r\n"
			    OID_LINE "size 12345\n");
	/* CR alone as a line ending */
	assert_rejected_lit("version https://git-lfs.github.com/spec/v1\r"
			    "oid sha256:" OID "\rsize 12345\r");
}

static void test_pointer__trailing_data(void **state)
{
	(void)state;
	assert_rejected_lit(VALID "x");
	assert_rejected_lit(VALID "\n");
	assert_rejected_lit(VALID "ext-0-foo sha256:" OID "\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 12345x\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 12345\nx");
	/* missing final LF */
	assert_rejected_lit(VERSION_LINE OID_LINE "size 12345");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 0");
	/* something in front */
	assert_rejected_lit("\n" VALID);
	assert_rejected_lit("x" VALID);
	/* a pointer twice */
	assert_rejected_lit(VALID VALID);
}

static void test_pointer__wrong_version(void **state)
{
	(void)state;
	assert_rejected_lit("version https://git-lfs.github.com/spec/v2\n"
			    OID_LINE "size 12345\n");
	assert_rejected_lit("version http://git-lfs.github.com/spec/v1\n"
			    OID_LINE "size 12345\n");
	assert_rejected_lit("version https://git-lfs.github.com/spec/v1/\n"
			    OID_LINE "size 12345\n");
	assert_rejected_lit("version https://git-lfs.github.com/spec/v\n"
			    OID_LINE "size 12345\n");
	/* git-lfs's pre-release URL is not accepted by this strict parser */
	assert_rejected_lit("version https://hawser.github.com/spec/v1\n"
			    OID_LINE "size 12345\n");
	assert_rejected_lit("Version https://git-lfs.github.com/spec/v1\n"
			    OID_LINE "size 12345\n");
	assert_rejected_lit("version https://GIT-LFS.github.com/spec/v1\n"
			    OID_LINE "size 12345\n");
}

static void test_pointer__extra_spaces(void **state)
{
	(void)state;
	assert_rejected_lit(" " VALID);
	assert_rejected_lit("version  https://git-lfs.github.com/spec/v1\n"
			    OID_LINE "size 12345\n");
	assert_rejected_lit("version https://git-lfs.github.com/spec/v1 \n"
			    OID_LINE "size 12345\n");
	assert_rejected_lit(VERSION_LINE "oid  sha256:" OID "\nsize 12345\n");
	assert_rejected_lit(VERSION_LINE "oid sha256: " OID "\nsize 12345\n");
	assert_rejected_lit(VERSION_LINE "oid sha256:" OID " \nsize 12345\n");
	assert_rejected_lit(VERSION_LINE " " OID_LINE "size 12345\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size  12345\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 12345 \n");
	assert_rejected_lit(VERSION_LINE OID_LINE " size 12345\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 123 45\n");
	/* a tab is no space */
	assert_rejected_lit(VERSION_LINE OID_LINE "size\t12345\n");
	assert_rejected_lit("version\thttps://git-lfs.github.com/spec/v1\n"
			    OID_LINE "size 12345\n");
}

static void test_pointer__non_hex(void **state)
{
	(void)state;
	assert_rejected_lit(VERSION_LINE
			    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e239g\n"
			    "size 12345\n");
	assert_rejected_lit(VERSION_LINE
			    "oid sha256:zd7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
			    "size 12345\n");
	assert_rejected_lit(VERSION_LINE
			    "oid sha256:4d7a214614ab2935c943f9e0ff69d22e-dbb8f32b1258daaa5e2ca24d17e2393\n"
			    "size 12345\n");
	/* non-digits in the size */
	assert_rejected_lit(VERSION_LINE OID_LINE "size -1\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size +1\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 0x10\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size 1e3\n");
	assert_rejected_lit(VERSION_LINE OID_LINE "size a\n");
}

static void test_pointer__nul_bytes(void **state)
{
	static const char valid[] = VALID;
	char buf[sizeof(valid) + 1];
	size_t oid_at = sizeof(VERSION_LINE) - 1 + sizeof("oid sha256:") - 1;
	size_t size_at = sizeof(VERSION_LINE OID_LINE "size ") - 1;

	(void)state;
	/* a NUL in the oid */
	memcpy(buf, valid, sizeof(valid) - 1);
	buf[oid_at + 10] = '\0';
	assert_rejected(buf, sizeof(valid) - 1);
	/* a NUL instead of a digit of the size */
	memcpy(buf, valid, sizeof(valid) - 1);
	buf[size_at + 2] = '\0';
	assert_rejected(buf, sizeof(valid) - 1);
	/* a NUL instead of the final LF */
	memcpy(buf, valid, sizeof(valid) - 1);
	buf[sizeof(valid) - 2] = '\0';
	assert_rejected(buf, sizeof(valid) - 1);
	/* a NUL after the final LF */
	memcpy(buf, valid, sizeof(valid));
	assert_int_equal(buf[sizeof(valid) - 1], '\0');
	assert_rejected(buf, sizeof(valid));
	/* a NUL in the version line */
	memcpy(buf, valid, sizeof(valid) - 1);
	buf[3] = '\0';
	assert_rejected(buf, sizeof(valid) - 1);
	/* all NULs */
	memset(buf, 0, sizeof(buf));
	assert_rejected(buf, sizeof(buf));
	assert_rejected(buf, 1);
}

static void test_pointer__oid_is_valid(void **state)
{
	(void)state;
	assert_true(mlv_oid_is_valid(OID));
	assert_true(mlv_oid_is_valid(
		"0000000000000000000000000000000000000000000000000000000000000000"));
	assert_true(mlv_oid_is_valid(
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
	assert_false(mlv_oid_is_valid(""));
	assert_false(mlv_oid_is_valid(
		"4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e239"));
	assert_false(mlv_oid_is_valid(
		"4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e23930"));
	assert_false(mlv_oid_is_valid(
		"4D7A214614AB2935C943F9E0FF69D22EADBB8F32B1258DAAA5E2CA24D17E2393"));
	assert_false(mlv_oid_is_valid(
		"4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e239g"));
	assert_false(mlv_oid_is_valid("sha256:" OID));
	assert_false(mlv_oid_is_valid(OID "\n"));
	assert_false(mlv_oid_is_valid(" " OID));
}

static void test_pointer__oid_parse(void **state)
{
	char oid[MLV_OID_HEXSZ + 1];

	(void)state;
	memset(oid, 'x', sizeof(oid));
	assert_int_equal(mlv_oid_parse(oid, "sha256:" OID), 0);
	assert_string_equal(oid, OID);

	memset(oid, 'x', sizeof(oid));
	assert_int_equal(mlv_oid_parse(oid, OID), 0);
	assert_string_equal(oid, OID);

	mlv_error_clear();
	assert_int_equal(mlv_oid_parse(oid, "sha256:"), MLV_EINVALID);
	assert_true(strlen(mlv_error_last()) > 0);
	assert_int_equal(mlv_oid_parse(oid, ""), MLV_EINVALID);
	assert_int_equal(mlv_oid_parse(oid, "SHA256:" OID), MLV_EINVALID);
	assert_int_equal(mlv_oid_parse(oid, "sha1:" OID), MLV_EINVALID);
	assert_int_equal(mlv_oid_parse(oid, "sha256:sha256:" OID), MLV_EINVALID);
	assert_int_equal(mlv_oid_parse(oid, "sha256: " OID), MLV_EINVALID);
	assert_int_equal(mlv_oid_parse(oid, "sha256:" OID "\n"), MLV_EINVALID);
	assert_int_equal(mlv_oid_parse(oid, OID "0"), MLV_EINVALID);
	assert_int_equal(mlv_oid_parse(oid,
		"sha256:4D7A214614AB2935C943F9E0FF69D22EADBB8F32B1258DAAA5E2CA24D17E2393"),
		MLV_EINVALID);
	assert_int_equal(mlv_oid_parse(oid,
		"4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e239"),
		MLV_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pointer__parse_valid),
		cmocka_unit_test(test_pointer__format_exact_bytes),
		cmocka_unit_test(test_pointer__format_appends),
		cmocka_unit_test(test_pointer__round_trip),
		cmocka_unit_test(test_pointer__size_zero),
		cmocka_unit_test(test_pointer__empty_buffer),
		cmocka_unit_test(test_pointer__max_size),
		cmocka_unit_test(test_pointer__size_overflow),
		cmocka_unit_test(test_pointer__leading_zeros),
		cmocka_unit_test(test_pointer__wrong_line_order),
		cmocka_unit_test(test_pointer__missing_lines),
		cmocka_unit_test(test_pointer__every_prefix_rejected),
		cmocka_unit_test(test_pointer__uppercase_hex),
		cmocka_unit_test(test_pointer__oid_length),
		cmocka_unit_test(test_pointer__too_long),
		cmocka_unit_test(test_pointer__crlf),
		cmocka_unit_test(test_pointer__trailing_data),
		cmocka_unit_test(test_pointer__wrong_version),
		cmocka_unit_test(test_pointer__extra_spaces),
		cmocka_unit_test(test_pointer__non_hex),
		cmocka_unit_test(test_pointer__nul_bytes),
		cmocka_unit_test(test_pointer__oid_is_valid),
		cmocka_unit_test(test_pointer__oid_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
