#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/buf.h"
#include "mlv/compare.h"
#include "mlv/error.h"
#include "mlv/json.h"
#include "mlv/lineage.h"
#include "mlv/scan.h"
#include "mlv/sidecar.h"
#include "mlv/util.h"

/* A config or lockfile larger than this gets no unified diff. */
#define PATCH_MAX_BYTES (1024 * 1024)

void mlv_compare_side_release(struct mlv_compare_side *s)
{
	struct mlv_compare_side fresh = MLV_COMPARE_SIDE_INIT;

	free(s->label);
	git_tree_free(s->tree);
	git_commit_free(s->commit);
	git_index_free(s->index);
	*s = fresh;
}

int mlv_compare_side_id(struct mlv_compare_side *s, struct mlv_repo *r,
			const git_oid *id, const char *label)
{
	int err;

	mlv_compare_side_release(s);
	s->label = mlv_xstrdup(label);
	if ((err = git_commit_lookup(&s->commit, r->git, id)) < 0 ||
	    (err = git_commit_tree(&s->tree, s->commit)) < 0)
		err = mlv_error_from_git(err, "cannot read a commit");
	return err;
}

int mlv_compare_side_commit(struct mlv_compare_side *s, struct mlv_repo *r,
			    const char *rev)
{
	git_object *obj = NULL, *commit = NULL;
	int err;

	if (git_revparse_single(&obj, r->git, rev) < 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		mlv_error_set("'%s' is not a commit in this repository", rev);
		err = MLV_ENOTFOUND;
		goto done;
	}
	err = mlv_compare_side_id(s, r, git_object_id(commit), rev);
done:
	git_object_free(commit);
	git_object_free(obj);
	return err;
}

int mlv_compare_side_worktree(struct mlv_compare_side *s, struct mlv_repo *r)
{
	int err;

	mlv_compare_side_release(s);
	if (!r->workdir) {
		mlv_error_set("a bare repository has no work tree to compare with: "
			      "name two revisions");
		err = MLV_EINVALID;
	} else {
		s->label = mlv_xstrdup("work tree");
		if ((err = git_repository_index(&s->index, r->git)) < 0)
			err = mlv_error_from_git(err, "cannot read the index");
	}
	return err;
}

/* Git's id of the blob at `path` on the side (its index entry for the work
 * tree): 1 when there is one, 0 when not. */
static int side_blob(git_oid *out, const struct mlv_compare_side *s,
		     const char *path)
{
	git_tree_entry *e = NULL;
	const git_index_entry *ie;
	int found = 0;

	if (s->tree) {
		if (git_tree_entry_bypath(&e, s->tree, path) == 0 &&
		    git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
			*out = *git_tree_entry_id(e);
			found = 1;
		}
		git_tree_entry_free(e);
	} else if ((ie = git_index_get_bypath(s->index, path, 0))) {
		*out = ie->id;
		found = 1;
	}
	return found;
}

/* The sidecar text of `model` on the side: the work tree's file for the
 * work tree. 1 when there is one, 0 when not, negative on error. */
static int side_sidecar_text(struct mlv_buf *out, struct mlv_repo *r,
			     const struct mlv_compare_side *s, const char *model)
{
	struct mlv_buf path = MLV_BUF_INIT;
	git_blob *blob = NULL;
	git_oid id;
	int err = 0;

	mlv_buf_printf(&path, "%s%s", model, MLV_SIDECAR_SUFFIX);
	if (!s->tree) {
		struct mlv_buf file = MLV_BUF_INIT;

		mlv_buf_printf(&file, "%s%s", r->workdir, path.ptr);
		out->cap = MLV_SIDECAR_MAX_SIZE + 1;
		err = mlv_buf_read_file(out, file.ptr);
		mlv_buf_release(&file);
		if (err == 0)
			err = 1;
		else if (err == MLV_ENOTFOUND)
			mlv_error_clear(), err = 0;
		goto done;
	}
	if (!side_blob(&id, s, path.ptr))
		goto done;
	if ((err = git_blob_lookup(&blob, r->git, &id)) < 0) {
		err = mlv_error_from_git(err, path.ptr);
		goto done;
	}
	mlv_buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	err = 1;
done:
	git_blob_free(blob);
	mlv_buf_release(&path);
	return err;
}

int mlv_compare_has_model(struct mlv_repo *r, const struct mlv_compare_side *s,
			  const char *model)
{
	struct mlv_buf text = MLV_BUF_INIT;
	int has = side_sidecar_text(&text, r, s, model) > 0;

	mlv_error_clear();
	mlv_buf_release(&text);
	return has;
}

/* What one side holds of a model. */
struct record {
	int present;               /* the sidecar is there */
	int has_model;             /* the model is there */
	char oid[MLV_OID_HEXSZ + 1];
	uint64_t size;
	struct mlv_sidecar sc;
	struct mlv_problems problems;
};

#define RECORD_INIT { 0, 0, "", 0, MLV_SIDECAR_INIT, MLV_PROBLEMS_INIT }

static void record_release(struct record *rec)
{
	mlv_sidecar_release(&rec->sc);
	mlv_problems_release(&rec->problems);
}

static int record_read(struct record *rec, struct mlv_repo *r,
		       const struct mlv_compare_side *s, const char *model)
{
	struct mlv_buf text = MLV_BUF_INIT, name = MLV_BUF_INIT;
	git_oid id;
	int err;

	if ((err = side_sidecar_text(&text, r, s, model)) < 0)
		goto done;
	if ((rec->present = err > 0)) {
		mlv_buf_printf(&name, "%s%s", model, MLV_SIDECAR_SUFFIX);
		mlv_sidecar_parse(&rec->sc, &rec->problems, name.ptr, text.ptr, text.len);
	}
	err = 0;
	if (side_blob(&id, s, model)) {
		rec->has_model = 1;
		err = mlv_scan_blob_identity(rec->oid, &rec->size, r->git, &id, model);
	}
done:
	mlv_buf_release(&text);
	mlv_buf_release(&name);
	return err;
}

static const char *get(const struct record *rec, const char *section,
		       const char *name, const char *key)
{
	return rec->present ? mlv_sidecar_get(&rec->sc, section, name, key) : NULL;
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* {"old": a, "new": b}, stealing both. */
static json_t *pair(json_t *a, json_t *b)
{
	json_t *o = json_object();

	mlv_json_set(o, "old", a);
	mlv_json_set(o, "new", b);
	return o;
}

static json_t *text_pair(const char *a, const char *b)
{
	json_t *o = pair(mlv_json_string(a), mlv_json_string(b));

	mlv_json_set(o, "changed", json_boolean(!same(a, b)));
	return o;
}

static json_t *model_json(const struct record *rec)
{
	json_t *o;

	if (!rec->has_model)
		return json_null();
	o = json_object();
	mlv_json_set(o, "oid", json_sprintf("sha256:%s", rec->oid));
	mlv_json_set(o, "size", json_integer((json_int_t)rec->size));
	return o;
}

/* 1 when `key` is in section (no subsection) of `rec`. */
static int has_key(const struct record *rec, const char *section, const char *key)
{
	return get(rec, section, NULL, key) != NULL;
}

/* Digits after the decimal point of a number as written; -1 with an
 * exponent (then no rounding is right). */
static int decimals(const char *text)
{
	const char *dot = strchr(text, '.');

	if (strpbrk(text, "eE"))
		return -1;
	return dot ? (int)strlen(dot + 1) : 0;
}

/* new - old, rounded to the places the two were written with, so that
 * 0.93 - 0.9 is 0.03 and not 0.030000000000000027. */
static json_t *change_json(const char *ta, const char *tb, double a, double b)
{
	int da = decimals(ta), db = decimals(tb), d = da > db ? da : db;
	double scale, change = b - a, rounded;

	if (!isfinite(change))
		return json_null(); /* -1e308 to 1e308 has no change to show */
	if (da < 0 || db < 0 || d > 15)
		return json_real(change);
	if (d == 0 && fabs(change) < 9e15)
		return json_integer((json_int_t)change);
	scale = pow(10, d);
	rounded = round(change * scale) / scale;
	return json_real(isfinite(rounded) ? rounded : change);
}

/* The keys of a free section that differ: [{"key", "old", "new"(, "change")}]. */
static json_t *section_diff(const struct record *a, const struct record *b,
			    const char *section, int numbers)
{
	const struct record *sides[2] = { a, b };
	json_t *list = json_array();
	size_t s, i;

	for (s = 0; s < 2; s++) {
		const struct record *rec = sides[s];

		for (i = 0; rec->present && i < rec->sc.n; i++) {
			const struct mlv_sidecar_entry *e = &rec->sc.entries[i];
			const char *va, *vb;
			json_t *d, *ja, *jb;

			if (strcmp(e->section, section) || e->name ||
			    (s == 1 && has_key(a, section, e->key)) ||
			    (!strcmp(section, "environment") &&
			     (!strcmp(e->key, "lockfile") ||
			      !strcmp(e->key, "lockfile-oid"))))
				continue;
			va = get(a, section, NULL, e->key);
			vb = get(b, section, NULL, e->key);
			if (same(va, vb))
				continue;
			d = json_object();
			mlv_json_set_string(d, "key", e->key);
			ja = numbers ? mlv_lineage_value(va) : mlv_json_string(va);
			jb = numbers ? mlv_lineage_value(vb) : mlv_json_string(vb);
			if (numbers && json_is_number(ja) && json_is_number(jb))
				mlv_json_set(d, "change", change_json(va, vb,
								      json_number_value(ja),
								      json_number_value(jb)));
			else if (numbers)
				mlv_json_set(d, "change", json_null());
			mlv_json_set(d, "old", ja);
			mlv_json_set(d, "new", jb);
			json_array_append_new(list, d);
		}
	}
	return list;
}

/* One line of a patch into the buffer `payload`, without git's file
 * header (the caller writes its own, with the recorded paths). */
static int patch_line(const git_diff_delta *delta, const git_diff_hunk *hunk,
		      const git_diff_line *line, void *payload)
{
	struct mlv_buf *out = payload;

	(void)delta;
	(void)hunk;
	if (line->origin == GIT_DIFF_LINE_FILE_HDR)
		return 0;
	if (line->origin == GIT_DIFF_LINE_CONTEXT || line->origin == GIT_DIFF_LINE_ADDITION ||
	    line->origin == GIT_DIFF_LINE_DELETION)
		mlv_buf_putc(out, line->origin);
	mlv_buf_put(out, line->content, line->content_len);
	return 0;
}

/* A unified diff of two text blobs, or NULL (binary, a pointer, large). */
static json_t *patch_json(struct mlv_repo *r, const struct mlv_compare_side *sa,
			  const struct mlv_compare_side *sb, const char *pa,
			  const char *pb)
{
	git_blob *ba = NULL, *bb = NULL;
	git_patch *patch = NULL;
	struct mlv_buf text = MLV_BUF_INIT;
	struct mlv_pointer p;
	json_t *result = json_null();
	git_oid ia, ib;

	if (!pa || !pb || !side_blob(&ia, sa, pa) || !side_blob(&ib, sb, pb) ||
	    git_blob_lookup(&ba, r->git, &ia) < 0 ||
	    git_blob_lookup(&bb, r->git, &ib) < 0 || git_blob_is_binary(ba) ||
	    git_blob_is_binary(bb) || git_blob_rawsize(ba) > PATCH_MAX_BYTES ||
	    git_blob_rawsize(bb) > PATCH_MAX_BYTES ||
	    mlv_pointer_parse(&p, git_blob_rawcontent(ba),
			      (size_t)git_blob_rawsize(ba)) == 0 ||
	    mlv_pointer_parse(&p, git_blob_rawcontent(bb),
			      (size_t)git_blob_rawsize(bb)) == 0)
		goto done;
	/* From the buffers, not the blobs: for blobs libgit2 reads the whole
	 * index and .gitattributes for a diff driver, which costs more than
	 * the diff in a repository of many files. */
	mlv_buf_printf(&text, "--- a/%s\n+++ b/%s\n", pa, pb);
	if (git_patch_from_buffers(&patch, git_blob_rawcontent(ba),
				   (size_t)git_blob_rawsize(ba), NULL,
				   git_blob_rawcontent(bb), (size_t)git_blob_rawsize(bb),
				   NULL, NULL) == 0 &&
	    git_patch_print(patch, patch_line, &text) == 0) {
		json_decref(result);
		result = mlv_json_string(text.ptr);
	}
done:
	mlv_buf_release(&text);
	git_patch_free(patch);
	git_blob_free(bb);
	git_blob_free(ba);
	mlv_error_clear();
	return result;
}

/* config or lockfile: {"old": {path, oid}, "new": ..., "changed", "patch"}. */
static json_t *input_diff(struct mlv_repo *r, const struct mlv_compare_side *sa,
			  const struct mlv_compare_side *sb, const struct record *a,
			  const struct record *b, const char *section,
			  const char *path_key, const char *oid_key)
{
	const char *pa = get(a, section, NULL, path_key);
	const char *pb = get(b, section, NULL, path_key);
	const char *oa = get(a, section, NULL, oid_key);
	const char *ob = get(b, section, NULL, oid_key);
	json_t *ja = json_null(), *jb = json_null(), *o;
	int changed = !same(pa, pb) || !same(oa, ob);

	if (pa || oa) {
		json_decref(ja);
		ja = json_object();
		mlv_json_set_string(ja, "path", pa);
		mlv_json_set_string(ja, "oid", oa);
	}
	if (pb || ob) {
		json_decref(jb);
		jb = json_object();
		mlv_json_set_string(jb, "path", pb);
		mlv_json_set_string(jb, "oid", ob);
	}
	o = pair(ja, jb);
	mlv_json_set(o, "changed", json_boolean(changed));
	mlv_json_set(o, "patch", changed ? patch_json(r, sa, sb, pa, pb) : json_null());
	return o;
}

static json_t *data_side_json(const struct record *rec, const char *name)
{
	json_t *o;
	const char *path = get(rec, "data", name, "path");

	if (!rec->present || !mlv_sidecar_find(&rec->sc, "data", name, "oid"))
		return json_null();
	o = json_object();
	mlv_json_set_string(o, "path", path);
	mlv_json_set_string(o, "uri", get(rec, "data", name, "uri"));
	mlv_json_set_string(o, "oid", get(rec, "data", name, "oid"));
	mlv_json_set(o, "files", mlv_lineage_value(get(rec, "data", name, "files")));
	mlv_json_set(o, "size", mlv_lineage_value(get(rec, "data", name, "size")));
	return o;
}

static int is_directory(const char *path)
{
	return path && *path && path[strlen(path) - 1] == '/';
}

static int datadir_of(struct mlv_datadir *d, struct mlv_problems *problems,
		      struct mlv_datadir_cache *cache,
		      const struct mlv_compare_side *s, const char *dir)
{
	if (s->tree)
		return mlv_datadir_from_tree_cached(d, problems, cache, s->tree, dir);
	return mlv_datadir_from_index_cached(d, problems, cache, s->index, dir);
}

static json_t *file_json(const struct mlv_datadir_file *f)
{
	json_t *o = json_object();

	mlv_json_set_string(o, "path", f->path);
	mlv_json_set(o, "oid", json_sprintf("sha256:%s", f->oid));
	mlv_json_set(o, "size", json_integer((json_int_t)f->size));
	return o;
}

/* A file that may pair up with one on the other side as a rename. */
struct unmatched {
	const struct mlv_datadir_file *f;
	const struct mlv_datadir_file *partner;
	size_t index; /* its place in the path-ordered list */
};

static int by_oid(const void *a, const void *b)
{
	const struct unmatched *x = a, *y = b;
	int c = strcmp(x->f->oid, y->f->oid);

	return c ? c : strcmp(x->f->path, y->f->path);
}

/* Pair removed and added files of the same oid, one to one. */
static void pair_renames(struct unmatched *gone, size_t ngone,
			 struct unmatched *came, size_t ncame)
{
	struct unmatched *g = NULL, *c = NULL;
	size_t i = 0, j = 0;

	if (!ngone || !ncame)
		return;
	g = malloc(ngone * sizeof(*g));
	c = malloc(ncame * sizeof(*c));
	if (!g || !c)
		abort();
	for (i = 0; i < ngone; i++)
		gone[i].index = i;
	for (j = 0; j < ncame; j++)
		came[j].index = j;
	memcpy(g, gone, ngone * sizeof(*g));
	memcpy(c, came, ncame * sizeof(*c));
	i = j = 0;
	qsort(g, ngone, sizeof(*g), by_oid);
	qsort(c, ncame, sizeof(*c), by_oid);
	while (i < ngone && j < ncame) {
		int cmp = strcmp(g[i].f->oid, c[j].f->oid);

		if (cmp < 0) {
			i++;
		} else if (cmp > 0) {
			j++;
		} else {
			g[i].partner = c[j].f;
			c[j].partner = g[i].f;
			i++;
			j++;
		}
	}
	/* write the pairs back to the lists in path order */
	for (i = 0; i < ngone; i++)
		gone[g[i].index].partner = g[i].partner;
	for (j = 0; j < ncame; j++)
		came[c[j].index].partner = c[j].partner;
	free(g);
	free(c);
}

/* The files of two versions of a directory, side by side; `unchanged`
 * files that are in neither list are counted too. */
static json_t *files_diff(const struct mlv_datadir *a, const struct mlv_datadir *b,
			  size_t unchanged)
{
	json_t *o = json_object(), *added = json_array(), *removed = json_array();
	json_t *modified = json_array(), *renamed = json_array(), *counts, *bytes;
	struct unmatched *gone = calloc(a->n + 1, sizeof(*gone));
	struct unmatched *came = calloc(b->n + 1, sizeof(*came));
	size_t i = 0, j = 0, ngone = 0, ncame = 0;
	uint64_t bytes_added = 0, bytes_removed = 0, mod_old = 0, mod_new = 0;

	if (!gone || !came)
		abort();
	while (i < a->n || j < b->n) {
		int cmp = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->files[i].path,
								   b->files[j].path);

		if (cmp < 0) {
			gone[ngone++].f = &a->files[i++];
		} else if (cmp > 0) {
			came[ncame++].f = &b->files[j++];
		} else {
			if (strcmp(a->files[i].oid, b->files[j].oid)) {
				json_t *m = json_object();

				mlv_json_set_string(m, "path", a->files[i].path);
				mlv_json_set(m, "old_oid",
					     json_sprintf("sha256:%s", a->files[i].oid));
				mlv_json_set(m, "new_oid",
					     json_sprintf("sha256:%s", b->files[j].oid));
				mlv_json_set(m, "old_size",
					     json_integer((json_int_t)a->files[i].size));
				mlv_json_set(m, "new_size",
					     json_integer((json_int_t)b->files[j].size));
				json_array_append_new(modified, m);
				mod_old += a->files[i].size;
				mod_new += b->files[j].size;
			} else {
				unchanged++;
			}
			i++;
			j++;
		}
	}
	pair_renames(gone, ngone, came, ncame);
	for (i = 0; i < ngone; i++) {
		if (gone[i].partner) {
			json_t *m = json_object();

			mlv_json_set_string(m, "from", gone[i].f->path);
			mlv_json_set_string(m, "to", gone[i].partner->path);
			mlv_json_set(m, "oid", json_sprintf("sha256:%s", gone[i].f->oid));
			mlv_json_set(m, "size", json_integer((json_int_t)gone[i].f->size));
			json_array_append_new(renamed, m);
			continue;
		}
		json_array_append_new(removed, file_json(gone[i].f));
		bytes_removed += gone[i].f->size;
	}
	for (j = 0; j < ncame; j++) {
		if (came[j].partner)
			continue;
		json_array_append_new(added, file_json(came[j].f));
		bytes_added += came[j].f->size;
	}
	counts = json_object();
	mlv_json_set(counts, "added", json_integer((json_int_t)json_array_size(added)));
	mlv_json_set(counts, "removed", json_integer((json_int_t)json_array_size(removed)));
	mlv_json_set(counts, "modified", json_integer((json_int_t)json_array_size(modified)));
	mlv_json_set(counts, "renamed", json_integer((json_int_t)json_array_size(renamed)));
	mlv_json_set(counts, "unchanged", json_integer((json_int_t)unchanged));
	bytes = json_object();
	mlv_json_set(bytes, "added", json_integer((json_int_t)bytes_added));
	mlv_json_set(bytes, "removed", json_integer((json_int_t)bytes_removed));
	mlv_json_set(bytes, "modified_old", json_integer((json_int_t)mod_old));
	mlv_json_set(bytes, "modified_new", json_integer((json_int_t)mod_new));
	mlv_json_set(o, "counts", counts);
	mlv_json_set(o, "bytes", bytes);
	mlv_json_set(o, "added", added);
	mlv_json_set(o, "removed", removed);
	mlv_json_set(o, "modified", modified);
	mlv_json_set(o, "renamed", renamed);
	free(gone);
	free(came);
	return o;
}

/* Append file `path` (under the directory) of blob `id` to `d`. */
static int add_file(struct mlv_datadir *d, git_repository *repo, const char *path,
		    const git_oid *id)
{
	struct mlv_datadir_file *f;

	if (d->n == d->alloc) {
		d->alloc = d->alloc ? 2 * d->alloc : 64;
		if (!(d->files = realloc(d->files, d->alloc * sizeof(*d->files))))
			abort();
	}
	f = &d->files[d->n++];
	memset(f, 0, sizeof(*f));
	f->path = mlv_xstrdup(path);
	f->blob = *id;
	return mlv_scan_blob_identity(f->oid, &f->size, repo, id, path);
}

/* The differing files of two directory trees (either may be NULL: none),
 * into `a` and `b`; the files both hold alike are only counted. Subtrees
 * with the same id are not opened, so this reads what changed and no
 * more. */
struct tree_diff {
	git_repository *repo;
	struct mlv_datadir *a, *b;
	size_t unchanged;
	struct mlv_buf path; /* relative to the directory, ending in '/' */
	unsigned depth;
};

/* Directories nest at most this deep (git's core.maxTreeDepth default). */
#define TREE_DEPTH_MAX 4096

static int files_below(struct tree_diff *t, struct mlv_datadir *into,
		       const git_oid *tree_id, int count_only);

static int diff_entry_side(struct tree_diff *t, struct mlv_datadir *into,
			   const git_tree_entry *e, int count_only)
{
	size_t len = t->path.len;
	int err = 0;

	mlv_buf_puts(&t->path, git_tree_entry_name(e));
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		mlv_buf_putc(&t->path, '/');
		err = files_below(t, into, git_tree_entry_id(e), count_only);
	} else if (git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB ||
		   git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE) {
		if (count_only)
			t->unchanged++;
		else
			err = add_file(into, t->repo, t->path.ptr, git_tree_entry_id(e));
	}
	mlv_buf_truncate(&t->path, len);
	return err;
}

static int too_deep(const struct tree_diff *t)
{
	if (t->depth < TREE_DEPTH_MAX)
		return 0;
	mlv_error_set("'%s' nests directories more than %u deep", t->path.ptr,
		      TREE_DEPTH_MAX);
	return MLV_ECORRUPT;
}

static int files_below(struct tree_diff *t, struct mlv_datadir *into,
		       const git_oid *tree_id, int count_only)
{
	git_tree *tree = NULL;
	size_t i, n;
	int err;

	if ((err = too_deep(t)) < 0)
		goto done;
	if ((err = git_tree_lookup(&tree, t->repo, tree_id)) < 0) {
		err = mlv_error_from_git(err, "cannot read a tree");
		goto done;
	}
	t->depth++;
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && !err; i++)
		err = diff_entry_side(t, into, git_tree_entry_byindex(tree, i), count_only);
	t->depth--;
done:
	git_tree_free(tree);
	return err;
}

static int diff_trees(struct tree_diff *t, git_tree *a, git_tree *b)
{
	size_t i = 0, j = 0, na = git_tree_entrycount(a), nb = git_tree_entrycount(b);
	int err = 0;

	while ((i < na || j < nb) && !err) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *eb = j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int cmp = !ea ? 1 : !eb ? -1 : git_tree_entry_cmp(ea, eb);

		if (cmp < 0) {
			err = diff_entry_side(t, t->a, ea, 0);
			i++;
		} else if (cmp > 0) {
			err = diff_entry_side(t, t->b, eb, 0);
			j++;
		} else if (git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
			   git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb)) {
			err = diff_entry_side(t, NULL, ea, 1);
			i++, j++;
		} else if (git_tree_entry_type(ea) == GIT_OBJECT_TREE &&
			   git_tree_entry_type(eb) == GIT_OBJECT_TREE) {
			git_tree *sa = NULL, *sb = NULL;
			size_t len = t->path.len;

			if ((err = too_deep(t)) < 0) {
				/* the message is set */
			} else if ((err = git_tree_lookup(&sa, t->repo, git_tree_entry_id(ea))) < 0 ||
				   (err = git_tree_lookup(&sb, t->repo, git_tree_entry_id(eb))) < 0) {
				err = mlv_error_from_git(err, "cannot read a tree");
			} else {
				mlv_buf_printf(&t->path, "%s/", git_tree_entry_name(ea));
				t->depth++;
				err = diff_trees(t, sa, sb);
				t->depth--;
				mlv_buf_truncate(&t->path, len);
			}
			git_tree_free(sa);
			git_tree_free(sb);
			i++, j++;
		} else {
			if (!(err = diff_entry_side(t, t->a, ea, 0)))
				err = diff_entry_side(t, t->b, eb, 0);
			i++, j++;
		}
	}
	return err;
}

static int by_path(const void *x, const void *y)
{
	return strcmp(((const struct mlv_datadir_file *)x)->path,
		      ((const struct mlv_datadir_file *)y)->path);
}

/* The directory `dir` of a commit's tree, or NULL when it is none. */
static git_tree *dir_tree(git_repository *repo, git_tree *root, const char *dir)
{
	struct mlv_buf bare = MLV_BUF_INIT;
	git_tree_entry *e = NULL;
	git_tree *t = NULL;

	mlv_buf_sets(&bare, dir);
	while (bare.len > 1 && bare.ptr[bare.len - 1] == '/')
		mlv_buf_truncate(&bare, bare.len - 1);
	if (git_tree_entry_bypath(&e, root, bare.ptr) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_TREE)
		git_tree_lookup(&t, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	mlv_buf_release(&bare);
	return t;
}

/* The file-by-file difference of a data directory, or null with the
 * reason in `problems_out` when a side has no manifest. Between two
 * commits it compares the trees (reading only the files that differ);
 * against the work tree, the manifests. */
static json_t *directory_diff(json_t *problems_out, struct mlv_repo *r,
			      struct mlv_datadir_cache *cache,
			      const struct mlv_compare_side *sa,
			      const struct mlv_compare_side *sb, const char *pa,
			      const char *pb)
{
	struct mlv_datadir da = MLV_DATADIR_INIT, db = MLV_DATADIR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct tree_diff t = { r->git, &da, &db, 0, MLV_BUF_INIT, 0 };
	git_tree *ta = NULL, *tb = NULL;
	json_t *result = NULL;
	size_t i;
	int err;

	if (sa->tree && sb->tree) {
		if (!(ta = dir_tree(r->git, sa->tree, pa)) ||
		    !(tb = dir_tree(r->git, sb->tree, pb))) {
			mlv_problems_add(&problems, "%s is not a directory in %s", !ta ? pa : pb,
					 !ta ? sa->label : sb->label);
			err = MLV_EINVALID;
		} else if ((err = diff_trees(&t, ta, tb)) == 0) {
			qsort(da.files, da.n, sizeof(*da.files), by_path);
			qsort(db.files, db.n, sizeof(*db.files), by_path);
		}
	} else if ((err = datadir_of(&da, &problems, cache, sa, pa)) == 0) {
		err = datadir_of(&db, &problems, cache, sb, pb);
	}
	if (err < 0) {
		if (!problems.n)
			mlv_problems_add(&problems, "%s", mlv_error_last());
		mlv_error_clear();
		for (i = 0; i < problems.n; i++)
			json_array_append_new(problems_out, mlv_json_string(problems.items[i]));
		goto done;
	}
	result = files_diff(&da, &db, t.unchanged);
done:
	git_tree_free(ta);
	git_tree_free(tb);
	mlv_buf_release(&t.path);
	mlv_datadir_release(&da);
	mlv_datadir_release(&db);
	mlv_problems_release(&problems);
	return result ? result : json_null();
}

/* 1 when the sidecar has any key of [section "name"]. */
static int has_section(const struct mlv_sidecar *sc, const char *section,
		       const char *name)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		if (!strcmp(sc->entries[i].section, section) &&
		    !strcmp(sc->entries[i].name ? sc->entries[i].name : "",
			    name ? name : ""))
			return 1;
	return 0;
}

static json_t *data_diff(struct mlv_repo *r, struct mlv_datadir_cache *cache,
			 const struct mlv_compare_side *sa,
			 const struct mlv_compare_side *sb, const struct record *a,
			 const struct record *b)
{
	const struct record *sides[2] = { a, b };
	json_t *list = json_array();
	size_t s, i;

	for (s = 0; s < 2; s++) {
		const struct record *rec = sides[s];

		for (i = 0; rec->present && i < rec->sc.n; i++) {
			const struct mlv_sidecar_entry *e = &rec->sc.entries[i];
			const char *name = e->name ? e->name : "";
			json_t *d, *ja, *jb, *problems;
			const char *status, *pa, *pb;

			if (strcmp(e->section, "data") ||
			    !mlv_lineage_first_of_section(&rec->sc, i) ||
			    (s == 1 && a->present && has_section(&a->sc, "data", e->name)))
				continue;
			ja = data_side_json(a, e->name);
			jb = data_side_json(b, e->name);
			pa = get(a, "data", e->name, "path");
			pb = get(b, "data", e->name, "path");
			status = json_is_null(ja) ? "added" : json_is_null(jb) ? "removed" :
				 json_equal(ja, jb) ? "unchanged" : "changed";
			d = json_object();
			mlv_json_set_string(d, "name", name);
			mlv_json_set_string(d, "status", status);
			mlv_json_set(d, "old", ja);
			mlv_json_set(d, "new", jb);
			problems = json_array();
			mlv_json_set(d, "files",
				     !strcmp(status, "changed") && is_directory(pa) &&
						     is_directory(pb)
					     ? directory_diff(problems, r, cache, sa, sb, pa, pb)
					     : json_null());
			mlv_json_set(d, "problems", problems);
			json_array_append_new(list, d);
		}
	}
	return list;
}

static json_t *code_json(const struct record *rec)
{
	json_t *o;
	const char *dirty = get(rec, "code", NULL, "dirty");

	if (!rec->present)
		return json_null();
	o = json_object();
	mlv_json_set_string(o, "commit", get(rec, "code", NULL, "commit"));
	mlv_json_set(o, "dirty", dirty ? json_boolean(!strcmp(dirty, "true")) : json_null());
	return o;
}

static json_t *side_json(const struct mlv_compare_side *s, const struct record *rec)
{
	json_t *o = json_object(), *list = json_array();
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;

	mlv_json_set_string(o, "label", s->label);
	mlv_json_set(o, "commit", s->commit ? json_string(git_oid_tostr(hex, sizeof(hex),
								       git_commit_id(s->commit)))
					    : json_null());
	mlv_json_set(o, "present", json_boolean(rec->present));
	for (i = 0; i < rec->problems.n; i++)
		json_array_append_new(list, mlv_json_string(rec->problems.items[i]));
	mlv_json_set(o, "problems", list);
	return o;
}

int mlv_compare_model(json_t **out, struct mlv_repo *r,
		      struct mlv_datadir_cache *cache,
		      const struct mlv_compare_side *sa,
		      const struct mlv_compare_side *sb, const char *model)
{
	struct record a = RECORD_INIT, b = RECORD_INIT;
	json_t *o = NULL, *m;
	int err;

	*out = NULL;
	if ((err = record_read(&a, r, sa, model)) < 0 ||
	    (err = record_read(&b, r, sb, model)) < 0)
		goto done;
	o = json_object();
	mlv_json_set_string(o, "path", model);
	mlv_json_set_string(o, "status", !a.present && !b.present ? "absent" :
				   !a.present ? "added" : !b.present ? "removed" :
				   "present");
	mlv_json_set(o, "old", side_json(sa, &a));
	mlv_json_set(o, "new", side_json(sb, &b));
	m = pair(model_json(&a), model_json(&b));
	mlv_json_set(m, "changed", json_boolean(a.has_model != b.has_model ||
						strcmp(a.oid, b.oid) || a.size != b.size));
	mlv_json_set(o, "model", m);
	mlv_json_set(o, "version", text_pair(get(&a, "model", NULL, "version"),
					      get(&b, "model", NULL, "version")));
	mlv_json_set(o, "name", text_pair(get(&a, "model", NULL, "name"),
					   get(&b, "model", NULL, "name")));
	mlv_json_set(o, "base", text_pair(get(&a, "model", NULL, "base"),
					   get(&b, "model", NULL, "base")));
	mlv_json_set(o, "params", section_diff(&a, &b, "params", 0));
	mlv_json_set(o, "metrics", section_diff(&a, &b, "metrics", 1));
	mlv_json_set(o, "environment", section_diff(&a, &b, "environment", 0));
	mlv_json_set(o, "config", input_diff(r, sa, sb, &a, &b, "config", "path", "oid"));
	mlv_json_set(o, "lockfile", input_diff(r, sa, sb, &a, &b, "environment",
					       "lockfile", "lockfile-oid"));
	m = pair(code_json(&a), code_json(&b));
	mlv_json_set(m, "changed", json_boolean(!json_equal(json_object_get(m, "old"),
							     json_object_get(m, "new"))));
	mlv_json_set(o, "code", m);
	mlv_json_set(o, "data", data_diff(r, cache, sa, sb, &a, &b));
	*out = o;
	o = NULL;
done:
	json_decref(o);
	record_release(&a);
	record_release(&b);
	return err;
}

json_t *mlv_compare_changed_models(struct mlv_repo *r,
				   const struct mlv_compare_side *a,
				   const struct mlv_compare_side *b)
{
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	char *spec[] = { "*" MLV_SIDECAR_SUFFIX };
	git_diff *diff = NULL;
	json_t *list = NULL;
	size_t i, n, sl = strlen(MLV_SIDECAR_SUFFIX);
	int err;

	opts.pathspec.strings = spec;
	opts.pathspec.count = 1;
	opts.flags |= GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
	if (b->tree)
		err = git_diff_tree_to_tree(&diff, r->git, a->tree, b->tree, &opts);
	else
		err = git_diff_tree_to_workdir_with_index(&diff, r->git, a->tree, &opts);
	if (err < 0) {
		mlv_error_from_git(err, "cannot compare the trees");
		goto done;
	}
	list = json_array();
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *path = d->new_file.path ? d->new_file.path : d->old_file.path;
		size_t len = strlen(path);

		if (len <= sl || strcmp(path + len - sl, MLV_SIDECAR_SUFFIX))
			continue;
		json_array_append_new(list, json_stringn_nocheck(path, len - sl));
	}
done:
	git_diff_free(diff);
	return list;
}
