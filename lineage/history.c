#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/history.h"
#include "mlv/scan.h"
#include "mlv/sha256.h"
#include "mlv/sidecar.h"
#include "mlv/trace.h"
#include "mlv/util.h"

/*
 * The cache file:
 *
 *   mlv lineage cache 1 LF
 *   then per commit:  <commit hex> SP <number of versions> LF
 *     and per version: <model blob hex> SP <sidecar blob hex> SP
 *                      <model oid> SP <model size> SP <path length> SP
 *                      <path bytes> LF
 *   end SP <sha256 of everything before this line> LF
 *
 * The path goes last with its length before it, so any byte may be in it.
 * Bump the format number whenever what counts as a version changes.
 */
#define CACHE_NAME "lineage-cache"
#define CACHE_MAGIC "mlv lineage cache 1\n"
#define CACHE_MAX (512u * 1024 * 1024)

struct cache_commit {
	git_oid id;
	size_t first, n; /* a range of cache.versions */
	int used;
};

struct cache {
	struct cache_commit *slots; /* open addressing; size a power of two */
	size_t nslots, ncommits;
	struct mlv_version *versions;
	size_t nversions, alloc;
	int dirty;
};

#define CACHE_INIT { NULL, 0, 0, NULL, 0, 0, 0 }

static size_t slot_of(const struct cache *c, const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h & (c->nslots - 1);
}

static struct cache_commit *cache_find(const struct cache *c, const git_oid *id)
{
	size_t i;

	if (!c->nslots)
		return NULL;
	for (i = slot_of(c, id); c->slots[i].used; i = (i + 1) & (c->nslots - 1))
		if (git_oid_equal(&c->slots[i].id, id))
			return &c->slots[i];
	return NULL;
}

static void cache_grow(struct cache *c)
{
	struct cache_commit *old = c->slots;
	size_t i, j, n = c->nslots;

	c->nslots = n ? n * 2 : 1024;
	c->slots = calloc(c->nslots, sizeof(*c->slots));
	if (!c->slots)
		abort();
	for (i = 0; i < n; i++) {
		if (!old[i].used)
			continue;
		for (j = slot_of(c, &old[i].id); c->slots[j].used;
		     j = (j + 1) & (c->nslots - 1))
			;
		c->slots[j] = old[i];
	}
	free(old);
}

/* Record that commit `id` holds the versions from `first` to the end. */
static void cache_add_commit(struct cache *c, const git_oid *id, size_t first)
{
	size_t i;

	if ((c->ncommits + 1) * 2 > c->nslots)
		cache_grow(c);
	for (i = slot_of(c, id); c->slots[i].used; i = (i + 1) & (c->nslots - 1))
		;
	c->slots[i].id = *id;
	c->slots[i].first = first;
	c->slots[i].n = c->nversions - first;
	c->slots[i].used = 1;
	c->ncommits++;
}

static struct mlv_version *version_append(struct mlv_version **v, size_t *n,
					  size_t *alloc)
{
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 64;
		*v = realloc(*v, *alloc * sizeof(**v));
		if (!*v)
			abort();
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	return &(*v)[(*n)++];
}

static void cache_release(struct cache *c)
{
	size_t i;

	for (i = 0; i < c->nversions; i++)
		free(c->versions[i].path);
	free(c->versions);
	free(c->slots);
}

/* Parse one hex object id ending at a space; advance `p`. */
static int parse_git_oid(git_oid *out, const char **p, const char *end)
{
	if (end - *p < GIT_OID_HEXSZ + 1 || (*p)[GIT_OID_HEXSZ] != ' ' ||
	    git_oid_fromstrn(out, *p, GIT_OID_HEXSZ) < 0)
		return -1;
	*p += GIT_OID_HEXSZ + 1;
	return 0;
}

/* A decimal number ending at `stop`; advance `p` past it. */
static int parse_number(uint64_t *out, const char **p, const char *end, char stop)
{
	uint64_t n = 0;
	const char *s = *p;

	if (s == end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	if (s == end || *s != stop)
		return -1;
	*out = n;
	*p = s + 1;
	return 0;
}

static int parse_version(struct mlv_version *v, const char **p, const char *end)
{
	uint64_t len;

	if (parse_git_oid(&v->model_blob, p, end) < 0 ||
	    parse_git_oid(&v->sidecar_blob, p, end) < 0 ||
	    end - *p < MLV_OID_HEXSZ + 1 || (*p)[MLV_OID_HEXSZ] != ' ')
		return -1;
	memcpy(v->model_oid, *p, MLV_OID_HEXSZ);
	v->model_oid[MLV_OID_HEXSZ] = '\0';
	*p += MLV_OID_HEXSZ + 1;
	if (!mlv_oid_is_valid(v->model_oid) ||
	    parse_number(&v->model_size, p, end, ' ') < 0 ||
	    parse_number(&len, p, end, ' ') < 0 || len == 0 ||
	    (uint64_t)(end - *p) < len + 1 || (*p)[len] != '\n' ||
	    memchr(*p, '\0', len))
		return -1;
	v->path = strndup(*p, len);
	if (!v->path)
		abort();
	*p += len + 1;
	return 0;
}

/* Fill `c` from the cache text; -1 when it is not a whole, sealed cache
 * of this format (the caller then starts from nothing). */
static int cache_parse(struct cache *c, const char *data, size_t len)
{
	const char *p = data, *end;
	ssize_t body = mlv_sha256_sealed_len(data, len);
	uint64_t n, i;
	git_oid id;
	size_t first;

	if (body < (ssize_t)strlen(CACHE_MAGIC) ||
	    memcmp(data, CACHE_MAGIC, strlen(CACHE_MAGIC)))
		return -1;
	end = data + body;
	p += strlen(CACHE_MAGIC);
	while (p < end) {
		if (parse_git_oid(&id, &p, end) < 0 ||
		    parse_number(&n, &p, end, '\n') < 0 || cache_find(c, &id))
			return -1;
		first = c->nversions;
		for (i = 0; i < n; i++) {
			struct mlv_version *v = version_append(
				&c->versions, &c->nversions, &c->alloc);

			if (parse_version(v, &p, end) < 0) {
				c->nversions--;
				return -1;
			}
			v->commit = id;
		}
		cache_add_commit(c, &id, first);
	}
	return 0;
}

static void cache_load(struct cache *c, const char *path)
{
	struct mlv_buf text = MLV_BUF_INIT;
	struct cache fresh = CACHE_INIT;

	text.cap = CACHE_MAX;
	if (mlv_buf_read_file(&text, path) < 0) {
		mlv_error_clear();
		goto done;
	}
	if (cache_parse(c, text.ptr, text.len) < 0) {
		mlv_trace("lineage cache '%s' is damaged or of another format; "
			  "rebuilding it", path);
		cache_release(c);
		*c = fresh;
		c->dirty = 1;
	}
done:
	mlv_buf_release(&text);
}

static int cache_save(const struct cache *c, const char *path)
{
	struct mlv_buf out = MLV_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i, j;
	int err;

	mlv_buf_puts(&out, CACHE_MAGIC);
	for (i = 0; i < c->nslots; i++) {
		const struct cache_commit *cc = &c->slots[i];

		if (!cc->used)
			continue;
		mlv_buf_printf(&out, "%s %zu\n", git_oid_tostr(hex, sizeof(hex), &cc->id),
			       cc->n);
		for (j = cc->first; j < cc->first + cc->n; j++) {
			const struct mlv_version *v = &c->versions[j];

			mlv_buf_printf(&out, "%s ",
				       git_oid_tostr(hex, sizeof(hex), &v->model_blob));
			mlv_buf_printf(&out, "%s %s %llu %zu ",
				       git_oid_tostr(hex, sizeof(hex), &v->sidecar_blob),
				       v->model_oid, (unsigned long long)v->model_size,
				       strlen(v->path));
			mlv_buf_puts(&out, v->path);
			mlv_buf_putc(&out, '\n');
		}
	}
	if ((err = mlv_sha256_seal(&out)) < 0)
		goto done;
	err = mlv_write_file_atomic(path, out.ptr, out.len, 0644);
done:
	mlv_buf_release(&out);
	return err;
}

/* Directories nest at most this deep (git's core.maxTreeDepth default). */
#define TREE_DEPTH_MAX 4096

struct scan {
	git_repository *repo;
	git_odb *odb;
	unsigned depth;
	struct cache *cache;
	struct mlv_buf path; /* the directory being compared, ending in '/' */
	struct mlv_buf name; /* scratch: an entry's sidecar name */
};

/*
 * Trees are compared in their raw form, as git stores them: entries of
 * "<octal mode> SP <name> NUL <20-byte id>" in git's order. Reading them
 * in place, without building libgit2's parsed trees, halves the time of
 * the first walk of a long history.
 */
struct raw_entry {
	unsigned mode;
	const char *name;
	size_t namelen;
	const unsigned char *id;
};

#define RAW_MODE_TREE 040000u
#define RAW_MODE_FILE 0100644u
#define RAW_MODE_EXEC 0100755u

/* The entry at *p of a raw tree ending at `end`: 1, 0 at the end, or
 * MLV_ECORRUPT when the tree is malformed. */
static int raw_next(struct raw_entry *e, const char **p, const char *end)
{
	const char *c = *p, *sp, *nul;
	unsigned mode = 0;

	if (c == end)
		return 0;
	if (!(sp = memchr(c, ' ', (size_t)(end - c))) || sp == c)
		goto bad;
	for (; c < sp; c++) {
		if (*c < '0' || *c > '7' || mode > 0777777)
			goto bad;
		mode = mode * 8 + (unsigned)(*c - '0');
	}
	if (!(nul = memchr(sp + 1, '\0', (size_t)(end - sp - 1))) ||
	    end - nul - 1 < GIT_OID_RAWSZ)
		goto bad;
	e->mode = mode;
	e->name = sp + 1;
	e->namelen = (size_t)(nul - sp - 1);
	e->id = (const unsigned char *)nul + 1;
	*p = nul + 1 + GIT_OID_RAWSZ;
	return 1;
bad:
	mlv_error_set("a tree of this repository is malformed (git fsck will say "
		      "which)");
	return MLV_ECORRUPT;
}

/* git's order of tree entries: by name, a directory as if it ended in '/'. */
static int raw_cmp(const struct raw_entry *a, const struct raw_entry *b)
{
	size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int c = memcmp(a->name, b->name, n);
	unsigned ca, cb;

	if (c)
		return c;
	ca = a->namelen > n ? (unsigned char)a->name[n] : a->mode == RAW_MODE_TREE ? '/' : 0;
	cb = b->namelen > n ? (unsigned char)b->name[n] : b->mode == RAW_MODE_TREE ? '/' : 0;
	return (int)ca - (int)cb;
}

/* A regular file, as git reads modes (100664 and the like are files). */
static int raw_is_file(const struct raw_entry *e)
{
	return (e->mode & 0170000) == 0100000;
}

/* The mode as git means it: 100755 when any execute bit is set, else
 * 100644 for a file; others as they are. */
static unsigned raw_mode(const struct raw_entry *e)
{
	if (!raw_is_file(e))
		return e->mode;
	return e->mode & 0100 ? RAW_MODE_EXEC : RAW_MODE_FILE;
}

/* The file entry `name` of the raw tree, or 0. */
static int raw_find_file(struct raw_entry *out, const char *data, size_t len,
			 const char *name, size_t namelen)
{
	const char *p = data, *end = data + len;

	while (raw_next(out, &p, end) > 0)
		if (out->namelen == namelen && !memcmp(out->name, name, namelen))
			return raw_is_file(out);
	mlv_error_clear();
	return 0;
}

static int read_tree(git_odb_object **out, struct scan *s, const unsigned char *raw)
{
	git_oid id;
	int err;

	git_oid_fromraw(&id, raw);
	if ((err = git_odb_read(out, s->odb, &id)) < 0) {
		err = mlv_error_from_git(err, "cannot read a tree");
	} else if (git_odb_object_type(*out) != GIT_OBJECT_TREE) {
		git_odb_object_free(*out);
		*out = NULL;
		mlv_error_set("object '%s' should be a tree (git fsck will say more)",
			      git_oid_tostr_s(&id));
		err = MLV_ECORRUPT;
	}
	return err;
}

/* Append a version for the file `e` of the raw tree `data` (at s->path)
 * when its sidecar is beside it. */
static int add_candidate(struct scan *s, const char *data, size_t len,
			 const struct raw_entry *e)
{
	struct raw_entry sc;
	struct mlv_version *v;
	size_t dirlen = s->path.len;

	mlv_buf_clear(&s->name);
	mlv_buf_put(&s->name, e->name, e->namelen);
	mlv_buf_puts(&s->name, MLV_SIDECAR_SUFFIX);
	if (!raw_find_file(&sc, data, len, s->name.ptr, s->name.len))
		return 0;
	v = version_append(&s->cache->versions, &s->cache->nversions,
			   &s->cache->alloc);
	git_oid_fromraw(&v->model_blob, e->id);
	git_oid_fromraw(&v->sidecar_blob, sc.id);
	mlv_buf_put(&s->path, e->name, e->namelen);
	v->path = mlv_xstrdup(s->path.ptr);
	mlv_buf_truncate(&s->path, dirlen);
	return mlv_scan_blob_identity(v->model_oid, &v->model_size, s->repo,
				      &v->model_blob, v->path);
}

static int compare_trees(struct scan *s, git_odb_object *tree, git_odb_object *old);

/* Recurse into the subtree `e` of the new tree, against `o` (the old
 * tree's entry of that name, or NULL). */
static int compare_subtree(struct scan *s, const struct raw_entry *e,
			   const struct raw_entry *o)
{
	git_odb_object *sub = NULL, *old_sub = NULL;
	size_t dirlen = s->path.len;
	int err;

	if (s->depth >= TREE_DEPTH_MAX) {
		mlv_error_set("'%s' nests directories more than %u deep", s->path.ptr,
			      TREE_DEPTH_MAX);
		err = MLV_ECORRUPT;
		goto done;
	}
	if ((err = read_tree(&sub, s, e->id)) < 0 ||
	    (o && o->mode == RAW_MODE_TREE && (err = read_tree(&old_sub, s, o->id)) < 0))
		goto done;
	mlv_buf_put(&s->path, e->name, e->namelen);
	mlv_buf_putc(&s->path, '/');
	s->depth++;
	err = compare_trees(s, sub, old_sub);
	s->depth--;
	mlv_buf_truncate(&s->path, dirlen);
done:
	git_odb_object_free(sub);
	git_odb_object_free(old_sub);
	return err;
}

/*
 * Append to the cache a version for every file of `tree` (at s->path)
 * that is new or changed against `old` (NULL: nothing there) and has its
 * sidecar beside it; recurse into the subtrees that differ. Both trees
 * are in git's order, so one pass over the two finds what differs. A tree
 * with no sidecar name in it can hold no version itself, which spares the
 * search in the many trees of data.
 */
static int compare_trees(struct scan *s, git_odb_object *tree, git_odb_object *old)
{
	const char *data = git_odb_object_data(tree), *p = data;
	const char *end = data + git_odb_object_size(tree);
	const char *q = old ? git_odb_object_data(old) : NULL;
	const char *qend = old ? q + git_odb_object_size(old) : NULL;
	size_t len = git_odb_object_size(tree);
	int has_sidecars = memmem(data, len, MLV_SIDECAR_SUFFIX,
				  strlen(MLV_SIDECAR_SUFFIX) + 1) != NULL;
	struct raw_entry e, o;
	int more, omore = old ? raw_next(&o, &q, qend) : 0, err = 0;

	while (!err && (more = raw_next(&e, &p, end)) > 0) {
		int cmp = -1;

		while (omore > 0 && (cmp = raw_cmp(&e, &o)) > 0)
			omore = raw_next(&o, &q, qend); /* only in the old tree */
		if (omore < 0)
			return omore;
		if (omore > 0 && cmp == 0) {
			struct raw_entry was = o;

			omore = raw_next(&o, &q, qend);
			if (raw_mode(&e) == raw_mode(&was) &&
			    !memcmp(e.id, was.id, GIT_OID_RAWSZ))
				continue;
			if (e.mode == RAW_MODE_TREE)
				err = compare_subtree(s, &e, &was);
			else if (raw_is_file(&e) && has_sidecars)
				err = add_candidate(s, data, len, &e);
			continue;
		}
		if (e.mode == RAW_MODE_TREE)
			err = compare_subtree(s, &e, NULL);
		else if (raw_is_file(&e) && has_sidecars)
			err = add_candidate(s, data, len, &e);
	}
	return err ? err : more;
}

/* 1 when `path` in `tree` is the blob `id`. */
static int tree_has_blob(git_tree *tree, const char *path, const git_oid *id)
{
	git_tree_entry *e = NULL;
	int same;

	if (git_tree_entry_bypath(&e, tree, path) < 0)
		return 0;
	same = git_oid_equal(git_tree_entry_id(e), id);
	git_tree_entry_free(e);
	return same;
}

/* Find and cache the versions commit `id` makes. */
static int scan_commit(struct scan *s, const git_oid *id)
{
	git_commit *commit = NULL, *parent = NULL;
	git_tree *ptree = NULL;
	git_odb_object *root = NULL, *proot = NULL;
	size_t first = s->cache->nversions, i, kept, np;
	unsigned p;
	int err;

	if ((err = git_commit_lookup(&commit, s->repo, id)) < 0) {
		err = mlv_error_from_git(err, "cannot read a commit");
		goto done;
	}
	np = git_commit_parentcount(commit);
	if (np && (err = git_commit_parent(&parent, commit, 0)) < 0) {
		err = mlv_error_from_git(err, "cannot read a parent commit");
		goto done;
	}
	if ((err = read_tree(&root, s, git_commit_tree_id(commit)->id)) < 0 ||
	    (parent && (err = read_tree(&proot, s, git_commit_tree_id(parent)->id)) < 0))
		goto done;
	mlv_buf_clear(&s->path);
	if ((err = compare_trees(s, root, proot)) < 0)
		goto done;
	/* A merge adds a version only where it differs from every parent. */
	for (p = 1; p < np && s->cache->nversions > first; p++) {
		git_commit_free(parent);
		git_tree_free(ptree);
		parent = NULL;
		ptree = NULL;
		if ((err = git_commit_parent(&parent, commit, p)) < 0 ||
		    (err = git_commit_tree(&ptree, parent)) < 0) {
			err = mlv_error_from_git(err, "cannot read a parent commit");
			goto done;
		}
		for (i = kept = first; i < s->cache->nversions; i++) {
			struct mlv_version *v = &s->cache->versions[i];

			if (tree_has_blob(ptree, v->path, &v->model_blob))
				free(v->path);
			else
				s->cache->versions[kept++] = *v;
		}
		s->cache->nversions = kept;
	}
	for (i = first; i < s->cache->nversions; i++)
		s->cache->versions[i].commit = *id;
	cache_add_commit(s->cache, id, first);
	s->cache->dirty = 1;
done:
	if (err < 0) {
		for (i = first; i < s->cache->nversions; i++)
			free(s->cache->versions[i].path);
		s->cache->nversions = first;
	}
	git_odb_object_free(root);
	git_odb_object_free(proot);
	git_tree_free(ptree);
	git_commit_free(parent);
	git_commit_free(commit);
	return err;
}

int mlv_history_revwalk(git_revwalk **out, struct mlv_repo *r, const char *rev,
			int all)
{
	git_revwalk *walk = NULL;
	git_object *obj = NULL;
	git_commit *commit = NULL;
	int err;

	*out = NULL;
	/* libgit2 reads no .git/shallow: the walk would stop at the first
	 * missing parent, and what a boundary commit "changes" is not what it
	 * changed */
	if (git_repository_is_shallow(r->git) == 1) {
		mlv_error_set("this is a shallow clone, and lineage needs the history: "
			      "run git fetch --unshallow (in CI: fetch-depth: 0)");
		err = MLV_EINVALID;
		goto done;
	}
	if ((err = git_revwalk_new(&walk, r->git)) < 0) {
		err = mlv_error_from_git(err, "cannot walk history");
		goto done;
	}
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	if (all) {
		if ((err = git_revwalk_push_glob(walk, "refs/*")) < 0 ||
		    ((err = git_revwalk_push_head(walk)) < 0 &&
		     err != GIT_ENOTFOUND && err != GIT_EUNBORNBRANCH)) {
			err = mlv_error_from_git(err, "cannot walk every ref");
			goto done;
		}
		err = 0;
	} else {
		if ((err = git_revparse_single(&obj, r->git, rev ? rev : "HEAD")) < 0 ||
		    (err = git_object_peel((git_object **)&commit, obj,
					   GIT_OBJECT_COMMIT)) < 0) {
			mlv_error_set("'%s' is not a commit in this repository%s",
				      rev ? rev : "HEAD",
				      rev ? "" : " (nothing committed yet)");
			err = MLV_ENOTFOUND;
			goto done;
		}
		if ((err = git_revwalk_push(walk, git_commit_id(commit))) < 0) {
			err = mlv_error_from_git(err, "cannot walk history");
			goto done;
		}
	}
	*out = walk;
	walk = NULL;
done:
	git_commit_free(commit);
	git_object_free(obj);
	git_revwalk_free(walk);
	return err;
}

static int wanted(const char *path, const char *const *models, size_t n)
{
	size_t i;

	if (!n)
		return 1;
	for (i = 0; i < n; i++)
		if (!strcmp(models[i], path))
			return 1;
	return 0;
}

int mlv_history_walk(struct mlv_history *h, struct mlv_repo *r,
		     git_revwalk *walk, const char *const *models,
		     size_t nmodels)
{
	struct cache cache = CACHE_INIT;
	struct scan s = { r->git, NULL, 0, &cache, MLV_BUF_INIT, MLV_BUF_INIT };
	struct mlv_buf path = MLV_BUF_INIT;
	const struct cache_commit *cc;
	git_oid id;
	size_t i;
	int err;

	mlv_buf_printf(&path, "%s/mlv/%s", r->common_dir, CACHE_NAME);
	if ((err = git_repository_odb(&s.odb, r->git)) < 0) {
		err = mlv_error_from_git(err, "cannot open the object database");
		goto done;
	}
	cache_load(&cache, path.ptr);
	/* Each tree is met twice, as a commit's and as its child's parent's,
	 * and hashing every object read would double the first walk: what the
	 * walk finds is only a cache, and sidecars and pointers are read again
	 * when a query uses them. */
	mlv_repo_fast_reads();
	while ((err = git_revwalk_next(&id, walk)) == 0) {
		h->commits++;
		if (!(cc = cache_find(&cache, &id))) {
			if ((err = scan_commit(&s, &id)) < 0)
				goto done;
			h->scanned++;
			cc = cache_find(&cache, &id);
		}
		for (i = cc->first; i < cc->first + cc->n; i++) {
			const struct mlv_version *from = &cache.versions[i];
			struct mlv_version *v;

			if (!wanted(from->path, models, nmodels))
				continue;
			v = version_append(&h->versions, &h->n, &h->alloc);
			*v = *from;
			if (!(v->path = strdup(from->path)))
				abort();
		}
	}
	if (err != GIT_ITEROVER) {
		err = mlv_error_from_git(err, "cannot walk history");
		goto done;
	}
	err = 0;
	/* The cache only saves work: a store that cannot take it (read-only,
	 * full) costs a rescan next time, not the answer. */
	if (cache.dirty && (mlv_dirs_beneath(r->common_dir, path.ptr, 1) < 0 ||
			    cache_save(&cache, path.ptr) < 0)) {
		mlv_trace("cannot save the lineage cache: %s", mlv_error_last());
		mlv_error_clear();
	}
done:
	git_odb_free(s.odb);
	mlv_buf_release(&s.path);
	mlv_buf_release(&s.name);
	mlv_buf_release(&path);
	cache_release(&cache);
	return err;
}

const struct mlv_version *mlv_history_find_oid(const struct mlv_history *h,
					       const char *oid)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (!strcmp(h->versions[i].model_oid, oid))
			return &h->versions[i];
	return NULL;
}

void mlv_history_release(struct mlv_history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->versions[i].path);
	free(h->versions);
	memset(h, 0, sizeof(*h));
}
