#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "mlv/convert.h"
#include "mlv/error.h"
#include "mlv/lazy.h"
#include "mlv/progress.h"
#include "mlv/sync.h"
#include "mlv/util.h"

void mlv_lazy_init(struct mlv_lazy *l, struct mlv_repo *r, int quiet)
{
	memset(l, 0, sizeof(*l));
	l->repo = r;
	l->quiet = quiet;
	mlv_sync_filter_init(&l->filter, r, NULL, NULL);
	l->skip_errors = mlv_repo_config_bool(r, "mlv.skipdownloaderrors", 0);
}

void mlv_lazy_release(struct mlv_lazy *l)
{
	mlv_transfer_free(l->queue);
	mlv_transfer_free(l->now);
	mlv_conn_close(l->conn);
	mlv_backend_free(l->backend);
	free(l->open_msg);
	mlv_sync_filter_release(&l->filter);
	memset(l, 0, sizeof(*l));
}

int mlv_lazy_wanted(struct mlv_lazy *l, const char *path)
{
	return mlv_sync_filter_wants(&l->filter, path);
}

/* Find and open the store once; later calls repeat the first outcome. */
static int open_store(struct mlv_lazy *l)
{
	struct mlv_buf remote = MLV_BUF_INIT, url = MLV_BUF_INIT,
		       from = MLV_BUF_INIT, notice = MLV_BUF_INIT;
	int err;

	if (l->backend || l->open_err) {
		if (l->open_err)
			mlv_error_set("%s", l->open_msg);
		return l->open_err;
	}
	if ((err = mlv_sync_default_remote(&remote, l->repo)) == 0 &&
	    (err = mlv_sync_store_url(&url, &from, l->repo, remote.ptr)) == 0) {
		if (l->notice && mlv_sync_store_notice(&notice, l->repo, remote.ptr,
						       url.ptr, from.ptr))
			l->notice(notice.ptr);
		err = mlv_backend_open(&l->backend, url.ptr);
	}
	if (err < 0) {
		l->open_err = err;
		l->open_msg = mlv_xstrdup(mlv_error_last());
	}
	mlv_buf_release(&remote);
	mlv_buf_release(&url);
	mlv_buf_release(&from);
	mlv_buf_release(&notice);
	return err;
}

/* Say which file and object could not be fetched, and why. */
static int explain(int err, const struct mlv_pointer *p, const char *path)
{
	char *why = mlv_xstrdup(mlv_error_last());

	mlv_error_set("cannot fetch '%s' (object %s): %s", path, p->oid, why);
	free(why);
	return err;
}

int mlv_lazy_fetch(struct mlv_lazy *l, const struct mlv_pointer *p,
		   const char *path)
{
	struct mlv_transfer_result res;
	int err;

	if ((err = open_store(l)) < 0)
		goto fail;
	/* one object through the same code as the queue: a queue of one,
	 * apart from the one that holds delayed downloads */
	if (!l->now)
		l->now = mlv_transfer_new(l->backend, &l->repo->store,
					  MLV_TRANSFER_DOWNLOAD, 1,
					  "Downloading mlv objects", l->quiet);
	mlv_transfer_add(l->now, p->oid, p->size, path);
	while (mlv_transfer_next(l->now, &res, 1) > 0) {
		err = res.err;
		if (err < 0)
			mlv_error_set("%s", res.message);
		mlv_transfer_result_release(&res);
	}
	if (err == 0)
		return 0;
fail:
	return explain(err, p, path);
}

/* Bytes go to incomplete/ and on from there, by `copy` (a splice into
 * git's pipe), in batches of at least STREAM_BATCH. */
#define STREAM_BATCH (1024 * 1024)

struct tee {
	struct mlv_store_download *d;
	mlv_copy_fn copy;
	void *ctx;
	uint64_t sent;     /* bytes of d given to `copy` */
	uint64_t received; /* bytes that came from the store */
};

static int tee_flush(struct tee *t)
{
	int err = 0;

	if (t->d->have > t->sent)
		err = t->copy(t->ctx, t->d->fd, t->sent,
			      (size_t)(t->d->have - t->sent));
	t->sent = t->d->have;
	return err;
}

static int tee_write(void *ctx, const void *data, size_t len)
{
	struct tee *t = ctx;
	int err;

	if ((err = mlv_store_download_write(t->d, data, len)) < 0)
		return err;
	t->received += len;
	return t->d->have - t->sent >= STREAM_BATCH ? tee_flush(t) : 0;
}

int mlv_lazy_stream(struct mlv_lazy *l, const struct mlv_pointer *p,
		    const char *path, mlv_copy_fn copy, void *ctx)
{
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;
	struct mlv_buf key = MLV_BUF_INIT;
	struct tee t = { &d, copy, ctx, 0, 0 };
	struct mlv_transfer_stats one = { 1, 0, 0, 0 };
	int err;

	if ((err = open_store(l)) < 0 ||
	    (!l->conn && (err = mlv_conn_open(&l->conn, l->backend)) < 0))
		return explain(err, p, path);
	mlv_backend_object_key(&key, p->oid);
	err = mlv_store_download_open(&d, &l->repo->store, p->oid);
	if (err == MLV_EEXISTS) {
		/* another process finished it while we waited */
		err = mlv_smudge_object_copy(&l->repo->store, p, path, copy, ctx);
		goto done;
	}
	/* first what a killed download left, then the rest as it arrives */
	if (err < 0 || (err = tee_flush(&t)) < 0)
		goto fail;
	one.start = mlv_progress_now();
	if (d.have < p->size &&
	    (err = mlv_conn_get(l->conn, key.ptr, d.have, tee_write, &t)) < 0)
		goto fail;
	if ((err = tee_flush(&t)) < 0)
		goto fail;
	err = mlv_store_download_commit(&d, p->size);
	if (err < 0)
		goto fail_explained;
	one.bytes = t.received;
	one.end = mlv_progress_now();
	mlv_transfer_stats_merge(&l->streamed, &one);
	goto done;
fail:
	mlv_store_download_abort(&d);
fail_explained:
	err = explain(err, p, path);
done:
	mlv_buf_release(&key);
	return err;
}

int mlv_lazy_queue(struct mlv_lazy *l, const struct mlv_pointer *p,
		   const char *path, const char *copy_path)
{
	int err;

	if ((err = open_store(l)) < 0)
		return explain(err, p, path);
	if (!l->queue)
		l->queue = mlv_transfer_new(l->backend, &l->repo->store,
					    MLV_TRANSFER_DOWNLOAD,
					    mlv_sync_jobs(l->repo),
					    "Downloading mlv objects", l->quiet);
	mlv_transfer_add_copy(l->queue, p->oid, p->size, path, copy_path);
	return 0;
}

int mlv_lazy_next(struct mlv_lazy *l, struct mlv_transfer_result *out,
		  int block)
{
	return l->queue ? mlv_transfer_next(l->queue, out, block) : 0;
}

int mlv_lazy_summary(struct mlv_buf *out, struct mlv_lazy *l)
{
	struct mlv_transfer_stats all = MLV_TRANSFER_STATS_INIT;

	mlv_buf_clear(out);
	if (l->quiet)
		return 0;
	mlv_transfer_stats_merge(&all, &l->streamed);
	if (l->now)
		mlv_transfer_stats_add(&all, l->now);
	if (l->queue)
		mlv_transfer_stats_add(&all, l->queue);
	return mlv_transfer_summary(out, MLV_TRANSFER_DOWNLOAD, &all);
}
