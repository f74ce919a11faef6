/* Which objects of the local store nothing needs: see mlv/prune.h */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "mlv/error.h"
#include "mlv/oidset.h"
#include "mlv/progress.h"
#include "mlv/prune.h"
#include "mlv/registry.h"
#include "mlv/repo.h"
#include "mlv/scan.h"
#include "mlv/store.h"
#include "mlv/transfer.h"
#include "mlv/util.h"

static const char *const reason_names[MLV_PRUNE_NREASONS] = {
	"in an index", "checked out", "in a stash", "in a registry tag",
	"in a commit not pushed", "in a recent commit", "younger than the grace period",
	"not on the remote",
};

const char *mlv_prune_reason_name(enum mlv_prune_reason why)
{
	return why < MLV_PRUNE_NREASONS ? reason_names[why] : "?";
}

struct walk {
	struct mlv_repo *r;
	struct mlv_oidset trees_blobs; /* git ids already looked at */
	/* the mlv objects found, by why they are kept; referenced: found in
	 * commits that keep nothing */
	struct mlv_sync_list keep[MLV_PRUNE_NREASONS];
	struct mlv_sync_list referenced;
	struct mlv_progress progress;
};

/* A blob at `path` (in `into` when it is a pointer). */
static int look_at_blob(struct walk *w, const git_oid *id, const char *path,
			struct mlv_sync_list *into)
{
	struct mlv_pointer p;
	int err;

	if ((err = mlv_scan_read_pointer(&p, w->r, id)) == MLV_EINVALID)
		return 0;
	if (err == 0 && p.size > 0)
		mlv_sync_list_add(into, p.oid, p.size, path);
	return err;
}

struct tree_walk {
	struct walk *w;
	struct mlv_sync_list *into;
};

static int found_blob(const git_oid *id, const char *path, void *payload)
{
	struct tree_walk *t = payload;

	return look_at_blob(t->w, id, path, t->into);
}

static int walk_commit(struct walk *w, const git_oid *id, struct mlv_sync_list *into)
{
	struct mlv_buf path = MLV_BUF_INIT;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int err;

	if ((err = git_commit_lookup(&c, w->r->git, id)) < 0 ||
	    (err = git_commit_tree(&tree, c)) < 0) {
		git_oid_tostr(hex, sizeof(hex), id);
		err = mlv_error_from_gitf(err, "cannot read commit %s", hex);
		goto done;
	}
	if (mlv_oidset_add(&w->trees_blobs, git_tree_id(tree))) {
		struct tree_walk t = { w, into };

		err = mlv_oidset_walk_tree(&w->trees_blobs, w->r->git, tree, &path,
					   found_blob, &t);
	}
	mlv_progress_add(&w->progress, 1, 0);
done:
	git_tree_free(tree);
	git_commit_free(c);
	mlv_buf_release(&path);
	return err;
}

/* Add every commit of the reflog `name` of `repo` to `walk`: a commit a
 * reflog remembers may still be wanted back (git keeps it too). */
static void push_reflog(git_revwalk *walk, git_repository *repo, const char *name)
{
	git_reflog *log = NULL;
	size_t i, n;

	if (git_reflog_read(&log, repo, name) < 0) {
		git_error_clear();
		return;
	}
	n = git_reflog_entrycount(log);
	for (i = 0; i < n; i++) {
		const git_oid *id = git_reflog_entry_id_new(git_reflog_entry_byindex(log, i));

		/* one whose commit git has dropped is no tip */
		if (!git_oid_is_zero(id) && git_revwalk_push(walk, id) < 0)
			git_error_clear();
	}
	git_reflog_free(log);
}

struct tips {
	git_revwalk *walk;
	git_repository *repo;
};

static int push_ref_reflog(const char *name, void *payload)
{
	struct tips *t = payload;

	push_reflog(t->walk, t->repo, name);
	return 0;
}

/* The worktrees: the main one (not in a bare repository) and the linked
 * ones, each opened as a repository of its own (its index and HEAD). */
struct worktrees {
	git_repository **repos;
	size_t n, owned_from; /* repos[owned_from..] are ours to free */
};

static int open_worktrees(struct worktrees *wt, git_repository *repo)
{
	git_strarray names = { NULL, 0 };
	git_worktree *w = NULL;
	size_t i;
	int err;

	wt->repos = mlv_xreallocarray(NULL, 1, sizeof(*wt->repos));
	wt->n = wt->owned_from = 0;
	if (!git_repository_is_bare(repo))
		wt->repos[wt->n++] = repo;
	wt->owned_from = wt->n;
	if ((err = git_worktree_list(&names, repo)) < 0) {
		err = mlv_error_from_gitf(err, "cannot list the worktrees");
		goto done;
	}
	wt->repos = mlv_xreallocarray(wt->repos, wt->n + names.count, sizeof(*wt->repos));
	for (i = 0; i < names.count && !err; i++) {
		if ((err = git_worktree_lookup(&w, repo, names.strings[i])) < 0 ||
		    (err = git_repository_open_from_worktree(&wt->repos[wt->n], w)) < 0)
			err = mlv_error_from_gitf(err,
					 "cannot open worktree '%s' (if its directory is gone, "
					 "'git worktree prune' forgets it)",
					 names.strings[i]);
		else
			wt->n++;
		git_worktree_free(w);
		w = NULL;
	}
done:
	git_strarray_dispose(&names);
	return err;
}

static void close_worktrees(struct worktrees *wt)
{
	size_t i;

	for (i = wt->owned_from; i < wt->n; i++)
		git_repository_free(wt->repos[i]);
	free(wt->repos);
	memset(wt, 0, sizeof(*wt));
}

/*
 * A walk over every ref (refs/ and each worktree's HEAD) and every commit
 * a reflog remembers; with `hide_remote`, without the commits that
 * refs/remotes/<hide_remote>/ reach.
 */
static int history_walk(git_revwalk **out, struct mlv_repo *r,
			const struct worktrees *wt, const char *hide_remote)
{
	struct mlv_buf glob = MLV_BUF_INIT;
	struct tips tips = { NULL, r->git };
	git_oid head;
	size_t i;
	int err;

	if ((err = git_revwalk_new(&tips.walk, r->git)) < 0 ||
	    (err = git_revwalk_push_glob(tips.walk, "refs/*")) < 0) {
		err = mlv_error_from_gitf(err, "cannot walk the history");
		goto done;
	}
	for (i = 0; i < wt->n; i++) {
		tips.repo = wt->repos[i];
		if (git_reference_name_to_id(&head, wt->repos[i], "HEAD") == 0 &&
		    git_revwalk_push(tips.walk, &head) < 0)
			git_error_clear();
		push_reflog(tips.walk, wt->repos[i], "HEAD");
	}
	tips.repo = r->git;
	if (!wt->n)
		push_reflog(tips.walk, r->git, "HEAD");
	if ((err = git_reference_foreach_name(r->git, push_ref_reflog, &tips)) < 0) {
		err = mlv_error_from_gitf(err, "cannot read the refs");
		goto done;
	}
	if (hide_remote) {
		mlv_buf_printf(&glob, "refs/remotes/%s/*", hide_remote);
		if ((err = git_revwalk_hide_glob(tips.walk, glob.ptr)) < 0) {
			err = mlv_error_from_gitf(err, "cannot read the refs of the remote");
			goto done;
		}
	}
	*out = tips.walk;
	tips.walk = NULL;
done:
	git_revwalk_free(tips.walk);
	mlv_buf_release(&glob);
	return err;
}

/* The commits a walk yields, into `out`. */
static int walk_all(git_oid **out, size_t *n, git_revwalk *walk)
{
	size_t alloc = 0;
	git_oid id;
	int err;

	*out = NULL;
	*n = 0;
	while ((err = git_revwalk_next(&id, walk)) == 0) {
		MLV_ALLOC_GROW(*out, *n, alloc);
		(*out)[(*n)++] = id;
	}
	return err == GIT_ITEROVER ? 0 : mlv_error_from_gitf(err, "cannot walk the history");
}

/* Every pointer an index of the worktree `repo` holds, at any stage. */
static int walk_index(struct walk *w, git_repository *repo)
{
	git_index *index = NULL;
	size_t i, n;
	int err;

	if ((err = git_repository_index(&index, repo)) < 0) {
		err = mlv_error_from_gitf(err, "cannot read the index of '%s'",
				 git_repository_workdir(repo));
		goto done;
	}
	n = git_index_entrycount(index);
	for (i = 0; i < n && !err; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);

		if ((e->mode & 0170000) != 0100000)
			continue;
		if (!mlv_oidset_add(&w->trees_blobs, &e->id))
			continue;
		/* an entry whose blob git never wrote (intent to add) holds
		 * no object of ours */
		if ((err = look_at_blob(w, &e->id, e->path, &w->keep[MLV_PRUNE_INDEX])) ==
		    MLV_ENOTFOUND)
			err = 0;
	}
done:
	git_index_free(index);
	return err;
}

static int walk_commit_and_parents(struct walk *w, const git_oid *id,
				   unsigned from_parent, struct mlv_sync_list *into)
{
	git_commit *c = NULL;
	unsigned i, n;
	int err;

	if ((err = walk_commit(w, id, into)) < 0 || !from_parent)
		goto done;
	if ((err = git_commit_lookup(&c, w->r->git, id)) < 0) {
		err = mlv_error_from_gitf(err, "cannot read a stash entry");
		goto done;
	}
	n = git_commit_parentcount(c);
	for (i = from_parent; i < n && !err; i++)
		err = walk_commit(w, git_commit_parent_id(c, i), into);
done:
	git_commit_free(c);
	return err;
}

struct commit_list {
	git_repository *repo;
	git_oid *ids;
	size_t n, alloc;
	int failed; /* a callback set the message */
};

static int add_stash(size_t index, const char *message, const git_oid *id, void *payload)
{
	struct commit_list *l = payload;

	(void)index;
	(void)message;
	MLV_ALLOC_GROW(l->ids, l->n, l->alloc);
	l->ids[l->n++] = *id;
	return 0;
}

static int add_registry_tag(const char *name, void *payload)
{
	struct mlv_registry_tag tag = MLV_REGISTRY_TAG_INIT;
	struct commit_list *l = payload;
	git_object *obj = NULL, *commit = NULL;
	int rc = 0;

	/* a registry tag is a plain tag name; others are not ours */
	if (mlv_registry_parse_tag(&tag, name + strlen("refs/tags/")) < 0) {
		mlv_error_clear();
		goto done;
	}
	if ((rc = git_revparse_single(&obj, l->repo, name)) < 0 ||
	    (rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT)) < 0) {
		rc = mlv_error_from_gitf(rc, "cannot read tag '%s'", name);
		l->failed = 1;
		goto done;
	}
	MLV_ALLOC_GROW(l->ids, l->n, l->alloc);
	l->ids[l->n++] = *git_object_id(commit);
done:
	git_object_free(commit);
	git_object_free(obj);
	mlv_registry_tag_release(&tag);
	return rc;
}

struct sorting {
	struct walk *w;
	struct mlv_prune_plan *plan;
	time_t young_after;
};

static int sort_object(const char *path, const char *oid, const struct stat *st,
		       void *payload)
{
	struct sorting *s = payload;
	const struct mlv_sync_object *seen;
	uint64_t size = (uint64_t)st->st_size;
	int why;

	if (!oid) {
		mlv_error_set("'%s' is not an mlv object; prune deletes nothing while the "
			      "store holds files of its own (move it out of the store)",
			      path);
		return MLV_EINVALID;
	}
	s->plan->objects++;
	s->plan->bytes += size;
	for (why = 0; why < MLV_PRUNE_YOUNG; why++)
		if (mlv_sync_list_find(&s->w->keep[why], oid))
			break;
	if (why == MLV_PRUNE_YOUNG && st->st_mtime <= s->young_after)
		why = MLV_PRUNE_NREASONS;
	if (why < MLV_PRUNE_NREASONS) {
		s->plan->kept[why]++;
		s->plan->kept_bytes += size;
	} else if ((seen = mlv_sync_list_find(&s->w->referenced, oid))) {
		mlv_sync_list_add(&s->plan->confirm, oid, size, seen->path);
	} else {
		mlv_sync_list_add(&s->plan->unreferenced, oid, size, NULL);
	}
	return 0;
}

/* The commits whose every object is kept, walked before the rest. */
static int walk_kept(struct walk *w, const struct worktrees *wt)
{
	struct commit_list l = { w->r->git, NULL, 0, 0, 0 };
	git_oid head;
	size_t i;
	int err = 0;

	for (i = 0; i < wt->n && !err; i++) {
		if ((err = walk_index(w, wt->repos[i])) < 0)
			break;
		if (git_reference_name_to_id(&head, wt->repos[i], "HEAD") < 0)
			git_error_clear(); /* unborn */
		else
			err = walk_commit(w, &head, &w->keep[MLV_PRUNE_CHECKOUT]);
	}
	if (err)
		goto done;
	/* a stash entry's own tree, its index (^2) and untracked files (^3);
	 * its base (^1) is a commit like any other */
	if ((err = git_stash_foreach(w->r->git, add_stash, &l)) < 0 &&
	    err != GIT_ENOTFOUND) {
		err = mlv_error_from_gitf(err, "cannot read the stash");
		goto done;
	}
	err = 0;
	for (i = 0; i < l.n && !err; i++)
		err = walk_commit_and_parents(w, &l.ids[i], 1, &w->keep[MLV_PRUNE_STASH]);
	l.n = 0;
	if (!err && (err = git_reference_foreach_glob(w->r->git, "refs/tags/*",
						      add_registry_tag, &l)) < 0 &&
	    !l.failed)
		err = mlv_error_from_gitf(err, "cannot read the tags");
	for (i = 0; i < l.n && !err; i++)
		err = walk_commit(w, &l.ids[i], &w->keep[MLV_PRUNE_REGISTRY]);
done:
	free(l.ids);
	return err;
}

int mlv_prune_plan(struct mlv_prune_plan *plan, struct mlv_repo *r,
		   const struct mlv_prune_options *o)
{
	struct walk w;
	struct worktrees wt = { NULL, 0, 0 };
	struct mlv_oidset ununpushed = MLV_OIDSET_INIT;
	git_revwalk *walk = NULL;
	git_oid *all = NULL, *ununpushed_ids = NULL;
	size_t nall = 0, nunpushed = 0, i, nrest = 0;
	time_t recent_after = o->now - (time_t)o->recent_days * 86400;
	struct sorting sorting;
	int err, why;

	memset(&w, 0, sizeof(w));
	w.r = r;
	if (git_repository_is_shallow(r->git) == 1) {
		mlv_error_set("this is a shallow clone: prune cannot see the history it "
			      "keeps objects for ('git fetch --unshallow' fetches all of it)");
		err = MLV_EINVALID;
		goto done;
	}
	if ((err = open_worktrees(&wt, r->git)) < 0 ||
	    (err = history_walk(&walk, r, &wt, NULL)) < 0 ||
	    (err = walk_all(&all, &nall, walk)) < 0)
		goto done;
	if (!nall) {
		mlv_error_set("the repository has no commits yet: nothing to prune");
		err = MLV_ENOTFOUND;
		goto done;
	}
	git_revwalk_free(walk);
	walk = NULL;
	/* the commits the remote lacks: all of them when there is no remote */
	if ((err = history_walk(&walk, r, &wt, o->remote)) < 0 ||
	    (err = walk_all(&ununpushed_ids, &nunpushed, walk)) < 0)
		goto done;
	for (i = 0; i < nunpushed; i++)
		mlv_oidset_add(&ununpushed, &ununpushed_ids[i]);

	mlv_progress_start(&w.progress, "Walking history", 0, o->quiet);
	if ((err = walk_kept(&w, &wt)) < 0)
		goto done;
	/* commits that keep their objects first, so that a tree met again in
	 * a commit that keeps nothing is not read twice */
	for (i = 0; i < nall && !err; i++) {
		git_commit *c = NULL;

		if (mlv_oidset_has(&ununpushed, &all[i])) {
			err = walk_commit(&w, &all[i], &w.keep[MLV_PRUNE_UNPUSHED]);
			continue;
		}
		if ((err = git_commit_lookup(&c, r->git, &all[i])) < 0) {
			err = mlv_error_from_gitf(err, "cannot read a commit");
			break;
		}
		if (o->recent_days && git_commit_time(c) >= recent_after)
			err = walk_commit(&w, &all[i], &w.keep[MLV_PRUNE_RECENT]);
		else
			all[nrest++] = all[i];
		git_commit_free(c);
	}
	for (i = 0; i < nrest && !err; i++)
		err = walk_commit(&w, &all[i], &w.referenced);
	mlv_progress_stop(&w.progress);
	if (err)
		goto done;
	plan->commits = nall;
	for (why = 0; why < MLV_PRUNE_NREASONS; why++)
		mlv_sync_list_uniq(&w.keep[why]);
	mlv_sync_list_uniq(&w.referenced);

	sorting.w = &w;
	sorting.plan = plan;
	sorting.young_after = o->now - (time_t)o->expire_days * 86400;
	err = mlv_store_each(&r->store, sort_object, &sorting);
done:
	if (err) {
		mlv_sync_list_release(&plan->confirm);
		mlv_sync_list_release(&plan->unreferenced);
	}
	for (why = 0; why < MLV_PRUNE_NREASONS; why++)
		mlv_sync_list_release(&w.keep[why]);
	mlv_sync_list_release(&w.referenced);
	mlv_oidset_release(&w.trees_blobs);
	mlv_oidset_release(&ununpushed);
	free(all);
	free(ununpushed_ids);
	git_revwalk_free(walk);
	close_worktrees(&wt);
	return err;
}

int mlv_prune_confirm(struct mlv_sync_list *lacking, struct mlv_prune_plan *plan,
		      struct mlv_repo *r, struct mlv_backend *b, int quiet)
{
	struct mlv_sync_list have = MLV_SYNC_LIST_INIT;
	struct mlv_transfer_result res;
	struct mlv_transfer *t;
	char *first = NULL;
	size_t i, nfailed = 0;
	int err = 0;

	if (!plan->confirm.n)
		return 0;
	t = mlv_transfer_new(b, &r->store, MLV_TRANSFER_CHECK, mlv_sync_jobs(r),
			     "Checking the remote store", quiet);
	for (i = 0; i < plan->confirm.n; i++)
		mlv_transfer_add(t, plan->confirm.items[i].oid, plan->confirm.items[i].size,
				 plan->confirm.items[i].path);
	while (mlv_transfer_next(t, &res, 1) > 0) {
		if (res.err == 0) {
			mlv_sync_list_add(&have, res.oid, res.size, res.path);
		} else if (res.err == MLV_ENOTFOUND || res.err == MLV_ECORRUPT) {
			mlv_sync_list_add(lacking, res.oid, res.size, res.path);
			plan->kept[MLV_PRUNE_NOT_ON_REMOTE]++;
			plan->kept_bytes += res.size;
		} else if (!nfailed++) {
			first = mlv_xstrdup(res.message);
			err = res.err;
		}
		mlv_transfer_result_release(&res);
	}
	mlv_transfer_free(t);
	mlv_sync_list_release(&plan->confirm);
	if (err) {
		mlv_error_set("cannot ask %s which objects it has (%s); nothing it should "
			      "hold was deleted",
			      mlv_backend_url(b), first);
		mlv_sync_list_release(&have);
	} else {
		mlv_sync_list_uniq(&have);
		plan->confirm = have;
	}
	mlv_sync_list_uniq(lacking);
	free(first);
	return err;
}

void mlv_prune_plan_release(struct mlv_prune_plan *plan)
{
	mlv_sync_list_release(&plan->confirm);
	mlv_sync_list_release(&plan->unreferenced);
	memset(plan, 0, sizeof(*plan));
}
