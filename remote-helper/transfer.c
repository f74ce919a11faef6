#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlv/convert.h"
#include "mlv/error.h"
#include "mlv/gc.h"
#include "mlv/progress.h"
#include "mlv/trace.h"
#include "mlv/transfer.h"
#include "mlv/util.h"

struct job {
	struct job *next;
	struct mlv_transfer_result r;
	char *copy_path; /* a download also written here, or NULL */
};

struct mlv_transfer {
	struct mlv_backend *backend;
	const struct mlv_store *local;
	enum mlv_transfer_direction dir;
	pthread_mutex_t lock;
	pthread_cond_t work, finished;
	struct job *queue, **queue_tail; /* waiting for a worker */
	struct job *done, **done_tail;   /* finished, not yet taken */
	unsigned running;
	int closing;
	pthread_t *threads;
	unsigned nthreads;
	struct mlv_progress progress;
	struct mlv_transfer_stats stats;
};

static void on_bytes(void *ctx, uint64_t bytes)
{
	struct mlv_transfer *t = ctx;

	pthread_mutex_lock(&t->lock);
	mlv_progress_add(&t->progress, 0, bytes);
	t->stats.bytes += bytes;
	pthread_mutex_unlock(&t->lock);
}

static int upload(struct mlv_conn *c, struct mlv_transfer *t,
		  struct mlv_transfer_result *r)
{
	struct mlv_buf key = MLV_BUF_INIT;
	uint64_t have = 0, size = 0;
	int large = r->size >= t->backend->multipart_threshold;
	int fd = -1, err = 0;

	mlv_backend_object_key(&key, r->oid);
	/* a small object goes up with a conditional PUT, which tells whether
	 * it was there; a large one is asked about first */
	if (large) {
		err = mlv_conn_head(c, key.ptr, &have);
		if (err == 0 && have == r->size) {
			r->skipped = 1;
			goto done;
		}
		if (err < 0 && err != MLV_ENOTFOUND)
			goto done;
	}
	if ((err = mlv_store_open(&fd, &size, t->local, r->oid)) < 0) {
		if (err == MLV_ENOTFOUND)
			mlv_error_set("cannot upload object %s%s%s%s: it is not in "
				      "the local store (run 'git mlv fetch' where "
				      "it was made, or 'git mlv fsck')",
				      r->oid, r->path ? " ('" : "",
				      r->path ? r->path : "", r->path ? "')" : "");
		goto done;
	}
	/* a pointer is its oid and its size: one that disagrees with the
	 * object would make every clone of the store fail on that file */
	if (size != r->size) {
		mlv_error_set("not uploading object %s%s%s%s: its pointer says %llu "
			      "bytes but the object has %llu; the pointer is wrong "
			      "(git add the file again to write a right one)",
			      r->oid, r->path ? " ('" : "", r->path ? r->path : "",
			      r->path ? "')" : "", (unsigned long long)r->size,
			      (unsigned long long)size);
		err = MLV_EINVALID;
		goto done;
	}
	/* parts of a multipart upload carry no hash the server could check:
	 * make sure here that what goes up under this oid is that object */
	if (large && (err = mlv_store_verify(t->local, r->oid)) < 0) {
		if (err == MLV_ECORRUPT)
			mlv_error_set("object %s in the local store is corrupt; not "
				      "uploading it (run 'git mlv fsck')",
				      r->oid);
		goto done;
	}
	err = mlv_conn_put_file(c, key.ptr, fd, size, r->oid);
	if (err == MLV_EEXISTS) {
		r->skipped = 1;
		err = 0;
	}
done:
	if (fd >= 0)
		close(fd);
	mlv_buf_release(&key);
	return err;
}

static int check(struct mlv_conn *c, struct mlv_transfer *t,
		 struct mlv_transfer_result *r)
{
	struct mlv_buf key = MLV_BUF_INIT;
	uint64_t have = 0;
	int err;

	mlv_backend_object_key(&key, r->oid);
	err = mlv_conn_head(c, key.ptr, &have);
	if (err == 0 && have != r->size) {
		mlv_error_set("object %s in %s has %llu bytes, not %llu", r->oid,
			      mlv_backend_url(t->backend), (unsigned long long)have,
			      (unsigned long long)r->size);
		err = MLV_ECORRUPT;
	} else if (err == MLV_ENOTFOUND) {
		mlv_error_set("object %s is not in %s", r->oid,
			      mlv_backend_url(t->backend));
	}
	mlv_buf_release(&key);
	return err;
}

/* 1 when a gc moved `oid` to the store's trash/. */
static int in_trash(struct mlv_conn *c, const char *oid)
{
	struct mlv_buf key = MLV_BUF_INIT;
	uint64_t size;
	int found;

	mlv_gc_trash_key(&key, oid);
	found = mlv_conn_head(c, key.ptr, &size) == 0;
	mlv_buf_release(&key);
	return found;
}

struct sink {
	struct mlv_transfer *t;
	struct mlv_store_download *d;
};

/* The bytes of a download, unless the queue is being freed: then nobody
 * waits for them, and the download stops (what arrived stays). */
static int download_sink(void *ctx, const void *data, size_t len)
{
	struct sink *k = ctx;
	int err;

	if (__atomic_load_n(&k->t->closing, __ATOMIC_RELAXED)) {
		mlv_error_set("download of object %s stopped", k->d->oid);
		err = MLV_ERROR;
	} else {
		err = mlv_store_download_write(k->d, data, len);
	}
	return err;
}

static int write_copy(void *ctx, const void *data, size_t len)
{
	return mlv_write_all(*(int *)ctx, data, len) < 0 ? MLV_ERROR : 0;
}

/* The copy of an object the local store already has (into copy_fd, if
 * any), verified as it is written. */
static int copy_stored(struct mlv_transfer *t, const struct mlv_transfer_result *r,
		       int copy_fd)
{
	struct mlv_pointer p;
	int err = 0;

	if (copy_fd < 0)
		goto done;
	snprintf(p.oid, sizeof(p.oid), "%s", r->oid);
	p.size = r->size;
	if (mlv_empty_file(copy_fd) < 0) {
		mlv_error_set_errno("cannot empty the copy of object %s", r->oid);
		err = MLV_ERROR;
		goto done;
	}
	err = mlv_smudge_object(t->local, &p, r->path, write_copy, &copy_fd);
	if (err == MLV_ERROR)
		mlv_error_set_errno("cannot copy object %s from the local store",
				    r->oid);
done:
	return err;
}

static int download(struct mlv_conn *c, struct mlv_transfer *t,
		    struct mlv_transfer_result *r, int copy_fd)
{
	struct mlv_store_download d = MLV_STORE_DOWNLOAD_INIT;
	struct mlv_buf key = MLV_BUF_INIT;
	struct sink sink = { t, &d };
	int attempt, err = 0;

	mlv_backend_object_key(&key, r->oid);
	for (attempt = 0; attempt < 2; attempt++) {
		uint64_t resumed;

		if (mlv_store_has(t->local, r->oid)) {
			r->skipped = 1;
			err = copy_stored(t, r, copy_fd);
			break;
		}
		if ((err = mlv_store_download_open(&d, t->local, r->oid)) < 0) {
			if (err == MLV_EEXISTS) {
				r->skipped = 1;
				err = copy_stored(t, r, copy_fd);
			}
			break;
		}
		if (copy_fd >= 0 && (err = mlv_store_download_tee(&d, copy_fd)) < 0) {
			mlv_store_download_abort(&d);
			break;
		}
		mlv_store_download_direct(&d); /* nobody reads it meanwhile */
		resumed = d.have;
		mlv_trace("transfer: download %s from byte %llu", r->oid,
			  (unsigned long long)d.have);
		if (d.have < r->size &&
		    (err = mlv_conn_get(c, key.ptr, d.have, download_sink, &sink)) < 0) {
			if (err == MLV_EPROTO && resumed) {
				/* the server would not resume: start over */
				mlv_store_download_discard(&d);
				mlv_store_download_abort(&d);
				continue;
			}
			mlv_store_download_abort(&d); /* keeps the bytes */
			break;
		}
		err = mlv_store_download_commit(&d, r->size);
		/* a resumed download may have been built on stale bytes:
		 * start once more from nothing */
		if (err != MLV_ECORRUPT || !resumed)
			break;
		mlv_trace("transfer: %s: resumed bytes were stale, starting over",
			  r->oid);
	}
	if (err == MLV_ECORRUPT)
		mlv_error_set("object %s%s%s%s in %s is corrupt (%s); nothing was "
			      "kept",
			      r->oid, r->path ? " ('" : "", r->path ? r->path : "",
			      r->path ? "')" : "", mlv_backend_url(t->backend),
			      mlv_error_last());
	else if (err == MLV_ENOTFOUND && in_trash(c, r->oid))
		mlv_error_set("object %s%s%s%s is in the trash/ of %s: git mlv gc "
			      "found no ref there that reaches it; 'git mlv gc --remote "
			      "<remote> --restore' brings it back, or push a branch that "
			      "has it", r->oid, r->path ? " ('" : "", r->path ? r->path : "",
			      r->path ? "')" : "", mlv_backend_url(t->backend));
	else if (err == MLV_ENOTFOUND)
		mlv_error_set("object %s%s%s%s is not in %s (was it pushed? "
			      "'git mlv push' uploads it from a clone that has it)",
			      r->oid, r->path ? " ('" : "", r->path ? r->path : "",
			      r->path ? "')" : "", mlv_backend_url(t->backend));
	mlv_buf_release(&key);
	return err;
}

static int download_job(struct mlv_conn *c, struct mlv_transfer *t,
			struct job *j)
{
	int fd = -1, err = MLV_ERROR;

	if (j->copy_path &&
	    (fd = open(j->copy_path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		mlv_error_set_errno("cannot open '%s'", j->copy_path);
		goto done;
	}
	err = download(c, t, &j->r, fd);
	if (fd >= 0 && close(fd) < 0 && err == 0) {
		mlv_error_set_errno("cannot write '%s'", j->copy_path);
		err = MLV_ERROR;
	}
done:
	return err;
}

static void *worker(void *arg)
{
	struct mlv_transfer *t = arg;
	struct mlv_conn *c = NULL;
	int open_err = mlv_conn_open(&c, t->backend);
	char *open_msg = open_err < 0 ? mlv_xstrdup(mlv_error_last()) : NULL;

	if (c)
		mlv_conn_on_bytes(c, on_bytes, t);
	pthread_mutex_lock(&t->lock);
	for (;;) {
		struct job *j;
		int err;

		while (!t->queue && !t->closing)
			pthread_cond_wait(&t->work, &t->lock);
		if (!(j = t->queue))
			break;
		if (!(t->queue = j->next))
			t->queue_tail = &t->queue;
		t->running++;
		pthread_mutex_unlock(&t->lock);

		mlv_error_clear();
		if (open_err < 0) {
			mlv_error_set("%s", open_msg);
			err = open_err;
		} else if (t->dir == MLV_TRANSFER_UPLOAD) {
			err = upload(c, t, &j->r);
		} else if (t->dir == MLV_TRANSFER_CHECK) {
			err = check(c, t, &j->r);
		} else {
			err = download_job(c, t, j);
		}
		j->r.err = err;
		if (err < 0)
			j->r.message = mlv_xstrdup(mlv_error_last());
		mlv_trace("transfer: %s %s: %s", t->dir == MLV_TRANSFER_UPLOAD ? "upload" :
			  t->dir == MLV_TRANSFER_CHECK ? "check" : "download", j->r.oid,
			  err < 0 ? j->r.message : j->r.skipped ? "already there" : "done");

		pthread_mutex_lock(&t->lock);
		t->running--;
		j->next = NULL;
		*t->done_tail = j;
		t->done_tail = &j->next;
		mlv_progress_add(&t->progress, 1, 0);
		if (err == 0 && !j->r.skipped && t->dir != MLV_TRANSFER_CHECK) {
			t->stats.files++;
			t->stats.end = mlv_progress_now();
		}
		pthread_cond_broadcast(&t->finished);
	}
	pthread_mutex_unlock(&t->lock);
	mlv_conn_close(c);
	free(open_msg);
	return NULL;
}

struct mlv_transfer *mlv_transfer_new(struct mlv_backend *b,
				      const struct mlv_store *local,
				      enum mlv_transfer_direction dir,
				      unsigned jobs, const char *title, int quiet)
{
	struct mlv_transfer *t = mlv_xmalloc(sizeof(*t));
	unsigned i;

	memset(t, 0, sizeof(*t));
	t->backend = b;
	t->local = local;
	t->dir = dir;
	t->queue_tail = &t->queue;
	t->done_tail = &t->done;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->work, NULL);
	pthread_cond_init(&t->finished, NULL);
	mlv_progress_start(&t->progress, title, 0, quiet);
	t->stats.start = mlv_progress_now();
	if (!jobs)
		jobs = 1;
	t->threads = mlv_xreallocarray(NULL, jobs, sizeof(*t->threads));
	for (i = 0; i < jobs; i++) {
		if (pthread_create(&t->threads[i], NULL, worker, t))
			break;
		t->nthreads++;
	}
	if (!t->nthreads) {
		/* without a thread nothing would ever run: die as on no memory */
		fprintf(stderr, "fatal: cannot start a transfer thread\n");
		abort();
	}
	return t;
}

void mlv_transfer_add(struct mlv_transfer *t, const char *oid, uint64_t size,
		      const char *path)
{
	mlv_transfer_add_copy(t, oid, size, path, NULL);
}

void mlv_transfer_add_copy(struct mlv_transfer *t, const char *oid,
			   uint64_t size, const char *path, const char *copy_path)
{
	struct job *j = mlv_xmalloc(sizeof(*j));

	memset(j, 0, sizeof(*j));
	j->copy_path = copy_path ? mlv_xstrdup(copy_path) : NULL;
	snprintf(j->r.oid, sizeof(j->r.oid), "%s", oid);
	j->r.size = size;
	j->r.path = path ? mlv_xstrdup(path) : NULL;
	pthread_mutex_lock(&t->lock);
	*t->queue_tail = j;
	t->queue_tail = &j->next;
	t->progress.total++;
	pthread_cond_signal(&t->work);
	pthread_mutex_unlock(&t->lock);
}

void mlv_transfer_stats_merge(struct mlv_transfer_stats *into,
			      const struct mlv_transfer_stats *from)
{
	if (!from->files && !from->bytes)
		return;
	if (!into->files && !into->bytes) {
		*into = *from;
		return;
	}
	into->files += from->files;
	into->bytes += from->bytes;
	if (from->start < into->start)
		into->start = from->start;
	if (from->end > into->end)
		into->end = from->end;
}

void mlv_transfer_stats_add(struct mlv_transfer_stats *s, struct mlv_transfer *t)
{
	struct mlv_transfer_stats now;

	pthread_mutex_lock(&t->lock);
	now = t->stats;
	pthread_mutex_unlock(&t->lock);
	mlv_transfer_stats_merge(s, &now);
}

int mlv_transfer_summary(struct mlv_buf *out, enum mlv_transfer_direction dir,
			 const struct mlv_transfer_stats *s)
{
	char size[32];
	double seconds = s->end > s->start ? s->end - s->start : 0;

	mlv_buf_clear(out);
	if (!s->files)
		return 0;
	mlv_progress_human_bytes(size, sizeof(size), (double)s->bytes);
	mlv_buf_printf(out, "%s %zu file%s, %s in %.1f s",
		       dir == MLV_TRANSFER_UPLOAD ? "uploaded" : "downloaded",
		       s->files, s->files == 1 ? "" : "s", size, seconds);
	return 1;
}

unsigned mlv_transfer_pending(struct mlv_transfer *t)
{
	unsigned n = 0;
	struct job *j;

	pthread_mutex_lock(&t->lock);
	n = t->running;
	for (j = t->queue; j; j = j->next)
		n++;
	for (j = t->done; j; j = j->next)
		n++;
	pthread_mutex_unlock(&t->lock);
	return n;
}

int mlv_transfer_next(struct mlv_transfer *t, struct mlv_transfer_result *out,
		      int block)
{
	struct job *j = NULL;

	pthread_mutex_lock(&t->lock);
	while (!t->done && block && (t->queue || t->running))
		pthread_cond_wait(&t->finished, &t->lock);
	if ((j = t->done) && !(t->done = j->next))
		t->done_tail = &t->done;
	pthread_mutex_unlock(&t->lock);
	if (!j)
		return 0;
	*out = j->r;
	free(j->copy_path);
	free(j);
	return 1;
}

void mlv_transfer_result_release(struct mlv_transfer_result *r)
{
	free(r->path);
	free(r->message);
	r->path = r->message = NULL;
}

static void free_jobs(struct job *j)
{
	while (j) {
		struct job *next = j->next;

		mlv_transfer_result_release(&j->r);
		free(j->copy_path);
		free(j);
		j = next;
	}
}

void mlv_transfer_free(struct mlv_transfer *t)
{
	unsigned i;

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	__atomic_store_n(&t->closing, 1, __ATOMIC_RELAXED);
	free_jobs(t->queue); /* not started: dropped */
	t->queue = NULL;
	t->queue_tail = &t->queue;
	pthread_cond_broadcast(&t->work);
	pthread_mutex_unlock(&t->lock);
	for (i = 0; i < t->nthreads; i++)
		pthread_join(t->threads[i], NULL);
	mlv_progress_stop(&t->progress);
	free_jobs(t->done);
	free(t->threads);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->work);
	pthread_cond_destroy(&t->finished);
	free(t);
}
