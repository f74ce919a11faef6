#ifndef MLV_SHA256_H
#define MLV_SHA256_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Streaming SHA-256 through OpenSSL's EVP interface (which uses the CPU's
 * SHA extensions where present). Object ids are the lowercase hex digest.
 */

#define MLV_OID_HEXSZ 64
#define MLV_OID_RAWSZ 32

struct mlv_sha256 {
	void *ctx; /* EVP_MD_CTX */
};

#define MLV_SHA256_INIT { 0 }

int mlv_sha256_init(struct mlv_sha256 *h);
void mlv_sha256_update(struct mlv_sha256 *h, const void *data, size_t len);
/* Write the 64-char lowercase hex digest plus NUL to `hex` and reset. */
void mlv_sha256_final_hex(char hex[MLV_OID_HEXSZ + 1], struct mlv_sha256 *h);
void mlv_sha256_release(struct mlv_sha256 *h);

/* The digest of `len` bytes of `data` into `hex`: 0, or a negative error. */
int mlv_sha256_buf(char hex[MLV_OID_HEXSZ + 1], const void *data, size_t len);

/* Hash the file at `path` (streamed) into `hex`; its size into `*size`. */
int mlv_sha256_file(char hex[MLV_OID_HEXSZ + 1], unsigned long long *size,
		    const char *path);
/* The same for the rest of open file `fd`; `name` is for messages. */
int mlv_sha256_fd(char hex[MLV_OID_HEXSZ + 1], unsigned long long *size,
		  int fd, const char *name);

/*
 * Sealed text, for derived files that must be read whole or not at all:
 * its last line is "end " and the SHA-256 of every byte before that line,
 * then LF. mlv_sha256_seal appends the line to `text` (0, or a negative
 * error); mlv_sha256_sealed_len gives the length of what the seal covers,
 * or -1 when `data` does not end in a seal of it (torn, truncated, edited).
 */
struct mlv_buf;
int mlv_sha256_seal(struct mlv_buf *text);
ssize_t mlv_sha256_sealed_len(const char *data, size_t len);

#endif
