#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlv/convert.h"
#include "mlv/error.h"
#include "mlv/filter.h"
#include "mlv/lazy.h"
#include "mlv/pktline.h"
#include "mlv/quote.h"
#include "mlv/run.h"
#include "mlv/trace.h"
#include "mlv/util.h"
#include "mlv/worktree.h"

/* Smudged content goes out in whole packets only. */
_Static_assert(MLV_SMUDGE_CHUNK % MLV_PKT_DATA_MAX == 0,
	       "MLV_SMUDGE_CHUNK must be a multiple of MLV_PKT_DATA_MAX");

/* Smudge input larger than this goes to a temporary file, not memory. */
#define SPOOL_MEMORY_MAX (1024 * 1024)

/* A smudge answered "delayed": its object is being downloaded. */
struct delayed {
	char *path;
	struct mlv_pointer pointer;
	enum { DELAY_RUNNING, DELAY_DONE, DELAY_LISTED } state;
	char *error; /* why the download failed, when it did */
	/* a deferred file (see defer()): the work tree copy being written as
	 * the object downloads, and the pointer blob as git sent it */
	char *copy_path;
	struct mlv_buf text;
};

/* A deferred file git has been answered for with its pointer: the copy
 * replaces the pointer when git is done (finish_deferred()). */
struct deferred {
	char *path;
	char *copy_path;
	struct mlv_buf text;
	git_oid blob;
};

struct session {
	struct mlv_repo *repo;
	const struct mlv_filter_options *opt;
	struct mlv_pkt_reader in;
	struct mlv_pkt_writer out;
	int can_clean, can_smudge, can_delay;
	int write_failed; /* the pipe to git broke */
	struct mlv_lazy lazy;
	struct delayed *delayed;
	size_t ndelayed, delayed_alloc;
	int initial; /* the first checkout of this work tree, as in git clone */
	struct deferred *deferred;
	size_t ndeferred, deferred_alloc;
};

struct request {
	char *command;
	char *pathname;
	int can_delay;
};

static void request_release(struct request *req)
{
	free(req->command);
	free(req->pathname);
	req->command = req->pathname = NULL;
	req->can_delay = 0;
}

static void report(struct session *s, const char *path)
{
	if (s->opt->report)
		s->opt->report(path ? path : "", mlv_error_last());
}

static int expect_line(struct session *s, const char *want)
{
	char *line;
	int err = mlv_pkt_read_line(&s->in, &line);

	if (err < 0)
		return err;
	if (err > 0 || strcmp(line, want)) {
		mlv_error_set("filter protocol: expected '%s' from git, got '%s'", want,
			      line ? line : "flush");
		return MLV_EPROTO;
	}
	return 0;
}

static int handshake(struct session *s)
{
	int version2 = 0, err;
	char *line;

	if ((err = expect_line(s, "git-filter-client")) < 0)
		return err;
	while ((err = mlv_pkt_read_line(&s->in, &line)) == 0)
		if (!strcmp(line, "version=2"))
			version2 = 1;
	if (err < 0)
		return err;
	if (!version2) {
		mlv_error_set("filter protocol: git offers no version 2");
		return MLV_EPROTO;
	}
	if ((err = mlv_pkt_write_line(&s->out, "git-filter-server")) < 0 ||
	    (err = mlv_pkt_write_line(&s->out, "version=2")) < 0 ||
	    (err = mlv_pkt_write_flush(&s->out)) < 0)
		return err;

	while ((err = mlv_pkt_read_line(&s->in, &line)) == 0) {
		if (!strcmp(line, "capability=clean"))
			s->can_clean = 1;
		else if (!strcmp(line, "capability=smudge"))
			s->can_smudge = 1;
		else if (!strcmp(line, "capability=delay"))
			s->can_delay = 1;
	}
	if (err < 0)
		return err;
	if (s->can_clean && (err = mlv_pkt_write_line(&s->out, "capability=clean")) < 0)
		return err;
	if (s->can_smudge &&
	    (err = mlv_pkt_write_line(&s->out, "capability=smudge")) < 0)
		return err;
	if (s->can_delay &&
	    (err = mlv_pkt_write_line(&s->out, "capability=delay")) < 0)
		return err;
	return mlv_pkt_write_flush(&s->out);
}

/* Read a request header. 1 when git has closed the stream. */
static int read_request(struct session *s, struct request *req)
{
	char *line;
	int err;

	err = mlv_pkt_read_line(&s->in, &line);
	if (err == MLV_ENOTFOUND)
		return 1;
	while (err == 0) {
		if (!strncmp(line, "command=", 8) && !req->command)
			req->command = mlv_xstrdup(line + 8);
		else if (!strncmp(line, "pathname=", 9) && !req->pathname)
			req->pathname = mlv_xstrdup(line + 9);
		else if (!strcmp(line, "can-delay=1"))
			req->can_delay = 1;
		err = mlv_pkt_read_line(&s->in, &line);
	}
	if (err < 0)
		return err;
	if (!req->command) {
		mlv_error_set("filter protocol: request without a command");
		return MLV_EPROTO;
	}
	return 0;
}

/* Read content packets up to the flush packet, giving each to `sink`.
 * After a sink error the rest is drained and the first error returned. */
static int read_content(struct session *s, mlv_write_fn sink, void *ctx,
			int *sink_err)
{
	enum mlv_pkt_type type;
	const char *data;
	size_t len;
	int err;

	*sink_err = 0;
	for (;;) {
		if ((err = mlv_pkt_read(&s->in, &type, &data, &len)) < 0) {
			if (err == MLV_ENOTFOUND) {
				mlv_error_set("filter protocol: git closed the pipe "
					      "in the middle of content");
				err = MLV_EPROTO;
			}
			return err;
		}
		if (type == MLV_PKT_FLUSH)
			return 0;
		if (type != MLV_PKT_DATA) {
			mlv_error_set("filter protocol: special packet inside content");
			return MLV_EPROTO;
		}
		if (!*sink_err && len)
			*sink_err = sink(ctx, data, len);
	}
}

/* A status message; it goes out with what follows it, or at once when
 * it ends the answer (`last`). */
static int write_status(struct session *s, const char *status, int last)
{
	int err;

	mlv_trace("filter: status=%s", status);
	if ((err = mlv_pkt_write_line(&s->out, "status=%s", status)) < 0)
		return err;
	return last ? mlv_pkt_write_flush(&s->out) :
		      mlv_pkt_write_flush_buffered(&s->out);
}

static int send_status(struct session *s, const char *status)
{
	return write_status(s, status, 1);
}

static int copy_to_git(void *ctx, int fd, uint64_t offset, size_t len)
{
	struct session *s = ctx;
	int err = mlv_pkt_write_from_fd(&s->out, fd, offset, len);

	if (err < 0)
		s->write_failed = 1;
	return err;
}

/* Send a whole successful response whose content is in memory. */
static int send_content(struct session *s, const void *data, size_t len)
{
	int err;

	/* one write for the whole answer */
	if ((err = write_status(s, "success", 0)) < 0 ||
	    (err = mlv_pkt_write_data(&s->out, data, len)) < 0 ||
	    (err = mlv_pkt_write_flush_buffered(&s->out)) < 0)
		return err;
	return mlv_pkt_write_flush(&s->out); /* status unchanged */
}

static int clean_sink(void *ctx, const void *data, size_t len)
{
	return mlv_clean_write(ctx, data, len);
}

static int do_clean(struct session *s, struct request *req)
{
	struct mlv_buf pointer = MLV_BUF_INIT;
	struct mlv_clean clean;
	int err, sink_err;

	mlv_clean_start(&clean, &s->repo->store);
	if ((err = read_content(s, clean_sink, &clean, &sink_err)) < 0) {
		mlv_clean_abort(&clean);
		goto done;
	}
	if (sink_err == 0)
		sink_err = mlv_clean_finish(&pointer, &clean);
	else
		mlv_clean_abort(&clean);
	if (sink_err < 0) {
		report(s, req->pathname);
		err = send_status(s, "error");
		goto done;
	}
	err = send_content(s, pointer.ptr, pointer.len);
done:
	mlv_buf_release(&pointer);
	return err;
}

/* Smudge input, held in memory up to SPOOL_MEMORY_MAX and then in an
 * unlinked temporary file: git sends all of it before it reads a byte of
 * the answer, so it must be taken in whole before answering. */
struct spool {
	struct mlv_buf mem;
	int fd;
	const char *dir;
};

static int open_spool_file(const char *dir)
{
	char *inside = mlv_path_join(dir, "spool");
	int fd = -1;

	if (mlv_mkdir_parents(inside) == 0) {
		fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR ||
			       errno == EINVAL)) {
			/* no O_TMPFILE here (NFS, some FUSE): name it, unlink it */
			struct mlv_buf name = MLV_BUF_INIT;

			mlv_buf_printf(&name, "%s/spool-XXXXXX", dir);
			if ((fd = mkostemp(name.ptr, O_CLOEXEC)) >= 0)
				unlink(name.ptr);
			mlv_buf_release(&name);
		}
	}
	if (fd < 0)
		mlv_error_set_errno("cannot create a temporary file in '%s'", dir);
	free(inside);
	return fd;
}

static int spool_write(void *ctx, const void *data, size_t len)
{
	struct spool *sp = ctx;
	int err;

	if (sp->fd < 0 && sp->mem.len + len <= SPOOL_MEMORY_MAX)
		return mlv_buf_put(&sp->mem, data, len);
	if (sp->fd < 0) {
		if ((sp->fd = open_spool_file(sp->dir)) < 0)
			return MLV_ERROR;
		err = mlv_write_all(sp->fd, sp->mem.ptr, sp->mem.len);
		mlv_buf_release(&sp->mem);
		if (err < 0)
			goto fail;
	}
	if (mlv_write_all(sp->fd, data, len) == 0)
		return 0;
fail:
	mlv_error_set_errno("cannot write a temporary file in '%s'", sp->dir);
	return MLV_ERROR;
}

static int send_spooled(struct session *s, struct spool *sp)
{
	char *chunk = NULL;
	ssize_t n;
	int err;

	if (sp->fd < 0)
		return send_content(s, sp->mem.ptr, sp->mem.len);
	if (lseek(sp->fd, 0, SEEK_SET) < 0) {
		mlv_error_set_errno("cannot rewind a temporary file");
		return send_status(s, "error");
	}
	if ((err = send_status(s, "success")) < 0)
		return err;
	chunk = mlv_xmalloc(MLV_IO_CHUNK);
	while ((n = mlv_read_retry(sp->fd, chunk, MLV_IO_CHUNK)) > 0)
		if ((err = mlv_pkt_write_data(&s->out, chunk, (size_t)n)) < 0)
			goto done;
	if ((err = mlv_pkt_write_flush(&s->out)) < 0)
		goto done;
	err = n < 0 ? send_status(s, "error") : mlv_pkt_write_flush(&s->out);
done:
	free(chunk);
	return err;
}

static int discard(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

/* The delayed smudge of `path` that git asks for again, or NULL. */
static struct delayed *find_delayed(struct session *s, const char *path)
{
	size_t i;

	for (i = 0; path && i < s->ndelayed; i++)
		if (s->delayed[i].state == DELAY_LISTED &&
		    !strcmp(s->delayed[i].path, path))
			return &s->delayed[i];
	return NULL;
}

/* A new delayed file, its download running. */
static struct delayed *add_delayed(struct session *s, const char *path,
				   const struct mlv_pointer *p)
{
	struct delayed *d;

	MLV_ALLOC_GROW(s->delayed, s->ndelayed, s->delayed_alloc);
	d = &s->delayed[s->ndelayed++];
	memset(d, 0, sizeof(*d));
	d->path = mlv_xstrdup(path);
	d->pointer = *p;
	d->state = DELAY_RUNNING;
	mlv_buf_init(&d->text, 0);
	return d;
}

static void drop_delayed(struct session *s, struct delayed *d)
{
	if (d->copy_path)
		unlink(d->copy_path);
	free(d->copy_path);
	mlv_buf_release(&d->text);
	free(d->path);
	free(d->error);
	*d = s->delayed[--s->ndelayed];
}

/*
 * The first checkout of a work tree (git clone, git worktree add, or a
 * checkout in a repository without an index): git holds the index lock
 * and no index exists yet, and git ends the command with that one
 * checkout. Deferring also needs the store's tmp/ on the work tree's file
 * system, so that a finished file can be renamed into place.
 */
static int can_defer(struct mlv_repo *r)
{
	const char *env = getenv("GIT_INDEX_FILE");
	struct mlv_buf index = MLV_BUF_INIT, lock = MLV_BUF_INIT;
	struct stat wt, tmp;
	int initial;

	if (env && *env)
		mlv_buf_puts(&index, env);
	else
		mlv_buf_printf(&index, "%sindex", git_repository_path(r->git));
	mlv_buf_printf(&lock, "%s.lock", index.ptr);
	initial = access(index.ptr, F_OK) < 0 && errno == ENOENT &&
		  access(lock.ptr, F_OK) == 0 &&
		  mlv_mkdir_parents(r->store.tmp) == 0 && /* makes its parent */
		  stat(r->store.root, &tmp) == 0 && stat(r->workdir, &wt) == 0 &&
		  tmp.st_dev == wt.st_dev;
	mlv_buf_release(&index);
	mlv_buf_release(&lock);
	return initial;
}

/*
 * A large missing object in the first checkout of a work tree is
 * downloaded straight into a copy beside the store (and into the store,
 * in the same pass) while git goes on; git gets the pointer for it, and
 * when git is done the copy replaces the pointer (finish_deferred()). Its
 * bytes so never pass through git, which would hold all of them in memory
 * and write them a second time. 1 when git was answered ("delayed", in
 * `*err`), 0 when the file cannot be deferred and is handled as any other.
 */
static int defer(struct session *s, const char *path,
		 const struct mlv_pointer *p, const struct spool *sp, int *err)
{
	struct mlv_buf copy_path = MLV_BUF_INIT;
	struct delayed *d;
	int fd = -1, answered = 0;

	mlv_buf_printf(&copy_path, "%s/checkout-XXXXXX", s->repo->store.tmp);
	if (mlv_mkdir_parents(copy_path.ptr) < 0 ||
	    (fd = mkostemp(copy_path.ptr, O_CLOEXEC)) < 0) {
		mlv_trace("filter: '%s' not deferred: %s", path, strerror(errno));
		goto done;
	}
	close(fd);
	if (mlv_lazy_queue(&s->lazy, p, path, copy_path.ptr) < 0) {
		mlv_trace("filter: '%s' not deferred: %s", path, mlv_error_last());
		unlink(copy_path.ptr);
		goto done;
	}
	d = add_delayed(s, path, p);
	d->copy_path = mlv_buf_detach(&copy_path);
	mlv_buf_put(&d->text, sp->mem.ptr, sp->mem.len);
	mlv_trace("filter: '%s' deferred: downloading into %s", path, d->copy_path);
	*err = send_status(s, "delayed");
	answered = 1;
done:
	mlv_buf_release(&copy_path);
	return answered;
}

/* Git asks for a deferred file whose download succeeded: it gets the
 * pointer, and the copy waits for the end of the command. */
static int answer_deferred(struct session *s, struct delayed *d)
{
	struct deferred *f;
	int err = send_content(s, d->text.ptr, d->text.len);

	if (err == 0) {
		MLV_ALLOC_GROW(s->deferred, s->ndeferred, s->deferred_alloc);
		f = &s->deferred[s->ndeferred++];
		f->path = d->path;
		f->copy_path = d->copy_path;
		f->text = d->text;
		git_odb_hash(&f->blob, f->text.ptr, f->text.len, GIT_OBJECT_BLOB);
		d->path = d->copy_path = NULL;
		mlv_buf_init(&d->text, 0);
	}
	return err;
}

/*
 * Git is done (it closed the pipe, and waits for this process to exit):
 * each deferred copy replaces the pointer git wrote, and the index, which
 * git has written by now, gets the copies' stat data. A path that no
 * longer holds the pointer is left alone.
 */
static void finish_deferred(struct session *s)
{
	struct mlv_worktree_file *files = NULL;
	git_index *index = NULL;
	size_t i, n = 0;
	int err;

	if (!s->ndeferred)
		return;
	files = mlv_xreallocarray(NULL, s->ndeferred, sizeof(*files));
	for (i = 0; i < s->ndeferred; i++) {
		struct deferred *f = &s->deferred[i];

		err = mlv_worktree_replace_pointer(s->repo, f->path, f->copy_path,
						   f->text.ptr, f->text.len);
		if (err == 0) {
			files[n].path = f->path;
			files[n].blob = f->blob;
			n++;
		} else if (err == MLV_ECONFLICT) {
			mlv_trace("filter: %s", mlv_error_last());
		} else {
			struct mlv_buf q = MLV_BUF_INIT;

			mlv_error_set("%s; its pointer stays (try again with: "
				      "git mlv checkout -- %s)", mlv_error_last(),
				      mlv_quote_path(&q, f->path));
			mlv_buf_release(&q);
			report(s, f->path);
		}
	}
	if (n && ((err = git_repository_index(&index, s->repo->git)) < 0 ||
		  mlv_worktree_record_stat(index, s->repo->workdir, files, n) < 0)) {
		if (err < 0)
			mlv_error_from_git(err, "cannot read the index");
		mlv_error_set("%s; 'git status' lists the downloaded files as "
			      "modified until 'git mlv checkout' records them",
			      mlv_error_last());
		report(s, NULL);
	}
	git_index_free(index);
	free(files);
}

static void release_deferred(struct session *s)
{
	size_t i;

	for (i = 0; i < s->ndeferred; i++) {
		unlink(s->deferred[i].copy_path); /* gone when it was used */
		free(s->deferred[i].copy_path);
		free(s->deferred[i].path);
		mlv_buf_release(&s->deferred[i].text);
	}
	free(s->deferred);
}

/*
 * The object of `p` is not here: fetch it (0), have it streamed to git as
 * it downloads (2: large objects, so that git reads while the bytes
 * arrive), or answer for git and return 1: "delayed" while it downloads,
 * the pointer itself when the fetch filter leaves it out or
 * mlv.skipdownloaderrors forgives a failure, else an error.
 */
static int fetch_missing(struct session *s, struct request *req,
			 const struct mlv_pointer *p, struct spool *sp, int *err)
{
	const char *path = req->pathname ? req->pathname : "";

	if (!mlv_lazy_wanted(&s->lazy, path)) {
		mlv_trace("filter: '%s' is outside mlv.fetchinclude/exclude", path);
		*err = send_spooled(s, sp);
		return 1;
	}
	if (p->size >= MLV_LAZY_STREAM_MIN && s->initial && req->can_delay &&
	    s->can_delay && sp->fd < 0 && defer(s, path, p, sp, err))
		return 1;
	/* once streaming has begun a failure can no longer become a pointer */
	if (p->size >= MLV_LAZY_STREAM_MIN && !s->lazy.skip_errors)
		return 2;
	if (req->can_delay && s->can_delay &&
	    mlv_lazy_queue(&s->lazy, p, path, NULL) == 0) {
		add_delayed(s, path, p);
		*err = send_status(s, "delayed");
		return 1;
	}
	if ((req->can_delay && s->can_delay) || mlv_lazy_fetch(&s->lazy, p, path) < 0) {
		if (s->lazy.skip_errors) {
			report(s, path);
			if (s->opt->report)
				s->opt->report(path, "left as a pointer "
						     "(mlv.skipdownloaderrors)");
			*err = send_spooled(s, sp);
		} else {
			report(s, path);
			*err = send_status(s, "error");
		}
		return 1;
	}
	return 0;
}

/* Download `p` and send it to git at once, verified at the end. */
static int stream_missing(struct session *s, struct request *req,
			  const struct mlv_pointer *p)
{
	int err, sink_err;

	if ((err = write_status(s, "success", 0)) < 0)
		return err;
	s->write_failed = 0;
	sink_err = mlv_lazy_stream(&s->lazy, p, req->pathname ? req->pathname : "",
				   copy_to_git, s);
	if (s->write_failed)
		return sink_err;
	if ((err = mlv_pkt_write_flush(&s->out)) < 0)
		return err;
	if (sink_err < 0) {
		report(s, req->pathname);
		return send_status(s, "error");
	}
	return mlv_pkt_write_flush(&s->out); /* status unchanged */
}

static int do_smudge(struct session *s, struct request *req)
{
	struct spool sp = { MLV_BUF_INIT, -1, s->repo->store.tmp };
	struct delayed *d;
	struct mlv_pointer p;
	int err, sink_err;

	if ((err = read_content(s, spool_write, &sp, &sink_err)) < 0)
		goto done;
	if (sink_err < 0) {
		report(s, req->pathname);
		err = send_status(s, "error");
		goto done;
	}
	if (sp.fd < 0 && sp.mem.len == 0 && (d = find_delayed(s, req->pathname))) {
		/* git asks again for a delayed file, with no content */
		p = d->pointer;
		if (d->error) {
			mlv_error_set("%s", d->error);
			report(s, req->pathname);
			if (s->lazy.skip_errors) {
				mlv_pointer_format(&sp.mem, &p);
				drop_delayed(s, d);
				err = send_spooled(s, &sp);
			} else {
				drop_delayed(s, d);
				err = send_status(s, "error");
			}
			goto done;
		}
		if (d->copy_path) {
			err = answer_deferred(s, d);
			drop_delayed(s, d);
			goto done;
		}
		drop_delayed(s, d);
	} else if (s->opt->skip_smudge || sp.fd >= 0 ||
		   mlv_pointer_parse(&p, sp.mem.ptr, sp.mem.len) < 0) {
		err = send_spooled(s, &sp);
		goto done;
	} else if (p.size > 0 && !mlv_store_has(&s->repo->store, p.oid)) {
		int how = fetch_missing(s, req, &p, &sp, &err);

		if (how == 2)
			err = stream_missing(s, req, &p);
		if (how)
			goto done;
	}
	/* The content streams as it is verified; a fault found at the end
	 * turns the answer into status=error and git discards what it got. */
	if ((err = write_status(s, "success", 0)) < 0)
		goto done;
	s->write_failed = 0;
	sink_err = mlv_smudge_object_copy(&s->repo->store, &p, req->pathname,
					  copy_to_git, s);
	if (s->write_failed) {
		err = sink_err;
		goto done;
	}
	if ((err = mlv_pkt_write_flush(&s->out)) < 0)
		goto done;
	if (sink_err < 0) {
		report(s, req->pathname);
		err = send_status(s, "error");
	} else {
		err = mlv_pkt_write_flush(&s->out); /* status unchanged */
	}
done:
	if (sp.fd >= 0)
		close(sp.fd);
	mlv_buf_release(&sp.mem);
	return err;
}

/* Mark the delayed file a finished download belongs to. */
static void delayed_finished(struct session *s, struct mlv_transfer_result *r)
{
	size_t i;

	for (i = 0; i < s->ndelayed; i++) {
		struct delayed *d = &s->delayed[i];

		if (d->state == DELAY_RUNNING && r->path && !strcmp(d->path, r->path)) {
			d->state = DELAY_DONE;
			if (r->err < 0)
				d->error = mlv_xstrdup(r->message);
			return;
		}
	}
}

/*
 * list_available_blobs: the delayed files whose downloads have finished,
 * waiting for at least one while any is running; an empty list when none
 * is left.
 */
static int do_list_available(struct session *s, struct request *req)
{
	struct mlv_transfer_result r;
	size_t i, running = 0, ready = 0;
	int err;

	/* the request has no content: its header's flush ends it */
	for (i = 0; i < s->ndelayed; i++) {
		running += s->delayed[i].state == DELAY_RUNNING;
		ready += s->delayed[i].state == DELAY_DONE;
	}
	if (!ready && running && mlv_lazy_next(&s->lazy, &r, 1) > 0) {
		delayed_finished(s, &r);
		mlv_transfer_result_release(&r);
	}
	while (mlv_lazy_next(&s->lazy, &r, 0) > 0) {
		delayed_finished(s, &r);
		mlv_transfer_result_release(&r);
	}
	for (i = 0; i < s->ndelayed; i++) {
		if (s->delayed[i].state != DELAY_DONE)
			continue;
		s->delayed[i].state = DELAY_LISTED;
		if ((err = mlv_pkt_write_line(&s->out, "pathname=%s",
					      s->delayed[i].path)) < 0)
			return err;
	}
	if ((err = mlv_pkt_write_flush(&s->out)) < 0)
		return err;
	return send_status(s, "success");
}


static int drain_unknown(struct session *s, struct request *req)
{
	int err, sink_err;

	err = read_content(s, discard, NULL, &sink_err);
	if (err < 0)
		return err;
	mlv_error_set("unknown filter command '%s'", req->command);
	report(s, req->pathname);
	return send_status(s, "error");
}

int mlv_filter_process_run(struct mlv_repo *repo,
			   const struct mlv_filter_options *opt, int in, int out)
{
	struct session s;
	struct request req = { NULL, NULL };
	int err;

	memset(&s, 0, sizeof(s));
	s.repo = repo;
	s.opt = opt;
	mlv_lazy_init(&s.lazy, repo, mlv_run_git_is_quiet());
	s.lazy.notice = opt->notice;
	mlv_pkt_reader_init(&s.in, in);
	mlv_pkt_writer_init(&s.out, out);
	if ((err = handshake(&s)) < 0)
		goto done;
	s.initial = repo->workdir && can_defer(repo);
	mlv_trace("filter: ready (clean=%d smudge=%d)", s.can_clean, s.can_smudge);
	for (;;) {
		request_release(&req);
		if ((err = read_request(&s, &req)) != 0)
			break;
		mlv_trace("filter: %s '%s'", req.command,
			  req.pathname ? req.pathname : "");
		if (!strcmp(req.command, "clean") && s.can_clean)
			err = do_clean(&s, &req);
		else if (!strcmp(req.command, "smudge") && s.can_smudge)
			err = do_smudge(&s, &req);
		else if (!strcmp(req.command, "list_available_blobs") && s.can_delay)
			err = do_list_available(&s, &req);
		else
			err = drain_unknown(&s, &req);
		if (err < 0)
			break;
	}
	if (err > 0) {
		finish_deferred(&s);
		err = 0;
	}
done:
	if (opt->summary) {
		struct mlv_buf line = MLV_BUF_INIT;

		/* one line for the whole git command, never one per file */
		if (mlv_lazy_summary(&line, &s.lazy))
			opt->summary(line.ptr);
		mlv_buf_release(&line);
	}
	request_release(&req);
	while (s.ndelayed)
		drop_delayed(&s, &s.delayed[0]);
	free(s.delayed);
	release_deferred(&s);
	mlv_lazy_release(&s.lazy);
	mlv_pkt_reader_release(&s.in);
	mlv_pkt_writer_release(&s.out);
	return err;
}
