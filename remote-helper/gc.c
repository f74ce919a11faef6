/* Garbage collection of a remote store: see mlv/gc.h and docs/remote.md */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "mlv/error.h"
#include "mlv/gc.h"
#include "mlv/progress.h"
#include "mlv/sha256.h"
#include "mlv/util.h"

/* The most a gc list may hold: 16 million objects. */
#define GC_LIST_MAX (1u << 30)
#define SWEEP_MAGIC "# mlv gc sweep 1"

void mlv_gc_new_id(struct mlv_buf *out)
{
	unsigned char r[4] = { 0 };
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		unsigned v = (unsigned)getpid() ^ (unsigned)now;

		memcpy(r, &v, sizeof(r));
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	mlv_buf_clear(out);
	mlv_buf_printf(out, "%s-%02x%02x%02x%02x", stamp, r[0], r[1], r[2], r[3]);
}

void mlv_gc_list_format(struct mlv_buf *out, const char *kind,
			const struct mlv_sync_list *l, int sizes)
{
	char hex[MLV_OID_HEXSZ + 1];
	size_t i;

	mlv_buf_clear(out);
	mlv_buf_printf(out, "# mlv gc %s 1\n", kind);
	for (i = 0; i < l->n; i++)
		if (sizes)
			mlv_buf_printf(out, "%s %llu\n", l->items[i].oid,
				       (unsigned long long)l->items[i].size);
		else
			mlv_buf_printf(out, "%s\n", l->items[i].oid);
	if (mlv_sha256_buf(hex, out->ptr, out->len) < 0)
		abort(); /* no SHA-256: nothing else works either */
	mlv_buf_printf(out, "end %s\n", hex);
}

static int is_oid(const char *s, size_t n)
{
	return n == MLV_OID_HEXSZ && strspn(s, "0123456789abcdef") >= n;
}

/* One "<oid>[ <size>]" line into `l`; 0, or -1 when it is not one. */
static int parse_list_line(struct mlv_sync_list *l, const char *line, size_t n)
{
	char digits[24];
	uint64_t size = 0;
	size_t rest;

	if (n < MLV_OID_HEXSZ || !is_oid(line, MLV_OID_HEXSZ))
		return -1;
	if (n > MLV_OID_HEXSZ) {
		rest = n - MLV_OID_HEXSZ - 1;
		if (line[MLV_OID_HEXSZ] != ' ' || !rest || rest >= sizeof(digits) ||
		    strspn(line + MLV_OID_HEXSZ + 1, "0123456789") < rest)
			return -1;
		memcpy(digits, line + MLV_OID_HEXSZ + 1, rest);
		digits[rest] = '\0';
		size = strtoull(digits, NULL, 10);
	}
	mlv_sync_list_add(l, "", size, NULL);
	memcpy(l->items[l->n - 1].oid, line, MLV_OID_HEXSZ);
	l->items[l->n - 1].oid[MLV_OID_HEXSZ] = '\0';
	return 0;
}

/* Where the end line of `text` begins, when it seals what comes before
 * it (-1 when not: torn, truncated or changed). */
static ssize_t sealed_length(const char *text, size_t len)
{
	char hex[MLV_OID_HEXSZ + 1];
	size_t end_len = 4 + MLV_OID_HEXSZ + 1, body;

	if (len < end_len || text[len - 1] != '\n')
		return -1;
	body = len - end_len;
	if ((body && text[body - 1] != '\n') || memcmp(text + body, "end ", 4) ||
	    mlv_sha256_buf(hex, text, body) < 0 ||
	    memcmp(hex, text + body + 4, MLV_OID_HEXSZ))
		return -1;
	return (ssize_t)body;
}

static int parse_list(struct mlv_sync_list *l, const char *text, size_t len,
		      const char *kind, const char *where)
{
	struct mlv_buf magic = MLV_BUF_INIT;
	ssize_t body = sealed_length(text, len);
	const char *p = text, *nl;
	unsigned lineno = 1;
	int err = 0;

	mlv_buf_printf(&magic, "# mlv gc %s 1\n", kind);
	if (body < 0) {
		mlv_error_set("%s: its end line does not seal what comes before it: it "
			      "is torn, truncated or damaged (a gc %s list)", where, kind);
		err = MLV_EINVALID;
		goto done;
	}
	if ((size_t)body < magic.len || memcmp(text, magic.ptr, magic.len)) {
		mlv_error_set("%s: not a gc %s list", where, kind);
		err = MLV_EINVALID;
		goto done;
	}
	for (p = text + magic.len; p < text + body; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + body - p));
		lineno++;
		if (parse_list_line(l, p, (size_t)(nl - p)) < 0) {
			mlv_error_set("%s:%u: not a line of a gc %s list; the store was "
				      "written by something else or is damaged", where,
				      lineno, kind);
			err = MLV_EINVALID;
			goto done;
		}
	}
	mlv_sync_list_uniq(l);
done:
	mlv_buf_release(&magic);
	return err;
}

int mlv_gc_list_read(struct mlv_sync_list *l, struct mlv_conn *c,
		     const char *key, const char *kind)
{
	struct mlv_buf text = MLV_BUF_INIT, where = MLV_BUF_INIT;
	int err;

	mlv_buf_init(&text, GC_LIST_MAX);
	if ((err = mlv_conn_get_buf(c, key, &text, NULL)) < 0)
		goto done;
	mlv_buf_printf(&where, "%s/%s", mlv_backend_url(c->backend), key);
	err = parse_list(l, text.ptr, text.len, kind, where.ptr);
done:
	mlv_buf_release(&text);
	mlv_buf_release(&where);
	return err;
}

/* What a listing found, kept. */
struct entry {
	char *key;
	uint64_t size;
	int64_t mtime;
};

struct entries {
	struct entry *items;
	size_t n, alloc;
};

#define ENTRIES_INIT { NULL, 0, 0 }

static int add_entry(void *ctx, const struct mlv_store_entry *e)
{
	struct entries *l = ctx;

	MLV_ALLOC_GROW(l->items, l->n, l->alloc);
	l->items[l->n].key = mlv_xstrdup(e->key);
	l->items[l->n].size = e->size;
	l->items[l->n].mtime = e->mtime;
	l->n++;
	return 0;
}

static void entries_release(struct entries *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i].key);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int list_into(struct entries *l, struct mlv_conn *c, const char *prefix)
{
	return mlv_conn_list(c, prefix, add_entry, l);
}

static const struct entry *find_entry(const struct entries *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].key, key))
			return &l->items[i];
	return NULL;
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The store's clock now: the time it gave `key`, just written. */
static int store_time(int64_t *now, struct mlv_conn *c, const char *key)
{
	struct entries l = ENTRIES_INIT;
	const struct entry *e;
	int err;

	if ((err = list_into(&l, c, key)) < 0)
		goto done;
	if (!(e = find_entry(&l, key))) {
		mlv_error_set("%s/%s was written but a listing does not show it",
			      mlv_backend_url(c->backend), key);
		err = MLV_ERROR;
		goto done;
	}
	*now = e->mtime;
done:
	entries_release(&l);
	return err;
}

/* The lease a sweep marker states (its default when it says none). */
static int64_t sweep_lease(struct mlv_conn *c, const char *key, int *gone)
{
	struct mlv_buf text = MLV_BUF_INIT;
	int64_t lease = MLV_GC_LEASE_SECONDS;
	const char *at;
	int err;

	*gone = 0;
	mlv_buf_init(&text, 4096);
	err = mlv_conn_get_buf(c, key, &text, NULL);
	if (err == MLV_ENOTFOUND)
		*gone = 1;
	if (err == 0 && (at = strstr(text.ptr, "\nlease ")))
		lease = strtoll(at + 7, NULL, 10);
	if (lease <= 0 || lease > MLV_GC_LEASE_MAX)
		lease = lease > 0 ? MLV_GC_LEASE_MAX : MLV_GC_LEASE_SECONDS;
	mlv_error_clear();
	mlv_buf_release(&text);
	return lease;
}

/* Seconds the sweep whose marker is `e` may still move objects at `now`
 * (store time): negative once it has ended or its lease has run out. */
static int64_t sweep_left(struct mlv_conn *c, const struct entry *e,
			  int64_t now)
{
	int gone;
	int64_t lease = sweep_lease(c, e->key, &gone);

	return gone ? -1 : e->mtime + lease - now;
}

static int put_new(struct mlv_conn *c, const char *key, const struct mlv_buf *text)
{
	return mlv_conn_put_buf_cas(c, key, text->ptr, text->len, NULL, NULL);
}

int mlv_gc_guard_begin(struct mlv_gc_guard *g, struct mlv_conn *c,
		       const struct mlv_sync_list *objects)
{
	struct mlv_buf id = MLV_BUF_INIT, key = MLV_BUF_INIT, text = MLV_BUF_INIT;
	struct entries sweeps = ENTRIES_INIT;
	size_t i, alloc = 0;
	int64_t now;
	int err;

	memset(g, 0, sizeof(*g));
	mlv_gc_new_id(&id);
	mlv_buf_printf(&key, MLV_GC_PUSH "%s", id.ptr);
	mlv_gc_list_format(&text, "push", objects, 0);
	/* first our record, then what sweeps run: see mlv/gc.h */
	if ((err = put_new(c, key.ptr, &text)) < 0 ||
	    (err = store_time(&now, c, key.ptr)) < 0 ||
	    (err = list_into(&sweeps, c, MLV_GC_SWEEP)) < 0)
		goto done;
	for (i = 0; i < sweeps.n; i++) {
		const struct entry *e = &sweeps.items[i];
		int64_t left = sweep_left(c, e, now);

		if (left < 0)
			continue; /* ended, or its gc was killed: it moves nothing now */
		MLV_ALLOC_GROW(g->sweeps, g->nsweeps, alloc);
		g->deadlines = mlv_xreallocarray(g->deadlines, alloc, sizeof(*g->deadlines));
		g->sweeps[g->nsweeps] = mlv_xstrdup(e->key + strlen(MLV_GC_SWEEP));
		/* a few seconds more than it has left, for the clocks' steps */
		g->deadlines[g->nsweeps] = mlv_progress_now() + (double)left + 5;
		g->nsweeps++;
	}
done:
	entries_release(&sweeps);
	mlv_buf_release(&id);
	mlv_buf_release(&key);
	mlv_buf_release(&text);
	return err;
}

int mlv_gc_guard_wait(struct mlv_sync_list *again, struct mlv_gc_guard *g,
		      struct mlv_conn *c, const struct mlv_sync_list *objects,
		      int quiet)
{
	struct mlv_buf key = MLV_BUF_INIT;
	struct mlv_sync_list moved = MLV_SYNC_LIST_INIT;
	size_t i, j;
	int err = 0, said = 0;

	for (i = 0; i < g->nsweeps; i++) {
		uint64_t size;

		mlv_buf_clear(&key);
		mlv_buf_printf(&key, MLV_GC_SWEEP "%s", g->sweeps[i]);
		while ((err = mlv_conn_head(c, key.ptr, &size)) == 0 &&
		       mlv_progress_now() < g->deadlines[i]) {
			if (!quiet && !said++)
				fprintf(stderr, "mlv: waiting for the gc sweep of %s to end "
					"(%s, at most %.0f s more)\n",
					mlv_backend_url(c->backend), key.ptr,
					g->deadlines[i] - mlv_progress_now());
			sleep(1);
		}
		if (err < 0 && err != MLV_ENOTFOUND)
			goto done;
		mlv_buf_clear(&key);
		mlv_buf_printf(&key, MLV_GC_TOMBSTONES "%s", g->sweeps[i]);
		mlv_sync_list_release(&moved);
		err = mlv_gc_list_read(&moved, c, key.ptr, "tombstones");
		if (err == MLV_ENOTFOUND) {
			err = 0; /* it moved nothing */
			continue;
		}
		if (err < 0)
			goto done;
		for (j = 0; j < objects->n; j++)
			if (mlv_sync_list_find(&moved, objects->items[j].oid))
				mlv_sync_list_add(again, objects->items[j].oid,
						  objects->items[j].size,
						  objects->items[j].path);
	}
	err = 0;
	mlv_error_clear();
done:
	mlv_buf_release(&key);
	mlv_sync_list_release(&moved);
	return err;
}

void mlv_gc_guard_release(struct mlv_gc_guard *g)
{
	size_t i;

	for (i = 0; i < g->nsweeps; i++)
		free(g->sweeps[i]);
	free(g->sweeps);
	free(g->deadlines);
	memset(g, 0, sizeof(*g));
}

/* The oid of "objects/aa/bb/<oid>" into `oid`; -1 when `key` is not that. */
static int object_key_oid(char oid[MLV_OID_HEXSZ + 1], const char *key)
{
	const char *o = key + strlen("objects/aa/bb/");

	if (!starts_with(key, "objects/") || strlen(key) != 14 + MLV_OID_HEXSZ ||
	    key[10] != '/' || key[13] != '/' || !is_oid(o, MLV_OID_HEXSZ) ||
	    memcmp(key + 8, o, 2) || memcmp(key + 11, o + 2, 2))
		return -1;
	memcpy(oid, o, MLV_OID_HEXSZ + 1);
	return 0;
}

void mlv_gc_trash_key(struct mlv_buf *out, const char *oid)
{
	mlv_buf_clear(out);
	mlv_buf_printf(out, "trash/%.2s/%.2s/%s", oid, oid + 2, oid);
}

/* Move one object between objects/ and trash/; 1 when it moved, 0 when
 * it was not there. */
static int move_object(struct mlv_conn *c, const char *oid, int to_trash)
{
	struct mlv_buf obj = MLV_BUF_INIT, trash = MLV_BUF_INIT;
	int err;

	mlv_backend_object_key(&obj, oid);
	mlv_gc_trash_key(&trash, oid);
	err = to_trash ? mlv_conn_move(c, obj.ptr, trash.ptr)
		       : mlv_conn_move(c, trash.ptr, obj.ptr);
	if (err == MLV_ENOTFOUND) {
		mlv_error_clear();
		err = 0;
	} else if (err == 0) {
		err = 1;
	}
	mlv_buf_release(&obj);
	mlv_buf_release(&trash);
	return err;
}

/* The gc files of the store, by kind. */
struct gc_files {
	struct entries all;
	const struct entry **marks, **sweeps, **tombstones, **pushes;
	size_t nmarks, nsweeps, ntombstones, npushes;
};

static void sort_files(struct gc_files *f)
{
	size_t i, n = f->all.n ? f->all.n : 1;

	f->marks = mlv_xreallocarray(NULL, n, sizeof(*f->marks));
	f->sweeps = mlv_xreallocarray(NULL, n, sizeof(*f->sweeps));
	f->tombstones = mlv_xreallocarray(NULL, n, sizeof(*f->tombstones));
	f->pushes = mlv_xreallocarray(NULL, n, sizeof(*f->pushes));
	for (i = 0; i < f->all.n; i++) {
		const struct entry *e = &f->all.items[i];

		if (starts_with(e->key, MLV_GC_MARK))
			f->marks[f->nmarks++] = e;
		else if (starts_with(e->key, MLV_GC_SWEEP))
			f->sweeps[f->nsweeps++] = e;
		else if (starts_with(e->key, MLV_GC_TOMBSTONES))
			f->tombstones[f->ntombstones++] = e;
		else if (starts_with(e->key, MLV_GC_PUSH))
			f->pushes[f->npushes++] = e;
	}
}

static void gc_files_release(struct gc_files *f)
{
	entries_release(&f->all);
	free(f->marks);
	free(f->sweeps);
	free(f->tombstones);
	free(f->pushes);
	memset(f, 0, sizeof(*f));
}

static int read_files(struct gc_files *f, struct mlv_conn *c)
{
	int err;

	memset(f, 0, sizeof(*f));
	if ((err = list_into(&f->all, c, "gc/")) < 0)
		return err;
	sort_files(f);
	return 0;
}

/* A sweep of another gc that may still be moving objects at `now`. */
static int refuse_running_sweep(struct mlv_conn *c, const struct gc_files *f,
				int64_t now, const char *ours)
{
	size_t i;

	for (i = 0; i < f->nsweeps; i++) {
		int64_t left;

		if (ours && !strcmp(f->sweeps[i]->key, ours))
			continue;
		if ((left = sweep_left(c, f->sweeps[i], now)) >= 0) {
			mlv_error_set("another gc is sweeping %s (%s, for at most %lld s "
				      "more); run this again when it has ended",
				      mlv_backend_url(c->backend), f->sweeps[i]->key,
				      (long long)left);
			return MLV_ECONFLICT;
		}
	}
	return 0;
}

/* Every object the push records of `f` written since `expired` name,
 * into `relied`; a damaged one stops the sweep. An older record is of a
 * push that began before the first mark: it has ended, or has run for
 * longer than the grace period (docs/remote.md). */
static int read_push_records(struct mlv_sync_list *relied, struct mlv_conn *c,
			     const struct gc_files *f, int64_t expired)
{
	struct mlv_sync_list one = MLV_SYNC_LIST_INIT;
	size_t i, j;
	int err = 0;

	for (i = 0; i < f->npushes && !err; i++) {
		if (f->pushes[i]->mtime < expired)
			continue;
		mlv_sync_list_release(&one);
		err = mlv_gc_list_read(&one, c, f->pushes[i]->key, "push");
		if (err == MLV_ENOTFOUND) {
			mlv_error_clear();
			err = 0;
			continue;
		}
		for (j = 0; j < one.n && !err; j++)
			mlv_sync_list_add(relied, one.items[j].oid, one.items[j].size, NULL);
	}
	mlv_sync_list_uniq(relied);
	mlv_sync_list_release(&one);
	return err;
}

struct sort {
	const struct mlv_sync_list *reach, *first, *relied;
	int64_t young; /* objects written at or after this are kept */
	struct mlv_gc_result *res;
	const char *url;
	int err;
};

static int sort_object(void *ctx, const struct mlv_store_entry *e)
{
	struct sort *s = ctx;
	char oid[MLV_OID_HEXSZ + 1];

	if (object_key_oid(oid, e->key) < 0) {
		mlv_error_set("%s/%s is not an object mlv wrote (its name is not "
			      "objects/aa/bb/<sha256>): move it out of the store, then "
			      "run gc again; nothing was moved", s->url, e->key);
		return MLV_EINVALID;
	}
	s->res->objects++;
	s->res->bytes += e->size;
	if (mlv_sync_list_find(s->reach, oid) || mlv_sync_list_find(s->first, oid))
		return 0;
	if (mlv_sync_list_find(s->relied, oid))
		s->res->kept_pushing++;
	else if (e->mtime >= s->young)
		s->res->kept_young++;
	else
		mlv_sync_list_add(&s->res->swept, oid, e->size, NULL);
	return 0;
}

/* The mark `M1`: the newest other mark taken at least `grace` before
 * `now`, or NULL; the earliest time one will be into `*ready`. */
static const struct entry *first_mark(const struct gc_files *f, const char *ours,
				      int64_t now, int64_t grace, int64_t *ready)
{
	const struct entry *best = NULL;
	size_t i;

	*ready = now + grace;
	for (i = 0; i < f->nmarks; i++) {
		const struct entry *e = f->marks[i];

		if (ours && !strcmp(e->key, ours))
			continue;
		if (e->mtime + grace <= now) {
			if (!best || e->mtime > best->mtime)
				best = e;
		} else if (e->mtime + grace < *ready) {
			*ready = e->mtime + grace;
		}
	}
	return best;
}

/* Seconds on a clock that also runs while the machine sleeps, so that a
 * suspended gc never takes its lease for longer than it is. */
static double boot_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A sweep's moves, `jobs` at a time, each worker on its own connection. */
struct sweeper {
	struct mlv_backend *backend;
	const struct mlv_sync_list *todo;
	unsigned char *state; /* per object: 0 not tried, 1 moved, 2 not there */
	double stop;          /* no move starts after this */
	int to_trash;         /* else back to objects/ */
	size_t next;
	int err;
	char message[1024];
	struct mlv_progress meter;
	pthread_mutex_t lock;
};

static void *sweep_worker(void *arg)
{
	struct sweeper *sw = arg;
	struct mlv_conn *c = NULL;
	int err = mlv_conn_open(&c, sw->backend);

	for (;;) {
		size_t i;

		pthread_mutex_lock(&sw->lock);
		if (err < 0 && !sw->err) {
			sw->err = err;
			snprintf(sw->message, sizeof(sw->message), "%s", mlv_error_last());
		}
		if (err < 0 || sw->err || sw->next >= sw->todo->n ||
		    boot_now() >= sw->stop) {
			pthread_mutex_unlock(&sw->lock);
			break;
		}
		i = sw->next++;
		pthread_mutex_unlock(&sw->lock);
		err = move_object(c, sw->todo->items[i].oid, sw->to_trash);
		pthread_mutex_lock(&sw->lock);
		if (err >= 0) {
			sw->state[i] = err ? 1 : 2;
			mlv_progress_add(&sw->meter, 1, sw->todo->items[i].size);
		}
		pthread_mutex_unlock(&sw->lock);
	}
	mlv_conn_close(c);
	return NULL;
}

/*
 * Move the objects of `l` to trash/ (or back), `jobs` at a time, none
 * starting after `stop`; afterwards `l` holds those that moved, their
 * bytes added to `*bytes`, and `*left` counts those never tried.
 */
static int move_all(struct mlv_sync_list *l, uint64_t *bytes, size_t *left,
		    struct mlv_conn *c, unsigned jobs, double stop, int to_trash,
		    int quiet)
{
	struct sweeper sw;
	pthread_t threads[64];
	unsigned started = 0, t;
	size_t i, kept = 0;

	jobs = jobs < 1 ? 1 : jobs > 64 ? 64 : jobs;
	memset(&sw, 0, sizeof(sw));
	sw.backend = c->backend;
	sw.todo = l;
	sw.state = mlv_xreallocarray(NULL, l->n + 1, 1);
	memset(sw.state, 0, l->n + 1);
	sw.stop = stop;
	sw.to_trash = to_trash;
	pthread_mutex_init(&sw.lock, NULL);
	mlv_progress_start(&sw.meter, to_trash ? "Moving unreachable objects to trash"
					       : "Moving objects back from trash",
			   l->n, quiet);
	for (t = 0; t < jobs && t < l->n; t++)
		if (pthread_create(&threads[started], NULL, sweep_worker, &sw) == 0)
			started++;
	if (!started && l->n)
		sweep_worker(&sw);
	for (t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	mlv_progress_stop(&sw.meter);
	pthread_mutex_destroy(&sw.lock);
	for (i = 0; i < l->n; i++) {
		if (sw.state[i] == 1) {
			*bytes += l->items[i].size;
			l->items[kept++] = l->items[i];
		} else if (sw.state[i] == 0) {
			(*left)++;
		}
	}
	l->n = kept;
	free(sw.state);
	if (sw.err)
		mlv_error_set("%s", sw.message);
	return sw.err;
}

/*
 * Move the candidates to trash/ within the lease that began at `start`
 * (boot_now()). No move starts after half of it, so that one begun just
 * before (an S3 copy in parts of a large object) ends before a push that
 * waits for the lease gives up waiting.
 */
static int sweep(struct mlv_gc_result *res, struct mlv_conn *c,
		 const struct mlv_gc_options *o, double start)
{
	return move_all(&res->swept, &res->swept_bytes, &res->left, c, o->jobs,
			start + (double)o->lease / 2, 1, o->quiet);
}

/*
 * After a sweep: move back what older sweeps took that a ref reaches
 * again, empty the trash of sweeps older than the trash period (but not
 * of an object a later sweep moved there again), and drop the marks,
 * push records and dead sweep markers no sweep will read.
 */
static int tidy(struct mlv_gc_result *res, struct mlv_conn *c,
		const struct gc_files *f, const struct mlv_sync_list *reach,
		const char *ours, int64_t now, int64_t first_time,
		const struct mlv_gc_options *o)
{
	struct mlv_sync_list *lists = mlv_xreallocarray(NULL, f->ntombstones + 1,
							 sizeof(*lists));
	struct mlv_sync_list live = MLV_SYNC_LIST_INIT;
	struct mlv_buf key = MLV_BUF_INIT, torn = MLV_BUF_INIT;
	unsigned char *bad = mlv_xreallocarray(NULL, f->ntombstones + 1, 1);
	size_t i, j, nread = 0;
	int err = 0;

	memset(lists, 0, (f->ntombstones + 1) * sizeof(*lists));
	memset(bad, 0, f->ntombstones + 1);
	for (i = 0; i < res->swept.n; i++)
		mlv_sync_list_add(&live, res->swept.items[i].oid, 0, NULL);
	for (i = 0; i < f->ntombstones && !err; i++, nread++) {
		err = mlv_gc_list_read(&lists[i], c, f->tombstones[i]->key, "tombstones");
		if (err == MLV_ENOTFOUND || err == MLV_EINVALID) {
			/* a torn one is kept and named at the end; the others go on */
			if (err == MLV_EINVALID && !torn.len)
				mlv_buf_sets(&torn, mlv_error_last());
			bad[i] = 1;
			mlv_sync_list_release(&lists[i]);
			mlv_error_clear();
			err = 0;
		}
		if (!err && f->tombstones[i]->mtime + o->trash >= now)
			for (j = 0; j < lists[i].n; j++)
				mlv_sync_list_add(&live, lists[i].items[j].oid, 0, NULL);
	}
	mlv_sync_list_uniq(&live);
	for (i = 0; i < nread && !err; i++) {
		const struct entry *t = f->tombstones[i];
		int expired = t->mtime + o->trash < now;

		for (j = 0; j < lists[i].n && err >= 0; j++) {
			const char *oid = lists[i].items[j].oid;

			if (mlv_sync_list_find(reach, oid)) {
				if ((err = move_object(c, oid, 0)) > 0)
					res->restored++;
			} else if (expired && !mlv_sync_list_find(&live, oid)) {
				mlv_gc_trash_key(&key, oid);
				if ((err = mlv_conn_delete(c, key.ptr)) == 0)
					res->expired++;
			}
		}
		if (err >= 0 && expired && !bad[i])
			err = mlv_conn_delete(c, t->key);
		err = err < 0 ? err : 0;
	}
	for (i = 0; i < f->nmarks && !err; i++)
		if (f->marks[i]->mtime < first_time && strcmp(f->marks[i]->key, ours))
			err = mlv_conn_delete(c, f->marks[i]->key);
	for (i = 0; i < f->npushes && !err; i++)
		if (f->pushes[i]->mtime < first_time)
			err = mlv_conn_delete(c, f->pushes[i]->key);
	for (i = 0; i < f->nsweeps && !err; i++)
		if (sweep_left(c, f->sweeps[i], now) < 0) /* dead: its gc was killed */
			err = mlv_conn_delete(c, f->sweeps[i]->key);
	if (!err && torn.len) {
		mlv_error_set("%s; what it lists stays in trash/ until it is mended "
			      "or removed", torn.ptr);
		err = MLV_EINVALID;
	}
	for (i = 0; i < f->ntombstones; i++)
		mlv_sync_list_release(&lists[i]);
	free(lists);
	free(bad);
	mlv_sync_list_release(&live);
	mlv_buf_release(&key);
	mlv_buf_release(&torn);
	return err;
}

const struct mlv_manifest_ref *mlv_gc_missing_tip(struct mlv_repo *r,
						  const struct mlv_manifest *m)
{
	size_t i;

	for (i = 0; i < m->nrefs; i++) {
		git_object *obj = NULL;
		git_oid id;

		if (git_oid_fromstr(&id, m->refs[i].oid) < 0 ||
		    git_object_lookup(&obj, r->git, &id, GIT_OBJECT_ANY) < 0) {
			git_error_clear();
			return &m->refs[i];
		}
		git_object_free(obj);
	}
	return NULL;
}

int mlv_gc_run(struct mlv_gc_result *res, struct mlv_repo *r,
	       struct mlv_conn *c, const struct mlv_manifest *m,
	       const struct mlv_gc_options *o)
{
	struct mlv_sync_list reach = MLV_SYNC_LIST_INIT, first = MLV_SYNC_LIST_INIT;
	struct mlv_sync_list relied = MLV_SYNC_LIST_INIT;
	struct mlv_buf id = MLV_BUF_INIT, text = MLV_BUF_INIT;
	struct mlv_buf sweep_key = MLV_BUF_INIT, tomb_key = MLV_BUF_INIT;
	struct gc_files files;
	const char **tips = mlv_xreallocarray(NULL, m->nrefs + 1, sizeof(*tips));
	const struct mlv_manifest_ref *missing;
	const struct entry *m1;
	struct sort s;
	int64_t now, t1;
	double start = 0;
	size_t i;
	int err, swept = 0;

	memset(&files, 0, sizeof(files));
	for (i = 0; i < m->nrefs; i++)
		tips[i] = m->refs[i].oid;
	/* rev-list skips what is missing: a mark must not */
	if ((missing = mlv_gc_missing_tip(r, m))) {
		mlv_error_set("this repository lacks commit %s, which %s names as "
			      "'%s': fetch every ref of the store first",
			      missing->oid, mlv_backend_url(c->backend), missing->name);
		err = MLV_ENOTFOUND;
		goto done;
	}
	/* mark */
	if ((err = mlv_sync_collect(NULL, &reach, r, tips, m->nrefs, NULL, 0)) < 0)
		goto done;
	mlv_sync_list_uniq(&reach);
	res->reachable = reach.n;
	mlv_gc_new_id(&id);
	now = (int64_t)time(NULL);
	if (!o->dry_run) {
		mlv_buf_printf(&res->mark, MLV_GC_MARK "%s", id.ptr);
		mlv_gc_list_format(&text, "mark", &reach, 0);
		if ((err = put_new(c, res->mark.ptr, &text)) < 0 ||
		    (err = store_time(&now, c, res->mark.ptr)) < 0)
			goto done;
	}
	if ((err = read_files(&files, c)) < 0 ||
	    (err = refuse_running_sweep(c, &files, now, NULL)) < 0)
		goto done;
	if (!(m1 = first_mark(&files, res->mark.ptr, now, o->grace, &res->wait_until))) {
		res->first_mark = 1;
		goto done;
	}
	/* m1 is in `files`, which is read again below */
	t1 = m1->mtime;
	mlv_buf_sets(&res->previous, m1->key);
	m1 = NULL;
	/* sweep: our marker first, then the push records (see mlv/gc.h) */
	if (!o->dry_run) {
		mlv_buf_printf(&sweep_key, MLV_GC_SWEEP "%s", id.ptr);
		mlv_buf_clear(&text);
		mlv_buf_printf(&text, SWEEP_MAGIC "\nlease %lld\n", (long long)o->lease);
		start = boot_now();
		if ((err = put_new(c, sweep_key.ptr, &text)) < 0)
			goto done;
		gc_files_release(&files);
		/* two gcs that started together: each sees the other, both stop */
		if ((err = read_files(&files, c)) < 0 ||
		    (err = refuse_running_sweep(c, &files, now, sweep_key.ptr)) < 0)
			goto done;
	}
	if ((err = read_push_records(&relied, c, &files, t1)) < 0 ||
	    (err = mlv_gc_list_read(&first, c, res->previous.ptr, "mark")) < 0)
		goto done;
	s.reach = &reach;
	s.first = &first;
	s.relied = &relied;
	s.young = t1;
	s.res = res;
	s.url = mlv_backend_url(c->backend);
	if ((err = mlv_conn_list(c, "objects/", sort_object, &s)) < 0)
		goto done;
	mlv_sync_list_uniq(&res->swept);
	for (i = 0; i < res->swept.n; i++)
		res->swept_bytes += o->dry_run ? res->swept.items[i].size : 0;
	if (o->dry_run)
		goto done;
	mlv_buf_printf(&tomb_key, MLV_GC_TOMBSTONES "%s", id.ptr);
	mlv_gc_list_format(&text, "tombstones", &res->swept, 1);
	if (res->swept.n && (err = put_new(c, tomb_key.ptr, &text)) < 0)
		goto done;
	swept = 1;
	if ((err = sweep(res, c, o, start)) < 0)
		goto done;
	if ((err = mlv_conn_delete(c, sweep_key.ptr)) < 0)
		goto done;
	mlv_buf_clear(&sweep_key);
	err = tidy(res, c, &files, &reach, res->mark.ptr, now, t1, o);
done:
	/* a sweep that failed half-way has its tombstones: leave the marker
	 * to its lease only when it may have moved something */
	if (sweep_key.len && !swept)
		mlv_conn_delete(c, sweep_key.ptr);
	gc_files_release(&files);
	mlv_sync_list_release(&reach);
	mlv_sync_list_release(&first);
	mlv_sync_list_release(&relied);
	mlv_buf_release(&id);
	mlv_buf_release(&text);
	mlv_buf_release(&sweep_key);
	mlv_buf_release(&tomb_key);
	free(tips);
	return err;
}

void mlv_gc_result_release(struct mlv_gc_result *res)
{
	mlv_buf_release(&res->mark);
	mlv_buf_release(&res->previous);
	mlv_sync_list_release(&res->swept);
	memset(res, 0, sizeof(*res));
}

int mlv_gc_restore(size_t *restored, struct mlv_conn *c, unsigned jobs, int quiet)
{
	struct mlv_sync_list moved = MLV_SYNC_LIST_INIT, all = MLV_SYNC_LIST_INIT;
	struct mlv_buf torn = MLV_BUF_INIT;
	unsigned char *bad = NULL;
	struct gc_files files;
	uint64_t bytes = 0;
	size_t i, j, left = 0;
	int err;

	*restored = 0;
	memset(&files, 0, sizeof(files));
	if ((err = read_files(&files, c)) < 0 ||
	    (err = refuse_running_sweep(c, &files, (int64_t)time(NULL), NULL)) < 0)
		goto done;
	bad = mlv_xreallocarray(NULL, files.ntombstones + 1, 1);
	memset(bad, 0, files.ntombstones + 1);
	for (i = 0; i < files.ntombstones; i++) {
		mlv_sync_list_release(&moved);
		err = mlv_gc_list_read(&moved, c, files.tombstones[i]->key, "tombstones");
		if (err == MLV_ENOTFOUND) {
			bad[i] = 1; /* another restore took it */
			continue;
		}
		if (err == MLV_EINVALID) {
			/* restore what the others list; name this one at the end */
			if (!torn.len)
				mlv_buf_sets(&torn, mlv_error_last());
			bad[i] = 1;
			continue;
		}
		if (err < 0)
			goto done;
		for (j = 0; j < moved.n; j++)
			mlv_sync_list_add(&all, moved.items[j].oid, moved.items[j].size, NULL);
	}
	mlv_sync_list_uniq(&all);
	if ((err = move_all(&all, &bytes, &left, c, jobs, 1e300, 0, quiet)) < 0)
		goto done;
	*restored = all.n;
	/* every object is back (or was not in trash): the records go */
	for (i = 0; i < files.ntombstones && !err; i++)
		if (!bad[i])
			err = mlv_conn_delete(c, files.tombstones[i]->key);
	if (!err && torn.len) {
		mlv_error_set("%s; it was kept, and what it lists is still in trash/",
			      torn.ptr);
		err = MLV_EINVALID;
	}
done:
	free(bad);
	mlv_buf_release(&torn);
	gc_files_release(&files);
	mlv_sync_list_release(&moved);
	mlv_sync_list_release(&all);
	return err < 0 ? err : 0;
}
