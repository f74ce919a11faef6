#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlv/convert.h"
#include "mlv/error.h"
#include "mlv/util.h"

void mlv_clean_start(struct mlv_clean *c, const struct mlv_store *s)
{
	struct mlv_store_writer init = MLV_STORE_WRITER_INIT;

	c->store = s;
	c->writer = init;
	c->head_len = 0;
	c->spilled = 0;
}

static int spill(struct mlv_clean *c)
{
	int err;

	if ((err = mlv_store_writer_open(&c->writer, c->store)) < 0)
		return err;
	c->spilled = 1;
	return mlv_store_writer_write(&c->writer, c->head, c->head_len);
}

int mlv_clean_write(struct mlv_clean *c, const void *data, size_t len)
{
	int err;

	if (!c->spilled) {
		if (c->head_len + len < sizeof(c->head)) {
			memcpy(c->head + c->head_len, data, len);
			c->head_len += len;
			return 0;
		}
		if ((err = spill(c)) < 0)
			return err;
	}
	return mlv_store_writer_write(&c->writer, data, len);
}

int mlv_clean_finish(struct mlv_buf *out, struct mlv_clean *c)
{
	struct mlv_pointer p;
	int err;

	if (!c->spilled) {
		if (mlv_pointer_parse(&p, c->head, c->head_len) == 0) {
			err = mlv_buf_put(out, c->head, c->head_len);
			goto done;
		}
		if ((err = spill(c)) < 0)
			goto done;
	}
	if ((err = mlv_store_writer_commit(&c->writer, &p, NULL)) < 0)
		goto done;
	err = mlv_pointer_format(out, &p);
done:
	mlv_clean_abort(c);
	return err;
}

void mlv_clean_abort(struct mlv_clean *c)
{
	mlv_store_writer_abort(&c->writer);
	c->spilled = 0;
	c->head_len = 0;
}

/* Stream object `p` to `write` or `copy` (one of them), verifying it. */
static int smudge(const struct mlv_store *s, const struct mlv_pointer *p,
		  const char *path, mlv_write_fn write, mlv_copy_fn copy, void *ctx)
{
	struct mlv_sha256 hash = MLV_SHA256_INIT;
	char got[MLV_OID_HEXSZ + 1];
	uint64_t size = 0, total = 0;
	char *chunk = NULL;
	int fd = -1, err;
	ssize_t n;

	if (p->size == 0)
		return 0;
	if ((err = mlv_store_open(&fd, &size, s, p->oid)) < 0) {
		if (err == MLV_ENOTFOUND)
			mlv_error_set("'%s': object %s is not in the local store; "
				      "fetch it with 'git mlv fetch' or run 'git mlv fsck'",
				      path, p->oid);
		goto done;
	}
	if (size != p->size) {
		mlv_error_set("'%s': object %s in the local store is corrupt "
			      "(%llu bytes, the pointer says %llu); "
			      "run 'git mlv fsck' to move it aside",
			      path, p->oid, (unsigned long long)size,
			      (unsigned long long)p->size);
		err = MLV_ECORRUPT;
		goto done;
	}
	if ((err = mlv_sha256_init(&hash)) < 0)
		goto done;
	chunk = mlv_xmalloc(MLV_SMUDGE_CHUNK);
	while ((n = mlv_read_full(fd, chunk, MLV_SMUDGE_CHUNK)) > 0) {
		mlv_sha256_update(&hash, chunk, (size_t)n);
		err = copy ? copy(ctx, fd, total, (size_t)n) :
			     write(ctx, chunk, (size_t)n);
		total += (uint64_t)n;
		if (err < 0)
			goto done;
	}
	if (n < 0) {
		mlv_error_set_errno("'%s': cannot read object %s", path, p->oid);
		err = MLV_ERROR;
		goto done;
	}
	mlv_sha256_final_hex(got, &hash);
	if (total != p->size || strcmp(got, p->oid)) {
		mlv_error_set("'%s': object %s in the local store is corrupt "
			      "(its content hashes to %s); "
			      "run 'git mlv fsck' to move it aside",
			      path, p->oid, got);
		err = MLV_ECORRUPT;
		goto done;
	}
	err = 0;
done:
	free(chunk);
	if (fd >= 0)
		close(fd);
	mlv_sha256_release(&hash);
	return err;
}

int mlv_smudge_object(const struct mlv_store *s, const struct mlv_pointer *p,
		      const char *path, mlv_write_fn write, void *ctx)
{
	return smudge(s, p, path, write, NULL, ctx);
}

int mlv_smudge_object_copy(const struct mlv_store *s, const struct mlv_pointer *p,
			   const char *path, mlv_copy_fn copy, void *ctx)
{
	return smudge(s, p, path, NULL, copy, ctx);
}
