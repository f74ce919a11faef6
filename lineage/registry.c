#include <stdlib.h>
#include <string.h>

#include "mlv/error.h"
#include "mlv/registry.h"
#include "mlv/repo.h"
#include "mlv/sidecar.h"
#include "mlv/util.h"

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-';
}

int mlv_registry_name_is_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || name[0] == '-' || name[0] == '/' || name[len - 1] == '/' ||
	    strstr(name, "//"))
		return 0;
	for (i = 0; i < len; i++)
		if (!name_char(name[i]))
			return 0;
	return 1;
}

int mlv_registry_stage_is_valid(const char *stage)
{
	size_t i, len = strlen(stage);

	if (!len || stage[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!name_char(stage[i]) || stage[i] == '/')
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

static void event_release(struct mlv_registry_event *e)
{
	free(e->tag);
	free(e->name);
	free(e->version);
	free(e->stage);
	free(e->tagger_name);
	free(e->tagger_email);
	free(e->message);
}

void mlv_registry_release(struct mlv_registry *reg)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		event_release(&reg->events[i]);
	free(reg->events);
	memset(reg, 0, sizeof(*reg));
}

struct load {
	struct mlv_registry *reg;
	git_repository *repo;
	const char *only; /* just this name's tags, or NULL */
	int err;
};

static char *dup_or_null(const char *s)
{
	return s ? mlv_xstrdup(s) : NULL;
}

static int load_tag(const char *refname, void *payload)
{
	struct load *l = payload;
	struct mlv_registry_tag t = MLV_REGISTRY_TAG_INIT;
	struct mlv_registry_event *e;
	git_object *obj = NULL, *peeled = NULL;
	const git_signature *sig;
	git_oid id;
	int err;

	if ((err = mlv_registry_parse_tag(&t, refname + strlen("refs/tags/"))) < 0) {
		if (err == MLV_EINVALID)
			l->reg->skipped++;
		mlv_error_clear();
		goto done;
	}
	if (l->only && strcmp(t.name, l->only))
		goto done; /* another model: its tag object is never read */
	if (git_reference_name_to_id(&id, l->repo, refname) < 0 ||
	    git_object_lookup(&obj, l->repo, &id, GIT_OBJECT_ANY) < 0 ||
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		l->reg->skipped++; /* a tag of a blob, or of a missing object */
		goto done;
	}
	if (l->reg->n == l->reg->alloc) {
		l->reg->alloc = l->reg->alloc ? 2 * l->reg->alloc : 256;
		l->reg->events = realloc(l->reg->events,
					 l->reg->alloc * sizeof(*l->reg->events));
		if (!l->reg->events)
			abort();
	}
	e = &l->reg->events[l->reg->n++];
	memset(e, 0, sizeof(*e));
	e->kind = t.kind;
	e->tag = mlv_xstrdup(refname + strlen("refs/tags/"));
	e->name = mlv_xstrdup(t.name);
	e->version = dup_or_null(t.version);
	e->stage = dup_or_null(t.stage);
	e->counter = t.counter;
	e->commit = *git_object_id(peeled);
	e->tag_id = id;
	if (git_object_type(obj) == GIT_OBJECT_TAG &&
	    (sig = git_tag_tagger((git_tag *)obj))) {
		e->annotated = 1;
		e->message = dup_or_null(git_tag_message((git_tag *)obj));
	} else {
		sig = git_commit_committer((git_commit *)peeled);
		e->annotated = git_object_type(obj) == GIT_OBJECT_TAG;
		if (e->annotated)
			e->message = dup_or_null(git_tag_message((git_tag *)obj));
	}
	e->time = (int64_t)sig->when.time;
	e->offset = sig->when.offset;
	e->tagger_name = dup_or_null(sig->name);
	e->tagger_email = dup_or_null(sig->email);
done:
	git_object_free(peeled);
	git_object_free(obj);
	mlv_registry_tag_release(&t);
	return 0;
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
	struct load l = { reg, repo, name, 0 };
	int err;

	/* tags are read to be shown, not to be trusted: like git, do not
	 * rehash every object read (what is registered is checked where it
	 * is used: the commit check of register, verify, pre-receive) */
	mlv_repo_fast_reads();
	if ((err = git_reference_foreach_glob(repo, "refs/tags/*", load_tag, &l)) < 0) {
		err = mlv_error_from_git(err, "cannot read the tags");
		goto done;
	}
	if (reg->n)
		qsort(reg->events, reg->n, sizeof(*reg->events), by_order);
	resolve_versions(reg);
done:
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

		mlv_registry_name_of(&base, path);
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
