#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "mlv/error.h"
#include "mlv/buf.h"
#include "mlv/sha256.h"
#include "mlv/util.h"

int mlv_sha256_init(struct mlv_sha256 *h)
{
	EVP_MD_CTX *ctx = h->ctx;

	if (!ctx && !(ctx = EVP_MD_CTX_new())) {
		mlv_error_set("cannot allocate a SHA-256 context");
		return MLV_ERROR;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		h->ctx = NULL;
		mlv_error_set("cannot start SHA-256 in OpenSSL");
		return MLV_ERROR;
	}
	h->ctx = ctx;
	return 0;
}

void mlv_sha256_update(struct mlv_sha256 *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
}

void mlv_sha256_final_hex(char hex[MLV_OID_HEXSZ + 1], struct mlv_sha256 *h)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_DigestFinal_ex(h->ctx, raw, &n);
	for (i = 0; i < MLV_OID_RAWSZ; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 0xf];
	}
	hex[MLV_OID_HEXSZ] = '\0';
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

void mlv_sha256_release(struct mlv_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

int mlv_sha256_buf(char hex[MLV_OID_HEXSZ + 1], const void *data, size_t len)
{
	struct mlv_sha256 h = MLV_SHA256_INIT;
	int err;

	if ((err = mlv_sha256_init(&h)) == 0) {
		mlv_sha256_update(&h, data, len);
		mlv_sha256_final_hex(hex, &h);
	}
	mlv_sha256_release(&h);
	return err;
}

int mlv_sha256_fd(char hex[MLV_OID_HEXSZ + 1], unsigned long long *size,
		  int fd, const char *name)
{
	struct mlv_sha256 h = MLV_SHA256_INIT;
	unsigned long long total = 0;
	char *chunk = NULL;
	int err;
	ssize_t n;

	if ((err = mlv_sha256_init(&h)) < 0)
		goto done;
	chunk = mlv_xmalloc(MLV_IO_CHUNK);
	while ((n = mlv_read_retry(fd, chunk, MLV_IO_CHUNK)) > 0) {
		mlv_sha256_update(&h, chunk, (size_t)n);
		total += (unsigned long long)n;
	}
	if (n < 0) {
		err = MLV_ERROR;
		mlv_error_set_errno("cannot read '%s'", name);
		goto done;
	}
	mlv_sha256_final_hex(hex, &h);
	if (size)
		*size = total;
done:
	free(chunk);
	mlv_sha256_release(&h);
	return err;
}

int mlv_sha256_file(char hex[MLV_OID_HEXSZ + 1], unsigned long long *size,
		    const char *path)
{
	int fd, err;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
		mlv_error_set_errno("cannot open '%s'", path);
		return err;
	}
	err = mlv_sha256_fd(hex, size, fd, path);
	close(fd);
	return err;
}

#define SEAL_LEN (5 + MLV_OID_HEXSZ) /* "end " <hex> LF */

int mlv_sha256_seal(struct mlv_buf *text)
{
	char hex[MLV_OID_HEXSZ + 1];
	int err;

	if ((err = mlv_sha256_buf(hex, text->ptr ? text->ptr : "", text->len)) < 0)
		return err;
	mlv_buf_printf(text, "end %s\n", hex);
	return 0;
}

ssize_t mlv_sha256_sealed_len(const char *data, size_t len)
{
	char want[MLV_OID_HEXSZ + 1];
	const char *seal;

	if (len < SEAL_LEN || data[len - 1] != '\n')
		return -1;
	seal = data + len - SEAL_LEN;
	if (memcmp(seal, "end ", 4) || mlv_sha256_buf(want, data, (size_t)(seal - data)) < 0 ||
	    memcmp(seal + 4, want, MLV_OID_HEXSZ))
		return -1;
	return (ssize_t)(seal - data);
}
