#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/error.h"
#include "mlv/json.h"
#include "mlv/lineage.h"
#include "mlv/policy.h"
#include "mlv/problems.h"
#include "mlv/promote.h"
#include "mlv/registry.h"
#include "mlv/repo.h"
#include "mlv/sha256.h"
#include "mlv/sidecar.h"
#include "mlv/trace.h"
#include "mlv/util.h"

int mlv_registry_name_is_valid(const char *name)
{
	return mlv_policy_registry_name_is_valid(name);
}

int mlv_registry_stage_is_valid(const char *stage)
{
	size_t i, len = strlen(stage);

	if (!len || stage[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)stage[i]) && stage[i] != '_' && stage[i] != '-')
			return 0;
	return 1;
}

void mlv_registry_tag_release(struct mlv_registry_tag *t)
{
	struct mlv_registry_tag fresh = MLV_REGISTRY_TAG_INIT;

	mlv_buf_release(&t->buf);
	*t = fresh;
}

/* "#N" at `s` to its end: the counter. */
static int parse_counter(unsigned long *out, const char *s)
{
	unsigned long n = 0;

	if (*s++ != '#' || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (~0UL - 9) / 10)
			return -1;
		n = n * 10 + (unsigned long)(*s - '0');
	}
	*out = n;
	return 0;
}

int mlv_registry_parse_tag(struct mlv_registry_tag *out, const char *tag)
{
	char *p, *rest, *bang;
	int err = 0;

	mlv_registry_tag_release(out);
	mlv_buf_sets(&out->buf, tag);
	p = out->buf.ptr;
	rest = p + strcspn(p, "@#");
	if (!*rest)
		return MLV_ENOTFOUND; /* v1.0, release-3: not a registry tag */
	out->name = p;
	if (*rest == '@') {
		*rest++ = '\0';
		if (!strncmp(rest, "deprecated", 10) &&
		    (!rest[10] || rest[10] == '#')) {
			out->kind = MLV_REGISTRY_DEPRECATE;
			if (rest[10] && parse_counter(&out->counter, rest + 10) < 0)
				goto bad_counter;
		} else if (rest[0] == 'v') {
			out->version = rest + 1;
			out->kind = MLV_REGISTRY_REGISTER;
			if ((bang = strstr(rest, "!#"))) {
				*bang = '\0';
				out->kind = MLV_REGISTRY_DEREGISTER;
				if (parse_counter(&out->counter, bang + 1) < 0)
					goto bad_counter;
			}
			if (!mlv_semver_is_valid(out->version)) {
				mlv_error_set("tag '%s': '%s' is not a semantic version", tag,
					      out->version);
				err = MLV_EINVALID;
				goto done;
			}
		} else {
			return MLV_ENOTFOUND;
		}
	} else {
		*rest++ = '\0';
		out->stage = rest;
		out->kind = MLV_REGISTRY_ASSIGN;
		if ((bang = strchr(rest, '#'))) {
			if (bang > rest && bang[-1] == '!') {
				bang[-1] = '\0';
				out->kind = MLV_REGISTRY_UNASSIGN;
			}
			if (parse_counter(&out->counter, bang) < 0)
				goto bad_counter;
			*bang = '\0';
		}
		if (!mlv_registry_stage_is_valid(out->stage)) {
			mlv_error_set("tag '%s': '%s' is not a stage name (letters, digits, "
				      "'_' and '-')", tag, out->stage);
			err = MLV_EINVALID;
			goto done;
		}
	}
	if (!mlv_registry_name_is_valid(out->name)) {
		mlv_error_set("tag '%s': '%s' is not a registry name (letters, digits, "
			      "'/', '_' and '-')", tag, out->name);
		err = MLV_EINVALID;
	}
	goto done;
bad_counter:
	mlv_error_set("tag '%s': the counter after '#' must be a number", tag);
	err = MLV_EINVALID;
done:
	return err;
}

/* What of an event points into the registry cache's text, not its own. */
#define BORROWED_TAG 1   /* tag, tagger name and email, message */
#define BORROWED_MODEL 2 /* path, metrics */

static void event_release(struct mlv_registry_event *e)
{
	free(e->name); /* and version and stage, but an assignment's version */
	if (e->kind == MLV_REGISTRY_ASSIGN || e->kind == MLV_REGISTRY_UNASSIGN)
		free(e->version);
	if (!(e->borrowed & BORROWED_TAG)) {
		free(e->tag);
		free(e->tagger_name);
		free(e->tagger_email);
		free(e->message);
	}
	if (!(e->borrowed & BORROWED_MODEL)) {
		free(e->path);
		free(e->metrics);
	}
}

static char *dup_or_null(const char *s)
{
	return s ? mlv_xstrdup(s) : NULL;
}

/*
 * The registry cache (<git common dir>/mlv/registry-cache):
 *
 *   mlv registry cache 1 LF
 *   names SP <sha256 of the .mlvconfig names the model fields were read
 *         with: NAME NUL PATH NUL per [model "NAME"]> LF
 *   then per tag: <target hex> SP <commit hex> SP <flags> SP <time> SP
 *                 <offset> SP then six fields, each "-" (none) or
 *                 <length> ":" <bytes>, separated by SP: the tag name,
 *                 tagger name, tagger email, message, model path, metrics;
 *                 LF
 *   end SP <sha256 of everything before this line> LF
 *
 * The target is the object the ref names (the tag object; the commit of a
 * lightweight tag); flags are 1 when the tag is annotated, 2 when the model
 * fields were read. When the names differ from HEAD's, the model fields
 * are read again. Bump the format number when what a record means changes.
 */
#define CACHE_NAME "registry-cache"
#define CACHE_MAGIC "mlv registry cache 1\n"
#define CACHE_MAX (256u * 1024 * 1024)
#define FLAG_ANNOTATED 1
#define FLAG_MODEL 2

struct record {
	git_oid target;
	struct mlv_registry_event e; /* kind, name, version and stage unused */
	int seen;                    /* named by a ref this time */
	int lent;                    /* an event shares its strings */
};

struct mlv_registry_cache {
	char *path;
	char names[MLV_OID_HEXSZ + 1]; /* the digest of the names in use */
	struct mlv_buf text;    /* the file as read: records' strings point into it */
	struct record *records; /* sorted by tag, then target */
	size_t n;
	size_t cursor;          /* where the next tag's record should be */
	struct record *added;   /* learnt this time, unsorted */
	size_t nadded, alloc;
	int dirty;
	int complete;           /* a load read every tag */
};

/* Records by tag name, then target: the order of the file, and of the
 * packed refs as git lists them after the loose ones, so that a load finds
 * most tags' records at the cursor. */
static int by_tag(const void *x, const void *y)
{
	const struct record *a = x, *b = y;
	int c = strcmp(a->e.tag, b->e.tag);

	return c ? c : git_oid_cmp(&a->target, &b->target);
}

static int by_tag_ptr(const void *x, const void *y)
{
	return by_tag(*(const struct record *const *)x, *(const struct record *const *)y);
}

static struct record *cache_find(struct mlv_registry_cache *c, const git_oid *target,
				 const char *tag)
{
	struct record key, *hit = NULL;

	key.target = *target;
	key.e.tag = (char *)tag;
	if (c->cursor < c->n && !by_tag(&key, &c->records[c->cursor]))
		hit = &c->records[c->cursor];
	else if (c->n)
		hit = bsearch(&key, c->records, c->n, sizeof(key), by_tag);
	if (hit)
		c->cursor = (size_t)(hit - c->records) + 1;
	return hit;
}

/*
 * The fields a record keeps, shared between a record and an event without
 * a copy: a record read from the file has its strings in the cache's text,
 * which the event of its tag borrows; a record made this time points at
 * its event's strings. A record never owns a string, and both live until
 * the registry is released.
 */
static void share_fields(struct mlv_registry_event *to, const struct mlv_registry_event *from)
{
	to->tag = from->tag;
	to->commit = from->commit;
	to->time = from->time;
	to->offset = from->offset;
	to->annotated = from->annotated;
	to->tagger_name = from->tagger_name;
	to->tagger_email = from->tagger_email;
	to->message = from->message;
	to->model_read = from->model_read;
	to->path = from->path;
	to->metrics = from->metrics;
}

/* Remember `e` (read from its tag object) as a new record. */
static void cache_add(struct mlv_registry_cache *c, const git_oid *target,
		      struct mlv_registry_event *e)
{
	struct record *r;

	MLV_ALLOC_GROW(c->added, c->nadded, c->alloc);
	e->cache_record = c->n + c->nadded;
	r = &c->added[c->nadded++];
	memset(r, 0, sizeof(*r));
	r->target = *target;
	r->seen = r->lent = 1;
	share_fields(&r->e, e);
	r->e.borrowed = 0;
	c->dirty = 1;
}

/* A signed decimal number ending at a space; advance `p`. */
static int parse_signed(int64_t *out, char **p, const char *end)
{
	int neg = *p < end && **p == '-';
	char *s = *p + neg;
	int64_t n = 0;

	if (s == end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (n > (INT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	if (s == end || *s != ' ')
		return -1;
	*out = neg ? -n : n;
	*p = s + 1;
	return 0;
}

static int parse_hex_id(git_oid *out, char **p, const char *end)
{
	if (end - *p < GIT_OID_HEXSZ + 1 || (*p)[GIT_OID_HEXSZ] != ' ' ||
	    git_oid_fromstrn(out, *p, GIT_OID_HEXSZ) < 0)
		return -1;
	*p += GIT_OID_HEXSZ + 1;
	return 0;
}

/* One field: "-" or <length>:<bytes>, then `stop`, which becomes the
 * bytes' NUL: `out` points into the text. Advance `p`. */
static int parse_field(char **out, char **p, const char *end, char stop)
{
	int64_t len = 0;
	char *s = *p;

	*out = NULL;
	if (s < end && *s == '-') {
		s++;
	} else {
		for (; s < end && *s >= '0' && *s <= '9' && len < CACHE_MAX; s++)
			len = len * 10 + (*s - '0');
		if (s == *p || s == end || *s != ':' || end - s - 1 < len ||
		    memchr(s + 1, '\0', (size_t)len))
			return -1;
		*out = s + 1;
		s += 1 + len;
	}
	if (s == end || *s != stop)
		return -1;
	*s = '\0';
	*p = s + 1;
	return 0;
}

static int parse_record(struct record *r, char **p, const char *end)
{
	int64_t flags, offset;

	if (parse_hex_id(&r->target, p, end) < 0 || parse_hex_id(&r->e.commit, p, end) < 0 ||
	    parse_signed(&flags, p, end) < 0 || parse_signed(&r->e.time, p, end) < 0 ||
	    parse_signed(&offset, p, end) < 0 || offset < -24 * 60 || offset > 24 * 60 ||
	    parse_field(&r->e.tag, p, end, ' ') < 0 || !r->e.tag ||
	    parse_field(&r->e.tagger_name, p, end, ' ') < 0 ||
	    parse_field(&r->e.tagger_email, p, end, ' ') < 0 ||
	    parse_field(&r->e.message, p, end, ' ') < 0 ||
	    parse_field(&r->e.path, p, end, ' ') < 0 ||
	    parse_field(&r->e.metrics, p, end, '\n') < 0)
		return -1;
	r->e.offset = (int)offset;
	r->e.annotated = (flags & FLAG_ANNOTATED) != 0;
	r->e.model_read = (flags & FLAG_MODEL) != 0;
	r->e.borrowed = BORROWED_TAG | BORROWED_MODEL;
	return 0;
}

static void cache_clear(struct mlv_registry_cache *c)
{
	mlv_buf_release(&c->text);
	free(c->records);
	free(c->added);
	c->records = c->added = NULL;
	c->n = c->nadded = c->alloc = 0;
}

/* Fill `c` from the cache text; -1 when it is not a whole, sealed cache of
 * this format. */
static int cache_parse(struct mlv_registry_cache *c, char *data, size_t len)
{
	char *p = data, *end;
	ssize_t body = mlv_sha256_sealed_len(data, len);
	size_t alloc = 0, i;
	int same_names;

	if (body < (ssize_t)strlen(CACHE_MAGIC) ||
	    memcmp(data, CACHE_MAGIC, strlen(CACHE_MAGIC)))
		return -1;
	end = data + body;
	p += strlen(CACHE_MAGIC);
	if (end - p < 7 + MLV_OID_HEXSZ || memcmp(p, "names ", 6) ||
	    p[6 + MLV_OID_HEXSZ] != '\n')
		return -1;
	same_names = !memcmp(p + 6, c->names, MLV_OID_HEXSZ);
	for (p += 7 + MLV_OID_HEXSZ; p < end; c->n++) {
		MLV_ALLOC_GROW(c->records, c->n, alloc);
		memset(&c->records[c->n], 0, sizeof(*c->records));
		if (parse_record(&c->records[c->n], &p, end) < 0) {
			c->n++;
			return -1;
		}
		if (!same_names && c->records[c->n].e.model_read) {
			/* read with other names: the model fields may differ */
			c->records[c->n].e.model_read = 0;
			c->records[c->n].e.path = c->records[c->n].e.metrics = NULL;
			c->dirty = 1;
		}
	}
	/* written in order; sorted only when someone else wrote it otherwise */
	for (i = 1; i < c->n && by_tag(&c->records[i - 1], &c->records[i]) < 0; i++)
		;
	if (i < c->n)
		qsort(c->records, c->n, sizeof(*c->records), by_tag);
	for (i = 1; i < c->n; i++)
		if (!by_tag(&c->records[i - 1], &c->records[i]))
			return -1;
	return 0;
}

static struct mlv_registry_cache *cache_open(const struct mlv_registry *reg,
					     git_repository *repo)
{
	struct mlv_registry_cache *c = mlv_xreallocarray(NULL, 1, sizeof(*c));
	struct mlv_buf path = MLV_BUF_INIT, text = MLV_BUF_INIT, names = MLV_BUF_INIT;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < reg->nnames; i++) {
		mlv_buf_put(&names, reg->names[i].name, strlen(reg->names[i].name) + 1);
		mlv_buf_put(&names, reg->names[i].path, strlen(reg->names[i].path) + 1);
	}
	if (mlv_sha256_buf(c->names, names.ptr ? names.ptr : "", names.len) < 0)
		memset(c->names, '0', MLV_OID_HEXSZ);
	c->names[MLV_OID_HEXSZ] = '\0';
	mlv_buf_release(&names);
	mlv_buf_printf(&path, "%s/mlv/%s", git_repository_commondir(repo), CACHE_NAME);
	c->path = mlv_buf_detach(&path);
	c->text = text;
	c->text.cap = CACHE_MAX;
	if (mlv_buf_read_file(&c->text, c->path) < 0) {
		mlv_error_clear();
	} else if (cache_parse(c, c->text.ptr, c->text.len) < 0) {
		mlv_trace("registry cache '%s' is damaged or of another format; "
			  "rebuilding it", c->path);
		cache_clear(c);
		c->dirty = 1;
	}
	return c;
}

static void cache_free(struct mlv_registry_cache *c)
{
	if (!c)
		return;
	cache_clear(c);
	free(c->path);
	free(c);
}

static void put_field(struct mlv_buf *out, const char *s, char stop)
{
	if (s)
		mlv_buf_printf(out, "%zu:%s%c", strlen(s), s, stop);
	else
		mlv_buf_printf(out, "-%c", stop);
}

static void put_record(struct mlv_buf *out, const struct record *r)
{
	char hex[GIT_OID_HEXSZ + 1];

	mlv_buf_printf(out, "%s ", git_oid_tostr(hex, sizeof(hex), &r->target));
	mlv_buf_printf(out, "%s %d %lld %d ", git_oid_tostr(hex, sizeof(hex), &r->e.commit),
		       (r->e.annotated ? FLAG_ANNOTATED : 0) |
			       (r->e.model_read ? FLAG_MODEL : 0),
		       (long long)r->e.time, r->e.offset);
	put_field(out, r->e.tag, ' ');
	put_field(out, r->e.tagger_name, ' ');
	put_field(out, r->e.tagger_email, ' ');
	put_field(out, r->e.message, ' ');
	put_field(out, r->e.path, ' ');
	put_field(out, r->e.metrics, '\n');
}

void mlv_registry_save_cache(struct mlv_registry *reg)
{
	struct mlv_registry_cache *c = reg->cache;
	struct mlv_buf out = MLV_BUF_INIT;
	const struct record **keep = NULL;
	size_t i, n = 0;

	if (!c || !c->complete)
		return; /* a load that failed part-way saw only some tags */
	/* every tag was loaded: a record no ref named is a tag deleted */
	keep = mlv_xreallocarray(NULL, c->n + c->nadded + 1, sizeof(*keep));
	for (i = 0; i < c->n; i++)
		if (c->records[i].seen)
			keep[n++] = &c->records[i];
	if (!c->dirty && n == c->n)
		goto done;
	for (i = 0; i < c->nadded; i++)
		keep[n++] = &c->added[i];
	qsort(keep, n, sizeof(*keep), by_tag_ptr);
	mlv_buf_puts(&out, CACHE_MAGIC);
	mlv_buf_printf(&out, "names %s\n", c->names);
	for (i = 0; i < n; i++)
		put_record(&out, keep[i]);
	if (mlv_sha256_seal(&out) < 0 || mlv_mkdir_parents(c->path) < 0 ||
	    mlv_write_file_atomic(c->path, out.ptr, out.len, 0644) < 0) {
		mlv_trace("registry cache '%s' not written: %s", c->path, mlv_error_last());
		mlv_error_clear();
	}
	c->dirty = 0;
done:
	free(keep);
	mlv_buf_release(&out);
}

void mlv_registry_release(struct mlv_registry *reg)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		event_release(&reg->events[i]);
	free(reg->events);
	cache_free(reg->cache);
	for (i = 0; i < reg->nnames; i++) {
		free(reg->names[i].name);
		free(reg->names[i].path);
	}
	free(reg->names);
	memset(reg, 0, sizeof(*reg));
}

struct load {
	struct mlv_registry *reg;
	git_repository *repo;
	const char *only; /* just this name's tags, or NULL */
};

/* Read what the tag at `target` says into `e`: its commit, tagger, time
 * and message. 0, or -1 when it names no commit. */
static int read_tag(struct mlv_registry_event *e, git_repository *repo, const git_oid *target)
{
	git_object *obj = NULL, *peeled = NULL;
	const git_signature *sig;
	int err = -1;

	if (git_object_lookup(&obj, repo, target, GIT_OBJECT_ANY) < 0 ||
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0)
		goto done;
	e->commit = *git_object_id(peeled);
	e->annotated = git_object_type(obj) == GIT_OBJECT_TAG;
	if (e->annotated)
		e->message = dup_or_null(git_tag_message((git_tag *)obj));
	if (!e->annotated || !(sig = git_tag_tagger((git_tag *)obj)))
		sig = git_commit_committer((git_commit *)peeled);
	e->time = (int64_t)sig->when.time;
	e->offset = sig->when.offset;
	e->tagger_name = dup_or_null(sig->name);
	e->tagger_email = dup_or_null(sig->email);
	err = 0;
done:
	mlv_error_clear();
	git_object_free(peeled);
	git_object_free(obj);
	return err;
}

static void load_tag(struct load *l, git_reference *ref)
{
	struct mlv_registry_tag t = MLV_REGISTRY_TAG_INIT;
	struct mlv_registry_event *e;
	struct record *r;
	git_reference *direct = NULL;
	const char *tag = git_reference_name(ref) + strlen("refs/tags/");
	git_oid id;
	int err;

	if ((err = mlv_registry_parse_tag(&t, tag)) < 0) {
		if (err == MLV_EINVALID)
			l->reg->skipped++;
		mlv_error_clear();
		goto done;
	}
	if (l->only && strcmp(t.name, l->only))
		goto done; /* another model: its tag object is never read */
	/* git_reference_resolve would look a direct ref up again, a stat
	 * per tag: only a symbolic one needs it */
	if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
		id = *git_reference_target(ref);
	} else if (git_reference_resolve(&direct, ref) == 0) {
		id = *git_reference_target(direct);
	} else {
		mlv_error_clear();
		l->reg->skipped++;
		goto done;
	}
	MLV_ALLOC_GROW(l->reg->events, l->reg->n, l->reg->alloc);
	e = &l->reg->events[l->reg->n];
	memset(e, 0, sizeof(*e));
	e->cache_record = SIZE_MAX;
	if (l->reg->cache && (r = cache_find(l->reg->cache, &id, tag)) && !r->lent) {
		share_fields(e, &r->e);
		e->cache_record = (size_t)(r - l->reg->cache->records);
		e->borrowed = r->e.borrowed;
		r->seen = r->lent = 1;
	} else {
		e->tag = mlv_xstrdup(tag);
		if (read_tag(e, l->repo, &id) < 0) {
			event_release(e);
			l->reg->skipped++; /* a tag of a blob, or of a missing object */
			goto done;
		}
		if (l->reg->cache)
			cache_add(l->reg->cache, &id, e);
	}
	l->reg->n++;
	e->kind = t.kind;
	/* name, version and stage are parts of the parsed tag's one buffer,
	 * which the event owns through name, its start */
	e->name = t.name;
	e->version = t.version;
	e->stage = t.stage;
	mlv_buf_detach(&t.buf);
	e->counter = t.counter;
	e->tag_id = id;
done:
	git_reference_free(direct);
	mlv_registry_tag_release(&t);
}

static int by_order(const void *x, const void *y)
{
	const struct mlv_registry_event *a = x, *b = y;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if (a->counter != b->counter)
		return a->counter < b->counter ? -1 : 1;
	return strcmp(a->tag, b->tag);
}

/* Register events by (name, commit), for the version of an assignment. */
static int by_name_commit(const void *x, const void *y)
{
	const struct mlv_registry_event *a = *(const struct mlv_registry_event *const *)x;
	const struct mlv_registry_event *b = *(const struct mlv_registry_event *const *)y;
	int c = strcmp(a->name, b->name);

	return c ? c : git_oid_cmp(&a->commit, &b->commit);
}

/* Give each assign and unassign the version registered at its commit
 * (the highest, when several are). */
static void resolve_versions(struct mlv_registry *reg)
{
	const struct mlv_registry_event **regs = calloc(reg->n + 1, sizeof(*regs));
	size_t i, n = 0;

	if (!regs)
		abort();
	for (i = 0; i < reg->n; i++)
		if (reg->events[i].kind == MLV_REGISTRY_REGISTER)
			regs[n++] = &reg->events[i];
	if (n)
		qsort(regs, n, sizeof(*regs), by_name_commit);
	for (i = 0; i < reg->n; i++) {
		struct mlv_registry_event *e = &reg->events[i];
		const struct mlv_registry_event *key = e, **hit, *best = NULL;

		if (e->kind != MLV_REGISTRY_ASSIGN && e->kind != MLV_REGISTRY_UNASSIGN)
			continue;
		if (!(hit = bsearch(&key, regs, n, sizeof(*regs), by_name_commit)))
			continue;
		while (hit > regs && !by_name_commit(hit - 1, &key))
			hit--;
		for (; hit < regs + n && !by_name_commit(hit, &key); hit++)
			if (!best || mlv_semver_compare((*hit)->version, best->version) > 0)
				best = *hit;
		e->version = mlv_xstrdup(best->version);
	}
	free(regs);
}

int mlv_registry_load(struct mlv_registry *reg, git_repository *repo)
{
	return mlv_registry_load_name(reg, repo, NULL);
}

int mlv_registry_load_name(struct mlv_registry *reg, git_repository *repo,
			   const char *name)
{
	struct load l = { reg, repo, name };
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int err;

	if ((err = mlv_registry_load_names(reg, repo)) < 0)
		goto done;
	/* the cache pays for itself when every tag is read; for one model's
	 * few tags, reading them is quicker than parsing it */
	if (!name && !reg->cache) {
		reg->cache = cache_open(reg, repo);
		if (reg->cache->n > reg->alloc) {
			reg->alloc = reg->cache->n + 64;
			reg->events = mlv_xreallocarray(reg->events, reg->alloc,
							sizeof(*reg->events));
		}
	}

	/* tags are read to be shown, not to be trusted: like git, do not
	 * rehash every object read (what is registered is checked where it
	 * is used: the commit check of register, verify, pre-receive) */
	mlv_repo_fast_reads();
	if ((err = git_reference_iterator_glob_new(&it, repo, "refs/tags/*")) < 0) {
		err = mlv_error_from_git(err, "cannot read the tags");
		goto done;
	}
	while ((err = git_reference_next(&ref, it)) == 0) {
		load_tag(&l, ref);
		git_reference_free(ref);
	}
	if (err != GIT_ITEROVER) {
		err = mlv_error_from_git(err, "cannot read the tags");
		goto done;
	}
	err = 0;
	if (reg->cache)
		reg->cache->complete = 1;
	if (reg->n)
		qsort(reg->events, reg->n, sizeof(*reg->events), by_order);
	resolve_versions(reg);
done:
	git_reference_iterator_free(it);
	return err;
}

unsigned long mlv_registry_last_counter(const struct mlv_registry *reg,
					const char *name)
{
	unsigned long max = 0;
	size_t i;

	for (i = 0; i < reg->n; i++)
		if (reg->events[i].counter > max && !strcmp(reg->events[i].name, name))
			max = reg->events[i].counter;
	return max;
}

void mlv_registry_state_release(struct mlv_registry_state *s)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		for (j = 0; j < s->models[i].nstages; j++)
			free(s->models[i].stages[j].stage);
		free(s->models[i].stages);
		free(s->models[i].versions);
		free(s->models[i].name);
	}
	free(s->models);
	s->models = NULL;
	s->n = 0;
}

static int by_model_name(const void *x, const void *y)
{
	return strcmp(((const struct mlv_registry_model *)x)->name,
		      ((const struct mlv_registry_model *)y)->name);
}

const struct mlv_registry_model *mlv_registry_find_model(const struct mlv_registry_state *s,
							 const char *name)
{
	struct mlv_registry_model key;

	key.name = (char *)name;
	return s->n ? bsearch(&key, s->models, s->n, sizeof(*s->models), by_model_name)
		    : NULL;
}

static struct mlv_registry_version_state *find_version(const struct mlv_registry_model *m,
						       const char *version)
{
	size_t i;

	if (version && version[0] == 'v')
		version++;
	for (i = 0; version && i < m->nversions; i++)
		if (!strcmp(m->versions[i].registered->version, version))
			return &m->versions[i];
	return NULL;
}

/* One (stage, version) pair of a model: its latest assign, and whether
 * it still holds (no unassign since). */
struct assignment {
	const struct mlv_registry_event *e;
	size_t order; /* the event's place in the registry's order */
	int active;
};

struct assignments {
	struct assignment *items;
	size_t n, alloc;
};

static void track(struct assignments *a, const struct mlv_registry_event *e, size_t order,
		  int active)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->items[i].e->stage, e->stage) &&
		    git_oid_equal(&a->items[i].e->commit, &e->commit)) {
			if (active)
				a->items[i].e = e, a->items[i].order = order;
			a->items[i].active = active;
			return;
		}
	if (!active)
		return; /* unassigning what was never assigned changes nothing */
	if (a->n == a->alloc) {
		a->alloc = a->alloc ? 2 * a->alloc : 8;
		if (!(a->items = realloc(a->items, a->alloc * sizeof(*a->items))))
			abort();
	}
	a->items[a->n].e = e;
	a->items[a->n].order = order;
	a->items[a->n++].active = 1;
}

static size_t order_of(const struct assignments *a, const struct mlv_registry_event *e)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->items[i].e == e)
			return a->items[i].order;
	return 0;
}

/*
 * Who holds each stage, as GTO reads it: of the versions assigned to the
 * stage and not unassigned since, the one assigned last, unless it was
 * deregistered (then the one before it holds the stage again).
 */
static void settle_stages(struct mlv_registry_model *m, const struct assignments *a)
{
	size_t i, j;

	for (i = 0; i < a->n; i++) {
		const struct assignment *x = &a->items[i];
		const struct mlv_registry_version_state *v;
		int found = 0;

		if (!x->active || (x->e->version && (v = find_version(m, x->e->version)) &&
				   v->deregistered))
			continue;
		for (j = 0; j < m->nstages; j++)
			if (!strcmp(m->stages[j].stage, x->e->stage)) {
				found = 1;
				break;
			}
		if (!found) {
			m->stages = realloc(m->stages, (m->nstages + 1) * sizeof(*m->stages));
			if (!m->stages)
				abort();
			m->stages[m->nstages].stage = mlv_xstrdup(x->e->stage);
			m->stages[m->nstages++].assigned = x->e;
		} else if (x->order > order_of(a, m->stages[j].assigned)) {
			m->stages[j].assigned = x->e;
		}
	}
}

static int by_semver(const void *x, const void *y)
{
	return mlv_semver_compare(
		((const struct mlv_registry_version_state *)x)->registered->version,
		((const struct mlv_registry_version_state *)y)->registered->version);
}

static int by_stage(const void *x, const void *y)
{
	return strcmp(((const struct mlv_registry_stage_state *)x)->stage,
		      ((const struct mlv_registry_stage_state *)y)->stage);
}

int mlv_registry_state(struct mlv_registry_state *out, const struct mlv_registry *reg,
		       const char *name, int64_t as_of)
{
	struct mlv_registry_model *m;
	struct assignments *asg = NULL;
	size_t i, j, n = 0;

	mlv_registry_state_release(out);
	/* one model per distinct name, sorted */
	if (!(out->models = calloc(reg->n + 1, sizeof(*out->models))))
		abort();
	for (i = 0; i < reg->n; i++) {
		const struct mlv_registry_event *e = &reg->events[i];
		struct mlv_registry_model key;

		if (e->time > as_of || (name && strcmp(e->name, name)))
			continue;
		key.name = e->name;
		out->n = n;
		if (mlv_registry_find_model(out, e->name))
			continue;
		for (j = n; j > 0 && strcmp(out->models[j - 1].name, e->name) > 0; j--)
			out->models[j] = out->models[j - 1];
		memset(&out->models[j], 0, sizeof(out->models[j]));
		out->models[j].name = mlv_xstrdup(key.name);
		n++;
	}
	out->n = n;
	if (!(asg = calloc(n + 1, sizeof(*asg))))
		abort();
	for (i = 0; i < reg->n; i++) {
		const struct mlv_registry_event *e = &reg->events[i];
		struct mlv_registry_version_state *v;

		if (e->time > as_of || (name && strcmp(e->name, name)) ||
		    !(m = (struct mlv_registry_model *)mlv_registry_find_model(out, e->name)))
			continue;
		switch (e->kind) {
		case MLV_REGISTRY_REGISTER:
			if ((v = find_version(m, e->version))) {
				v->deregistered = 0;
				break;
			}
			m->versions = realloc(m->versions,
					      (m->nversions + 1) * sizeof(*m->versions));
			if (!m->versions)
				abort();
			m->versions[m->nversions].registered = e;
			m->versions[m->nversions++].deregistered = 0;
			break;
		case MLV_REGISTRY_DEREGISTER:
			if ((v = find_version(m, e->version)))
				v->deregistered = 1;
			break;
		case MLV_REGISTRY_ASSIGN:
		case MLV_REGISTRY_UNASSIGN:
			track(&asg[m - out->models], e, i + 1,
			      e->kind == MLV_REGISTRY_ASSIGN);
			break;
		case MLV_REGISTRY_DEPRECATE:
			m->deprecated = e;
			break;
		}
	}
	for (i = 0; i < out->n; i++) {
		m = &out->models[i];
		if (m->nversions)
			qsort(m->versions, m->nversions, sizeof(*m->versions), by_semver);
		settle_stages(m, &asg[i]);
		if (m->nstages)
			qsort(m->stages, m->nstages, sizeof(*m->stages), by_stage);
		free(asg[i].items);
	}
	free(asg);
	return 0;
}

const struct mlv_registry_version_state *
mlv_registry_latest(const struct mlv_registry_model *m)
{
	size_t i;

	for (i = m->nversions; i > 0; i--)
		if (!m->versions[i - 1].deregistered)
			return &m->versions[i - 1];
	return NULL;
}

const struct mlv_registry_version_state *
mlv_registry_find_version(const struct mlv_registry_model *m, const char *version)
{
	const struct mlv_registry_version_state *v =
		find_version((struct mlv_registry_model *)m, version);

	return v && !v->deregistered ? v : NULL;
}

const struct mlv_registry_event *mlv_registry_in_stage(const struct mlv_registry_model *m,
						       const char *stage)
{
	size_t i;

	for (i = 0; i < m->nstages; i++)
		if (!strcmp(m->stages[i].stage, stage))
			return m->stages[i].assigned;
	return NULL;
}

void mlv_registry_name_of(struct mlv_buf *out, const char *model_path)
{
	const char *slash = strrchr(model_path, '/');
	const char *dot = strrchr(slash ? slash + 1 : model_path, '.');

	mlv_buf_clear(out);
	mlv_buf_put(out, model_path, dot && dot != (slash ? slash + 1 : model_path)
					     ? (size_t)(dot - model_path)
					     : strlen(model_path));
}

int mlv_registry_resolve(git_oid *commit, struct mlv_buf *name,
			 const struct mlv_registry *reg, const char *ref)
{
	struct mlv_registry_state state = MLV_REGISTRY_STATE_INIT;
	struct mlv_buf base = MLV_BUF_INIT;
	const struct mlv_registry_model *m;
	const struct mlv_registry_version_state *v = NULL;
	const struct mlv_registry_event *e = NULL;
	const char *sep = ref + strcspn(ref, "@#"), *what = sep + 1;
	int err = MLV_ENOTFOUND;

	if (!*sep || sep == ref)
		goto done;
	mlv_buf_put(&base, ref, (size_t)(sep - ref));
	if (strchr(base.ptr, '.')) {
		char *path = mlv_buf_detach(&base);

		mlv_registry_name_for(&base, reg, path);
		free(path);
	}
	if (!mlv_registry_name_is_valid(base.ptr) ||
	    (*sep == '@' && strcmp(what, "latest") &&
	     !mlv_semver_is_valid(what[0] == 'v' ? what + 1 : what)) ||
	    (*sep == '#' && !mlv_registry_stage_is_valid(what)))
		goto done; /* HEAD@{1}, main@{upstream}: git's, not ours */
	mlv_registry_state(&state, reg, base.ptr, INT64_MAX);
	err = MLV_EINVALID;
	if (!(m = mlv_registry_find_model(&state, base.ptr))) {
		mlv_error_set("'%s': no model '%s' in the registry (git mlv models "
			      "lists them)", ref, base.ptr);
		goto done;
	}
	if (*sep == '#' && !(e = mlv_registry_in_stage(m, what))) {
		mlv_error_set("'%s': no version of '%s' is in stage '%s'", ref, base.ptr,
			      what);
		goto done;
	}
	if (*sep == '@' && !strcmp(what, "latest") && !(v = mlv_registry_latest(m))) {
		mlv_error_set("'%s': '%s' has no registered version", ref, base.ptr);
		goto done;
	}
	if (*sep == '@' && strcmp(what, "latest") && !(v = mlv_registry_find_version(m, what))) {
		mlv_error_set("'%s': '%s' has no version %s%s (git mlv models %s lists "
			      "them)", ref, base.ptr, what[0] == 'v' ? "" : "v", what,
			      base.ptr);
		goto done;
	}
	*commit = e ? e->commit : v->registered->commit;
	mlv_buf_sets(name, base.ptr);
	err = 0;
done:
	mlv_registry_state_release(&state);
	mlv_buf_release(&base);
	return err;
}

/* The model file that registry name `name` stands for in `tree`: a file of
 * that name plus an extension, with its sidecar beside it. */
static char *model_file(git_repository *repo, const git_tree *root, const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	struct mlv_buf dir = MLV_BUF_INIT, path = MLV_BUF_INIT, sc = MLV_BUF_INIT;
	git_tree *sub = NULL;
	git_tree_entry *e = NULL;
	const git_tree *tree = root;
	char *found = NULL;
	size_t i, n, blen = strlen(base);

	if (slash) {
		mlv_buf_put(&dir, name, (size_t)(slash - name));
		if (git_tree_entry_bypath(&e, root, dir.ptr) < 0 ||
		    git_tree_lookup(&sub, repo, git_tree_entry_id(e)) < 0)
			goto done;
		tree = sub;
	}
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && !found; i++) {
		const char *entry = git_tree_entry_name(git_tree_entry_byindex(tree, i));
		size_t elen = strlen(entry);

		if (elen <= blen + 1 || strncmp(entry, base, blen) || entry[blen] != '.' ||
		    strchr(entry + blen + 1, '.') || !strcmp(entry + blen, MLV_SIDECAR_SUFFIX))
			continue;
		mlv_buf_clear(&sc);
		mlv_buf_printf(&sc, "%s%s", entry, MLV_SIDECAR_SUFFIX);
		if (!git_tree_entry_byname(tree, sc.ptr))
			continue;
		mlv_buf_clear(&path);
		mlv_buf_printf(&path, "%s%s%s", dir.ptr, slash ? "/" : "", entry);
		found = mlv_buf_detach(&path);
	}
done:
	git_tree_entry_free(e);
	git_tree_free(sub);
	mlv_buf_release(&dir);
	mlv_buf_release(&path);
	mlv_buf_release(&sc);
	return found;
}

/* The [metrics] of the sidecar of `path` in `root`, as "key=value" lines. */
static char *metrics_of(git_repository *repo, const git_tree *root, const char *path)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf name = MLV_BUF_INIT, out = MLV_BUF_INIT;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	size_t i;

	mlv_buf_printf(&name, "%s%s", path, MLV_SIDECAR_SUFFIX);
	if (git_tree_entry_bypath(&e, root, name.ptr) < 0 ||
	    git_blob_lookup(&blob, repo, git_tree_entry_id(e)) < 0)
		goto done;
	mlv_sidecar_parse(&sc, &problems, name.ptr, git_blob_rawcontent(blob),
			  (size_t)git_blob_rawsize(blob));
	for (i = 0; i < sc.n; i++)
		if (!strcmp(sc.entries[i].section, "metrics"))
			mlv_buf_printf(&out, "%s=%s\n", sc.entries[i].key, sc.entries[i].value);
done:
	mlv_error_clear();
	git_blob_free(blob);
	git_tree_entry_free(e);
	mlv_buf_release(&name);
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
	return mlv_buf_detach(&out);
}

/* `path` and its sidecar are files of `root`. */
static int has_model(const git_tree *root, const char *path)
{
	struct mlv_buf sc = MLV_BUF_INIT;
	git_tree_entry *e = NULL;
	int found = 0;

	mlv_buf_printf(&sc, "%s%s", path, MLV_SIDECAR_SUFFIX);
	if (git_tree_entry_bypath(&e, root, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
		git_tree_entry_free(e);
		e = NULL;
		found = git_tree_entry_bypath(&e, root, sc.ptr) == 0 &&
			git_tree_entry_type(e) == GIT_OBJECT_BLOB;
	}
	git_error_clear();
	git_tree_entry_free(e);
	mlv_buf_release(&sc);
	return found;
}

static char *model_in_tree(const struct mlv_registry *reg, git_repository *repo,
			   const git_tree *root, const char *name)
{
	const char *configured = mlv_registry_configured_path(reg, name);

	if (configured && has_model(root, configured))
		return mlv_xstrdup(configured);
	return model_file(repo, root, name);
}

char *mlv_registry_model_path(const struct mlv_registry *reg, git_repository *repo,
			      const git_oid *commit, const char *name)
{
	git_commit *c = NULL;
	git_tree *root = NULL;
	char *path = NULL;

	if (git_commit_lookup(&c, repo, commit) == 0 && git_commit_tree(&root, c) == 0)
		path = model_in_tree(reg, repo, root, name);
	git_error_clear();
	git_tree_free(root);
	git_commit_free(c);
	return path;
}

void mlv_registry_read_model(struct mlv_registry *reg, git_repository *repo,
			     struct mlv_registry_event *e)
{
	git_commit *c = NULL;
	git_tree *root = NULL;
	struct record *r;

	if (e->model_read)
		return;
	if (git_commit_lookup(&c, repo, &e->commit) == 0 && git_commit_tree(&root, c) == 0 &&
	    (e->path = model_in_tree(reg, repo, root, e->name)))
		e->metrics = metrics_of(repo, root, e->path);
	mlv_error_clear();
	e->model_read = 1;
	e->borrowed &= ~BORROWED_MODEL;
	if (reg->cache && e->cache_record != SIZE_MAX) {
		r = e->cache_record < reg->cache->n
			    ? &reg->cache->records[e->cache_record]
			    : &reg->cache->added[e->cache_record - reg->cache->n];
		r->e.model_read = 1;
		r->e.path = e->path;
		r->e.metrics = e->metrics;
		reg->cache->dirty = 1;
	}
	git_tree_free(root);
	git_commit_free(c);
}

json_t *mlv_registry_metrics_json(const struct mlv_registry_event *e)
{
	json_t *o = json_object();
	const char *p = e->metrics, *eq, *nl;
	struct mlv_buf key = MLV_BUF_INIT, value = MLV_BUF_INIT;

	while (p && *p && (eq = strchr(p, '=')) && (nl = strchr(eq, '\n'))) {
		mlv_buf_clear(&key);
		mlv_buf_clear(&value);
		mlv_buf_put(&key, p, (size_t)(eq - p));
		mlv_buf_put(&value, eq + 1, (size_t)(nl - eq - 1));
		mlv_json_set(o, key.ptr, mlv_lineage_value(value.ptr));
		p = nl + 1;
	}
	mlv_buf_release(&key);
	mlv_buf_release(&value);
	return o;
}

int mlv_registry_load_names(struct mlv_registry *reg, git_repository *repo)
{
	struct mlv_policy policy;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	int err = 0;

	if (reg->names_loaded)
		return 0;
	if ((err = mlv_promote_load_policy(&policy, &problems, repo)) < 0)
		goto done;
	/* the registry keeps the names the policy read */
	reg->names = policy.names;
	reg->nnames = policy.nnames;
	policy.names = NULL;
	policy.nnames = 0;
	reg->names_loaded = 1;
done:
	mlv_policy_release(&policy);
	mlv_problems_release(&problems);
	return err;
}

void mlv_registry_name_for(struct mlv_buf *out, const struct mlv_registry *reg,
			   const char *model_path)
{
	size_t i;

	for (i = 0; i < reg->nnames; i++) {
		if (!strcmp(reg->names[i].path, model_path)) {
			mlv_buf_sets(out, reg->names[i].name);
			return;
		}
	}
	mlv_registry_name_of(out, model_path);
}

const char *mlv_registry_configured_path(const struct mlv_registry *reg, const char *name)
{
	size_t i;

	for (i = 0; i < reg->nnames; i++)
		if (!strcmp(reg->names[i].name, name))
			return reg->names[i].path;
	return NULL;
}
