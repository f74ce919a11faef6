#include <stdlib.h>
#include <string.h>

#include "mlv/buf.h"
#include "mlv/datadir.h"
#include "mlv/error.h"
#include "mlv/lineage.h"
#include "mlv/problems.h"
#include "mlv/registry.h"
#include "mlv/scan.h"
#include "mlv/uses.h"
#include "mlv/util.h"

void mlv_uses_target_release(struct mlv_uses_target *t)
{
	struct mlv_uses_target fresh = MLV_USES_TARGET_INIT;

	free(t->text);
	free(t->rev);
	*t = fresh;
}

/*
 * The commit `rev` names into `out`: a model reference (models/fraud#prod)
 * first, read from `reg` (loaded on first use), else a git revision. 0;
 * MLV_ENOTFOUND when it names no commit; MLV_EINVALID, with its message,
 * for a model reference that names nothing; another negative error.
 */
static int commit_of(git_commit **out, struct mlv_registry *reg, int *loaded,
		     git_repository *repo, const char *rev)
{
	struct mlv_buf name = MLV_BUF_INIT;
	git_object *obj = NULL, *commit = NULL;
	git_oid id;
	int err = MLV_ENOTFOUND;

	*out = NULL;
	if (rev[strcspn(rev, "@#")]) {
		if (!*loaded && (err = mlv_registry_load(reg, repo)) < 0)
			goto done;
		*loaded = 1;
		if ((err = mlv_registry_resolve(&id, &name, reg, rev)) == 0 &&
		    (err = git_commit_lookup(out, repo, &id)) < 0)
			err = mlv_error_from_git(err, "cannot read a registered commit");
		if (err != MLV_ENOTFOUND)
			goto done;
	}
	if (git_revparse_single(&obj, repo, rev) == 0 &&
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0) {
		*out = (git_commit *)commit;
		commit = NULL;
		err = 0;
	}
	git_error_clear();
done:
	git_object_free(commit);
	git_object_free(obj);
	mlv_buf_release(&name);
	return err;
}

/* `path` without the '/' a directory ends in, for a tree lookup. */
static void strip_slash(struct mlv_buf *out, const char *path)
{
	mlv_buf_sets(out, path);
	while (out->len > 1 && out->ptr[out->len - 1] == '/')
		mlv_buf_truncate(out, out->len - 1);
}

static int directory_identity(struct mlv_uses_target *t, git_repository *repo,
			      git_tree *root)
{
	struct mlv_datadir d = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	int err;

	if ((err = mlv_datadir_from_tree(&d, &problems, repo, root, t->text)) < 0) {
		if (err == MLV_EINVALID && problems.n)
			mlv_error_set("%s has no manifest at %s: %s", t->text, t->rev,
				      problems.items[0]);
		goto done;
	}
	memcpy(t->oid, d.oid, sizeof(t->oid));
	t->files = d.count;
	t->size = d.size;
done:
	mlv_problems_release(&problems);
	mlv_datadir_release(&d);
	return err;
}

/* `path` as `commit` holds it; `rev` is what named the commit. */
static int resolve_path(struct mlv_uses_target *t, struct mlv_repo *r,
			const char *path, const char *rev, const git_commit *commit)
{
	struct mlv_buf bare = MLV_BUF_INIT;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	size_t len;
	int err = 0;

	t->kind = MLV_USES_PATH;
	t->text = mlv_repo_relative(r, path);
	t->rev = mlv_xstrdup(rev);
	len = strlen(t->text);
	t->is_dir = len && t->text[len - 1] == '/';
	strip_slash(&bare, t->text);
	if ((err = git_commit_tree(&tree, commit)) < 0) {
		err = mlv_error_from_git(err, "cannot read the tree of a commit");
		goto done;
	}
	if (git_tree_entry_bypath(&e, tree, bare.ptr) < 0) {
		if (t->any_version)
			goto done;
		mlv_error_set("'%s' is not in %s: name a revision that holds it "
			      "(PATH@REV), or match every version with --any-version",
			      t->text, rev);
		err = MLV_ENOTFOUND;
		goto done;
	}
	t->entry = *git_tree_entry_id(e);
	switch (git_tree_entry_filemode(e)) {
	case GIT_FILEMODE_TREE:
		if (!t->is_dir) {
			mlv_buf_sets(&bare, t->text);
			mlv_buf_putc(&bare, '/');
			free(t->text);
			t->text = mlv_buf_detach(&bare);
			t->is_dir = 1;
		}
		if (!t->any_version)
			err = directory_identity(t, r->git, tree);
		break;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		if (t->is_dir) {
			mlv_error_set("'%s' is a file in %s, not a directory", bare.ptr,
				      rev);
			err = MLV_EINVALID;
		} else if (!t->any_version) {
			err = mlv_scan_blob_identity(t->oid, &t->size, r->git,
						     &t->entry, t->text);
			t->files = 1;
		}
		break;
	default:
		mlv_error_set("'%s' in %s is a symbolic link or a submodule, which no "
			      "sidecar records as data", bare.ptr, rev);
		err = MLV_EINVALID;
	}
done:
	git_tree_entry_free(e);
	git_tree_free(tree);
	mlv_buf_release(&bare);
	return err;
}

int mlv_uses_resolve(struct mlv_uses_target *t, struct mlv_repo *r,
		     const char *arg, int any_version)
{
	struct mlv_registry reg = MLV_REGISTRY_INIT;
	const char *at = NULL, *rev = "HEAD";
	git_commit *commit = NULL;
	char *path = NULL;
	int err, loaded = 0;

	mlv_uses_target_release(t);
	t->any_version = any_version;
	if (!strncmp(arg, "sha256:", 7)) {
		t->kind = MLV_USES_OID;
		t->text = mlv_xstrdup(arg);
		if (mlv_oid_parse(t->oid, arg) < 0) {
			mlv_error_set("'%s' is not a sha256 oid (sha256: and 64 lowercase "
				      "hex digits)", arg);
			return MLV_EINVALID;
		}
		return 0;
	}
	if (strstr(arg, "://")) {
		t->kind = MLV_USES_URI;
		t->text = mlv_xstrdup(arg);
		return 0;
	}
	/* "path@rev", split at the first '@' whose right side names a commit:
	 * a model reference holds an '@' of its own (data/x.csv@models/m@1.2.0) */
	for (at = strchr(arg, '@'); at; at = strchr(at + 1, '@')) {
		if (at == arg || !at[1])
			continue;
		if ((err = commit_of(&commit, &reg, &loaded, r->git, at + 1)) == 0)
			break;
		if (err != MLV_ENOTFOUND)
			goto done;
	}
	if (at) {
		path = mlv_xstrndup(arg, (size_t)(at - arg));
		rev = at + 1;
	} else if ((err = commit_of(&commit, &reg, &loaded, r->git, rev)) < 0) {
		mlv_error_set("'%s' is not a commit in this repository", rev);
		goto done;
	}
	err = resolve_path(t, r, path ? path : arg, rev, commit);
done:
	git_commit_free(commit);
	mlv_registry_release(&reg);
	free(path);
	return err;
}

/* 1 when `a` and `b` name the same path or URI, a trailing '/' aside (a
 * directory deleted since is asked for without one). */
static int same_path(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && !memcmp(a, b, la);
}

/* 1 when the commit of `v` holds the target's path (as the target's
 * revision holds it, unless any version will do). */
static int version_holds(const struct mlv_uses_target *t, struct mlv_repo *r,
			 const struct mlv_version *v)
{
	struct mlv_buf bare = MLV_BUF_INIT;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int yes = 0;

	strip_slash(&bare, t->text);
	if (git_commit_lookup(&commit, r->git, &v->commit) == 0 &&
	    git_commit_tree(&tree, commit) == 0 &&
	    git_tree_entry_bypath(&e, tree, bare.ptr) == 0)
		yes = t->any_version || git_oid_equal(git_tree_entry_id(e), &t->entry);
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(commit);
	mlv_buf_release(&bare);
	return yes;
}

int mlv_uses_match(const char **input, int *inside, const struct mlv_uses_target *t,
		   struct mlv_repo *r, const struct mlv_version *v,
		   const struct mlv_sidecar *sc)
{
	char oid[MLV_OID_HEXSZ + 1];
	size_t i, plen;

	*input = NULL;
	*inside = 0;
	for (i = 0; i < sc->n; i++) {
		const struct mlv_sidecar_entry *e = &sc->entries[i];
		const char *path, *rec;

		if (strcmp(e->section, "data") || !mlv_lineage_first_of_section(sc, i))
			continue;
		path = mlv_sidecar_get(sc, "data", e->name, "path");
		rec = mlv_sidecar_get(sc, "data", e->name, "oid");
		*input = e->name ? e->name : "";
		if (t->kind == MLV_USES_URI) {
			const char *uri = mlv_sidecar_get(sc, "data", e->name, "uri");

			if (uri && same_path(uri, t->text))
				return 1;
			continue;
		}
		if (!t->any_version && rec && mlv_oid_parse(oid, rec) == 0 &&
		    !strcmp(oid, t->oid))
			return 1;
		if (t->kind != MLV_USES_PATH || !path)
			continue;
		if (t->any_version && same_path(path, t->text))
			return 1;
		plen = strlen(path);
		if (plen && path[plen - 1] == '/' && strlen(t->text) > plen &&
		    !strncmp(t->text, path, plen) && version_holds(t, r, v)) {
			*inside = 1;
			return 1;
		}
	}
	*input = NULL;
	return 0;
}
