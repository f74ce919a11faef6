#ifndef MLV_TESTS_UNIT_HELPERS_H
#define MLV_TESTS_UNIT_HELPERS_H

/* What several unit tests need and none of them tests. */

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <openssl/sha.h>

#include "mlv/sha256.h"

static inline int helpers_remove_one(const char *path, const struct stat *st,
				     int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* rm -rf `dir`: 0, or -1 when something stayed. */
static inline int test_remove_tree(const char *dir)
{
	return nftw(dir, helpers_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* sha256 of `len` bytes as lowercase hex, computed independently of mlv. */
static inline void test_hash_hex(char hex[MLV_OID_HEXSZ + 1], const void *data,
				 size_t len)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char raw[SHA256_DIGEST_LENGTH];
	int i;

	SHA256(data, len, raw);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 0xf];
	}
	hex[MLV_OID_HEXSZ] = '\0';
}

/* The file at `path` holds exactly `want` (under 512 bytes); needs cmocka.h. */
static inline void test_assert_holds(const char *path, const char *want)
{
	char got[512];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, got, sizeof(got));
	close(fd);
	assert_int_equal(n, (ssize_t)strlen(want));
	assert_memory_equal(got, want, (size_t)n);
}

#endif
