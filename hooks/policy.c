#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <git2/sys/repository.h>

#include "mlv/buf.h"
#include "mlv/datadir.h"
#include "mlv/error.h"
#include "mlv/ini.h"
#include "mlv/pointer.h"
#include "mlv/policy.h"
#include "mlv/quote.h"
#include "mlv/sha256.h"
#include "mlv/sidecar.h"
#include "mlv/util.h"

static const struct {
	const char *name;
	unsigned bit;
} section_bits[] = {
	{ "model", MLV_SECTION_MODEL },
	{ "data", MLV_SECTION_DATA },
	{ "config", MLV_SECTION_CONFIG },
	{ "params", MLV_SECTION_PARAMS },
	{ "environment", MLV_SECTION_ENVIRONMENT },
	{ "code", MLV_SECTION_CODE },
	{ "metrics", MLV_SECTION_METRICS },
};

#define N_SECTIONS (sizeof(section_bits) / sizeof(section_bits[0]))

void mlv_policy_init(struct mlv_policy *p)
{
	p->required = MLV_SECTION_MODEL | MLV_SECTION_DATA | MLV_SECTION_CONFIG |
		      MLV_SECTION_ENVIRONMENT | MLV_SECTION_CODE;
	p->require_version_bump = 0;
	p->name_template = NULL;
	p->allow_external_data = 1;
	p->strict_inputs = 0;
	p->stages = NULL;
	p->nstages = 0;
	p->rules = NULL;
	p->nrules = 0;
	p->names = NULL;
	p->nnames = 0;
}

static void free_list(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void mlv_policy_release(struct mlv_policy *p)
{
	size_t i;

	free(p->name_template);
	p->name_template = NULL;
	free_list(p->stages, p->nstages);
	p->stages = NULL;
	p->nstages = 0;
	for (i = 0; i < p->nrules; i++) {
		free(p->rules[i].stage);
		free(p->rules[i].from);
		free_list(p->rules[i].branches, p->rules[i].nbranches);
	}
	free(p->rules);
	p->rules = NULL;
	p->nrules = 0;
	for (i = 0; i < p->nnames; i++) {
		free(p->names[i].name);
		free(p->names[i].path);
	}
	free(p->names);
	p->names = NULL;
	p->nnames = 0;
}

int mlv_policy_registry_name_is_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || name[0] == '-' || name[0] == '/' || name[len - 1] == '/' ||
	    strstr(name, "//"))
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '/' && name[i] != '_' &&
		    name[i] != '-')
			return 0;
	return 1;
}

const struct mlv_stage_rule *mlv_policy_stage_rule(const struct mlv_policy *p,
						   const char *stage)
{
	size_t i;

	for (i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].stage, stage))
			return &p->rules[i];
	return NULL;
}

int mlv_policy_stage_allowed(const struct mlv_policy *p, const char *stage)
{
	size_t i;

	if (!p->stages)
		return 1;
	for (i = 0; i < p->nstages; i++)
		if (!strcmp(p->stages[i], stage))
			return 1;
	return 0;
}

int mlv_policy_has_registry_rules(const struct mlv_policy *p)
{
	return p->stages || p->nrules;
}

struct policy_parse {
	struct mlv_policy *policy;
	struct mlv_problems *problems;
	const char *file;
	unsigned line;
};

/*
 * Each line before inih reads it (ini.h): its number, for the handler's
 * messages, and a line over MLV_INI_MAX_LINE reported, which inih then
 * reads as an empty line.
 */
static int check_line(void *ctx, unsigned line, const char *text, size_t len)
{
	struct policy_parse *pp = ctx;

	pp->line = line;
	if (len <= MLV_INI_MAX_LINE)
		return 0;
	mlv_problems_add(pp->problems, "%s:%u: line is %zu bytes long, the "
			 "limit is %d", pp->file, line, len, MLV_INI_MAX_LINE);
	return 1;
}

static int parse_sections(unsigned *out, const char *list)
{
	const char *p = list;
	unsigned bits = 0;
	size_t i;

	while (*p) {
		size_t n;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		n = strcspn(p, ", \t");
		if (!n)
			break;
		for (i = 0; i < N_SECTIONS; i++)
			if (strlen(section_bits[i].name) == n &&
			    !strncmp(section_bits[i].name, p, n))
				break;
		if (i == N_SECTIONS)
			return -1;
		bits |= section_bits[i].bit;
		p += n;
	}
	*out = bits;
	return 0;
}

/* A stage name as the registry's tags spell it: [A-Za-z0-9_-], not
 * starting with '-' (registry.h says the same of its tags). */
static int is_stage_name(const char *s, size_t n)
{
	size_t i;

	if (!n || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

static int is_branch_name(const char *s, size_t n)
{
	struct mlv_buf ref = MLV_BUF_INIT;
	int valid = 0;

	mlv_buf_puts(&ref, "refs/heads/");
	mlv_buf_put(&ref, s, n);
	if (git_reference_name_is_valid(&valid, ref.ptr) < 0)
		valid = 0;
	git_error_clear();
	mlv_buf_release(&ref);
	return valid;
}

/*
 * A comma (or blank) separated list into `*out` (replacing what it held),
 * every item passing `valid`. -1, leaving `*out` as it was, when one does
 * not; its text into `bad`.
 */
static int parse_list(char ***out, size_t *nout, struct mlv_buf *bad, const char *list,
		      int (*valid)(const char *, size_t))
{
	char **items = NULL;
	size_t n = 0, alloc = 0;
	const char *p = list;
	int err = 0;

	while (*p) {
		size_t len;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!(len = strcspn(p, ", \t")))
			break;
		if (!valid(p, len)) {
			mlv_buf_put(bad, p, len);
			err = -1;
			goto done;
		}
		MLV_ALLOC_GROW(items, n, alloc);
		items[n++] = mlv_xstrndup(p, len);
		p += len;
	}
	free_list(*out, *nout);
	*out = items ? items : mlv_xreallocarray(NULL, 1, sizeof(*items));
	*nout = n;
	items = NULL;
	n = 0;
done:
	free_list(items, n);
	return err;
}

static void handle_registry(struct policy_parse *pp, const char *key, const char *value)
{
	struct mlv_buf bad = MLV_BUF_INIT;

	if (strcmp(key, "stages"))
		mlv_problems_add(pp->problems, "%s:%u: unknown key registry.%s (known: "
				 "stages)", pp->file, pp->line, key);
	else if (parse_list(&pp->policy->stages, &pp->policy->nstages, &bad, value,
			    is_stage_name) < 0)
		mlv_problems_add(pp->problems, "%s:%u: registry.stages: '%s' is not a "
				 "stage name (letters, digits, '_' and '-')", pp->file,
				 pp->line, bad.ptr);
	mlv_buf_release(&bad);
}

/* The rule of [stage "NAME"], made when it is the first such section. */
static struct mlv_stage_rule *stage_rule(struct mlv_policy *p, const char *stage)
{
	struct mlv_stage_rule *r = (struct mlv_stage_rule *)mlv_policy_stage_rule(p, stage);

	if (!r) {
		p->rules = mlv_xreallocarray(p->rules, p->nrules + 1, sizeof(*p->rules));
		r = &p->rules[p->nrules++];
		memset(r, 0, sizeof(*r));
		r->stage = mlv_xstrdup(stage);
	}
	return r;
}

static void handle_stage(struct policy_parse *pp, const char *stage, const char *key,
			 const char *value)
{
	struct mlv_buf bad = MLV_BUF_INIT;
	struct mlv_stage_rule *r;
	int b;

	if (!is_stage_name(stage, strlen(stage))) {
		mlv_problems_add(pp->problems, "%s:%u: [stage \"%s\"]: not a stage name "
				 "(letters, digits, '_' and '-')", pp->file, pp->line,
				 stage);
		goto done;
	}
	r = stage_rule(pp->policy, stage);
	if (!strcmp(key, "from")) {
		if (is_stage_name(value, strlen(value))) {
			free(r->from);
			r->from = mlv_xstrdup(value);
		} else {
			mlv_problems_add(pp->problems, "%s:%u: stage.%s.from '%s' is not "
					 "one stage name (letters, digits, '_' and '-')",
					 pp->file, pp->line, stage, value);
		}
	} else if (!strcmp(key, "branches")) {
		if (parse_list(&r->branches, &r->nbranches, &bad, value,
			       is_branch_name) < 0)
			mlv_problems_add(pp->problems, "%s:%u: stage.%s.branches: '%s' "
					 "is not a branch name", pp->file, pp->line,
					 stage, bad.ptr);
	} else if (!strcmp(key, "require-signed")) {
		if ((b = mlv_parse_bool(value)) < 0)
			mlv_problems_add(pp->problems, "%s:%u: stage.%s.require-signed "
					 "'%s' is not true or false", pp->file, pp->line,
					 stage, value);
		else
			r->require_signed = b;
	} else {
		mlv_problems_add(pp->problems, "%s:%u: unknown key stage.%s.%s (known: "
				 "from, branches, require-signed)", pp->file, pp->line,
				 stage, key);
	}
done:
	mlv_buf_release(&bad);
}

/* `section` is [KIND "NAME"] (kind "stage" or "model"): NAME into `out`. */
static int named_section(struct mlv_buf *out, const char *section, const char *kind)
{
	size_t n = strlen(section), k = strlen(kind);

	if (strncmp(section, kind, k) || section[k] != ' ' || section[k + 1] != '"' ||
	    n < k + 3 || section[n - 1] != '"')
		return 0;
	mlv_buf_clear(out);
	mlv_buf_put(out, section + k + 2, n - k - 3);
	return 1;
}

/* [model "NAME"] path = PATH: the registry name of the model at PATH. */
static void handle_model(struct policy_parse *pp, const char *name, const char *key,
			 const char *value)
{
	struct mlv_policy *p = pp->policy;
	const char *why;
	size_t i;

	if (!mlv_policy_registry_name_is_valid(name)) {
		mlv_problems_add(pp->problems, "%s:%u: [model \"%s\"]: not a registry name "
				 "(letters, digits, '/', '_' and '-'; not first: '-' or "
				 "'/')", pp->file, pp->line, name);
		return;
	}
	if (strcmp(key, "path")) {
		mlv_problems_add(pp->problems, "%s:%u: unknown key model.%s.%s (known: "
				 "path)", pp->file, pp->line, name, key);
		return;
	}
	if ((why = mlv_sidecar_path_problem(value))) {
		mlv_problems_add(pp->problems, "%s:%u: model.%s.path '%s' %s", pp->file,
				 pp->line, name, value, why);
		return;
	}
	for (i = 0; i < p->nnames; i++) {
		if (!strcmp(p->names[i].name, name) || !strcmp(p->names[i].path, value)) {
			mlv_problems_add(pp->problems, "%s:%u: model.%s.path '%s': %s is "
					 "named once already ([model \"%s\"] path = %s)",
					 pp->file, pp->line, name, value,
					 strcmp(p->names[i].name, name) ? "that path"
									: "that model",
					 p->names[i].name, p->names[i].path);
			return;
		}
	}
	p->names = mlv_xreallocarray(p->names, p->nnames + 1, sizeof(*p->names));
	p->names[p->nnames].name = mlv_xstrdup(name);
	p->names[p->nnames++].path = mlv_xstrdup(value);
}

static void handle_policy(struct policy_parse *pp, const char *key, const char *value)
{
	struct mlv_policy *p = pp->policy;
	int b;

	if (!strcmp(key, "required-sections")) {
		if (parse_sections(&p->required, value) < 0)
			mlv_problems_add(pp->problems, "%s: policy.required-sections "
					 "'%s' names an unknown section (known: model, "
					 "data, config, params, environment, code, "
					 "metrics)", pp->file, value);
	} else if (!strcmp(key, "require-version-bump") ||
		   !strcmp(key, "allow-external-data") ||
		   !strcmp(key, "strict-inputs")) {
		if ((b = mlv_parse_bool(value)) < 0)
			mlv_problems_add(pp->problems, "%s: policy.%s '%s' is not true "
					 "or false", pp->file, key, value);
		else if (!strcmp(key, "require-version-bump"))
			p->require_version_bump = b;
		else if (!strcmp(key, "allow-external-data"))
			p->allow_external_data = b;
		else
			p->strict_inputs = b;
	} else if (!strcmp(key, "name-template")) {
		free(p->name_template);
		p->name_template = *value ? mlv_xstrdup(value) : NULL;
	} else {
		mlv_problems_add(pp->problems, "%s: unknown key policy.%s", pp->file,
				 key);
	}
}

/* inih's handler: [policy], [registry], [stage "NAME"] and [model "NAME"]
 * are ours;
 * [store] and others belong to other readers. */
static int handle_key(void *user, const char *section, const char *key,
		      const char *value)
{
	struct policy_parse *pp = user;
	struct mlv_buf stage = MLV_BUF_INIT;

	if (!strcmp(section, "policy"))
		handle_policy(pp, key, value);
	else if (!strcmp(section, "registry"))
		handle_registry(pp, key, value);
	else if (named_section(&stage, section, "stage"))
		handle_stage(pp, stage.ptr, key, value);
	else if (named_section(&stage, section, "model"))
		handle_model(pp, stage.ptr, key, value);
	mlv_buf_release(&stage);
	return 1;
}

int mlv_policy_parse(struct mlv_policy *p, struct mlv_problems *problems,
		     const char *file, const char *data, size_t len)
{
	struct policy_parse pp = { p, problems, file, 0 };
	size_t before = problems->n;
	int rc;

	if (memchr(data, '\0', len)) {
		mlv_problems_add(problems, "%s: binary content, not an INI file", file);
		return MLV_EINVALID;
	}
	rc = mlv_ini_parse(data, len, check_line, handle_key, &pp);
	if (rc > 0)
		mlv_problems_add(problems, "%s:%d: syntax error (lines are "
				 "'key = value' under '[policy]')", file, rc);
	return problems->n > before ? MLV_EINVALID : 0;
}

static int is_field_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_';
}

struct name_match {
	const char *t0, *n0;
	size_t width;          /* strlen(name) + 1 */
	unsigned char *failed; /* (template pos, name pos) known not to match */
};

/*
 * Does template `t` match name `n`? A field takes one or more field
 * characters, longest first, backing off when the rest does not match;
 * every failure is remembered, so a hostile template costs at most
 * strlen(template) * strlen(name) steps.
 */
static int match_from(struct name_match *m, const char *t, const char *n)
{
	size_t key = (size_t)(t - m->t0) * m->width + (size_t)(n - m->n0);
	int ok = 0;

	if (m->failed[key])
		return 0;
	if (!*t) {
		ok = !*n;
	} else if (*t == '{') {
		const char *close = strchr(t, '}');
		size_t k = 0;

		if (close && close - t == 5 && !strncmp(t, "{date}", 6)) {
			while (k < 8 && isdigit((unsigned char)n[k]))
				k++;
			ok = k == 8 && match_from(m, close + 1, n + 8);
		} else if (close) {
			while (is_field_char(n[k]))
				k++;
			for (; k > 0 && !ok; k--)
				ok = match_from(m, close + 1, n + k);
		}
	} else if (*t == *n) {
		ok = match_from(m, t + 1, n + 1);
	}
	if (!ok)
		m->failed[key] = 1;
	return ok;
}

int mlv_policy_name_matches(const char *t, const char *name)
{
	struct name_match m = { t, name, strlen(name) + 1, NULL };
	int ok;

	m.failed = calloc((strlen(t) + 1) * m.width, 1);
	if (!m.failed)
		abort();
	ok = match_from(&m, t, name);
	free(m.failed);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Reading paths out of a snapshot. */

struct checker {
	struct mlv_repo *repo;
	const struct mlv_snapshot *snap;
	struct mlv_problems *problems;
	struct mlv_policy policy;
	git_odb *odb;
	struct mlv_buf checked; /* "\n"-separated models already checked */
	struct mlv_buf changed; /* "\n"-separated other paths the commit changes */
	struct mlv_datadir_cache *datadirs; /* the snapshot's, or our own */
	int own_datadirs;
	/* The same repository opened bare, for attribute lookups: they read
	 * .gitattributes from the index or the commit either way, and
	 * without a work tree libgit2 skips a realpath() and stat()s per
	 * path, which halves the check of a commit of 20,000 data files. */
	git_repository *attrs;
	struct mlv_problems *stale; /* the snapshot's notices, or NULL */
	/* where the model being checked was trained, looked for when one of
	 * its inputs differs (trained_tree()); NULL: in the snapshot */
	int trained_looked;
	git_commit *trained;
	git_tree *trained_tree;
};

/*
 * The blob at `path` in `tree` (NULL: the snapshot). MLV_ENOTFOUND when
 * nothing is there; MLV_EINVALID, saying what it is, for a symbolic link,
 * a submodule or a directory: mlv hashes files, never what a link names.
 */
static int snap_lookup(git_oid *out, const struct mlv_snapshot *s,
		       git_tree *tree, const char *path)
{
	git_tree_entry *te = NULL;
	unsigned mode = 0;
	int found = 0;

	if (!tree && s->index) {
		const git_index_entry *e = git_index_get_bypath(s->index, path, 0);

		if (e) {
			mode = e->mode;
			git_oid_cpy(out, &e->id);
			found = 1;
		}
	} else if ((tree || s->tree) &&
		   git_tree_entry_bypath(&te, tree ? tree : s->tree, path) == 0) {
		mode = git_tree_entry_filemode(te);
		git_oid_cpy(out, git_tree_entry_id(te));
		found = 1;
		git_tree_entry_free(te);
	}
	git_error_clear();
	if (!found)
		return MLV_ENOTFOUND;
	if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE)
		return 0;
	if (mode == GIT_FILEMODE_LINK)
		mlv_error_set("'%s' is a symbolic link in this commit; mlv records "
			      "a file's own bytes, never what a link points to", path);
	else if (mode == GIT_FILEMODE_COMMIT)
		mlv_error_set("'%s' is a submodule in this commit, not a file", path);
	else
		mlv_error_set("'%s' is a directory in this commit, not a file (a "
			      "[data] input records a directory as '%s/')", path, path);
	return MLV_EINVALID;
}

static int read_blob(git_odb_object **out, struct checker *c, const git_oid *id)
{
	int err = git_odb_read(out, c->odb, id);

	if (err < 0) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), id);
		return mlv_error_from_git(err, hex);
	}
	return 0;
}

/* The mlv oid of the file at `path`: its pointer's oid when it is stored
 * as a pointer, else the SHA-256 of its bytes. */
static int content_oid(char hex[MLV_OID_HEXSZ + 1], int *is_pointer,
		       struct checker *c, git_tree *tree, const char *path)
{
	git_odb_object *obj = NULL;
	struct mlv_pointer p;
	git_oid id;
	const char *data;
	size_t len;
	int err;

	if ((err = snap_lookup(&id, c->snap, tree, path)) < 0)
		return err;
	if ((err = read_blob(&obj, c, &id)) < 0)
		return err;
	data = git_odb_object_data(obj);
	len = git_odb_object_size(obj);
	*is_pointer = len > 0 && mlv_pointer_parse(&p, data, len) == 0;
	if (*is_pointer)
		memcpy(hex, p.oid, sizeof(p.oid));
	else
		err = mlv_sha256_buf(hex, data, len);
	git_odb_object_free(obj);
	return err;
}

/* Parse the sidecar at `path` in `tree` (NULL: the snapshot). */
static int load_sidecar(struct mlv_sidecar *sc, struct mlv_problems *problems,
			struct checker *c, git_tree *tree, const char *path)
{
	git_odb_object *obj = NULL;
	git_oid id;
	int err;

	if ((err = snap_lookup(&id, c->snap, tree, path)) < 0)
		return err;
	if ((err = read_blob(&obj, c, &id)) < 0)
		return err;
	err = mlv_sidecar_parse(sc, problems, path, git_odb_object_data(obj),
				git_odb_object_size(obj));
	git_odb_object_free(obj);
	return err;
}

static int is_model(struct checker *c, const char *path)
{
	git_attr_options opts = GIT_ATTR_OPTIONS_INIT;
	const char *value = NULL;

	opts.flags = GIT_ATTR_CHECK_INDEX_ONLY | GIT_ATTR_CHECK_NO_SYSTEM;
	if (c->snap->commit_id) {
		opts.flags |= GIT_ATTR_CHECK_INCLUDE_COMMIT;
		git_oid_cpy(&opts.attr_commit_id, c->snap->commit_id);
	}
	if (git_attr_get_ext(&value, c->attrs, &opts, path, "mlv-model") < 0) {
		git_error_clear();
		return 0;
	}
	return GIT_ATTR_IS_TRUE(value);
}

/* The model path a sidecar path belongs to (malloc'd), or NULL when `path`
 * is no sidecar. */
static char *model_of_sidecar(const char *path)
{
	size_t n = strlen(path), k = strlen(MLV_SIDECAR_SUFFIX);
	char *model;

	if (n <= k || strcmp(path + n - k, MLV_SIDECAR_SUFFIX))
		return NULL;
	if (!(model = mlv_xstrndup(path, n - k)))
		abort();
	return model;
}

/* ------------------------------------------------------------------ */
/* Where a model was trained. */

/* 1 when `commit` holds `model` and `sidecar` as the blobs `m` and `s`. */
static int commit_holds(struct checker *c, git_commit *commit, const char *model,
			const char *sidecar, const git_oid *m, const git_oid *s)
{
	git_tree *tree = NULL;
	git_oid id;
	int yes = git_commit_tree(&tree, commit) == 0 &&
		  snap_lookup(&id, c->snap, tree, model) == 0 && git_oid_equal(&id, m) &&
		  snap_lookup(&id, c->snap, tree, sidecar) == 0 && git_oid_equal(&id, s);

	git_tree_free(tree);
	return yes;
}

/* The commit the snapshot comes after: HEAD for an index, the first
 * parent for a commit; NULL when there is none (or it cannot be read). */
static git_commit *commit_before(struct checker *c)
{
	git_commit *commit = NULL, *before = NULL;
	git_oid head;

	if (!c->snap->parent)
		return NULL;
	if (c->snap->index) {
		if (git_reference_name_to_id(&head, c->repo->git, "HEAD") == 0 &&
		    git_commit_lookup(&before, c->repo->git, &head) < 0)
			before = NULL;
	} else if (c->snap->commit_id &&
		   git_commit_lookup(&commit, c->repo->git, c->snap->commit_id) == 0 &&
		   git_commit_parentcount(commit) > 0 &&
		   git_commit_parent(&before, commit, 0) < 0) {
		before = NULL;
	}
	git_commit_free(commit);
	git_error_clear();
	return before;
}

/*
 * The tree of the commit where `model` was trained: going back from the
 * commit before the snapshot along first parents, the last commit that
 * holds the snapshot's model and sidecar, when its parent does not (or it
 * has none). NULL when the snapshot itself changes either. Looked for
 * once per model; c->trained is the commit.
 */
static git_tree *trained_tree(struct checker *c, const char *model)
{
	struct mlv_buf sidecar = MLV_BUF_INIT;
	git_commit *cur = NULL, *parent = NULL;
	git_oid m, s;

	if (c->trained_looked)
		return c->trained_tree;
	c->trained_looked = 1;
	mlv_buf_printf(&sidecar, "%s%s", model, MLV_SIDECAR_SUFFIX);
	if (snap_lookup(&m, c->snap, NULL, model) < 0 ||
	    snap_lookup(&s, c->snap, NULL, sidecar.ptr) < 0 ||
	    !(cur = commit_before(c)) || !commit_holds(c, cur, model, sidecar.ptr, &m, &s))
		goto done;
	while (git_commit_parentcount(cur) > 0 && git_commit_parent(&parent, cur, 0) == 0 &&
	       commit_holds(c, parent, model, sidecar.ptr, &m, &s)) {
		git_commit_free(cur);
		cur = parent;
		parent = NULL;
	}
	if (git_commit_tree(&c->trained_tree, cur) == 0) {
		c->trained = cur;
		cur = NULL;
	}
done:
	git_error_clear();
	mlv_error_clear();
	git_commit_free(parent);
	git_commit_free(cur);
	mlv_buf_release(&sidecar);
	return c->trained_tree;
}

static void forget_trained(struct checker *c)
{
	git_tree_free(c->trained_tree);
	git_commit_free(c->trained);
	c->trained_tree = NULL;
	c->trained = NULL;
	c->trained_looked = 0;
}

/* ------------------------------------------------------------------ */
/* The checks. */

/* How the snapshot holds a file, for messages. */
static const char *held(const struct checker *c)
{
	return c->snap->index ? "staged as" : "committed as";
}

/*
 * The commands that write a model's sidecar (`verb` "init" or "update",
 * with `args` after the model) and stage it, every name quoted.
 */
static const char *sidecar_hint(struct mlv_buf *b, const char *verb,
				const char *model, const char *args)
{
	struct mlv_buf sidecar = MLV_BUF_INIT;

	mlv_buf_printf(&sidecar, "%s%s", model, MLV_SIDECAR_SUFFIX);
	mlv_buf_clear(b);
	mlv_buf_printf(b, "git mlv sidecar %s ", verb);
	mlv_quote_shell_path(b, model);
	mlv_buf_printf(b, "%s && git add ", args);
	mlv_quote_shell_pathspec(b, sidecar.ptr);
	mlv_buf_release(&sidecar);
	return b->ptr;
}

static const char *fix_hint(struct mlv_buf *b, const char *model)
{
	return sidecar_hint(b, "update", model, "");
}

static int datadir_cache(struct mlv_datadir_cache **out, struct checker *c)
{
	int err = 0;

	if (!c->datadirs && !(c->datadirs = c->snap->datadirs)) {
		err = mlv_datadir_cache_new(&c->datadirs, c->repo->git);
		c->own_datadirs = err == 0;
	}
	*out = c->datadirs;
	return err;
}

/*
 * The tree of the commit where `model` was trained, when its recorded
 * input `path` (a file, or a directory ending in '/') held `recorded`
 * ("sha256:<hex>") there: the input has moved on since the model was
 * trained. NULL when the snapshot trains it or the record did not match.
 */
static git_tree *stale_since(struct checker *c, const char *model, const char *path,
			     const char *recorded)
{
	struct mlv_datadir then = MLV_DATADIR_INIT;
	struct mlv_problems ignored = MLV_PROBLEMS_INIT;
	struct mlv_datadir_cache *cache;
	git_tree *trained = trained_tree(c, model);
	char hex[MLV_OID_HEXSZ + 1];
	int is_pointer, matched;

	if (!trained)
		return NULL;
	if (mlv_sidecar_path_is_dir(path))
		matched = datadir_cache(&cache, c) == 0 &&
			  mlv_datadir_summary_from_tree(&then, &ignored, cache, trained,
							path) == 0 &&
			  !strcmp(then.oid, recorded + 7);
	else
		matched = content_oid(hex, &is_pointer, c, trained, path) == 0 &&
			  !strcmp(hex, recorded + 7);
	mlv_error_clear();
	mlv_datadir_release(&then);
	mlv_problems_release(&ignored);
	return matched ? trained : NULL;
}

/*
 * Say that `model` is out of date with the input of `path_e` (`body`
 * says how, from the section on): a notice, or a problem under
 * strict-inputs. The hint is to retrain; `removed`: the input is gone,
 * so the record is written anew.
 */
static void add_stale(struct checker *c, const char *model,
		      const struct mlv_sidecar_entry *path_e, const char *body, int removed)
{
	struct mlv_problems *to = c->policy.strict_inputs ? c->problems : c->stale;
	struct mlv_buf hint = MLV_BUF_INIT;
	const char *what = !strcmp(path_e->section, "data") ? "data" :
			   !strcmp(path_e->section, "config") ? "config" : "lockfile";

	if (!to)
		return;
	if (removed)
		sidecar_hint(&hint, "init", model, " --data <path> --config <path> --force");
	else
		fix_hint(&hint, model);
	mlv_problems_add(to, "%s.mlv:%u: %s is out of date with its %s: %s; %sretrain "
			 "it, then record it with: %s", model, path_e->line, model, what,
			 body, c->policy.strict_inputs ? "policy strict-inputs refuses a "
			 "model out of date with its inputs: " : "", hint.ptr);
	mlv_buf_release(&hint);
}

/* The commit where the model was trained (after stale_since()), for
 * messages: 12 hex digits. */
static const char *trained_hex(char hex[GIT_OID_HEXSZ + 1], const struct checker *c)
{
	git_oid_tostr(hex, 13, git_commit_id(c->trained));
	return hex;
}

/*
 * A path the sidecar names must be in the commit with the recorded oid,
 * unless it moved on since the model was trained (a notice).
 */
static void check_recorded_path(struct checker *c, const char *model,
				const struct mlv_sidecar_entry *path_e,
				const char *recorded, const char *what)
{
	struct mlv_buf hint = MLV_BUF_INIT, body = MLV_BUF_INIT;
	char hex[MLV_OID_HEXSZ + 1], commit[GIT_OID_HEXSZ + 1];
	int is_pointer, err;

	if (!recorded || !mlv_repo_path_is_safe(path_e->value))
		return; /* the parser reported it */
	err = content_oid(hex, &is_pointer, c, NULL, path_e->value);
	if ((err == MLV_ENOTFOUND || (err == 0 && strcmp(recorded + 7, hex))) &&
	    stale_since(c, model, path_e->value, recorded)) {
		if (err)
			mlv_buf_printf(&body, "%s '%s' is not in this commit; it was %s "
				       "when the model was trained at commit %s", what,
				       path_e->value, recorded, trained_hex(commit, c));
		else
			mlv_buf_printf(&body, "%s '%s' is now %s sha256:%s, not %s as when "
				       "the model was trained at commit %s", what,
				       path_e->value, held(c), hex, recorded,
				       trained_hex(commit, c));
		add_stale(c, model, path_e, body.ptr, err != 0);
	} else if (err == MLV_ENOTFOUND)
		mlv_problems_add(c->problems, "%s.mlv:%u: %s '%s' is not in this "
				 "commit; git add it, or fix the path", model,
				 path_e->line, what, path_e->value);
	else if (err == MLV_EINVALID)
		mlv_problems_add(c->problems, "%s.mlv:%u: %s: %s; commit the file "
				 "itself", model, path_e->line, what, mlv_error_last());
	else if (err < 0)
		mlv_problems_add(c->problems, "%s.mlv:%u: cannot read %s '%s': %s",
				 model, path_e->line, what, path_e->value,
				 mlv_error_last());
	else if (strcmp(recorded + 7, hex))
		mlv_problems_add(c->problems, "%s.mlv:%u: %s '%s' is recorded as %s "
				 "but %s sha256:%s; fix with: %s", model,
				 path_e->line, what, path_e->value, recorded, held(c), hex,
				 fix_hint(&hint, model));
	mlv_buf_release(&hint);
	mlv_buf_release(&body);
}


/* The data directory `dir` as the snapshot holds it (only the summary,
 * when `summary` and a tree cache knows it). */
static int snap_datadir(struct mlv_datadir *out, struct mlv_problems *found,
			struct checker *c, const char *dir, int summary)
{
	struct mlv_datadir_cache *cache;
	int err;

	if ((err = datadir_cache(&cache, c)) == 0) {
		if (c->snap->index)
			err = mlv_datadir_from_index_cached(out, found, cache,
							    c->snap->index, dir);
		else if (summary)
			err = mlv_datadir_summary_from_tree(out, found, cache,
							    c->snap->tree, dir);
		else
			err = mlv_datadir_from_tree_cached(out, found, cache,
							   c->snap->tree, dir);
	}
	return err;
}

/*
 * What changed in `dir` since the version the record describes, when
 * that is the one in `then` (a tree; NULL: none), after `since`: "; since
 * the record, 2 files differ: ...".
 */
static void datadir_changes(struct mlv_buf *out, struct checker *c, git_tree *then,
			    const char *since, const char *dir, const char *recorded,
			    struct mlv_datadir *now)
{
	struct mlv_datadir before = MLV_DATADIR_INIT;
	struct mlv_problems ignored = MLV_PROBLEMS_INIT;
	struct mlv_datadir_cache *cache;
	struct mlv_buf what = MLV_BUF_INIT;

	if (!then || datadir_cache(&cache, c) < 0 ||
	    mlv_datadir_from_tree_cached(&before, &ignored, cache, then, dir) < 0 ||
	    strcmp(before.oid, recorded + 7))
		goto done;
	if (!now->files && snap_datadir(now, &ignored, c, dir, 0) < 0)
		goto done;
	mlv_datadir_describe_changes(&what, &before, now, dir, 3);
	if (what.len)
		mlv_buf_printf(out, "; %s, %s", since, what.ptr);
done:
	mlv_error_clear();
	mlv_datadir_release(&before);
	mlv_problems_release(&ignored);
	mlv_buf_release(&what);
}

/* A recorded count: the number, or -1 when absent or malformed (which the
 * parser reported). */
static long long recorded_count(const char *v)
{
	unsigned long long u;
	long long n = -1;
	char *end;

	if (v && *v >= '0' && *v <= '9') {
		u = strtoull(v, &end, 10);
		if (!*end && u <= (unsigned long long)LLONG_MAX)
			n = (long long)u;
	}
	return n;
}

/* A [data] directory must hold, in the snapshot, the files the record
 * describes: the manifest's oid, their number and their total size;
 * unless it moved on since the model was trained (a notice). */
static void check_recorded_dir(struct checker *c, const char *model,
			       const struct mlv_sidecar *sc,
			       const struct mlv_sidecar_entry *path_e)
{
	struct mlv_datadir now = MLV_DATADIR_INIT;
	struct mlv_problems found = MLV_PROBLEMS_INIT;
	struct mlv_buf hint = MLV_BUF_INIT, changes = MLV_BUF_INIT, body = MLV_BUF_INIT;
	const char *dir = path_e->value, *name = path_e->name;
	char commit[GIT_OID_HEXSZ + 1];
	git_tree *trained;
	const char *recorded = mlv_sidecar_get(sc, "data", name, "oid");
	long long files = recorded_count(mlv_sidecar_get(sc, "data", name, "files"));
	long long size = recorded_count(mlv_sidecar_get(sc, "data", name, "size"));
	size_t i;
	int err;

	if (!recorded || strlen(recorded) != 7 + MLV_OID_HEXSZ || files < 0 ||
	    size < 0 || mlv_sidecar_data_path_problem(dir))
		goto done; /* the parser reported it */
	err = snap_datadir(&now, &found, c, dir, 1);
	if (err == MLV_EINVALID) {
		for (i = 0; i < found.n; i++)
			mlv_problems_add(c->problems, "%s.mlv:%u: [data \"%s\"] %s",
					 model, path_e->line, name, found.items[i]);
	} else if (err < 0) {
		mlv_problems_add(c->problems, "%s.mlv:%u: [data \"%s\"] cannot read "
				 "directory '%s': %s", model, path_e->line, name, dir,
				 mlv_error_last());
	} else if (strcmp(recorded + 7, now.oid) &&
		   (trained = stale_since(c, model, dir, recorded))) {
		datadir_changes(&changes, c, trained, "since then", dir, recorded, &now);
		mlv_buf_printf(&body, "[data \"%s\"] directory '%s' is now %s sha256:%s "
			       "(%zu files, %llu bytes), not %s (%lld files, %lld bytes) "
			       "as when the model was trained at commit %s%s", name, dir,
			       held(c), now.oid, now.count, (unsigned long long)now.size,
			       recorded, files, size, trained_hex(commit, c), changes.ptr);
		add_stale(c, model, path_e, body.ptr, 0);
	} else if (strcmp(recorded + 7, now.oid)) {
		datadir_changes(&changes, c, c->snap->parent, "since the record", dir,
				recorded, &now);
		mlv_problems_add(c->problems, "%s.mlv:%u: [data \"%s\"] directory "
				 "'%s' is recorded as %s (%lld files, %lld bytes) but "
				 "%s sha256:%s (%zu files, %llu bytes)%s; fix with: %s",
				 model, path_e->line, name, dir, recorded, files, size,
				 held(c), now.oid, now.count,
				 (unsigned long long)now.size, changes.ptr,
				 fix_hint(&hint, model));
	} else if ((unsigned long long)files != now.count ||
		   (unsigned long long)size != now.size) {
		mlv_problems_add(c->problems, "%s.mlv:%u: [data \"%s\"] directory "
				 "'%s' has the recorded oid but holds %zu files, %llu "
				 "bytes, not files = %lld, size = %lld; fix with: %s",
				 model, path_e->line, name, dir, now.count,
				 (unsigned long long)now.size, files, size,
				 fix_hint(&hint, model));
	}
done:
	mlv_datadir_release(&now);
	mlv_problems_release(&found);
	mlv_buf_release(&hint);
	mlv_buf_release(&changes);
	mlv_buf_release(&body);
}

static int has_section(const struct mlv_sidecar *sc, const char *section)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		if (!strcmp(sc->entries[i].section, section))
			return 1;
	return 0;
}

static void check_version_bump(struct checker *c, const char *model,
			       const char *sidecar_path,
			       const struct mlv_sidecar *sc)
{
	struct mlv_sidecar old = MLV_SIDECAR_INIT;
	struct mlv_problems ignored = MLV_PROBLEMS_INIT;
	const char *now = mlv_sidecar_get(sc, "model", NULL, "version");
	struct mlv_buf q = MLV_BUF_INIT;
	const char *before;
	git_oid id, now_id;

	if (!c->snap->parent || snap_lookup(&id, c->snap, c->snap->parent, model) < 0)
		return; /* a new model: any version will do */
	if (snap_lookup(&now_id, c->snap, NULL, model) == 0 &&
	    git_oid_equal(&id, &now_id))
		return; /* the model is the same: only its record changed */
	if (!now) {
		mlv_problems_add(c->problems, "%s: [model] version is required when a "
				 "model changes (policy require-version-bump); set "
				 "it with: %s", sidecar_path,
				 sidecar_hint(&q, "update", model, " --version X.Y.Z"));
		goto done;
	}
	load_sidecar(&old, &ignored, c, c->snap->parent, sidecar_path);
	before = mlv_sidecar_get(&old, "model", NULL, "version");
	if (before && mlv_semver_is_valid(before) && mlv_semver_is_valid(now) &&
	    mlv_semver_compare(now, before) <= 0)
		mlv_problems_add(c->problems, "%s: [model] version %s must be higher "
				 "than the previous %s (policy "
				 "require-version-bump); fix with: %s",
				 sidecar_path, now, before,
				 sidecar_hint(&q, "update", model, " --version <higher>"));
done:
	mlv_sidecar_release(&old);
	mlv_problems_release(&ignored);
	mlv_buf_release(&q);
}

static void check_model(struct checker *c, const char *model)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_buf sidecar_path = MLV_BUF_INIT, key = MLV_BUF_INIT,
		       hint = MLV_BUF_INIT, q = MLV_BUF_INIT;
	char hex[MLV_OID_HEXSZ + 1];
	const char *v;
	int is_pointer = 0, err;
	size_t i;

	mlv_buf_printf(&key, "\n%s\n", model);
	if (strstr(c->checked.ptr, key.ptr))
		goto done;
	mlv_buf_puts(&c->checked, key.ptr + 1);

	mlv_buf_printf(&sidecar_path, "%s%s", model, MLV_SIDECAR_SUFFIX);
	if ((err = content_oid(hex, &is_pointer, c, NULL, model)) < 0) {
		if (err == MLV_ENOTFOUND)
			mlv_problems_add(c->problems, "%s: no such model in this "
					 "commit", model);
		else
			mlv_problems_add(c->problems, "%s: cannot read the model: %s",
					 model, mlv_error_last());
		goto done;
	}
	if (!is_pointer)
		mlv_problems_add(c->problems, "%s: the model is %s its bytes, not as "
				 "an mlv pointer; run git mlv install, then: "
				 "git add %s", model, held(c),
				 mlv_quote_pathspec(&q, model));
	err = load_sidecar(&sc, c->problems, c, NULL, sidecar_path.ptr);
	if (err == MLV_ENOTFOUND) {
		mlv_problems_add(c->problems, "%s: model without a sidecar: %s is not "
				 "in this commit; write it with: %s",
				 model, sidecar_path.ptr,
				 sidecar_hint(&hint, "init", model,
					      " --data <path> --config <path>"));
		goto done;
	}
	if (err < 0 && err != MLV_EINVALID) {
		mlv_problems_add(c->problems, "%s: %s", sidecar_path.ptr,
				 mlv_error_last());
		goto done;
	}

	for (i = 0; i < N_SECTIONS; i++)
		if ((c->policy.required & section_bits[i].bit) &&
		    !has_section(&sc, section_bits[i].name))
			mlv_problems_add(c->problems, "%s: required section [%s%s] is "
					 "missing (policy in " MLV_POLICY_FILE ")",
					 sidecar_path.ptr, section_bits[i].name,
					 section_bits[i].bit == MLV_SECTION_DATA ?
					 " \"NAME\"" : "");

	if ((v = mlv_sidecar_get(&sc, "model", NULL, "oid")) && strlen(v) > 7 &&
	    strcmp(v + 7, hex))
		mlv_problems_add(c->problems, "%s:%u: [model] oid is %s but %s is "
				 "%s sha256:%s; fix with: %s", sidecar_path.ptr,
				 mlv_sidecar_find(&sc, "model", NULL, "oid")->line, v,
				 model, held(c), hex, fix_hint(&hint, model));

	for (i = 0; i < sc.n; i++) {
		const struct mlv_sidecar_entry *e = &sc.entries[i];
		struct mlv_buf what = MLV_BUF_INIT;

		if (!strcmp(e->section, "data") && !strcmp(e->key, "path") &&
		    mlv_sidecar_path_is_dir(e->value)) {
			check_recorded_dir(c, model, &sc, e);
		} else if (!strcmp(e->section, "data") && !strcmp(e->key, "path")) {
			mlv_buf_printf(&what, "[data \"%s\"]", e->name);
			check_recorded_path(c, model, e,
					    mlv_sidecar_get(&sc, "data", e->name, "oid"),
					    what.ptr);
		} else if (!strcmp(e->section, "data") && !strcmp(e->key, "uri") &&
			   !c->policy.allow_external_data) {
			mlv_problems_add(c->problems, "%s:%u: [data \"%s\"] uses external "
					 "data '%s', which policy allow-external-data "
					 "forbids; commit the data and use path =",
					 sidecar_path.ptr, e->line, e->name, e->value);
		} else if (!strcmp(e->section, "config") && !strcmp(e->key, "path")) {
			check_recorded_path(c, model, e,
					    mlv_sidecar_get(&sc, "config", NULL, "oid"),
					    "[config]");
		} else if (!strcmp(e->section, "environment") &&
			   !strcmp(e->key, "lockfile")) {
			check_recorded_path(c, model, e,
					    mlv_sidecar_get(&sc, "environment", NULL,
							    "lockfile-oid"),
					    "[environment] lockfile");
		}
		mlv_buf_release(&what);
	}

	if (c->policy.name_template) {
		v = mlv_sidecar_get(&sc, "model", NULL, "name");
		if (!v || !mlv_policy_name_matches(c->policy.name_template, v))
			mlv_problems_add(c->problems, "%s: [model] name '%s' does not "
					 "follow the naming template '%s' of "
					 MLV_POLICY_FILE, sidecar_path.ptr, v ? v : "",
					 c->policy.name_template);
	}
	if (c->policy.require_version_bump)
		check_version_bump(c, model, sidecar_path.ptr, &sc);
done:
	forget_trained(c);
	mlv_sidecar_release(&sc);
	mlv_buf_release(&sidecar_path);
	mlv_buf_release(&key);
	mlv_buf_release(&hint);
	mlv_buf_release(&q);
}

/* c->attrs, looking at the index the snapshot's attributes come from. */
static int open_attrs(struct checker *c)
{
	git_index *index = NULL;
	int err;

	if ((err = git_repository_open_ext(&c->attrs, git_repository_path(c->repo->git),
					   GIT_REPOSITORY_OPEN_BARE |
					   GIT_REPOSITORY_OPEN_NO_SEARCH, NULL)) < 0 ||
	    (!c->snap->index && (err = git_repository_index(&index, c->repo->git)) < 0)) {
		err = mlv_error_from_git(err, "cannot open the repository for attributes");
		goto done;
	}
	/* the objects git shows us: a pre-receive check's are in quarantine */
	git_repository_set_odb(c->attrs, c->odb);
	git_repository_set_index(c->attrs, c->snap->index ? c->snap->index : index);
done:
	git_index_free(index);
	return err;
}

static int load_policy(struct checker *c)
{
	git_odb_object *obj = NULL;
	git_oid id;
	int err;

	mlv_policy_init(&c->policy);
	if (snap_lookup(&id, c->snap, NULL, MLV_POLICY_FILE) < 0)
		return 0;
	if ((err = read_blob(&obj, c, &id)) < 0)
		return err;
	mlv_policy_parse(&c->policy, c->problems, MLV_POLICY_FILE,
			 git_odb_object_data(obj), git_odb_object_size(obj));
	git_odb_object_free(obj);
	return 0;
}

static void check_delta(struct checker *c, const git_diff_delta *d)
{
	struct mlv_buf sidecar = MLV_BUF_INIT, q = MLV_BUF_INIT;
	const char *path;
	char *model = NULL;
	git_oid id;

	if (d->status == GIT_DELTA_DELETED) {
		path = d->old_file.path;
		if ((model = model_of_sidecar(path))) {
			/* a model that stays needs the sidecar that went */
			if (snap_lookup(&id, c->snap, NULL, model) == 0 &&
			    is_model(c, model))
				check_model(c, model);
		} else if (is_model(c, path)) {
			mlv_buf_printf(&sidecar, "%s%s", path, MLV_SIDECAR_SUFFIX);
			if (snap_lookup(&id, c->snap, NULL, sidecar.ptr) == 0)
				mlv_problems_add(c->problems, "%s: the model was removed "
						 "but its sidecar stays; remove it too: "
						 "git rm %s", sidecar.ptr,
						 mlv_quote_pathspec(&q, sidecar.ptr));
		} else {
			mlv_buf_printf(&c->changed, "%s\n", path);
		}
		goto done;
	}
	path = d->new_file.path;
	if ((model = model_of_sidecar(path))) {
		if (snap_lookup(&id, c->snap, NULL, model) < 0)
			mlv_problems_add(c->problems, "%s: sidecar without its model: %s "
					 "is not in this commit; add the model, or "
					 "unstage the sidecar with: git rm --cached %s",
					 path, model, mlv_quote_pathspec(&q, path));
		else if (is_model(c, model))
			check_model(c, model);
	} else if (is_model(c, path)) {
		check_model(c, path);
	} else {
		mlv_buf_printf(&c->changed, "%s\n", path);
	}
done:
	free(model);
	mlv_buf_release(&sidecar);
	mlv_buf_release(&q);
}

/* 1 when the sidecar records a path (data, config, lockfile) the commit
 * changes. */
static int records_changed_path(struct checker *c, const char *sidecar_path)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems ignored = MLV_PROBLEMS_INIT;
	struct mlv_buf key = MLV_BUF_INIT;
	size_t i;
	int found = 0;

	load_sidecar(&sc, &ignored, c, NULL, sidecar_path);
	for (i = 0; i < sc.n && !found; i++) {
		const struct mlv_sidecar_entry *e = &sc.entries[i];

		if (strcmp(e->key, "path") && (strcmp(e->section, "environment") ||
					       strcmp(e->key, "lockfile")))
			continue;
		/* a directory changes with any file under it: a line of
		 * c->changed that starts with it */
		mlv_buf_clear(&key);
		mlv_buf_printf(&key, mlv_sidecar_path_is_dir(e->value) ? "\n%s" :
			       "\n%s\n", e->value);
		found = strstr(c->changed.ptr, key.ptr) != NULL;
	}
	mlv_buf_release(&key);
	mlv_problems_release(&ignored);
	mlv_sidecar_release(&sc);
	return found;
}

/*
 * A sidecar of the snapshot: check its model when it records a changed
 * path. The model is out of date with that input then, which is a notice;
 * under strict-inputs it is a problem, and so is anything else wrong with
 * the record, so that new data or config cannot slip in under an old one.
 */
static void check_sidecar_of_unchanged_model(struct checker *c,
					     const char *sidecar_path)
{
	struct mlv_problems ignored = MLV_PROBLEMS_INIT, *problems = c->problems;
	char *model = model_of_sidecar(sidecar_path);
	git_oid id;

	if (!model)
		return;
	if (snap_lookup(&id, c->snap, NULL, model) == 0 && is_model(c, model) &&
	    records_changed_path(c, sidecar_path)) {
		/* the commit that trained it answered for the rest */
		if (!c->policy.strict_inputs)
			c->problems = &ignored;
		check_model(c, model);
		c->problems = problems;
	}
	mlv_problems_release(&ignored);
	free(model);
}

static int sidecar_in_tree(const char *root, const git_tree_entry *te,
			   void *payload)
{
	struct mlv_buf path = MLV_BUF_INIT;

	if (git_tree_entry_type(te) == GIT_OBJECT_BLOB) {
		mlv_buf_printf(&path, "%s%s", root, git_tree_entry_name(te));
		check_sidecar_of_unchanged_model(payload, path.ptr);
		mlv_buf_release(&path);
	}
	return 0;
}

/* Check every model whose sidecar records a path in c->changed (see
 * check_sidecar_of_unchanged_model()). */
static int check_changed_inputs(struct checker *c)
{
	size_t i, n;
	int err;

	if (c->changed.len <= 1)
		return 0;
	if (!c->snap->index) {
		if ((err = git_tree_walk(c->snap->tree, GIT_TREEWALK_PRE,
					 sidecar_in_tree, c)) < 0)
			return mlv_error_from_git(err, "cannot walk the tree");
		return 0;
	}
	n = git_index_entrycount(c->snap->index);
	for (i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(c->snap->index, i);

		if (GIT_INDEX_ENTRY_STAGE(e) == 0)
			check_sidecar_of_unchanged_model(c, e->path);
	}
	return 0;
}

int mlv_policy_check(struct mlv_problems *problems, struct mlv_repo *r,
		     const struct mlv_snapshot *snap)
{
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	struct checker c;
	git_diff *diff = NULL;
	size_t i, n;
	int err;

	memset(&c, 0, sizeof(c));
	c.repo = r;
	c.snap = snap;
	c.problems = problems;
	c.stale = snap->stale;
	mlv_buf_init(&c.checked, 0);
	mlv_buf_putc(&c.checked, '\n');
	mlv_buf_init(&c.changed, 0);
	mlv_buf_putc(&c.changed, '\n');
	mlv_policy_init(&c.policy);
	if ((err = git_repository_odb(&c.odb, r->git)) < 0) {
		err = mlv_error_from_git(err, "cannot open the object database");
		goto done;
	}
	if ((err = open_attrs(&c)) < 0 || (err = load_policy(&c)) < 0)
		goto done;
	if (snap->only) {
		check_model(&c, snap->only);
		goto done;
	}
	opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (snap->index)
		err = git_diff_tree_to_index(&diff, r->git,
					     snap->check_all ? NULL : snap->parent,
					     snap->index, &opts);
	else
		err = git_diff_tree_to_tree(&diff, r->git,
					    snap->check_all ? NULL : snap->parent,
					    snap->tree, &opts);
	if (err < 0) {
		err = mlv_error_from_git(err, "cannot compare trees");
		goto done;
	}
	/* git_diff_foreach() would look up a diff driver, attributes and
	 * all, for every delta: 70 us each, seconds for a big data set */
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++)
		check_delta(&c, git_diff_get_delta(diff, i));
	err = check_changed_inputs(&c);
done:
	if (c.own_datadirs) {
		if (err == 0) /* derived data: a cache that cannot be written */
			mlv_datadir_cache_save(c.datadirs); /* costs time only */
		mlv_datadir_cache_free(c.datadirs);
	}
	git_diff_free(diff);
	git_repository_free(c.attrs);
	git_odb_free(c.odb);
	mlv_policy_release(&c.policy);
	mlv_buf_release(&c.checked);
	mlv_buf_release(&c.changed);
	return err;
}

int mlv_policy_check_commit(struct mlv_problems *problems, struct mlv_repo *r,
			    const git_oid *id)
{
	return mlv_policy_check_commit_ext(problems, NULL, r, id, NULL);
}

int mlv_policy_check_commit_ext(struct mlv_problems *problems, struct mlv_problems *stale,
				struct mlv_repo *r, const git_oid *id,
				struct mlv_datadir_cache *datadirs)
{
	struct mlv_snapshot snap = { NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL };
	git_commit *commit = NULL, *parent = NULL;
	git_tree *tree = NULL, *parent_tree = NULL;
	int err;

	if ((err = git_commit_lookup(&commit, r->git, id)) < 0 ||
	    (err = git_commit_tree(&tree, commit)) < 0) {
		err = mlv_error_from_git(err, "cannot read commit");
		goto done;
	}
	if (git_commit_parentcount(commit) > 0 &&
	    ((err = git_commit_parent(&parent, commit, 0)) < 0 ||
	     (err = git_commit_tree(&parent_tree, parent)) < 0)) {
		err = mlv_error_from_git(err, "cannot read parent commit");
		goto done;
	}
	snap.tree = tree;
	snap.commit_id = id;
	snap.parent = parent_tree;
	snap.datadirs = datadirs;
	snap.stale = stale;
	err = mlv_policy_check(problems, r, &snap);
done:
	git_tree_free(tree);
	git_tree_free(parent_tree);
	git_commit_free(parent);
	git_commit_free(commit);
	return err;
}
