#include <string.h>

#include "mlv/error.h"
#include "mlv/scan.h"
#include "mlv/sha256.h"
#include "mlv/util.h"

int mlv_scan_read_pointer(struct mlv_pointer *out, struct mlv_repo *r,
			  const git_oid *id)
{
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	git_object_t type;
	size_t size;
	int err = MLV_EINVALID;

	if (git_repository_odb(&odb, r->git) < 0) {
		err = mlv_error_from_git(-1, "cannot open the object database");
		goto done;
	}
	if (git_odb_read_header(&size, &type, odb, id) < 0 ||
	    (size > 0 && size < MLV_POINTER_MAX && git_odb_read(&obj, odb, id) < 0)) {
		/* a blob git cannot read is no "not a pointer": say so */
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), id);
		err = mlv_error_from_git(-1, hex);
		if (err != MLV_ENOTFOUND)
			err = MLV_ERROR;
		goto done;
	}
	if (type != GIT_OBJECT_BLOB || size == 0 || size >= MLV_POINTER_MAX)
		goto done;
	err = mlv_pointer_parse(out, git_odb_object_data(obj),
				git_odb_object_size(obj));
done:
	git_error_clear();
	git_odb_object_free(obj);
	git_odb_free(odb);
	return err;
}

int mlv_scan_index(struct mlv_repo *r, git_index *index, mlv_scan_fn fn,
		   void *payload)
{
	size_t i, n = git_index_entrycount(index);
	struct mlv_pointer p;
	int err;

	for (i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);

		if (!e || GIT_INDEX_ENTRY_STAGE(e) != 0 ||
		    (e->mode != GIT_FILEMODE_BLOB &&
		     e->mode != GIT_FILEMODE_BLOB_EXECUTABLE))
			continue;
		err = mlv_scan_read_pointer(&p, r, &e->id);
		if (err == MLV_EINVALID)
			continue;
		if (err < 0)
			return err;
		if ((err = fn(e->path, &p, e, payload)) != 0)
			return err;
	}
	return 0;
}

struct tree_walk {
	struct mlv_repo *repo;
	mlv_scan_fn fn;
	void *payload;
	int result;
	struct mlv_buf path;
};

static int visit_tree_entry(const char *root, const git_tree_entry *te,
			    void *payload)
{
	struct tree_walk *w = payload;
	struct mlv_pointer p;
	int err;

	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB)
		return 0;
	err = mlv_scan_read_pointer(&p, w->repo, git_tree_entry_id(te));
	if (err == MLV_EINVALID)
		return 0;
	if (err < 0) {
		w->result = err;
		return -1;
	}
	mlv_buf_sets(&w->path, root);
	mlv_buf_puts(&w->path, git_tree_entry_name(te));
	if ((err = w->fn(w->path.ptr, &p, NULL, w->payload)) != 0) {
		w->result = err;
		return -1;
	}
	return 0;
}

int mlv_scan_tree(struct mlv_repo *r, const char *rev, mlv_scan_fn fn,
		  void *payload)
{
	struct tree_walk w = { r, fn, payload, 0, MLV_BUF_INIT };
	git_object *obj = NULL;
	git_tree *tree = NULL;
	int err;

	if ((err = git_revparse_single(&obj, r->git, rev)) < 0) {
		err = mlv_error_from_git(err, rev);
		goto done;
	}
	if ((err = git_object_peel((git_object **)&tree, obj, GIT_OBJECT_TREE)) < 0) {
		err = mlv_error_from_git(err, rev);
		goto done;
	}
	err = git_tree_walk(tree, GIT_TREEWALK_PRE, visit_tree_entry, &w);
	if (err < 0)
		err = w.result ? w.result : mlv_error_from_git(err, "cannot walk tree");
done:
	mlv_buf_release(&w.path);
	git_tree_free(tree);
	git_object_free(obj);
	return err;
}

int mlv_scan_blob_identity(char oid[MLV_OID_HEXSZ + 1], uint64_t *size,
			   git_repository *repo, const git_oid *id,
			   const char *what)
{
	git_blob *blob = NULL;
	struct mlv_pointer p;
	const void *data;
	size_t len;
	int err;

	if ((err = git_blob_lookup(&blob, repo, id)) < 0) {
		err = mlv_error_from_git(err, what);
		goto done;
	}
	data = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if (mlv_pointer_parse(&p, data, len) == 0) {
		memcpy(oid, p.oid, MLV_OID_HEXSZ + 1);
		*size = p.size;
	} else {
		err = mlv_sha256_buf(oid, data, len);
		*size = len;
	}
done:
	git_blob_free(blob);
	return err;
}
