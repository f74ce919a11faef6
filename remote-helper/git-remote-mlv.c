/*
 * git-remote-mlv: the remote helper git runs for "mlv::<store-url>"
 * remotes (gitremote-helpers(7)), keeping history and mlv objects in a
 * store (file:// or s3://, see mlv/backend.h) laid out as
 *
 *   objects/aa/bb/<oid>      mlv objects
 *   git/packs/<sha256>.pack  git objects, one pack per push
 *   git/refs                 the ref manifest (mlv/manifest.h)
 *
 * A push uploads what the store lacks in that order, blobs, then the pack,
 * then the manifest by compare-and-swap, so no ref in the store ever
 * points at something missing, and of two racing pushes one wins and the
 * other is told to fetch first.
 *
 * A push is refused, ref by ref, when a commit it brings breaks the
 * lineage policy (policy.h), when it would move or delete a registry tag,
 * or when an assign tag it brings breaks the promotion rules of this
 * repository's HEAD (promote.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/repository.h>

#include "mlv/backend.h"
#include "mlv/error.h"
#include "mlv/gc.h"
#include "mlv/manifest.h"
#include "mlv/policy.h"
#include "mlv/promote.h"
#include "mlv/registry.h"
#include "mlv/run.h"
#include "mlv/sha256.h"
#include "mlv/sync.h"
#include "mlv/trace.h"
#include "mlv/util.h"

#define PUSH_ATTEMPTS 5

struct helper {
	struct mlv_repo repo;
	struct mlv_backend *backend;
	struct mlv_conn *conn;
	const char *remote;
	int quiet;     /* no progress: git said so, or stderr is no terminal */
	int verbosity; /* below 1 (git push -q): not even the summary line */
	struct mlv_transfer_stats uploaded; /* mlv objects, over all attempts */
	int warned_unsealed; /* the manifest has no end line: said once */
	int no_repo;         /* run outside a repository (git ls-remote) */
};

/* Fetch and push work on a repository; outside one only list does. */
static int needs_repo(struct helper *h, const char *what)
{
	if (!h->no_repo)
		return 0;
	mlv_error_set("cannot %s outside a git repository", what);
	return MLV_ENOTFOUND;
}

struct push_cmd {
	int force;
	char *src, *dst;
	char new_oid[GIT_OID_HEXSZ + 1]; /* "" for a delete */
	char *error;                       /* why it was refused, or NULL */
	int noop;
};

/* Read the manifest: an absent one is an empty store. */
static int read_manifest(struct mlv_manifest *m, struct mlv_buf *etag,
			 int *found, struct helper *h)
{
	int err = mlv_manifest_read(m, etag, h->conn);

	if (found)
		*found = err == 0;
	if (err == MLV_ENOTFOUND)
		return 0;
	if (err == 0 && m->unsealed && !h->warned_unsealed) {
		fprintf(stderr, "warning: %s/%s has no end line (it was written before "
			"mlv sealed its manifests), so a cut-short copy could not be "
			"told from a whole one; the next push rewrites it with one\n",
			mlv_backend_url(h->backend), MLV_MANIFEST_KEY);
		h->warned_unsealed = 1;
	}
	return err;
}

static int cmd_list(struct helper *h, int for_push)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;
	size_t i;
	int err, found = 0;

	err = read_manifest(&m, NULL, &found, h);
	/* an empty store is fine to push to; fetching from one is a mistake
	 * (a mistyped path or prefix) that should not look like success */
	if (err == 0 && !for_push && !found) {
		mlv_error_set("nothing has been pushed to %s (it has no %s): check "
			      "the URL",
			      mlv_backend_url(h->backend), MLV_MANIFEST_KEY);
		err = MLV_ENOTFOUND;
	}
	if (err < 0)
		return err;
	for (i = 0; i < m.nrefs; i++)
		printf("%s %s\n", m.refs[i].oid, m.refs[i].name);
	if (m.head && mlv_manifest_find(&m, m.head))
		printf("@%s HEAD\n", m.head);
	printf("\n");
	fflush(stdout);
	mlv_manifest_release(&m);
	return 0;
}

/* The packs already fetched into this repository, one name per line. */
static char *fetched_packs_path(struct helper *h)
{
	return mlv_path_join(h->repo.store.root, "fetched-packs");
}

static int pack_was_fetched(const struct mlv_buf *record, const char *name)
{
	const char *hit = record->ptr;
	size_t n = strlen(name);

	while ((hit = strstr(hit, name))) {
		if ((hit == record->ptr || hit[-1] == '\n') && hit[n] == '\n')
			return 1;
		hit += n;
	}
	return 0;
}

static void record_pack(struct helper *h, const char *name)
{
	char *path = fetched_packs_path(h);
	FILE *f;

	if (mlv_mkdir_parents(path) == 0 && (f = fopen(path, "a"))) {
		fprintf(f, "%s\n", name);
		fclose(f);
	}
	free(path);
}

struct pack_sink {
	git_odb_writepack *wp;
	git_indexer_progress stats;
};

static int pack_sink_write(void *ctx, const void *data, size_t len)
{
	struct pack_sink *ps = ctx;

	if (ps->wp->append(ps->wp, data, len, &ps->stats) < 0)
		return mlv_error_from_git(-1, "cannot index a fetched pack");
	return 0;
}

static int fetch_pack(struct helper *h, git_odb *odb, const char *name)
{
	struct pack_sink ps = { NULL, { 0 } };
	struct mlv_buf key = MLV_BUF_INIT;
	int err;

	mlv_buf_printf(&key, "git/packs/%s.pack", name);
	if ((err = git_odb_write_pack(&ps.wp, odb, NULL, NULL)) < 0) {
		err = mlv_error_from_git(err, "cannot write a pack");
		goto done;
	}
	if ((err = mlv_conn_get(h->conn, key.ptr, 0, pack_sink_write, &ps)) < 0)
		goto done;
	if ((err = ps.wp->commit(ps.wp, &ps.stats)) < 0) {
		err = mlv_error_from_git(err, "cannot store a fetched pack");
		goto done;
	}
	record_pack(h, name);
done:
	if (ps.wp)
		ps.wp->free(ps.wp);
	mlv_buf_release(&key);
	return err;
}

static int cmd_fetch(struct helper *h, char **wants, size_t nwants)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;
	struct mlv_buf record = MLV_BUF_INIT;
	git_odb *odb = NULL;
	char *record_path = NULL;
	size_t i, missing = 0, fetched = 0;
	int err;

	if ((err = git_repository_odb(&odb, h->repo.git)) < 0) {
		err = mlv_error_from_git(err, "cannot open the object database");
		goto done;
	}
	for (i = 0; i < nwants; i++) {
		git_oid id;

		if (git_oid_fromstr(&id, wants[i]) < 0 || !git_odb_exists(odb, &id))
			missing++;
	}
	if (!missing)
		goto done;
	if ((err = read_manifest(&m, NULL, NULL, h)) < 0)
		goto done;
	record_path = fetched_packs_path(h);
	if (mlv_buf_read_file(&record, record_path) == MLV_ERROR) {
		err = MLV_ERROR;
		goto done;
	}
	for (i = 0; i < m.npacks; i++) {
		if (pack_was_fetched(&record, m.packs[i]))
			continue;
		if (!h->quiet)
			fprintf(stderr, "\rReceiving git objects: pack %zu of %zu",
				i + 1, m.npacks);
		if ((err = fetch_pack(h, odb, m.packs[i])) < 0)
			goto done;
		fetched++;
	}
	if (!h->quiet && fetched)
		fprintf(stderr, ", done.\n");
	git_odb_refresh(odb);
done:
	/* the blank line tells git the objects are here: not on failure */
	if (err == 0) {
		printf("\n");
		fflush(stdout);
	}
	git_odb_free(odb);
	mlv_manifest_release(&m);
	mlv_buf_release(&record);
	free(record_path);
	return err;
}

__attribute__((format(printf, 2, 3)))
static void push_refuse(struct push_cmd *c, const char *fmt, ...)
{
	struct mlv_buf msg = MLV_BUF_INIT;
	va_list ap;

	if (c->error)
		return;
	va_start(ap, fmt);
	mlv_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	/* one line in the protocol */
	for (char *p = msg.ptr; *p; p++)
		if (*p == '\n')
			*p = ' ';
	c->error = mlv_buf_detach(&msg);
}

/* Decide whether `c` may move the ref from what the manifest says. */
static void check_update(struct helper *h, git_odb *odb,
			 const struct mlv_manifest *m, struct push_cmd *c)
{
	const struct mlv_manifest_ref *old = mlv_manifest_find(m, c->dst);
	git_object *obj = NULL;
	git_oid old_id, new_id;

	if (!mlv_manifest_refname_ok(c->dst)) {
		push_refuse(c, "'%s' is not a ref name the store accepts", c->dst);
		return;
	}
	if (!*c->src) { /* delete */
		c->new_oid[0] = '\0';
		c->noop = !old;
		return;
	}
	if (git_revparse_single(&obj, h->repo.git, c->src) < 0) {
		git_error_clear();
		push_refuse(c, "'%s' does not name an object here", c->src);
		return;
	}
	new_id = *git_object_id(obj);
	git_oid_tostr(c->new_oid, sizeof(c->new_oid), &new_id);
	git_object_free(obj);
	if (!old)
		return;
	if (!strcmp(old->oid, c->new_oid)) {
		c->noop = 1;
		return;
	}
	if (c->force)
		return;
	if (!strncmp(c->dst, "refs/tags/", 10)) {
		push_refuse(c, "already exists");
		return;
	}
	if (git_oid_fromstr(&old_id, old->oid) < 0 || !git_odb_exists(odb, &old_id)) {
		push_refuse(c, "fetch first");
		return;
	}
	if (git_graph_descendant_of(h->repo.git, &new_id, &old_id) != 1) {
		git_error_clear();
		push_refuse(c, "non-fast-forward");
	}
}

/* Refuse `c` when a commit it brings breaks the lineage policy. */
static int check_policy(struct helper *h, const struct mlv_manifest *m,
			struct push_cmd *c)
{
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	git_revwalk *walk = NULL;
	git_index *empty = NULL;
	git_oid id;
	size_t i;
	int err;

	if (c->error || c->noop || !*c->new_oid)
		return 0;
	if ((err = git_revwalk_new(&walk, h->repo.git)) < 0 ||
	    (err = git_oid_fromstr(&id, c->new_oid)) < 0 ||
	    (err = git_revwalk_push(walk, &id)) < 0) {
		/* a tag of a blob or tree: nothing to check */
		git_error_clear();
		err = 0;
		goto done;
	}
	for (i = 0; i < m->nrefs; i++)
		if (git_oid_fromstr(&id, m->refs[i].oid) == 0 &&
		    git_revwalk_hide(walk, &id) < 0)
			git_error_clear(); /* not here: nothing to hide */
	/* judge each commit by its own .gitattributes, not our index */
	if ((err = git_index_new(&empty)) < 0) {
		err = mlv_error_from_git(err, "cannot set up attribute lookups");
		goto done;
	}
	git_repository_set_index(h->repo.git, empty);
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	while ((err = git_revwalk_next(&id, walk)) == 0) {
		char hex[GIT_OID_HEXSZ + 1];

		if ((err = mlv_policy_check_commit(&problems, &h->repo, &id)) < 0)
			goto done;
		if (problems.n) {
			struct mlv_buf msg = MLV_BUF_INIT;

			git_oid_tostr(hex, sizeof(hex), &id);
			mlv_buf_printf(&msg, "commit %.12s breaks the mlv policy: %s%s",
				       hex, problems.items[0],
				       problems.n > 1 ? " (and more: git mlv verify)" : "");
			push_refuse(c, "%s", msg.ptr);
			mlv_buf_release(&msg);
			break;
		}
	}
	err = err == GIT_ITEROVER || err == 0 ? 0 :
						mlv_error_from_git(err, "cannot walk the history");
done:
	mlv_problems_release(&problems);
	git_index_free(empty);
	git_revwalk_free(walk);
	return err;
}

/* The registry and its promotion rules, read once per push attempt and
 * only when it pushes a registry tag. */
struct registry_rules {
	int loaded;
	struct mlv_registry reg;
	struct mlv_policy policy;
	struct mlv_problems problems; /* what .mlvconfig itself gets wrong */
};

#define REGISTRY_RULES_INIT { 0, MLV_REGISTRY_INIT, { 0 }, MLV_PROBLEMS_INIT }

static void registry_rules_release(struct registry_rules *rr)
{
	if (rr->loaded) {
		mlv_registry_release(&rr->reg);
		mlv_policy_release(&rr->policy);
	}
	mlv_problems_release(&rr->problems);
	rr->loaded = 0;
}

static int registry_rules_load(struct registry_rules *rr, struct helper *h)
{
	int err = 0;

	if (!rr->loaded) {
		rr->loaded = 1;
		if ((err = mlv_promote_load_policy(&rr->policy, &rr->problems,
						   h->repo.git)) == 0 &&
		    mlv_policy_has_registry_rules(&rr->policy))
			err = mlv_registry_load(&rr->reg, h->repo.git);
	}
	return err;
}

/*
 * Refuse `c` when it moves or deletes a registry tag the store has, or
 * brings an assign tag that breaks the promotion rules of our HEAD (the
 * branches are ours, as the store keeps no history of its own to walk).
 */
static int check_registry(struct helper *h, const struct mlv_manifest *m,
			  struct push_cmd *c, struct registry_rules *rr)
{
	struct mlv_registry_tag t = MLV_REGISTRY_TAG_INIT;
	struct mlv_promote_pushed p = MLV_PROMOTE_PUSHED_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf why = MLV_BUF_INIT;
	const char *tag = c->dst + strlen("refs/tags/");
	git_oid id;
	size_t i;
	int err = 0;

	if (c->error || c->noop || strncmp(c->dst, "refs/tags/", 10) ||
	    mlv_registry_parse_tag(&t, tag) < 0) {
		mlv_error_clear(); /* not a registry tag: not ours to judge */
		goto done;
	}
	if (mlv_manifest_find(m, c->dst)) {
		push_refuse(c, "tag '%s': registry tags are never moved or deleted; "
			    "record a change with a new one (git mlv assign, unassign "
			    "or deprecate)", tag);
		goto done;
	}
	if (!*c->new_oid || git_oid_fromstr(&id, c->new_oid) < 0)
		goto done;
	if ((err = mlv_promote_read_pushed(&p, h->repo.git, tag, &id)) < 0) {
		err = err == MLV_ENOTFOUND ? 0 : err; /* no assign: no rule */
		goto done;
	}
	if ((err = registry_rules_load(rr, h)) < 0 ||
	    (err = mlv_promote_check(&problems, h->repo.git, &rr->reg, &rr->policy,
				     &p.assign, NULL, 0)) < 0)
		goto done;
	for (i = 0; i < rr->problems.n; i++)
		mlv_buf_printf(&why, "%s%s", why.len ? "; " : "", rr->problems.items[i]);
	for (i = 0; i < problems.n; i++)
		mlv_buf_printf(&why, "%s%s", why.len ? "; " : "", problems.items[i]);
	if (why.len)
		push_refuse(c, "%s", why.ptr);
done:
	mlv_registry_tag_release(&t);
	mlv_promote_pushed_release(&p);
	mlv_problems_release(&problems);
	mlv_buf_release(&why);
	return err;
}

struct pack_file {
	int fd;
	uint64_t size;
	struct mlv_sha256 hash;
	int failed;
};

static int pack_to_file(void *buf, size_t size, void *payload)
{
	struct pack_file *pf = payload;

	if (mlv_write_all(pf->fd, buf, size) < 0) {
		pf->failed = errno;
		return -1;
	}
	mlv_sha256_update(&pf->hash, buf, size);
	pf->size += size;
	return 0;
}

/* Pack the objects listed (hex ids, one per line) and upload the pack;
 * its name into `name`. Nothing to pack leaves `name` empty. */
static int upload_pack(struct mlv_buf *name, struct helper *h,
		       const struct mlv_buf *objects)
{
	struct pack_file pf = { -1, 0, MLV_SHA256_INIT, 0 };
	struct mlv_buf key = MLV_BUF_INIT, tmp = MLV_BUF_INIT;
	git_packbuilder *pb = NULL;
	char hex[MLV_OID_HEXSZ + 1];
	const char *line;
	int err;

	mlv_buf_clear(name);
	if (!objects->len)
		return 0;
	if ((err = git_packbuilder_new(&pb, h->repo.git)) < 0) {
		err = mlv_error_from_git(err, "cannot build a pack");
		goto done;
	}
	git_packbuilder_set_threads(pb, 0);
	for (line = objects->ptr; *line; line = strchr(line, '\n') + 1) {
		git_oid id;

		if (git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) < 0 ||
		    (err = git_packbuilder_insert(pb, &id, NULL)) < 0) {
			err = mlv_error_from_git(-1, "cannot add an object to the pack");
			goto done;
		}
	}
	mlv_buf_printf(&tmp, "%s/pack-XXXXXX", h->repo.store.tmp);
	if ((err = mlv_mkdir_parents(tmp.ptr)) < 0)
		goto done;
	if ((pf.fd = mkostemp(tmp.ptr, O_CLOEXEC)) < 0) {
		mlv_error_set_errno("cannot create '%s'", tmp.ptr);
		err = MLV_ERROR;
		goto done;
	}
	unlink(tmp.ptr);
	if ((err = mlv_sha256_init(&pf.hash)) < 0)
		goto done;
	if (git_packbuilder_foreach(pb, pack_to_file, &pf) < 0) {
		if (pf.failed)
			mlv_error_set("cannot write a pack in '%s': %s",
				      h->repo.store.tmp, strerror(pf.failed));
		else
			mlv_error_from_git(-1, "cannot build a pack");
		err = MLV_ERROR;
		goto done;
	}
	mlv_sha256_final_hex(hex, &pf.hash);
	mlv_buf_printf(&key, "git/packs/%s.pack", hex);
	mlv_trace("remote-mlv: pack %s: %u objects, %llu bytes", hex,
		  (unsigned)git_packbuilder_object_count(pb),
		  (unsigned long long)pf.size);
	/* a pack of the same name holds the same bytes: already there is fine */
	err = mlv_conn_put_file(h->conn, key.ptr, pf.fd, pf.size, hex);
	if (err == MLV_EEXISTS)
		err = 0;
	if (err < 0)
		goto done;
	mlv_buf_sets(name, hex);
done:
	if (pf.fd >= 0)
		close(pf.fd);
	mlv_sha256_release(&pf.hash);
	git_packbuilder_free(pb);
	mlv_buf_release(&key);
	mlv_buf_release(&tmp);
	return err;
}

/* The default branch a first push gives the store. */
static void choose_head(struct mlv_manifest *m, struct push_cmd *cmds, size_t n)
{
	size_t i;

	if (m->head && mlv_manifest_find(m, m->head))
		return;
	free(m->head);
	m->head = NULL;
	if (mlv_manifest_find(m, "refs/heads/main"))
		m->head = mlv_xstrdup("refs/heads/main");
	else if (mlv_manifest_find(m, "refs/heads/master"))
		m->head = mlv_xstrdup("refs/heads/master");
	for (i = 0; i < n && !m->head; i++)
		if (!strncmp(cmds[i].dst, "refs/heads/", 11) &&
		    mlv_manifest_find(m, cmds[i].dst))
			m->head = mlv_xstrdup(cmds[i].dst);
}

/*
 * One attempt at the push: MLV_ECONFLICT when another push changed the
 * manifest between our read and our write (then the caller tries again
 * on the new state).
 */
static int push_once(struct helper *h, git_odb *odb, struct push_cmd *cmds,
		     size_t n)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;
	struct mlv_buf etag = MLV_BUF_INIT, objects = MLV_BUF_INIT;
	struct mlv_buf pack = MLV_BUF_INIT, text = MLV_BUF_INIT;
	struct mlv_sync_list pointers = MLV_SYNC_LIST_INIT, again = MLV_SYNC_LIST_INIT;
	struct mlv_gc_guard guard = MLV_GC_GUARD_INIT;
	struct mlv_problems failures = MLV_PROBLEMS_INIT;
	struct registry_rules rules = REGISTRY_RULES_INIT;
	const char **tips = NULL, **hides = NULL;
	size_t i, ntips = 0, changes = 0;
	int err, found = 0;

	if ((err = read_manifest(&m, &etag, &found, h)) < 0)
		goto done;
	tips = mlv_xreallocarray(NULL, n + 1, sizeof(*tips));
	hides = mlv_xreallocarray(NULL, m.nrefs + 1, sizeof(*hides));
	for (i = 0; i < n; i++) {
		free(cmds[i].error);
		cmds[i].error = NULL;
		cmds[i].noop = 0;
		check_update(h, odb, &m, &cmds[i]);
		if ((err = check_policy(h, &m, &cmds[i])) < 0 ||
		    (err = check_registry(h, &m, &cmds[i], &rules)) < 0)
			goto done;
		if (cmds[i].error || cmds[i].noop)
			continue;
		changes++;
		if (*cmds[i].new_oid)
			tips[ntips++] = cmds[i].new_oid;
	}
	if (!changes)
		goto done;
	for (i = 0; i < m.nrefs; i++)
		hides[i] = m.refs[i].oid;
	/* blobs, then the pack, then the manifest; the push record first, so
	 * that a gc sweeping the store now keeps the blobs (mlv/gc.h) */
	if ((err = mlv_sync_collect(&objects, &pointers, &h->repo, tips, ntips,
				    hides, m.nrefs)) < 0 ||
	    (pointers.n && (err = mlv_gc_guard_begin(&guard, h->conn, &pointers)) < 0) ||
	    (err = mlv_sync_transfer(&failures, &h->repo, h->backend,
				     MLV_TRANSFER_UPLOAD, &pointers, h->quiet,
				     &h->uploaded, NULL)) < 0 ||
	    (err = mlv_gc_guard_wait(&again, &guard, h->conn, &pointers,
					     h->verbosity < 1)) < 0 ||
	    (again.n && (err = mlv_sync_transfer(&failures, &h->repo, h->backend,
						 MLV_TRANSFER_UPLOAD, &again, h->quiet,
						 &h->uploaded, NULL)) < 0) ||
	    (err = upload_pack(&pack, h, &objects)) < 0)
		goto done;
	if (pack.len)
		mlv_manifest_add_pack(&m, pack.ptr);
	for (i = 0; i < n; i++)
		if (!cmds[i].error && !cmds[i].noop)
			mlv_manifest_set(&m, cmds[i].dst,
					 *cmds[i].new_oid ? cmds[i].new_oid : NULL);
	choose_head(&m, cmds, n);
	mlv_manifest_format(&text, &m);
	err = mlv_conn_put_buf_cas(h->conn, MLV_MANIFEST_KEY, text.ptr, text.len,
				   found ? etag.ptr : NULL, NULL);
	if (err == 0 && pack.len)
		record_pack(h, pack.ptr);
done:
	free(tips);
	free(hides);
	mlv_manifest_release(&m);
	mlv_buf_release(&etag);
	mlv_buf_release(&objects);
	mlv_buf_release(&pack);
	mlv_buf_release(&text);
	mlv_sync_list_release(&pointers);
	mlv_sync_list_release(&again);
	mlv_gc_guard_release(&guard);
	mlv_problems_release(&failures);
	registry_rules_release(&rules);
	return err;
}

static int cmd_push(struct helper *h, struct push_cmd *cmds, size_t n)
{
	git_odb *odb = NULL;
	int attempt, err;
	size_t i;

	if ((err = git_repository_odb(&odb, h->repo.git)) < 0) {
		err = mlv_error_from_git(err, "cannot open the object database");
		goto report;
	}
	for (attempt = 1; attempt <= PUSH_ATTEMPTS; attempt++) {
		if ((err = push_once(h, odb, cmds, n)) != MLV_ECONFLICT)
			break;
		mlv_trace("remote-mlv: the manifest changed under us; attempt %d",
			  attempt + 1);
	}
	if (h->verbosity >= 1) {
		struct mlv_buf line = MLV_BUF_INIT;

		/* what went up, even when the push then failed */
		if (mlv_transfer_summary(&line, MLV_TRANSFER_UPLOAD, &h->uploaded))
			fprintf(stderr, "mlv: %s\n", line.ptr);
		mlv_buf_release(&line);
	}
	memset(&h->uploaded, 0, sizeof(h->uploaded));
	if (err == 0) {
		size_t removed = 0;

		/* what killed pushes left, once they are surely not running */
		if (mlv_conn_clean_temp(h->conn, MLV_STALE_PUSH_TEMP_SECONDS,
					&removed) == 0 && removed && h->verbosity >= 1)
			fprintf(stderr, "mlv: removed %zu temporary file%s that "
				"interrupted pushes left in %s\n", removed,
				removed == 1 ? "" : "s", mlv_backend_url(h->backend));
		mlv_error_clear();
	}
report:
	for (i = 0; i < n; i++) {
		if (cmds[i].error)
			printf("error %s %s\n", cmds[i].dst, cmds[i].error);
		else if (err == MLV_ECONFLICT)
			printf("error %s fetch first\n", cmds[i].dst);
		else if (err < 0)
			printf("error %s %s\n", cmds[i].dst, mlv_error_last());
		else
			printf("ok %s\n", cmds[i].dst);
	}
	printf("\n");
	fflush(stdout);
	if (err < 0 && err != MLV_ECONFLICT)
		fprintf(stderr, "error: %s\n", mlv_error_last());
	git_odb_free(odb);
	return 0;
}

static int parse_push(struct push_cmd *c, const char *spec)
{
	const char *colon;

	memset(c, 0, sizeof(*c));
	if (*spec == '+') {
		c->force = 1;
		spec++;
	}
	if (!(colon = strchr(spec, ':')))
		return -1;
	c->src = mlv_xstrndup(spec, (size_t)(colon - spec));
	c->dst = mlv_xstrdup(colon + 1);
	return 0;
}

static void push_cmd_release(struct push_cmd *c)
{
	free(c->src);
	free(c->dst);
	free(c->error);
}

/* One line from git without its newline; NULL at the end of input. */
static char *read_line(char **line, size_t *alloc)
{
	ssize_t n = getline(line, alloc, stdin);

	if (n < 0)
		return NULL;
	if (n > 0 && (*line)[n - 1] == '\n')
		(*line)[n - 1] = '\0';
	return *line;
}

static void handle_option(struct helper *h, const char *opt)
{
	if (!strncmp(opt, "progress ", 9)) {
		h->quiet = !strcmp(opt + 9, "false");
		printf("ok\n");
	} else if (!strncmp(opt, "verbosity ", 10)) {
		h->verbosity = atoi(opt + 10);
		if (h->verbosity < 1)
			h->quiet = 1;
		printf("ok\n");
	} else {
		printf("unsupported\n");
	}
	fflush(stdout);
}

static int serve(struct helper *h)
{
	char *line = NULL;
	size_t alloc = 0;
	int err = 0;

	while (err == 0 && read_line(&line, &alloc)) {
		mlv_trace("remote-mlv: < %s", line);
		if (!strcmp(line, "capabilities")) {
			printf("fetch\npush\noption\n\n");
			fflush(stdout);
		} else if (!strncmp(line, "option ", 7)) {
			handle_option(h, line + 7);
		} else if (!strcmp(line, "list") || !strcmp(line, "list for-push")) {
			err = cmd_list(h, !strcmp(line, "list for-push"));
		} else if (!strncmp(line, "fetch ", 6)) {
			char **wants = NULL;
			size_t n = 0, walloc = 0, i;

			do {
				char *sp = strchr(line + 6, ' ');

				MLV_ALLOC_GROW(wants, n, walloc);
				wants[n++] = sp ? mlv_xstrndup(line + 6, (size_t)(sp - line - 6)) :
						  mlv_xstrdup(line + 6);
			} while (read_line(&line, &alloc) && !strncmp(line, "fetch ", 6));
			err = needs_repo(h, "fetch");
			if (!err)
				err = cmd_fetch(h, wants, n);
			for (i = 0; i < n; i++)
				free(wants[i]);
			free(wants);
		} else if (!strncmp(line, "push ", 5)) {
			struct push_cmd *cmds = NULL;
			size_t n = 0, calloc_n = 0, i;

			do {
				MLV_ALLOC_GROW(cmds, n, calloc_n);
				if (parse_push(&cmds[n], line + 5) < 0) {
					mlv_error_set("bad push command from git: '%s'", line);
					err = MLV_EPROTO;
					break;
				}
				n++;
			} while (read_line(&line, &alloc) && !strncmp(line, "push ", 5));
			if (err == 0)
				err = needs_repo(h, "push");
			if (err == 0)
				err = cmd_push(h, cmds, n);
			for (i = 0; i < n; i++)
				push_cmd_release(&cmds[i]);
			free(cmds);
		} else if (!*line) {
			break;
		} else {
			mlv_error_set("unknown command from git: '%s'", line);
			err = MLV_EPROTO;
		}
	}
	free(line);
	return err;
}

/*
 * git clone keeps "mlv::<path>" as it was typed, but a relative path
 * means one from where clone ran, while later commands and the filter
 * read it from the top of the new work tree: then make the remote's URL
 * absolute, as git clone does for a path remote of its own.
 */
static void pin_relative_url(struct helper *h, const char *address,
			     const char *url)
{
	const char *top = h->repo.workdir ? h->repo.workdir :
					    git_repository_path(h->repo.git);
	struct mlv_buf key = MLV_BUF_INIT, have = MLV_BUF_INIT, want = MLV_BUF_INIT;
	char *there = NULL;

	if (h->no_repo || !h->remote || strncmp(url, "file://", 7))
		goto done;
	there = mlv_backend_resolve_url(address, top);
	mlv_buf_printf(&key, "remote.%s.url", h->remote);
	mlv_buf_printf(&want, "mlv::%s", address);
	if (!strcmp(there, url) || !mlv_repo_config_string(&have, &h->repo, key.ptr) ||
	    strcmp(have.ptr, want.ptr))
		goto done;
	mlv_buf_clear(&want);
	mlv_buf_printf(&want, "mlv::%s", url + 7);
	{
		const char *args[] = { "config", key.ptr, want.ptr, NULL };
		struct mlv_buf out = MLV_BUF_INIT;

		if (mlv_run_git(&out, args, MLV_RUN_NO_STDIN) == 0)
			mlv_trace("remote-mlv: %s = %s", key.ptr, want.ptr);
		mlv_buf_release(&out);
	}
done:
	free(there);
	mlv_buf_release(&key);
	mlv_buf_release(&have);
	mlv_buf_release(&want);
}

int main(int argc, char **argv)
{
	struct helper h;
	char *cwd = NULL, *url = NULL;
	int err, rc = 0;

	memset(&h, 0, sizeof(h));
	h.verbosity = 1; /* git says otherwise for -q and -v */
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: git-remote-mlv <remote> [<url>]\n"
				"(git runs this for remotes named mlv::<store-url>)\n");
		return 129;
	}
	h.remote = argv[1];
	git_libgit2_init();
	/* git ls-remote runs the helper outside any repository: listing needs
	 * none, fetch and push say so (needs_repo()) */
	if ((err = mlv_repo_open(&h.repo)) == MLV_ENOTFOUND) {
		h.no_repo = 1;
		err = 0;
	}
	/* a relative path is one from where git runs us: the top of the work
	 * tree, or where git clone was run */
	cwd = getcwd(NULL, 0);
	url = mlv_backend_resolve_url(argc == 3 ? argv[2] : argv[1], cwd);
	if (err == 0 && argc == 3)
		pin_relative_url(&h, argv[2], url);
	if (err < 0 || (err = mlv_backend_open(&h.backend, url)) < 0 ||
	    (err = mlv_conn_open(&h.conn, h.backend)) < 0 ||
	    (err = serve(&h)) < 0) {
		fprintf(stderr, "fatal: %s\n", mlv_error_last());
		rc = 128;
	}
	mlv_conn_close(h.conn);
	mlv_backend_free(h.backend);
	mlv_repo_release(&h.repo);
	git_libgit2_shutdown();
	free(url);
	free(cwd);
	return rc;
}
