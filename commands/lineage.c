/* git mlv lineage [MODEL...] [REV] [--all] [--format text|json|dot|mermaid]
 * (REV may be a model reference: models/fraud@1.2.0, models/fraud#prod) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/history.h"
#include "mlv/json.h"
#include "mlv/lineage.h"
#include "mlv/pager.h"
#include "mlv/quote.h"
#include "mlv/sidecar.h"

#define LINEAGE_USAGE \
	"lineage [<model>...] [<rev>] [--all] [--format text|json|dot|mermaid] " \
	"[--no-pager] [--[no-]color]"

/* The environment keys a reader of lineage cares about first. */
static const char *const key_env[] = { "python", "cuda", "nvidia-driver", "driver",
				       "gpu", "image", NULL };

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The shortest text that reads back as `d` (0.93, not 0.93000000000000005). */
static void print_real(FILE *out, double d)
{
	char text[40];
	int digits;

	for (digits = 1; digits < 17; digits++) {
		snprintf(text, sizeof(text), "%.*g", digits, d);
		if (strtod(text, NULL) == d)
			break;
	}
	fprintf(out, "%.*g", digits, d);
}

void print_value(FILE *out, const json_t *v)
{
	if (json_is_string(v))
		fputs(json_string_value(v), out);
	else if (json_is_null(v))
		fputs("(none)", out);
	else if (json_is_real(v))
		print_real(out, json_real_value(v));
	else
		mlv_json_write(out, v, 0);
}

/* "key = value" lines under a label, the first on the label's line. */
static void print_pairs(FILE *out, const char *label, const json_t *obj,
			const char *const *only)
{
	const char *key;
	json_t *v;
	int first = 1;
	size_t i;

	json_object_foreach((json_t *)obj, key, v) {
		if (only) {
			for (i = 0; only[i] && strcmp(only[i], key); i++)
				;
			if (!only[i])
				continue;
		}
		fprintf(out, "%-10s%s = ", first ? label : "", mlv_quote_display(key));
		if (json_is_string(v))
			fputs(mlv_quote_display(json_string_value(v)), out);
		else
			print_value(out, v);
		fputc('\n', out);
		first = 0;
	}
}

/* A string of `o` fit for the terminal (see mlv_quote_display). */
static const char *txt(const json_t *o, const char *key)
{
	return mlv_quote_display(str(o, key));
}

static void print_model_ref(FILE *out, const json_t *ref)
{
	if (json_is_true(json_object_get(ref, "cycle")))
		fprintf(out, "%s (a cycle: that model was passed before)\n", txt(ref, "oid"));
	else if (json_is_true(json_object_get(ref, "truncated")))
		fprintf(out, "%s (and more: the chain is cut here)\n", txt(ref, "oid"));
	else if (json_is_true(json_object_get(ref, "external")))
		fprintf(out, "%s (external: no version here has it)\n", txt(ref, "oid"));
	else
		fprintf(out, "%s %s at %.12s\n", txt(ref, "path"),
			str(ref, "version") ? txt(ref, "version") : "(no version)",
			txt(ref, "commit"));
}

void print_version_text(FILE *out, const json_t *v, int color)
{
	const json_t *model = json_object_get(v, "model"), *d, *in;
	const json_t *author = json_object_get(v, "author");
	const json_t *code = json_object_get(v, "code");
	const json_t *chain = json_object_get(v, "chain");
	size_t i;

	fprintf(out, "%scommit %s%s\n", color ? "\033[33m" : "", txt(v, "commit"),
		color ? "\033[m" : "");
	fprintf(out, "Model:    %s", txt(model, "path"));
	if (str(model, "version"))
		fprintf(out, " %s", txt(model, "version"));
	if (str(model, "name"))
		fprintf(out, " (%s)", txt(model, "name"));
	fprintf(out, "\n          %s, %lld bytes\n", txt(model, "oid"),
		(long long)json_integer_value(json_object_get(model, "size")));
	fprintf(out, "Author:   %s <%s>\n", txt(author, "name"), txt(author, "email"));
	fprintf(out, "Date:     %s\n", txt(v, "date"));
	json_array_foreach(json_object_get(v, "data"), i, d) {
		fprintf(out, "%-10s%s: %s %s", i ? "" : "Data:", txt(d, "name"),
			str(d, "path") ? txt(d, "path") : txt(d, "uri"),
			str(d, "oid") ? txt(d, "oid") : "(no oid)");
		if (json_is_integer(json_object_get(d, "files")))
			fprintf(out, ", %lld files",
				(long long)json_integer_value(json_object_get(d, "files")));
		if (json_is_integer(json_object_get(d, "size")))
			fprintf(out, ", %lld bytes",
				(long long)json_integer_value(json_object_get(d, "size")));
		if (str(d, "first_commit"))
			fprintf(out, " (since %.12s)", txt(d, "first_commit"));
		fputc('\n', out);
	}
	if (json_is_object(in = json_object_get(v, "config")))
		fprintf(out, "Config:   %s %s\n", txt(in, "path"), txt(in, "oid"));
	if (json_is_object(in = json_object_get(v, "lockfile")))
		fprintf(out, "Lockfile: %s %s\n", txt(in, "path"), txt(in, "oid"));
	print_pairs(out, "Params:", json_object_get(v, "params"), NULL);
	print_pairs(out, "Metrics:", json_object_get(v, "metrics"), NULL);
	print_pairs(out, "Env:", json_object_get(v, "environment"), key_env);
	if (str(code, "commit"))
		fprintf(out, "Code:     %s%s\n", txt(code, "commit"),
			json_is_true(json_object_get(code, "dirty")) ? " (dirty)" : "");
	if (json_is_array(chain) && json_array_size(chain)) {
		json_array_foreach(chain, i, in) {
			fprintf(out, "%-10s", i ? "  from" : "Base:");
			print_model_ref(out, in);
		}
	} else if (json_is_object(in = json_object_get(v, "base"))) {
		fprintf(out, "Base:     ");
		print_model_ref(out, in);
	}
	json_array_foreach(json_object_get(v, "problems"), i, in)
		fprintf(out, "%s%-10s%s%s\n", color ? "\033[31m" : "",
			i ? "" : "Problem:", mlv_quote_display(json_string_value(in)),
			color ? "\033[m" : "");
	fprintf(out, "\n    %s\n\n", txt(v, "subject"));
}

/* Text fit for a double-quoted DOT string (a newline becomes "\n"). */
static void dot_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else if ((unsigned char)*s < 0x20)
			fputc('?', out);
		else
			fputc(*s, out);
	}
}

/* Text fit for a quoted Mermaid label: no quote, tag or entity start. */
static void mermaid_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '"': fputs("#quot;", out); break;
		case '<': fputs("#lt;", out); break;
		case '>': fputs("#gt;", out); break;
		case '#': fputs("#35;", out); break;
		case '&': fputs("#amp;", out); break;
		default: fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
		}
	}
}

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_DOT, FORMAT_MERMAID };

/* The graph: one node per distinct oid, drawn once whatever points at it. */
struct graph {
	FILE *out;
	enum format format;
	json_t *drawn; /* node id -> true */
};

/* A node id for a kind ("model", "data", "config") and oid: "m_<hex>". */
static void node_id(struct mlv_buf *id, const char *kind, const char *oid)
{
	mlv_buf_clear(id);
	mlv_buf_printf(id, "%c_%s", kind[0],
		       oid && !strncmp(oid, "sha256:", 7) ? oid + 7 : "unknown");
}

static void draw_node(struct graph *g, const char *id, const char *kind,
		      const char *line1, const char *line2, const char *oid,
		      int external)
{
	const char *shape = !strcmp(kind, "model") ? "box" :
			    !strcmp(kind, "data") ? "cylinder" : "note";
	const char *const lines[] = { line1, line2, NULL };
	size_t i;

	if (json_object_get(g->drawn, id))
		return;
	json_object_set_new(g->drawn, id, json_true());
	if (g->format == FORMAT_DOT) {
		fprintf(g->out, "  \"%s\" [shape=%s%s, label=\"", id, shape,
			external ? ", style=dashed" : "");
		for (i = 0; lines[i]; i++) {
			if (!*lines[i])
				continue;
			dot_text(g->out, lines[i]);
			fputs("\\n", g->out);
		}
		fprintf(g->out, "%.19s\"];\n", oid ? oid : "");
		return;
	}
	fprintf(g->out, "  %s%s\"", id, !strcmp(kind, "data") ? "[(" :
				       !strcmp(kind, "model") ? "[" : "[/");
	for (i = 0; lines[i]; i++) {
		if (!*lines[i])
			continue;
		mermaid_text(g->out, lines[i]);
		fputs("<br/>", g->out);
	}
	fprintf(g->out, "%.19s\"%s\n", oid ? oid : "",
		!strcmp(kind, "data") ? ")]" : !strcmp(kind, "model") ? "]" : "/]");
}

static void draw_edge(struct graph *g, const char *from, const char *to,
		      const char *label)
{
	struct mlv_buf key = MLV_BUF_INIT;
	int drawn;

	/* one arrow per pair, however many versions share it */
	mlv_buf_printf(&key, "%s->%s", from, to);
	drawn = json_object_get(g->drawn, key.ptr) != NULL;
	if (!drawn)
		json_object_set_new(g->drawn, key.ptr, json_true());
	mlv_buf_release(&key);
	if (drawn)
		return;
	if (g->format == FORMAT_DOT)
		fprintf(g->out, "  \"%s\" -> \"%s\"%s%s%s;\n", from, to,
			label ? " [label=\"" : "", label ? label : "", label ? "\"]" : "");
	else if (label)
		fprintf(g->out, "  %s -- %s --> %s\n", from, label, to);
	else
		fprintf(g->out, "  %s --> %s\n", from, to);
}

/* A resolved base reference as a model node; its id into `id`. */
static void draw_model_ref(struct graph *g, struct mlv_buf *id, const json_t *ref)
{
	int external = json_is_true(json_object_get(ref, "external"));

	node_id(id, "model", str(ref, "oid"));
	draw_node(g, id->ptr, "model",
		  external ? "external model" : str(ref, "path") ? str(ref, "path") : "model",
		  external ? "" : (str(ref, "version") ? str(ref, "version") : ""),
		  str(ref, "oid"), external);
}

static void draw_version(struct graph *g, const json_t *v)
{
	const json_t *model = json_object_get(v, "model"), *d, *in;
	struct mlv_buf me = MLV_BUF_INIT, other = MLV_BUF_INIT, label = MLV_BUF_INIT;
	const json_t *chain = json_object_get(v, "chain");
	size_t i;

	node_id(&me, "model", str(model, "oid"));
	draw_node(g, me.ptr, "model", str(model, "path"),
		  str(model, "version") ? str(model, "version") : "",
		  str(model, "oid"), 0);
	json_array_foreach(json_object_get(v, "data"), i, d) {
		mlv_buf_clear(&label);
		mlv_buf_printf(&label, "%s: %s", str(d, "name"),
			       str(d, "path") ? str(d, "path") : str(d, "uri") ? str(d, "uri") : "?");
		node_id(&other, "data", str(d, "oid"));
		draw_node(g, other.ptr, "data", label.ptr, "", str(d, "oid"), 0);
		draw_edge(g, other.ptr, me.ptr, NULL);
	}
	if (json_is_object(in = json_object_get(v, "config"))) {
		node_id(&other, "config", str(in, "oid"));
		draw_node(g, other.ptr, "config", str(in, "path"), "", str(in, "oid"), 0);
		draw_edge(g, other.ptr, me.ptr, NULL);
	}
	/* base -> fine-tune, and on up the chain */
	json_array_foreach(chain, i, in) {
		draw_model_ref(g, &other, in);
		draw_edge(g, other.ptr, me.ptr, "fine-tune");
		mlv_buf_sets(&me, other.ptr);
	}
	mlv_buf_release(&me);
	mlv_buf_release(&other);
	mlv_buf_release(&label);
}

static int parse_format(enum format *f, const char *name)
{
	static const char *const names[] = { "text", "json", "dot", "mermaid" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*f = (enum format)i;
			return 0;
		}
	return -1;
}

/* 1 when `arg` names a commit and no path of that name is in the work
 * tree: then it is the revision, as git log decides. */
static int is_revision(struct mlv_repo *r, const char *arg)
{
	git_object *obj = NULL, *commit = NULL;
	int yes;

	yes = git_revparse_single(&obj, r->git, arg) == 0 &&
	      git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0;
	git_object_free(commit);
	git_object_free(obj);
	return yes;
}

/* The model a command-line path names; its sidecar names it too. */
char *model_path(struct mlv_repo *r, const char *arg)
{
	char *path = mlv_repo_relative(r, arg);
	size_t len = strlen(path), sl = strlen(MLV_SIDECAR_SUFFIX);

	if (len > sl && !strcmp(path + len - sl, MLV_SIDECAR_SUFFIX))
		path[len - sl] = '\0';
	return path;
}

int cmd_lineage(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_history h = MLV_HISTORY_INIT;
	struct mlv_lineage l = MLV_LINEAGE_INIT;
	struct graph g = { stdout, FORMAT_TEXT, NULL };
	git_revwalk *walk = NULL;
	char **models = NULL, **args = NULL;
	struct output_opts out = OUTPUT_OPTS_INIT;
	const char *rev = NULL;
	struct mlv_buf ref_model = MLV_BUF_INIT;
	git_oid ref_commit;
	char rev_hex[GIT_OID_HEXSZ + 1] = "";
	size_t nmodels = 0, nargs = 0, i, k;
	json_t *versions = json_array(), *o = NULL;
	int all = 0, color, dashdash = -1, rc = 0, err, a;
	const struct option opts[] = {
		OPT_FLAG(0, "all", &all, "the versions on every ref, not only HEAD's history"),
		OPT_OUTPUT(&out, "text, json, dot (Graphviz) or mermaid"),
		OPT_END(),
	};

	if (!(args = calloc((size_t)argc + 1, sizeof(*args))) ||
	    !(models = calloc((size_t)argc + 1, sizeof(*models))))
		abort();
	if ((rc = parse_options_flags(&argc, argv, opts, LINEAGE_USAGE, PARSE_KEEP_DASHDASH)))
		goto done;
	for (a = 1; a < argc; a++) {
		if (dashdash < 0 && !strcmp(argv[a], "--"))
			dashdash = (int)nargs;
		else
			args[nargs++] = argv[a];
	}
	if (parse_format(&g.format, out.format) < 0) {
		fprintf(stderr, "fatal: unknown format '%s' (text, json, dot or mermaid)\n",
			out.format);
		rc = 129;
		goto done;
	}
	if (mlv_repo_open(&repo) < 0) {
		rc = die_with_error("");
		goto done;
	}
	/* Before "--" (or with none) one argument may be the revision: a
	 * model reference first, then what git parses. */
	for (k = 0; k < nargs; k++) {
		int before = dashdash < 0 || (int)k < dashdash;

		if (!rev && before &&
		    (err = resolve_rev(&ref_commit, &ref_model, &repo, args[k])) != 0 &&
		    err != MLV_ENOTFOUND) {
			if (err < 0) {
				rc = die_with_error("");
				goto done;
			}
			rev = args[k];
			git_oid_tostr(rev_hex, sizeof(rev_hex), &ref_commit);
		} else if (!rev && before && is_revision(&repo, args[k]) &&
			   (!repo.workdir || access(args[k], F_OK) != 0)) {
			rev = args[k];
		} else {
			models[nmodels++] = model_path(&repo, args[k]);
		}
	}
	/* a reference alone is both the revision and the model */
	if (rev_hex[0] && !nmodels)
		models[nmodels++] = mlv_buf_detach(&ref_model);
	if (rev && all) {
		rc = usage_with_options(LINEAGE_USAGE, opts);
		goto done;
	}
	if (mlv_history_revwalk(&walk, &repo, rev_hex[0] ? rev_hex : rev, all) < 0 ||
	    mlv_history_walk(&h, &repo, walk, (const char *const *)models, nmodels) < 0) {
		rc = die_with_error("");
		goto done;
	}
	for (k = 0; k < nmodels; k++) {
		for (i = 0; i < h.n && strcmp(h.versions[i].path, models[k]); i++)
			;
		if (i == h.n) {
			fprintf(stderr, "fatal: no version of '%s' in the history of %s "
				"(a model version is a commit that changes the model "
				"and holds its sidecar)\n", models[k],
				all ? "any ref" : rev ? rev : "HEAD");
			rc = 1;
			goto done;
		}
	}
	mlv_lineage_init(&l, &repo);
	if (g.format == FORMAT_TEXT)
		mlv_pager_start(&repo, out.no_pager);
	color = g.format == FORMAT_TEXT && mlv_pager_use_color(&repo, out.color);
	g.drawn = json_object();
	if (g.format == FORMAT_DOT)
		fprintf(stdout, "digraph lineage {\n  rankdir=LR;\n"
				"  node [fontname=\"Helvetica\", fontsize=10];\n");
	else if (g.format == FORMAT_MERMAID)
		fprintf(stdout, "flowchart LR\n");
	for (i = 0; i < h.n; i++) {
		if ((err = mlv_lineage_describe(&o, &l, &h.versions[i],
						MLV_LINEAGE_FIRST_SEEN |
							MLV_LINEAGE_CHAIN)) < 0) {
			rc = die_with_error("");
			goto done;
		}
		if (g.format == FORMAT_TEXT)
			print_version_text(stdout, o, color);
		else if (g.format == FORMAT_JSON)
			json_array_append(versions, o);
		else
			draw_version(&g, o);
		json_decref(o);
		o = NULL;
	}
	if (g.format == FORMAT_DOT)
		fprintf(stdout, "}\n");
	if (g.format == FORMAT_JSON) {
		o = json_object();
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set_string(o, "rev", all ? NULL : rev ? rev : "HEAD");
		mlv_json_set(o, "all", json_boolean(all));
		mlv_json_set(o, "versions", json_incref(versions));
		mlv_json_write(stdout, o, 2);
		fputc('\n', stdout);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "fatal: cannot write the lineage to stdout\n");
		rc = 128;
	}
done:
	json_decref(o);
	json_decref(versions);
	json_decref(g.drawn);
	for (k = 0; k < nmodels; k++)
		free(models[k]);
	free(models);
	free(args);
	mlv_buf_release(&ref_model);
	mlv_lineage_release(&l);
	mlv_history_release(&h);
	git_revwalk_free(walk);
	mlv_repo_release(&repo);
	return rc;
}
