/* git mlv find <expr> [--format text|json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/expr.h"
#include "mlv/history.h"
#include "mlv/json.h"
#include "mlv/lineage.h"
#include "mlv/pager.h"
#include "mlv/quote.h"
#include "mlv/sidecar.h"

#define FIND_USAGE \
	"find <expression> [--format text|json] [--no-pager] [--[no-]color]"

/* What a field name starts with, and the sidecar section it reads. */
static const struct {
	const char *prefix;
	const char *section;
} field_sections[] = {
	{ "params.", "params" },       { "metrics.", "metrics" },
	{ "env.", "environment" },     { "environment.", "environment" },
	{ "config.", "config" },       { "code.", "code" },
	{ "model.", "model" },         { "data.", "data" },
	{ "lockfile.", "environment" },
};

/* One model version, as the expression's fields see it. */
struct candidate {
	const struct mlv_version *v;
	const struct mlv_sidecar *sc;
	struct mlv_buf value; /* the text of a computed field */
};

static const char *lookup(const char *field, void *payload)
{
	struct candidate *c = payload;
	const char *rest, *dot;
	size_t i, n = sizeof(field_sections) / sizeof(field_sections[0]);
	char hex[GIT_OID_HEXSZ + 1];

	if (!strcmp(field, "commit")) {
		mlv_buf_sets(&c->value, git_oid_tostr(hex, sizeof(hex), &c->v->commit));
		return c->value.ptr;
	}
	for (i = 0; i < n; i++)
		if (!strncmp(field, field_sections[i].prefix,
			     strlen(field_sections[i].prefix)))
			break;
	if (i == n)
		return NULL;
	rest = field + strlen(field_sections[i].prefix);
	if (!strcmp(field_sections[i].prefix, "model.")) {
		mlv_buf_clear(&c->value);
		if (!strcmp(rest, "path"))
			return c->v->path;
		if (!strcmp(rest, "oid")) {
			mlv_buf_printf(&c->value, "sha256:%s", c->v->model_oid);
			return c->value.ptr;
		}
		if (!strcmp(rest, "size")) {
			mlv_buf_printf(&c->value, "%llu",
				       (unsigned long long)c->v->model_size);
			return c->value.ptr;
		}
	}
	if (!strcmp(field_sections[i].prefix, "lockfile."))
		return mlv_sidecar_get(c->sc, "environment", NULL,
				       !strcmp(rest, "path") ? "lockfile" :
				       !strcmp(rest, "oid") ? "lockfile-oid" : "");
	if (!strcmp(field_sections[i].prefix, "data.")) {
		/* data.NAME.KEY; a name may hold dots, a key does not */
		if (!(dot = strrchr(rest, '.')) || dot == rest)
			return NULL;
		mlv_buf_clear(&c->value);
		mlv_buf_put(&c->value, rest, (size_t)(dot - rest));
		return mlv_sidecar_get(c->sc, "data", c->value.ptr, dot + 1);
	}
	return mlv_sidecar_get(c->sc, field_sections[i].section, NULL, rest);
}

/* The keys a section with a fixed set has; NULL: free keys. */
static const char *const *fixed_keys(const char *prefix)
{
	static const char *const model[] = { "path", "oid", "size", "name", "version",
					     "base", NULL };
	static const char *const path_oid[] = { "path", "oid", NULL };
	static const char *const code[] = { "commit", "dirty", NULL };
	static const char *const data[] = { "path", "uri", "oid", "files", "size", NULL };

	if (!strcmp(prefix, "model."))
		return model;
	if (!strcmp(prefix, "config.") || !strcmp(prefix, "lockfile."))
		return path_oid;
	if (!strcmp(prefix, "code."))
		return code;
	if (!strcmp(prefix, "data."))
		return data;
	return NULL;
}

static int check_field(const char *field, void *payload)
{
	size_t i, k, n = sizeof(field_sections) / sizeof(field_sections[0]);
	const char *const *keys;
	const char *rest, *key;

	(void)payload;
	if (!strcmp(field, "commit"))
		return 0;
	for (i = 0; i < n; i++) {
		size_t len = strlen(field_sections[i].prefix);

		if (strncmp(field, field_sections[i].prefix, len) || !field[len])
			continue;
		rest = field + len;
		if (!(keys = fixed_keys(field_sections[i].prefix)))
			return 0;
		/* data.NAME.KEY: the key is after the last dot */
		key = !strcmp(field_sections[i].prefix, "data.") ? strrchr(rest, '.') : NULL;
		if (!strcmp(field_sections[i].prefix, "data.") && (!key || key == rest))
			break;
		key = key ? key + 1 : rest;
		for (k = 0; keys[k]; k++)
			if (!strcmp(keys[k], key))
				return 0;
		break;
	}
	mlv_error_set("unknown field '%s': a field is commit, model.path, model.oid, "
		      "model.size, model.name, model.version, model.base, "
		      "params.<key>, metrics.<key>, env.<key>, data.<name>.path (.uri, "
		      ".oid, .files, .size), config.path, config.oid, lockfile.path, "
		      "lockfile.oid, code.commit or code.dirty", field);
	return MLV_EINVALID;
}

/* The expression with a caret under `column` (1-based), as git shows a
 * bad pattern; control characters become '?', so the caret lines up. */
static void show_column(const char *text, size_t column)
{
	size_t i;

	fputs("  ", stderr);
	for (i = 0; text[i]; i++)
		fputc((unsigned char)text[i] < 0x20 ? '?' : text[i], stderr);
	fputs("\n  ", stderr);
	for (i = 1; i < column; i++)
		fputc(' ', stderr);
	fputs("^\n", stderr);
}

static void print_match(const struct candidate *c, int color)
{
	const char *version = mlv_sidecar_get(c->sc, "model", NULL, "version");
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;

	printf("%s%.12s%s %s %s", color ? "\033[33m" : "",
	       git_oid_tostr(hex, sizeof(hex), &c->v->commit), color ? "\033[m" : "",
	       mlv_quote_display(c->v->path), version ? mlv_quote_display(version) : "-");
	for (i = 0; i < c->sc->n; i++)
		if (!strcmp(c->sc->entries[i].section, "metrics"))
			printf(" %s=%s", mlv_quote_display(c->sc->entries[i].key),
			       mlv_quote_display(c->sc->entries[i].value));
	putchar('\n');
}

int cmd_find(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_history h = MLV_HISTORY_INIT;
	struct mlv_lineage l = MLV_LINEAGE_INIT;
	struct output_opts out = OUTPUT_OPTS_INIT;
	struct mlv_expr *e = NULL;
	struct candidate c = { NULL, NULL, MLV_BUF_INIT };
	git_revwalk *walk = NULL;
	const char *text = NULL;
	json_t *versions = json_array(), *o = NULL;
	size_t column = 0, k, matches = 0;
	int json, color = 0, rc = 0, err;

	const struct option opts[] = {
		OPT_OUTPUT(&out, "text or json"),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, FIND_USAGE)))
		goto done;
	if (argc != 2 || (strcmp(out.format, "text") && strcmp(out.format, "json"))) {
		rc = usage_with_options(FIND_USAGE, opts);
		goto done;
	}
	text = argv[1];
	json = !strcmp(out.format, "json");
	if (mlv_expr_parse(&e, &column, text) < 0) {
		fprintf(stderr, "fatal: bad expression: %s\n", mlv_error_last());
		show_column(text, column);
		rc = 128;
		goto done;
	}
	if (mlv_expr_fields(e, check_field, NULL) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (mlv_repo_open(&repo) < 0 || mlv_history_revwalk(&walk, &repo, NULL, 1) < 0 ||
	    mlv_history_walk(&h, &repo, walk, NULL, 0) < 0) {
		rc = die_with_error("");
		goto done;
	}
	mlv_lineage_init(&l, &repo);
	if (!json) {
		mlv_pager_start(&repo, out.no_pager);
		color = mlv_pager_use_color(&repo, out.color);
	}
	for (k = 0; k < h.n; k++) {
		struct mlv_sidecar sc = MLV_SIDECAR_INIT;
		struct mlv_problems problems = MLV_PROBLEMS_INIT;

		if ((err = mlv_lineage_sidecar(&sc, &problems, &l, &h.versions[k])) < 0 &&
		    err != MLV_EINVALID) {
			mlv_sidecar_release(&sc);
			rc = die_with_error("");
			goto done;
		}
		c.v = &h.versions[k];
		c.sc = &sc;
		if (mlv_expr_match(e, lookup, &c)) {
			matches++;
			if (json) {
				if (mlv_lineage_describe(&o, &l, c.v, 0) < 0) {
					mlv_sidecar_release(&sc);
					mlv_problems_release(&problems);
					rc = die_with_error("");
					goto done;
				}
				json_array_append_new(versions, o);
				o = NULL;
			} else {
				print_match(&c, color);
			}
		}
		mlv_problems_release(&problems);
		mlv_sidecar_release(&sc);
	}
	if (json) {
		struct mlv_buf canon = MLV_BUF_INIT;

		mlv_expr_format(&canon, e);
		o = json_object();
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set_string(o, "expression", canon.ptr);
		mlv_json_set(o, "searched", json_integer((json_int_t)h.n));
		mlv_json_set(o, "versions", json_incref(versions));
		mlv_json_write(stdout, o, 2);
		putchar('\n');
		mlv_buf_release(&canon);
	}
	rc = matches ? 0 : 1;
done:
	json_decref(o);
	json_decref(versions);
	mlv_buf_release(&c.value);
	mlv_expr_free(e);
	mlv_lineage_release(&l);
	mlv_history_release(&h);
	git_revwalk_free(walk);
	mlv_repo_release(&repo);
	return rc;
}
