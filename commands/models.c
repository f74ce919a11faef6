/*
 * The registry's readers:
 *
 *   git mlv models [<name>] [--format text|json]
 *   git mlv registry log [<name>] [--as-of <date>] [--format text|json]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/json.h"
#include "mlv/lineage.h"
#include "mlv/pager.h"
#include "mlv/quote.h"
#include "mlv/registry.h"
#include "mlv/run.h"
#include "mlv/sidecar.h"
#include "mlv/util.h"

#define MODELS_USAGE "models [<name>] [--format text|json] [--no-pager]"
#define REGISTRY_USAGE \
	"registry log [<name>] [--as-of <date>] [--format text|json] [--no-pager]"

static const char *const kind_names[] = { "register", "deregister", "assign",
					  "unassign", "deprecate" };

/* ISO 8601 in the tagger's zone; "@<seconds>" for a time no calendar
 * date stands for. */
static void put_time(struct mlv_buf *out, int64_t when, int offset)
{
	if (mlv_format_time(out, when, offset) < 0)
		mlv_buf_printf(out, "@%lld", (long long)when);
}

static json_t *time_json(int64_t when, int offset)
{
	struct mlv_buf t = MLV_BUF_INIT;
	json_t *v;

	put_time(&t, when, offset);
	v = json_string(t.ptr);
	mlv_buf_release(&t);
	return v;
}

/* `e`, with the model its commit holds read (the registry cache knows it
 * after the first time). */
static const struct mlv_registry_event *with_model(struct mlv_registry *reg,
						   git_repository *repo,
						   const struct mlv_registry_event *e)
{
	struct mlv_registry_event *own = &reg->events[e - reg->events];

	mlv_registry_read_model(reg, repo, own);
	return own;
}

static json_t *commit_json(const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	return json_string(git_oid_tostr(hex, sizeof(hex), id));
}

/* {"version", "commit", "tag", "metrics"} of a registered version. */
static json_t *version_json(struct mlv_registry *reg, git_repository *repo,
			    const struct mlv_registry_event *e)
{
	json_t *o = json_object();

	e = with_model(reg, repo, e);

	mlv_json_set_string(o, "version", e->version);
	mlv_json_set(o, "commit", commit_json(&e->commit));
	mlv_json_set_string(o, "tag", e->tag);
	mlv_json_set(o, "date", time_json(e->time, e->offset));
	mlv_json_set(o, "metrics", mlv_registry_metrics_json(e));
	return o;
}

/* The state of one model as JSON: with `all_versions`, every version. */
static json_t *model_json(struct mlv_registry *reg, git_repository *repo,
			  const struct mlv_registry_model *m, int all_versions)
{
	const struct mlv_registry_version_state *latest = mlv_registry_latest(m);
	json_t *o = json_object(), *stages = json_object(), *versions;
	size_t i, j;

	mlv_json_set_string(o, "name", m->name);
	mlv_json_set_string(o, "path",
			    latest ? with_model(reg, repo, latest->registered)->path : NULL);
	mlv_json_set(o, "latest", latest ? version_json(reg, repo, latest->registered)
					 : json_null());
	for (i = 0; i < m->nstages; i++) {
		const struct mlv_registry_event *a = with_model(reg, repo, m->stages[i].assigned);
		json_t *s = json_object();

		mlv_json_set_string(s, "version", a->version);
		mlv_json_set(s, "commit", commit_json(&a->commit));
		mlv_json_set_string(s, "tag", a->tag);
		mlv_json_set(s, "since", time_json(a->time, a->offset));
		mlv_json_set_string(s, "by", a->tagger_name);
		mlv_json_set(s, "metrics", mlv_registry_metrics_json(a));
		mlv_json_set(stages, m->stages[i].stage, s);
	}
	mlv_json_set(o, "stages", stages);
	mlv_json_set(o, "deprecated", json_boolean(m->deprecated != NULL));
	if (all_versions) {
		versions = json_array();
		for (i = m->nversions; i > 0; i--) {
			const struct mlv_registry_version_state *v = &m->versions[i - 1];
			json_t *vj = version_json(reg, repo, v->registered), *in = json_array();

			mlv_json_set(vj, "deregistered", json_boolean(v->deregistered));
			for (j = 0; j < m->nstages; j++)
				if (git_oid_equal(&m->stages[j].assigned->commit,
						  &v->registered->commit))
					json_array_append_new(in, json_string(m->stages[j].stage));
			mlv_json_set(vj, "stages", in);
			json_array_append_new(versions, vj);
		}
		mlv_json_set(o, "versions", versions);
	}
	return o;
}

static void print_metrics(const json_t *metrics)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)metrics, key, v) {
		printf(" %s=", mlv_quote_display(key));
		if (json_is_string(v))
			fputs(mlv_quote_display(json_string_value(v)), stdout);
		else
			print_value(stdout, v);
	}
}

static void print_model(const json_t *m, int color)
{
	const json_t *latest = json_object_get(m, "latest"), *stages, *s, *v;
	const char *stage;
	size_t i;

	printf("%s%s%s", color ? "\033[1m" : "",
	       mlv_quote_display(json_string_value(json_object_get(m, "name"))),
	       color ? "\033[m" : "");
	if (json_string_value(json_object_get(m, "path")))
		printf(" (%s)", mlv_quote_display(json_string_value(json_object_get(m, "path"))));
	if (json_is_true(json_object_get(m, "deprecated")))
		printf(" [deprecated]");
	putchar('\n');
	if (json_is_object(latest)) {
		printf("  %-10s v%s %.12s", "latest",
		       mlv_quote_display(json_string_value(json_object_get(latest, "version"))),
		       json_string_value(json_object_get(latest, "commit")));
		print_metrics(json_object_get(latest, "metrics"));
		putchar('\n');
	}
	stages = json_object_get(m, "stages");
	json_object_foreach((json_t *)stages, stage, s) {
		const char *version = json_string_value(json_object_get(s, "version"));

		printf("  %-10s %s%s %.12s", mlv_quote_display(stage), version ? "v" : "",
		       version ? mlv_quote_display(version) : "(unregistered commit)",
		       json_string_value(json_object_get(s, "commit")));
		print_metrics(json_object_get(s, "metrics"));
		printf("  since %s by %s\n", json_string_value(json_object_get(s, "since")),
		       mlv_quote_display(json_string_value(json_object_get(s, "by"))));
	}
	json_array_foreach(json_object_get(m, "versions"), i, v) {
		const json_t *in = json_object_get(v, "stages"), *st;
		size_t k;

		printf("  v%-9s %.12s %s",
		       mlv_quote_display(json_string_value(json_object_get(v, "version"))),
		       json_string_value(json_object_get(v, "commit")),
		       json_string_value(json_object_get(v, "date")));
		print_metrics(json_object_get(v, "metrics"));
		if (json_is_true(json_object_get(v, "deregistered")))
			printf(" [deregistered]");
		json_array_foreach(in, k, st)
			printf(" [%s]", mlv_quote_display(json_string_value(st)));
		putchar('\n');
	}
}

/* Options shared by the readers; a positional NAME (a registry name or a
 * model path). 0, or the exit code. */
static int reader_args(struct output_opts *out, const char **name, const char **as_of,
		       int argc, char **argv, const char *usage)
{
	const struct option all[] = {
		OPT_STRING(0, "as-of", as_of, "<date>",
			   "the events up to then, and who was in each stage"),
		OPT_OUTPUT(out, "text or json"),
		OPT_END(),
	};
	const struct option *opts = as_of ? all : all + 1; /* models: no --as-of */
	int rc;

	if ((rc = parse_options(&argc, argv, opts, usage)))
		return rc;
	if (argc > 2)
		return usage_with_options(usage, opts);
	*name = argc == 2 ? argv[1] : NULL;
	if (strcmp(out->format, "text") && strcmp(out->format, "json")) {
		fprintf(stderr, "fatal: unknown format '%s' (text or json)\n", out->format);
		return 129;
	}
	return 0;
}

/* The registry name the argument stands for: a model path becomes the
 * name .mlvconfig gives it, or its default one. */
static int name_arg(struct mlv_buf *out, struct mlv_registry *reg, struct mlv_repo *repo,
		    const char *arg)
{
	char *path;

	if (mlv_registry_load_names(reg, repo->git) < 0)
		return -1;
	if (!strchr(arg, '.')) {
		mlv_buf_sets(out, arg);
		return 0;
	}
	path = model_path(repo, arg); /* ./models/x.onnx, or from a subdirectory */
	mlv_registry_name_for(out, reg, path);
	free(path);
	return 0;
}

int cmd_models(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_registry reg = MLV_REGISTRY_INIT;
	struct mlv_registry_state state = MLV_REGISTRY_STATE_INIT;
	struct output_opts out = OUTPUT_OPTS_INIT;
	struct mlv_buf name = MLV_BUF_INIT;
	const char *arg = NULL;
	json_t *list = json_array(), *o = NULL, *m;
	size_t i;
	int rc, color;

	if ((rc = reader_args(&out, &arg, NULL, argc, argv, MODELS_USAGE)))
		goto done;
	if (mlv_repo_open(&repo) < 0 || (arg && name_arg(&name, &reg, &repo, arg) < 0) ||
	    mlv_registry_load_name(&reg, repo.git, arg ? name.ptr : NULL) < 0) {
		rc = die_with_error("");
		goto done;
	}
	mlv_registry_state(&state, &reg, arg ? name.ptr : NULL, INT64_MAX);
	if (arg && !state.n) {
		fprintf(stderr, "fatal: no model '%s' in the registry\n", name.ptr);
		rc = 1;
		goto done;
	}
	for (i = 0; i < state.n; i++)
		json_array_append_new(list, model_json(&reg, repo.git, &state.models[i], arg != NULL));
	if (!strcmp(out.format, "json")) {
		o = json_object();
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set(o, "models", json_incref(list));
		mlv_json_write(stdout, o, 2);
		putchar('\n');
	} else {
		mlv_pager_start(&repo, out.no_pager);
		color = mlv_pager_use_color(&repo, out.color);
		json_array_foreach(list, i, m)
			print_model(m, color);
	}
done:
	json_decref(o);
	json_decref(list);
	mlv_buf_release(&name);
	mlv_registry_state_release(&state);
	mlv_registry_save_cache(&reg);
	mlv_registry_release(&reg);
	mlv_repo_release(&repo);
	return rc;
}

/* A date as git reads one ("2026-12-03 12:00", "yesterday", "@1764763200"),
 * to seconds since the epoch: git rev-parse --since says it. */
static int parse_date(int64_t *out, const char *date)
{
	struct mlv_buf arg = MLV_BUF_INIT, text = MLV_BUF_INIT;
	const char *args[] = { "rev-parse", NULL, NULL };
	char *end;
	int rc = -1;

	mlv_buf_printf(&arg, "--since=%s", date);
	args[1] = arg.ptr;
	if (mlv_run_git(&text, args, MLV_RUN_QUIET | MLV_RUN_NO_STDIN) == 0 &&
	    !strncmp(text.ptr, "--max-age=", 10)) {
		*out = strtoll(text.ptr + 10, &end, 10);
		rc = (*end == '\n' || !*end) ? 0 : -1;
	}
	/* git reads what it cannot make out as "now": refuse that, unless
	 * now was meant */
	if (rc == 0 && strcmp(date, "now") && llabs((long long)(*out - (int64_t)time(NULL))) <= 2 &&
	    !strpbrk(date, "0123456789"))
		rc = -1;
	mlv_buf_release(&arg);
	mlv_buf_release(&text);
	return rc;
}

static json_t *event_json(const struct mlv_registry_event *e)
{
	json_t *o = json_object();

	mlv_json_set(o, "time", time_json(e->time, e->offset));
	mlv_json_set_string(o, "event", kind_names[e->kind]);
	mlv_json_set_string(o, "name", e->name);
	mlv_json_set_string(o, "version", e->version);
	mlv_json_set_string(o, "stage", e->stage);
	mlv_json_set(o, "commit", commit_json(&e->commit));
	mlv_json_set_string(o, "tag", e->tag);
	mlv_json_set_string(o, "tagger", e->tagger_name);
	mlv_json_set_string(o, "email", e->tagger_email);
	mlv_json_set_string(o, "message", e->message);
	return o;
}

static void print_event(const struct mlv_registry_event *e, int color)
{
	struct mlv_buf t = MLV_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	const char *nl = e->message ? strchr(e->message, '\n') : NULL;

	put_time(&t, e->time, e->offset);
	printf("%s %s%-10s%s %s", t.ptr, color ? "\033[33m" : "", kind_names[e->kind],
	       color ? "\033[m" : "", e->name);
	if (e->version)
		printf(" v%s", e->version);
	if (e->stage)
		printf(" %s %s", e->kind == MLV_REGISTRY_UNASSIGN ? "from" : "to", e->stage);
	printf(" at %.12s by %s <%s>", git_oid_tostr(hex, sizeof(hex), &e->commit),
	       e->tagger_name ? mlv_quote_display(e->tagger_name) : "?",
	       e->tagger_email ? mlv_quote_display(e->tagger_email) : "");
	if (e->message && *e->message) {
		mlv_buf_clear(&t);
		mlv_buf_put(&t, e->message, nl ? (size_t)(nl - e->message) : strlen(e->message));
		printf(": %s", mlv_quote_display(t.ptr));
	}
	putchar('\n');
	mlv_buf_release(&t);
}

int cmd_registry(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_registry reg = MLV_REGISTRY_INIT;
	struct mlv_registry_state state = MLV_REGISTRY_STATE_INIT;
	struct output_opts out = OUTPUT_OPTS_INIT;
	struct mlv_buf name = MLV_BUF_INIT;
	const char *arg = NULL, *as_of_text = NULL;
	int64_t as_of = INT64_MAX;
	json_t *events = json_array(), *o = NULL, *models = json_array();
	size_t i;
	int rc, color = 0;

	if (argc < 2 || strcmp(argv[1], "log")) {
		rc = usage_error(REGISTRY_USAGE);
		goto done;
	}
	if ((rc = reader_args(&out, &arg, &as_of_text, argc - 1, argv + 1, REGISTRY_USAGE)))
		goto done;
	if (as_of_text && parse_date(&as_of, as_of_text) < 0) {
		fprintf(stderr, "fatal: '%s' is not a date git understands (try "
				"2026-12-03T12:00:00 or '2 weeks ago')\n", as_of_text);
		rc = 129;
		goto done;
	}
	if (mlv_repo_open(&repo) < 0 || (arg && name_arg(&name, &reg, &repo, arg) < 0) ||
	    mlv_registry_load_name(&reg, repo.git, arg ? name.ptr : NULL) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (strcmp(out.format, "json")) {
		mlv_pager_start(&repo, out.no_pager);
		color = mlv_pager_use_color(&repo, out.color);
	}
	for (i = 0; i < reg.n; i++) {
		const struct mlv_registry_event *e = &reg.events[i];

		if (e->time > as_of || (arg && strcmp(e->name, name.ptr)))
			continue;
		if (!strcmp(out.format, "json"))
			json_array_append_new(events, event_json(e));
		else
			print_event(e, color);
	}
	if (as_of_text) {
		/* who was where at that moment */
		mlv_registry_state(&state, &reg, arg ? name.ptr : NULL, as_of);
		if (strcmp(out.format, "json"))
			printf("\nas of %s:\n", as_of_text);
		for (i = 0; i < state.n; i++) {
			json_t *mj = model_json(&reg, repo.git, &state.models[i], 0);

			if (strcmp(out.format, "json"))
				print_model(mj, color);
			json_array_append_new(models, mj);
		}
	}
	if (!strcmp(out.format, "json")) {
		o = json_object();
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set(o, "as_of", as_of_text ? json_integer((json_int_t)as_of)
						   : json_null());
		mlv_json_set(o, "events", json_incref(events));
		if (as_of_text)
			mlv_json_set(o, "models", json_incref(models));
		mlv_json_write(stdout, o, 2);
		putchar('\n');
	}
done:
	json_decref(o);
	json_decref(events);
	json_decref(models);
	mlv_buf_release(&name);
	mlv_registry_state_release(&state);
	mlv_registry_save_cache(&reg);
	mlv_registry_release(&reg);
	mlv_repo_release(&repo);
	return rc;
}
