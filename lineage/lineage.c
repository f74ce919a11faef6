#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/json.h"
#include "mlv/lineage.h"
#include "mlv/pointer.h"
#include "mlv/util.h"

/* Commits a first-appearance search visits at most; past that it gives
 * no answer (null) rather than a wrong one. */
#define FIRST_SEEN_MAX_VISITS 200000
/* Fine-tune chains longer than this are cut (and say so). */
#define CHAIN_MAX 64

void mlv_lineage_init(struct mlv_lineage *l, struct mlv_repo *r)
{
	struct mlv_lineage fresh = MLV_LINEAGE_INIT;

	*l = fresh;
	l->repo = r;
	l->first_seen = json_object();
	l->entries = json_object();
}

void mlv_lineage_release(struct mlv_lineage *l)
{
	mlv_history_release(&l->all);
	json_decref(l->first_seen);
	json_decref(l->entries);
	l->first_seen = NULL;
	l->entries = NULL;
}

int mlv_lineage_sidecar(struct mlv_sidecar *sc, struct mlv_problems *problems,
			struct mlv_lineage *l, const struct mlv_version *v)
{
	struct mlv_buf name = MLV_BUF_INIT;
	git_blob *blob = NULL;
	int err;

	mlv_buf_printf(&name, "%s%s", v->path, MLV_SIDECAR_SUFFIX);
	if (git_blob_lookup(&blob, l->repo->git, &v->sidecar_blob) < 0) {
		/* a partial clone lacks it: this version says so, the query goes on */
		mlv_problems_add(problems, "%s: its blob %s is not in this repository "
				 "(a partial clone? git fetch the commit's objects)",
				 name.ptr, git_oid_tostr_s(&v->sidecar_blob));
		mlv_error_clear();
		err = MLV_EINVALID;
		goto done;
	}
	err = mlv_sidecar_parse(sc, problems, name.ptr, git_blob_rawcontent(blob),
				(size_t)git_blob_rawsize(blob));
done:
	git_blob_free(blob);
	mlv_buf_release(&name);
	return err;
}

json_t *mlv_lineage_value(const char *text)
{
	char *end;
	long long n;
	double d;

	if (!text)
		return json_null();
	if (!*text || strchr(" \t\n", *text))
		return mlv_json_string(text);
	errno = 0;
	n = strtoll(text, &end, 10);
	if (!*end && !errno)
		return json_integer((json_int_t)n);
	d = strtod(text, &end);
	if (!*end && isfinite(d) && strspn(text, "+-.0123456789eE") == strlen(text))
		return json_real(d);
	return mlv_json_string(text);
}

static json_t *oid_json(const char *hex)
{
	return hex && *hex ? json_sprintf("sha256:%s", hex) : json_null();
}

/* "sha256:<hex>" as a sidecar records it, back to bare hex (or NULL). */
static const char *bare_oid(const char *recorded, char out[MLV_OID_HEXSZ + 1])
{
	if (!recorded || mlv_oid_parse(out, recorded) < 0)
		return NULL;
	return out;
}

static json_t *commit_hex(const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	return json_string(git_oid_tostr(hex, sizeof(hex), id));
}

/* An unsigned sidecar number ("files", "size"), or null. */
static json_t *count_json(const char *text)
{
	char *end;
	unsigned long long n;

	if (!text || !*text || *text == '-')
		return json_null();
	n = strtoull(text, &end, 10);
	return *end ? json_null() : json_integer((json_int_t)n);
}

/*
 * Git's id of `path` (a directory when it ends in '/') below the tree
 * `tree_id`, remembered per (tree, path): a directory that is the same in
 * many commits is read once. 0, or GIT_ENOTFOUND.
 */
static int entry_below(git_oid *out, struct mlv_lineage *l, const git_oid *tree_id,
		       const char *path)
{
	struct mlv_buf key = MLV_BUF_INIT, first = MLV_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	const git_tree_entry *e;
	git_tree *tree = NULL;
	const char *slash, *memo;
	size_t len = strlen(path);
	int err = GIT_ENOTFOUND;

	while (len > 1 && path[len - 1] == '/')
		len--;
	mlv_buf_printf(&key, "%s\n", git_oid_tostr(hex, sizeof(hex), tree_id));
	mlv_buf_put(&key, path, len);
	if ((memo = json_string_value(json_object_get(l->entries, key.ptr)))) {
		err = *memo ? git_oid_fromstr(out, memo) : GIT_ENOTFOUND;
		goto done;
	}
	if (git_tree_lookup(&tree, l->repo->git, tree_id) < 0)
		goto done;
	slash = memchr(path, '/', len);
	mlv_buf_put(&first, path, slash ? (size_t)(slash - path) : len);
	if (!(e = git_tree_entry_byname(tree, first.ptr)))
		err = GIT_ENOTFOUND;
	else if (!slash)
		*out = *git_tree_entry_id(e), err = 0;
	else if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		mlv_buf_clear(&first);
		mlv_buf_put(&first, slash + 1, len - (size_t)(slash + 1 - path));
		err = entry_below(out, l, git_tree_entry_id(e), first.ptr);
	}
	json_object_set_new(l->entries, key.ptr,
			    json_string(err ? "" : git_oid_tostr(hex, sizeof(hex), out)));
done:
	git_tree_free(tree);
	mlv_buf_release(&first);
	mlv_buf_release(&key);
	return err;
}

static int commit_entry(git_oid *out, struct mlv_lineage *l, const git_oid *commit_id,
			const char *path)
{
	git_commit *c = NULL;
	int err;

	if ((err = git_commit_lookup(&c, l->repo->git, commit_id)) == 0)
		err = entry_below(out, l, git_commit_tree_id(c), path);
	git_commit_free(c);
	return err;
}

static int commit_has_entry(struct mlv_lineage *l, const git_oid *commit_id,
			    const char *path, const git_oid *want)
{
	git_oid id;

	return commit_entry(&id, l, commit_id, path) == 0 && git_oid_equal(&id, want);
}

/*
 * The commit where the data at `path`, as commit `from` holds it, first
 * appeared: following parents while the path stays the same, the oldest
 * commit none of whose parents has it. Remembered per (path, git id).
 */
static json_t *first_seen(struct mlv_lineage *l, const git_oid *from,
			  const char *path)
{
	git_commit *c = NULL;
	git_oid want, *queue = NULL, best;
	struct mlv_buf key = MLV_BUF_INIT;
	json_t *seen = NULL, *visited = json_object(), *memo;
	char hex[GIT_OID_HEXSZ + 1];
	size_t head = 0, tail = 0, alloc = 0;
	git_time_t best_time = 0;
	int have_best = 0;
	unsigned i, np;

	if (commit_entry(&want, l, from, path) < 0)
		goto done;
	mlv_buf_printf(&key, "%s\n%s", path,
		       git_oid_tostr(hex, sizeof(hex), &want));
	/* a data version met again is answered from memory, when the commit
	 * remembered is in the history of this one (the same data added on
	 * two branches has two first commits) */
	if ((memo = json_object_get(l->first_seen, key.ptr)) &&
	    git_oid_fromstr(&best, json_string_value(memo)) == 0 &&
	    (git_oid_equal(&best, from) ||
	     git_graph_descendant_of(l->repo->git, from, &best) == 1)) {
		seen = json_incref(memo);
		goto done;
	}
	alloc = 64;
	if (!(queue = malloc(alloc * sizeof(*queue))))
		abort();
	queue[tail++] = *from;
	json_object_set_new(visited, git_oid_tostr(hex, sizeof(hex), from),
			    json_true());
	while (head < tail && head < FIRST_SEEN_MAX_VISITS) {
		git_oid id = queue[head++];
		int any = 0;

		git_commit_free(c);
		c = NULL;
		if (git_commit_lookup(&c, l->repo->git, &id) < 0)
			continue;
		np = git_commit_parentcount(c);
		for (i = 0; i < np; i++) {
			const git_oid *pid = git_commit_parent_id(c, i);

			if (!commit_has_entry(l, pid, path, &want))
				continue;
			any = 1;
			git_oid_tostr(hex, sizeof(hex), pid);
			if (json_object_get(visited, hex))
				continue;
			json_object_set_new(visited, hex, json_true());
			if (tail == alloc) {
				alloc *= 2;
				if (!(queue = realloc(queue, alloc * sizeof(*queue))))
					abort();
			}
			queue[tail++] = *pid;
		}
		if (!any && (!have_best || git_commit_time(c) < best_time)) {
			best = id;
			best_time = git_commit_time(c);
			have_best = 1;
		}
	}
	if (have_best && head < FIRST_SEEN_MAX_VISITS) {
		seen = commit_hex(&best);
		json_object_set(l->first_seen, key.ptr, seen);
	}
done:
	free(queue);
	json_decref(visited);
	mlv_buf_release(&key);
	git_commit_free(c);
	return seen ? seen : json_null();
}

const struct mlv_version *mlv_lineage_find_model(struct mlv_lineage *l,
						 const char *oid)
{
	git_revwalk *walk = NULL;

	if (!l->all_loaded) {
		l->all_loaded = 1;
		if (mlv_history_revwalk(&walk, l->repo, NULL, 1) < 0 ||
		    mlv_history_walk(&l->all, l->repo, walk, NULL, 0) < 0)
			mlv_error_clear();
		git_revwalk_free(walk);
	}
	return mlv_history_find_oid(&l->all, oid);
}

/* Bytes of the named section as a JSON object of text values. */
static json_t *section_json(const struct mlv_sidecar *sc, const char *section,
			    int numbers)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < sc->n; i++) {
		const struct mlv_sidecar_entry *e = &sc->entries[i];

		if (strcmp(e->section, section))
			continue;
		mlv_json_set(o, e->key, numbers ? mlv_lineage_value(e->value)
						: mlv_json_string(e->value));
	}
	return o;
}

int mlv_lineage_first_of_section(const struct mlv_sidecar *sc, size_t i)
{
	const struct mlv_sidecar_entry *e = &sc->entries[i];
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(sc->entries[j].section, e->section) &&
		    !strcmp(sc->entries[j].name ? sc->entries[j].name : "",
			    e->name ? e->name : ""))
			return 0;
	return 1;
}

static json_t *data_json(struct mlv_lineage *l, const struct mlv_version *v,
			 const struct mlv_sidecar *sc, unsigned flags)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < sc->n; i++) {
		const struct mlv_sidecar_entry *e = &sc->entries[i];
		const char *path, *name = e->name ? e->name : "";
		char hex[MLV_OID_HEXSZ + 1];
		json_t *d;

		if (strcmp(e->section, "data") || !mlv_lineage_first_of_section(sc, i))
			continue;
		path = mlv_sidecar_get(sc, "data", e->name, "path");
		d = json_object();
		mlv_json_set_string(d, "name", name);
		mlv_json_set_string(d, "path", path);
		mlv_json_set_string(d, "uri",
				    mlv_sidecar_get(sc, "data", e->name, "uri"));
		mlv_json_set(d, "oid",
			     oid_json(bare_oid(mlv_sidecar_get(sc, "data", e->name,
							       "oid"), hex)));
		mlv_json_set(d, "directory",
			     json_boolean(path && *path && path[strlen(path) - 1] == '/'));
		mlv_json_set(d, "files",
			     count_json(mlv_sidecar_get(sc, "data", e->name, "files")));
		mlv_json_set(d, "size",
			     count_json(mlv_sidecar_get(sc, "data", e->name, "size")));
		if (flags & MLV_LINEAGE_FIRST_SEEN)
			mlv_json_set(d, "first_commit",
				     path ? first_seen(l, &v->commit, path) : json_null());
		json_array_append_new(list, d);
	}
	return list;
}

/* {"path", "oid"} of a recorded path, or null when the sidecar has none. */
static json_t *input_json(const char *path, const char *oid)
{
	char hex[MLV_OID_HEXSZ + 1];
	json_t *o;

	if (!path && !oid)
		return json_null();
	o = json_object();
	mlv_json_set_string(o, "path", path);
	mlv_json_set(o, "oid", oid_json(bare_oid(oid, hex)));
	return o;
}

/* What a model oid names in this repository: {"oid", "path", "version",
 * "commit"} when a version here has it, else {"oid", "external": true}. */
static json_t *model_ref_json(struct mlv_lineage *l, const char *oid,
			      const struct mlv_version **found)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	const struct mlv_version *v = mlv_lineage_find_model(l, oid);
	json_t *o = json_object();

	*found = v;
	mlv_json_set(o, "oid", oid_json(oid));
	mlv_json_set(o, "external", json_boolean(!v));
	if (v) {
		mlv_lineage_sidecar(&sc, &problems, l, v);
		mlv_error_clear();
		mlv_json_set_string(o, "path", v->path);
		mlv_json_set_string(o, "version", mlv_sidecar_get(&sc, "model", NULL,
								  "version"));
		mlv_json_set(o, "commit", commit_hex(&v->commit));
	}
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
	return o;
}

/* The base of `sc`'s model followed back: one entry per ancestor. A chain
 * that comes back to an oid it passed, or runs past CHAIN_MAX, ends with
 * an entry {"oid", "cycle": true} or {"oid", "truncated": true}. */
static json_t *chain_json(struct mlv_lineage *l, const struct mlv_sidecar *sc,
			  const char *self)
{
	struct mlv_sidecar up = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	char hex[MLV_OID_HEXSZ + 1];
	const char *base = bare_oid(mlv_sidecar_get(sc, "model", NULL, "base"), hex);
	const struct mlv_version *v;
	json_t *chain = json_array(), *seen = json_object(), *end;
	size_t i;

	json_object_set_new(seen, self, json_true());
	for (i = 0; base; i++) {
		if (json_object_get(seen, base) || i == CHAIN_MAX) {
			end = json_object();
			mlv_json_set(end, "oid", oid_json(base));
			mlv_json_set(end, "external", json_false());
			mlv_json_set(end, i == CHAIN_MAX ? "truncated" : "cycle", json_true());
			json_array_append_new(chain, end);
			break;
		}
		json_object_set_new(seen, base, json_true());
		json_array_append_new(chain, model_ref_json(l, base, &v));
		if (!v)
			break;
		mlv_sidecar_release(&up);
		mlv_problems_release(&problems);
		if (mlv_lineage_sidecar(&up, &problems, l, v) < 0 && !up.n)
			break;
		base = bare_oid(mlv_sidecar_get(&up, "model", NULL, "base"), hex);
	}
	json_decref(seen);
	mlv_sidecar_release(&up);
	mlv_problems_release(&problems);
	return chain;
}

static json_t *signature_json(const git_signature *sig)
{
	json_t *o = json_object();

	mlv_json_set_string(o, "name", sig->name);
	mlv_json_set_string(o, "email", sig->email);
	return o;
}

/* An ISO 8601 time in the signature's own zone, or null when it is no
 * date git would write. */
static json_t *date_json(const git_time *t)
{
	struct mlv_buf text = MLV_BUF_INIT;
	json_t *v = mlv_format_time(&text, (int64_t)t->time, t->offset) < 0
			    ? json_null()
			    : json_string(text.ptr);

	mlv_buf_release(&text);
	return v;
}

int mlv_lineage_describe(json_t **out, struct mlv_lineage *l,
			 const struct mlv_version *v, unsigned flags)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf sidecar = MLV_BUF_INIT;
	git_commit *commit = NULL;
	json_t *o = NULL, *model, *list, *code;
	char hex[MLV_OID_HEXSZ + 1];
	const char *base, *dirty;
	const struct mlv_version *found;
	size_t i;
	int err;

	*out = NULL;
	if ((err = git_commit_lookup(&commit, l->repo->git, &v->commit)) < 0) {
		err = mlv_error_from_git(err, "cannot read a commit");
		goto done;
	}
	if ((err = mlv_lineage_sidecar(&sc, &problems, l, v)) < 0 &&
	    err != MLV_EINVALID)
		goto done;
	err = 0;
	mlv_buf_printf(&sidecar, "%s%s", v->path, MLV_SIDECAR_SUFFIX);
	o = json_object();
	mlv_json_set(o, "commit", commit_hex(&v->commit));
	mlv_json_set(o, "date", date_json(&git_commit_author(commit)->when));
	mlv_json_set(o, "author", signature_json(git_commit_author(commit)));
	mlv_json_set_string(o, "subject", git_commit_summary(commit));

	model = json_object();
	mlv_json_set_string(model, "path", v->path);
	mlv_json_set(model, "oid", oid_json(v->model_oid));
	mlv_json_set(model, "size", json_integer((json_int_t)v->model_size));
	mlv_json_set_string(model, "name", mlv_sidecar_get(&sc, "model", NULL, "name"));
	mlv_json_set_string(model, "version",
			    mlv_sidecar_get(&sc, "model", NULL, "version"));
	mlv_json_set(o, "model", model);
	mlv_json_set_string(o, "sidecar", sidecar.ptr);

	mlv_json_set(o, "data", data_json(l, v, &sc, flags));
	mlv_json_set(o, "config",
		     input_json(mlv_sidecar_get(&sc, "config", NULL, "path"),
				mlv_sidecar_get(&sc, "config", NULL, "oid")));
	mlv_json_set(o, "lockfile",
		     input_json(mlv_sidecar_get(&sc, "environment", NULL, "lockfile"),
				mlv_sidecar_get(&sc, "environment", NULL,
						"lockfile-oid")));
	mlv_json_set(o, "params", section_json(&sc, "params", 0));
	mlv_json_set(o, "metrics", section_json(&sc, "metrics", 1));
	mlv_json_set(o, "environment", section_json(&sc, "environment", 0));

	code = json_object();
	mlv_json_set_string(code, "commit", mlv_sidecar_get(&sc, "code", NULL, "commit"));
	dirty = mlv_sidecar_get(&sc, "code", NULL, "dirty");
	mlv_json_set(code, "dirty", !dirty ? json_null()
				    : json_boolean(!strcmp(dirty, "true")));
	mlv_json_set(o, "code", code);

	base = bare_oid(mlv_sidecar_get(&sc, "model", NULL, "base"), hex);
	mlv_json_set(o, "base", base ? model_ref_json(l, base, &found) : json_null());
	if (flags & MLV_LINEAGE_CHAIN)
		mlv_json_set(o, "chain", chain_json(l, &sc, v->model_oid));

	list = json_array();
	for (i = 0; i < problems.n; i++)
		json_array_append_new(list, mlv_json_string(problems.items[i]));
	mlv_json_set(o, "problems", list);
	*out = o;
	o = NULL;
done:
	json_decref(o);
	git_commit_free(commit);
	mlv_buf_release(&sidecar);
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
	return err;
}

/* A branch, tag or remote branch and the commit it points at. */
struct ref_tip {
	char *name;
	git_oid tip;
};

struct ref_tips {
	struct ref_tip *items;
	size_t n, alloc;
};

static int collect_ref(git_reference *ref, void *payload)
{
	struct ref_tips *t = payload;
	git_object *peeled = NULL;
	const char *name = git_reference_name(ref);

	if ((!strncmp(name, "refs/heads/", 11) || !strncmp(name, "refs/tags/", 10) ||
	     !strncmp(name, "refs/remotes/", 13)) &&
	    git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) == 0) {
		if (t->n == t->alloc) {
			t->alloc = t->alloc ? 2 * t->alloc : 16;
			if (!(t->items = realloc(t->items, t->alloc * sizeof(*t->items))))
				abort();
		}
		t->items[t->n].name = mlv_xstrdup(git_reference_shorthand(ref));
		t->items[t->n++].tip = *git_object_id(peeled);
	}
	git_object_free(peeled);
	git_reference_free(ref);
	return 0;
}

/*
 * Which of `n` commits each commit of history contains, as a bit set per
 * commit, computed parents first in one walk: a commit holds what its
 * parents hold, and itself. Then a ref contains what its tip holds.
 */
json_t *mlv_lineage_refs_containing(struct mlv_lineage *l, const git_oid *commits,
				    size_t n)
{
	struct ref_tips tips = { NULL, 0, 0 };
	json_t *result = json_array(), *index = json_object(), *wanted = json_object();
	size_t words = (n + 63) / 64, count = 0, alloc = 0, i, k;
	uint64_t *bits = NULL;
	git_revwalk *walk = NULL;
	git_commit *c = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;

	for (i = 0; i < n; i++) {
		json_array_append_new(result, json_array());
		git_oid_tostr(hex, sizeof(hex), &commits[i]);
		if (!json_object_get(wanted, hex))
			json_object_set_new(wanted, hex, json_array());
		json_array_append_new(json_object_get(wanted, hex), json_integer((json_int_t)i));
	}
	if (!n || git_reference_foreach(l->repo->git, collect_ref, &tips) < 0 ||
	    git_revwalk_new(&walk, l->repo->git) < 0)
		goto done;
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	for (i = 0; i < tips.n; i++)
		git_revwalk_push(walk, &tips.items[i].tip);
	while (git_revwalk_next(&id, walk) == 0) {
		json_t *mine;
		uint64_t *row;
		unsigned p;

		if (count == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			if (!(bits = realloc(bits, alloc * words * sizeof(*bits))))
				abort();
		}
		row = bits + count * words;
		memset(row, 0, words * sizeof(*bits));
		git_commit_free(c);
		c = NULL;
		if (git_commit_lookup(&c, l->repo->git, &id) < 0)
			goto done;
		for (p = 0; p < git_commit_parentcount(c); p++) {
			json_t *pi = json_object_get(index, git_oid_tostr(hex, sizeof(hex),
									  git_commit_parent_id(c, p)));

			if (!pi)
				continue; /* a shallow clone's boundary */
			for (k = 0; k < words; k++)
				row[k] |= bits[(size_t)json_integer_value(pi) * words + k];
		}
		git_oid_tostr(hex, sizeof(hex), &id);
		if ((mine = json_object_get(wanted, hex))) {
			json_t *m;

			json_array_foreach(mine, k, m)
				row[json_integer_value(m) / 64] |=
					(uint64_t)1 << (json_integer_value(m) % 64);
		}
		json_object_set_new(index, hex, json_integer((json_int_t)count++));
	}
	for (i = 0; i < tips.n; i++) {
		json_t *ti = json_object_get(index, git_oid_tostr(hex, sizeof(hex),
								  &tips.items[i].tip));

		for (k = 0; ti && k < n; k++)
			if (bits[(size_t)json_integer_value(ti) * words + k / 64] &
			    ((uint64_t)1 << (k % 64)))
				json_array_append_new(json_array_get(result, k),
						      mlv_json_string(tips.items[i].name));
	}
done:
	mlv_error_clear();
	for (i = 0; i < tips.n; i++)
		free(tips.items[i].name);
	free(tips.items);
	free(bits);
	git_commit_free(c);
	git_revwalk_free(walk);
	json_decref(index);
	json_decref(wanted);
	return result;
}
