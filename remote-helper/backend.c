#include <stdlib.h>
#include <string.h>

#include "mlv/backend.h"
#include "mlv/error.h"
#include "mlv/quote.h"
#include "mlv/util.h"

static const struct mlv_backend_ops *const backends[] = {
	&mlv_backend_file,
	&mlv_backend_s3,
};

/* A local path rather than a URL: no "://" and, as git tells a path
 * from an scp-like "host:path", no ':' before its first '/'. */
static int is_plain_path(const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');

	if (!*url || strstr(url, "://"))
		return 0;
	return !colon || (slash && slash < colon);
}

char *mlv_backend_resolve_url(const char *url, const char *base)
{
	struct mlv_buf path = MLV_BUF_INIT, out = MLV_BUF_INIT;

	if (!is_plain_path(url) || (url[0] != '/' && !base))
		return mlv_xstrdup(url);
	if (url[0] != '/')
		mlv_path_append_parts(&path, base);
	mlv_path_append_parts(&path, url);
	mlv_buf_printf(&out, "file://%s", path.len ? path.ptr : "/");
	mlv_buf_release(&path);
	return mlv_buf_detach(&out);
}

int mlv_backend_open(struct mlv_backend **out, const char *url)
{
	const struct mlv_backend_ops *ops = NULL;
	struct mlv_backend *b = NULL;
	char *resolved = NULL;
	const char *sep;
	size_t i;
	int err;

	*out = NULL;
	if (is_plain_path(url) && url[0] != '/') {
		mlv_error_set("store path '%s' is relative, and mlv cannot tell "
			      "to what: give an absolute path or file:///path",
			      mlv_quote_display(url));
		return MLV_EINVALID;
	}
	url = resolved = mlv_backend_resolve_url(url, NULL);
	sep = strstr(url, "://");
	for (i = 0; sep && i < sizeof(backends) / sizeof(*backends); i++)
		if (strlen(backends[i]->scheme) == (size_t)(sep - url) &&
		    !strncmp(url, backends[i]->scheme, (size_t)(sep - url)))
			ops = backends[i];
	if (!ops) {
		mlv_error_set("unsupported store URL '%s' (use file:///path, "
			      "a path, or s3://bucket/prefix)",
			      mlv_quote_display(url));
		free(resolved);
		return MLV_EINVALID;
	}
	b = mlv_xmalloc(sizeof(*b));
	b->ops = ops;
	b->url = mlv_xstrdup(url);
	b->impl = NULL;
	b->multipart_threshold = 64ull << 20;
	b->part_size = 16ull << 20;
	b->part_jobs = 8;
	b->copy_part_threshold = 5ull << 30;
	if ((err = ops->open(b, sep + 3)) < 0) {
		ops->free(b); /* what open() had set up before it failed */
		free(b->url);
		free(b);
		free(resolved);
		return err;
	}
	free(resolved);
	*out = b;
	return 0;
}

void mlv_backend_free(struct mlv_backend *b)
{
	if (!b)
		return;
	b->ops->free(b);
	free(b->url);
	free(b);
}

const char *mlv_backend_url(const struct mlv_backend *b)
{
	return b->url;
}

void mlv_backend_object_key(struct mlv_buf *out, const char *oid)
{
	mlv_buf_clear(out);
	mlv_buf_printf(out, "objects/%.2s/%.2s/%s", oid, oid + 2, oid);
}

int mlv_conn_open(struct mlv_conn **out, struct mlv_backend *b)
{
	struct mlv_conn *c = mlv_xmalloc(sizeof(*c));
	int err;

	memset(c, 0, sizeof(*c));
	c->backend = b;
	if ((err = b->ops->conn_open(c)) < 0) {
		free(c);
		c = NULL;
	}
	*out = c;
	return err;
}

void mlv_conn_close(struct mlv_conn *c)
{
	if (!c)
		return;
	c->backend->ops->conn_close(c);
	free(c);
}

void mlv_conn_on_bytes(struct mlv_conn *c, mlv_bytes_fn fn, void *ctx)
{
	c->on_bytes = fn;
	c->on_bytes_ctx = ctx;
}

int mlv_conn_head(struct mlv_conn *c, const char *key, uint64_t *size)
{
	return c->backend->ops->head(c, key, size);
}

int mlv_conn_get(struct mlv_conn *c, const char *key, uint64_t offset,
		 mlv_write_fn sink, void *ctx)
{
	return c->backend->ops->get(c, key, offset, sink, ctx);
}

int mlv_conn_get_buf(struct mlv_conn *c, const char *key, struct mlv_buf *out,
		     struct mlv_buf *etag)
{
	return c->backend->ops->get_buf(c, key, out, etag);
}

int mlv_conn_put_file(struct mlv_conn *c, const char *key, int fd,
		      uint64_t size, const char *sha256_hex)
{
	return c->backend->ops->put_file(c, key, fd, size, sha256_hex);
}

int mlv_conn_put_buf_cas(struct mlv_conn *c, const char *key, const void *data,
			 size_t len, const char *if_match, struct mlv_buf *etag)
{
	return c->backend->ops->put_buf_cas(c, key, data, len, if_match, etag);
}

int mlv_conn_clean_temp(struct mlv_conn *c, unsigned max_age, size_t *removed)
{
	*removed = 0;
	if (!c->backend->ops->clean_temp)
		return 0;
	return c->backend->ops->clean_temp(c, max_age, removed);
}

int mlv_conn_list(struct mlv_conn *c, const char *prefix, mlv_list_fn fn,
		  void *ctx)
{
	return c->backend->ops->list(c, prefix, fn, ctx);
}

int mlv_conn_delete(struct mlv_conn *c, const char *key)
{
	return c->backend->ops->delete(c, key);
}

int mlv_conn_move(struct mlv_conn *c, const char *from, const char *to)
{
	return c->backend->ops->move(c, from, to);
}
