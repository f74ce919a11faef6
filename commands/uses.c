/* git mlv uses <path[@rev] | sha256:<oid> | uri> [--any-version] [--format text|json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/history.h"
#include "mlv/json.h"
#include "mlv/lineage.h"
#include "mlv/pager.h"
#include "mlv/quote.h"
#include "mlv/uses.h"

#define USES_USAGE \
	"uses <path>[@<rev>] | sha256:<oid> | <uri> [--any-version] " \
	"[--format text|json] [--no-pager] [--[no-]color]"

static const char *kind_name(const struct mlv_uses_target *t)
{
	if (t->kind == MLV_USES_OID)
		return "oid";
	if (t->kind == MLV_USES_URI)
		return "uri";
	return t->is_dir ? "directory" : "file";
}

static json_t *target_json(const struct mlv_uses_target *t)
{
	json_t *o = json_object();

	mlv_json_set_string(o, "kind", kind_name(t));
	mlv_json_set_string(o, t->kind == MLV_USES_URI ? "uri" :
			       t->kind == MLV_USES_OID ? "oid" : "path", t->text);
	if (t->kind == MLV_USES_PATH) {
		mlv_json_set_string(o, "rev", t->rev);
		mlv_json_set(o, "any_version", json_boolean(t->any_version));
	}
	if (t->kind == MLV_USES_PATH && !t->any_version) {
		mlv_json_set(o, "oid", json_sprintf("sha256:%s", t->oid));
		mlv_json_set(o, "files", json_integer((json_int_t)t->files));
		mlv_json_set(o, "size", json_integer((json_int_t)t->size));
	}
	return o;
}

/* One match: the version, the input that recorded the data and the refs. */
static json_t *match_json(const struct mlv_version *v,
			  const struct mlv_sidecar *sc, const char *input, int inside)
{
	json_t *o = json_object(), *model = json_object(), *in = json_object();
	char hex[GIT_OID_HEXSZ + 1];

	mlv_json_set_string(o, "commit", git_oid_tostr(hex, sizeof(hex), &v->commit));
	mlv_json_set_string(model, "path", v->path);
	mlv_json_set(model, "oid", json_sprintf("sha256:%s", v->model_oid));
	mlv_json_set_string(model, "name", mlv_sidecar_get(sc, "model", NULL, "name"));
	mlv_json_set_string(model, "version",
			    mlv_sidecar_get(sc, "model", NULL, "version"));
	mlv_json_set(o, "model", model);
	mlv_json_set_string(in, "name", input);
	mlv_json_set_string(in, "path", mlv_sidecar_get(sc, "data", input, "path"));
	mlv_json_set_string(in, "uri", mlv_sidecar_get(sc, "data", input, "uri"));
	mlv_json_set_string(in, "oid", mlv_sidecar_get(sc, "data", input, "oid"));
	mlv_json_set(in, "inside", json_boolean(inside));
	mlv_json_set(o, "input", in);
	return o;
}

static void print_match(const json_t *m, int color)
{
	const json_t *model = json_object_get(m, "model");
	const json_t *in = json_object_get(m, "input"), *ref;
	const char *version = json_string_value(json_object_get(model, "version"));
	const char *path = json_string_value(json_object_get(in, "path"));
	size_t i;

	printf("%s%.12s%s %s %s [data \"%s\"] %s%s", color ? "\033[33m" : "",
	       json_string_value(json_object_get(m, "commit")), color ? "\033[m" : "",
	       mlv_quote_display(json_string_value(json_object_get(model, "path"))),
	       version ? mlv_quote_display(version) : "-",
	       mlv_quote_display(json_string_value(json_object_get(in, "name"))),
	       mlv_quote_display(path ? path : json_string_value(json_object_get(in, "uri"))),
	       json_is_true(json_object_get(in, "inside")) ? " (holds it)" : "");
	json_array_foreach(json_object_get(m, "refs"), i, ref)
		printf("%s%s", i ? ", " : " in ", mlv_quote_display(json_string_value(ref)));
	putchar('\n');
}

int cmd_uses(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_history h = MLV_HISTORY_INIT;
	struct mlv_lineage l = MLV_LINEAGE_INIT;
	struct mlv_uses_target t = MLV_USES_TARGET_INIT;
	git_revwalk *walk = NULL;
	struct output_opts out = OUTPUT_OPTS_INIT;
	const char *what = NULL;
	json_t *matches = json_array(), *o = NULL;
	int any = 0, json = 0, color, rc = 0, err;
	size_t k;

	const struct option opts[] = {
		OPT_FLAG(0, "any-version", &any, "any version of the path, not the one named"),
		OPT_OUTPUT(&out, "text or json"),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, USES_USAGE)))
		goto done;
	if (argc != 2 || (strcmp(out.format, "text") && strcmp(out.format, "json"))) {
		rc = usage_with_options(USES_USAGE, opts);
		goto done;
	}
	what = argv[1];
	json = !strcmp(out.format, "json");
	if (mlv_repo_open(&repo) < 0 || mlv_uses_resolve(&t, &repo, what, any) < 0 ||
	    mlv_history_revwalk(&walk, &repo, NULL, 1) < 0 ||
	    mlv_history_walk(&h, &repo, walk, NULL, 0) < 0) {
		rc = die_with_error("");
		goto done;
	}
	mlv_lineage_init(&l, &repo);
	for (k = 0; k < h.n; k++) {
		struct mlv_sidecar sc = MLV_SIDECAR_INIT;
		struct mlv_problems problems = MLV_PROBLEMS_INIT;
		const char *input;
		int inside;

		if ((err = mlv_lineage_sidecar(&sc, &problems, &l, &h.versions[k])) < 0 &&
		    err != MLV_EINVALID) {
			mlv_sidecar_release(&sc);
			rc = die_with_error("");
			goto done;
		}
		/* a broken sidecar still says what it can; the walk goes on */
		err = mlv_uses_match(&input, &inside, &t, &repo, &h.versions[k], &sc);
		if (err > 0)
			json_array_append_new(matches, match_json(&h.versions[k], &sc,
								  input, inside));
		mlv_problems_release(&problems);
		mlv_sidecar_release(&sc);
		if (err < 0) {
			rc = die_with_error("");
			goto done;
		}
	}
	if (json_array_size(matches)) {
		/* the refs of every match, in one walk */
		git_oid *ids = calloc(json_array_size(matches), sizeof(*ids));
		json_t *m, *refs;

		if (!ids)
			abort();
		json_array_foreach(matches, k, m)
			git_oid_fromstr(&ids[k], json_string_value(json_object_get(m, "commit")));
		refs = mlv_lineage_refs_containing(&l, ids, json_array_size(matches));
		json_array_foreach(matches, k, m)
			mlv_json_set(m, "refs", json_incref(json_array_get(refs, k)));
		json_decref(refs);
		free(ids);
	}
	if (json) {
		o = json_object();
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set(o, "target", target_json(&t));
		mlv_json_set(o, "matches", json_incref(matches));
		mlv_json_write(stdout, o, 2);
		putchar('\n');
	} else {
		json_t *m;

		mlv_pager_start(&repo, out.no_pager);
		color = mlv_pager_use_color(&repo, out.color);
		json_array_foreach(matches, k, m)
			print_match(m, color);
		if (!json_array_size(matches))
			fprintf(stderr, "no model version on any ref records %s%s%s\n",
				mlv_quote_display(t.text), t.kind == MLV_USES_PATH && !any ? " as of " : "",
				t.kind == MLV_USES_PATH && !any ? t.rev : "");
	}
	rc = json_array_size(matches) ? 0 : 1;
done:
	json_decref(o);
	json_decref(matches);
	mlv_uses_target_release(&t);
	mlv_lineage_release(&l);
	mlv_history_release(&h);
	git_revwalk_free(walk);
	mlv_repo_release(&repo);
	return rc;
}
