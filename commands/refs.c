/* Revisions on the command line, model references among them. */
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/registry.h"
#include "mlv/repo.h"
#include "mlv/sidecar.h"

int resolve_rev(git_oid *commit, struct mlv_buf *model, struct mlv_repo *r,
		const char *arg)
{
	struct mlv_registry reg = MLV_REGISTRY_INIT;
	struct mlv_buf name = MLV_BUF_INIT;
	git_object *obj = NULL, *peeled = NULL;
	char hex[GIT_OID_HEXSZ + 1], *path = NULL;
	int err = MLV_ENOTFOUND;

	/* a model reference first: models/fraud@1.2.0 may parse as git's too */
	if (arg[strcspn(arg, "@#")]) {
		if ((err = mlv_registry_load(&reg, r->git)) < 0)
			goto done;
		err = mlv_registry_resolve(commit, &name, &reg, arg);
		if (err == 0 && !(path = mlv_registry_model_path(&reg, r->git, commit, name.ptr))) {
			mlv_error_set("'%s': commit %s holds no model file for '%s' with "
				      "its sidecar", arg, git_oid_tostr(hex, 13, commit),
				      name.ptr);
			err = MLV_EINVALID;
		}
		if (err == 0) {
			if (model)
				mlv_buf_sets(model, path);
			err = 1;
		}
		if (err != MLV_ENOTFOUND)
			goto done;
	}
	if (git_revparse_single(&obj, r->git, arg) < 0 ||
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		git_error_clear();
		mlv_error_set("'%s' is not a commit or a model reference in this "
			      "repository", arg);
		err = MLV_ENOTFOUND;
		goto done;
	}
	*commit = *git_object_id(peeled);
	err = 0;
done:
	git_object_free(peeled);
	git_object_free(obj);
	mlv_registry_save_cache(&reg);
	mlv_registry_release(&reg);
	mlv_buf_release(&name);
	free(path);
	return err;
}

int read_committed(struct mlv_buf *text, git_tree **tree, struct mlv_repo *repo,
		   const git_oid *id, const char *path, const char *rev)
{
	git_commit *commit = NULL;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int err;

	if ((err = git_commit_lookup(&commit, repo->git, id)) < 0 ||
	    (err = git_commit_tree(tree, commit)) < 0) {
		err = mlv_error_from_git(err, "cannot read a commit");
		goto done;
	}
	if (git_tree_entry_bypath(&e, *tree, path) < 0 ||
	    git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		git_error_clear();
		mlv_error_set("'%s' is not in commit %s (%s): name a revision that "
			      "holds it", path,
			      git_oid_tostr(hex, 13, id), rev);
		err = MLV_ENOTFOUND;
		goto done;
	}
	if ((err = git_blob_lookup(&blob, repo->git, git_tree_entry_id(e))) < 0) {
		err = mlv_error_from_git(err, "cannot read a sidecar's blob");
		goto done;
	}
	mlv_buf_clear(text);
	mlv_buf_put(text, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
done:
	git_blob_free(blob);
	git_tree_entry_free(e);
	git_commit_free(commit);
	return err;
}

int committed_sidecar(struct mlv_sidecar *sc, struct mlv_repo *repo, const git_oid *id,
		      const char *model)
{
	struct mlv_buf path = MLV_BUF_INIT, text = MLV_BUF_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	git_tree *tree = NULL;
	int found;

	mlv_buf_printf(&path, "%s%s", model, MLV_SIDECAR_SUFFIX);
	if ((found = read_committed(&text, &tree, repo, id, path.ptr, "") == 0))
		mlv_sidecar_parse(sc, &problems, path.ptr, text.ptr, text.len);
	mlv_error_clear();
	git_tree_free(tree);
	mlv_problems_release(&problems);
	mlv_buf_release(&text);
	mlv_buf_release(&path);
	return found;
}
