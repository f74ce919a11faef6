/* git mlv diff [<rev1> [<rev2>]] [--format text|json|md] [-- <model>...]
 * (a rev may be a model reference: models/fraud#prod, models/fraud@latest) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "mlv/compare.h"
#include "mlv/datadir.h"
#include "mlv/error.h"
#include "mlv/history.h"
#include "mlv/json.h"
#include "mlv/pager.h"
#include "mlv/quote.h"
#include "mlv/util.h"

#define DIFF_USAGE \
	"diff [<rev1> [<rev2>]] [--format text|json|md] [--no-pager] " \
	"[--[no-]color] [-- <model>...]"

/* Files named per kind in text output before "and N more". */
#define DIFF_LIST_MAX 10

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Text for the terminal: "(none)" for nothing, control characters
 * escaped (mlv_quote_display). */
static const char *or_none(const char *s)
{
	return mlv_quote_display(s);
}

static void put_change(FILE *out, const json_t *change)
{
	if (!json_is_number(change))
		return;
	fputs("(", out);
	if (json_number_value(change) >= 0)
		fputc('+', out);
	print_value(out, change);
	fputc(')', out);
}

/* A value for the terminal: text escaped, numbers as print_value writes
 * them. */
static void put_text_value(FILE *out, const json_t *v)
{
	if (json_is_string(v))
		fputs(or_none(json_string_value(v)), out);
	else
		print_value(out, v);
}

/* "label  old -> new" when the pair changed. */
static void text_pair(FILE *out, const char *label, const json_t *p)
{
	if (!json_is_true(json_object_get(p, "changed")))
		return;
	fprintf(out, "  %-10s%s -> %s\n", label, or_none(str(p, "old")),
		or_none(str(p, "new")));
}

static void text_keys(FILE *out, const char *label, const json_t *list)
{
	const json_t *d;
	size_t i;

	json_array_foreach(list, i, d) {
		fprintf(out, "  %-10s%s: ", i ? "" : label, or_none(str(d, "key")));
		put_text_value(out, json_object_get(d, "old"));
		fputs(" -> ", out);
		put_text_value(out, json_object_get(d, "new"));
		if (json_is_number(json_object_get(d, "change")))
			fputc(' ', out);
		put_change(out, json_object_get(d, "change"));
		fputc('\n', out);
	}
}

static void text_input(FILE *out, const char *label, const json_t *in)
{
	const json_t *a = json_object_get(in, "old"), *b = json_object_get(in, "new");
	const char *patch = str(in, "patch");

	if (!json_is_true(json_object_get(in, "changed")))
		return;
	fprintf(out, "  %-10s%s %s -> %s %s\n", label, or_none(str(a, "path")),
		or_none(str(a, "oid")), or_none(str(b, "path")), or_none(str(b, "oid")));
	if (patch) {
		const char *line = patch, *nl;

		struct mlv_buf one = MLV_BUF_INIT;

		for (; *line; line = nl + 1) {
			nl = strchrnul(line, '\n');
			mlv_buf_clear(&one);
			mlv_buf_put(&one, line, (size_t)(nl - line));
			fprintf(out, "            %s\n", or_none(one.ptr));
			if (!*nl)
				break;
		}
		mlv_buf_release(&one);
	}
}

static void text_files(FILE *out, const char *what, const json_t *list,
		       const char *key, char mark)
{
	const json_t *f;
	size_t i;

	json_array_foreach(list, i, f) {
		if (i == DIFF_LIST_MAX) {
			fprintf(out, "              ... and %zu more %s\n",
				json_array_size(list) - DIFF_LIST_MAX, what);
			break;
		}
		if (mark == 'R')
			fprintf(out, "              R %s -> %s\n", or_none(str(f, "from")),
				or_none(str(f, "to")));
		else
			fprintf(out, "              %c %s\n", mark, or_none(str(f, key)));
	}
}

static long long num(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void text_data(FILE *out, const json_t *list)
{
	const json_t *d, *files, *p;
	size_t i, k;
	int first = 1;

	json_array_foreach(list, i, d) {
		const json_t *a = json_object_get(d, "old"), *b = json_object_get(d, "new");
		const char *status = str(d, "status");

		if (!strcmp(status, "unchanged"))
			continue;
		fprintf(out, "  %-10s%s: %s", first ? "data" : "", or_none(str(d, "name")),
			status);
		first = 0;
		if (json_is_object(a))
			fprintf(out, " %s %s", or_none(str(a, "path") ? str(a, "path")
							       : str(a, "uri")),
				or_none(str(a, "oid")));
		if (json_is_object(a) && json_is_object(b))
			fputs(" ->", out);
		if (json_is_object(b))
			fprintf(out, " %s %s", or_none(str(b, "path") ? str(b, "path")
							       : str(b, "uri")),
				or_none(str(b, "oid")));
		fputc('\n', out);
		json_array_foreach(json_object_get(d, "problems"), k, p)
			fprintf(out, "            problem: %s\n", json_string_value(p));
		files = json_object_get(d, "files");
		if (!json_is_object(files))
			continue;
		{
			const json_t *c = json_object_get(files, "counts");
			const json_t *by = json_object_get(files, "bytes");

			fprintf(out, "            %lld added (%lld bytes), %lld removed "
				     "(%lld bytes), %lld modified (%lld -> %lld bytes), "
				     "%lld renamed, %lld unchanged\n",
				num(c, "added"), num(by, "added"), num(c, "removed"),
				num(by, "removed"), num(c, "modified"),
				num(by, "modified_old"), num(by, "modified_new"),
				num(c, "renamed"), num(c, "unchanged"));
		}
		text_files(out, "added", json_object_get(files, "added"), "path", 'A');
		text_files(out, "removed", json_object_get(files, "removed"), "path", 'D');
		text_files(out, "modified", json_object_get(files, "modified"), "path", 'M');
		text_files(out, "renamed", json_object_get(files, "renamed"), NULL, 'R');
	}
}

/* A side as "label (commit)", the commit left out when the label is it. */
static void put_side(FILE *out, const json_t *side)
{
	const char *label = str(side, "label"), *commit = str(side, "commit");

	fputs(or_none(label), out);
	if (commit && strncmp(commit, label, strlen(label)))
		fprintf(out, " (%.12s)", commit);
}

static void put_model(FILE *out, const json_t *model)
{
	if (json_is_object(model))
		fprintf(out, "%s (%lld bytes)", str(model, "oid"), num(model, "size"));
	else
		fputs("(none)", out);
}

static void print_text(FILE *out, const json_t *m, int color)
{
	const json_t *a = json_object_get(m, "old"), *b = json_object_get(m, "new");
	const json_t *model = json_object_get(m, "model"), *p;
	size_t i;

	fprintf(out, "%smodel %s%s  ", color ? "\033[1m" : "", or_none(str(m, "path")),
		color ? "\033[m" : "");
	put_side(out, a);
	fputs(" -> ", out);
	put_side(out, b);
	fprintf(out, "  [%s]\n", str(m, "status"));
	if (json_is_true(json_object_get(model, "changed"))) {
		const json_t *ma = json_object_get(model, "old");
		const json_t *mb = json_object_get(model, "new");

		fprintf(out, "  %-10s", "model");
		put_model(out, ma);
		fputs(" -> ", out);
		put_model(out, mb);
		fputc('\n', out);
	}
	text_pair(out, "version", json_object_get(m, "version"));
	text_pair(out, "name", json_object_get(m, "name"));
	text_keys(out, "params", json_object_get(m, "params"));
	text_keys(out, "metrics", json_object_get(m, "metrics"));
	text_keys(out, "env", json_object_get(m, "environment"));
	text_input(out, "config", json_object_get(m, "config"));
	text_input(out, "lockfile", json_object_get(m, "lockfile"));
	text_data(out, json_object_get(m, "data"));
	text_pair(out, "base", json_object_get(m, "base"));
	p = json_object_get(m, "code");
	if (json_is_true(json_object_get(p, "changed")))
		fprintf(out, "  %-10s%s -> %s\n", "code",
			or_none(str(json_object_get(p, "old"), "commit")),
			or_none(str(json_object_get(p, "new"), "commit")));
	json_array_foreach(json_object_get(a, "problems"), i, p)
		fprintf(out, "  problem   %s\n", json_string_value(p));
	json_array_foreach(json_object_get(b, "problems"), i, p)
		fprintf(out, "  problem   %s\n", json_string_value(p));
	fputc('\n', out);
}

/* Text for a Markdown table cell: no '|' or line break can end it. */
static void md_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_' ||
		    *s == '<' || *s == '[' || *s == ']')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

static void md_value(FILE *out, const json_t *v)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (json_is_string(v)) {
		md_text(out, json_string_value(v));
		return;
	}
	if (!v) {
		fputs("(none)", out);
		return;
	}
	if (!(mem = open_memstream(&text, &len)))
		return;
	print_value(mem, v);
	fclose(mem);
	md_text(out, text);
	free(text);
}

static void md_row(FILE *out, const char *what, const json_t *a, const json_t *b,
		   const char *change)
{
	fputs("| ", out);
	md_text(out, what);
	fputs(" | ", out);
	md_value(out, a);
	fputs(" | ", out);
	md_value(out, b);
	fprintf(out, " | %s |\n", change ? change : "");
}

static void print_md(FILE *out, const json_t *m)
{
	const json_t *a = json_object_get(m, "old"), *b = json_object_get(m, "new");
	const json_t *model = json_object_get(m, "model"), *list, *d;
	const char *const pairs[] = { "version", "name", "base", NULL };
	struct mlv_buf what = MLV_BUF_INIT, change = MLV_BUF_INIT;
	const char *const sections[] = { "params", "metrics", "environment", NULL };
	size_t i, k;

	/* no code span: Markdown reads no escapes inside one */
	fputs("#### ", out);
	md_text(out, str(m, "path"));
	fputs(": ", out);
	md_text(out, str(a, "label"));
	fputs(" → ", out);
	md_text(out, str(b, "label"));
	fputs("\n\n| | ", out);
	md_text(out, str(a, "label"));
	fputs(" | ", out);
	md_text(out, str(b, "label"));
	fputs(" | change |\n|---|---|---|---|\n", out);
	if (json_is_true(json_object_get(model, "changed")))
		md_row(out, "model oid", json_object_get(json_object_get(model, "old"), "oid"),
		       json_object_get(json_object_get(model, "new"), "oid"), "changed");
	for (i = 0; pairs[i]; i++) {
		const json_t *p = json_object_get(m, pairs[i]);

		if (json_is_true(json_object_get(p, "changed")))
			md_row(out, pairs[i], json_object_get(p, "old"),
			       json_object_get(p, "new"), "");
	}
	for (k = 0; sections[k]; k++) {
		json_array_foreach(json_object_get(m, sections[k]), i, d) {
			const json_t *c = json_object_get(d, "change");
			char *text = NULL;
			size_t len = 0;
			FILE *mem = NULL;

			mlv_buf_clear(&what);
			mlv_buf_printf(&what, "%s.%s", sections[k], str(d, "key"));
			if (json_is_number(c) && (mem = open_memstream(&text, &len))) {
				put_change(mem, c);
				fclose(mem);
			}
			md_row(out, what.ptr, json_object_get(d, "old"),
			       json_object_get(d, "new"), text ? text : "");
			free(text);
		}
	}
	for (k = 0; k < 2; k++) {
		const json_t *in = json_object_get(m, k ? "lockfile" : "config");

		if (json_is_true(json_object_get(in, "changed")))
			md_row(out, k ? "lockfile" : "config",
			       json_object_get(json_object_get(in, "old"), "oid"),
			       json_object_get(json_object_get(in, "new"), "oid"), "changed");
	}
	list = json_object_get(m, "data");
	json_array_foreach(list, i, d) {
		const json_t *files = json_object_get(d, "files");
		const json_t *c = json_object_get(files, "counts");

		if (!strcmp(str(d, "status"), "unchanged"))
			continue;
		mlv_buf_clear(&what);
		mlv_buf_printf(&what, "data.%s", str(d, "name"));
		mlv_buf_clear(&change);
		mlv_buf_puts(&change, str(d, "status"));
		if (json_is_object(files))
			mlv_buf_printf(&change, ": +%lld −%lld ~%lld files, %lld renamed",
				       num(c, "added"), num(c, "removed"),
				       num(c, "modified"), num(c, "renamed"));
		md_row(out, what.ptr, json_object_get(json_object_get(d, "old"), "oid"),
		       json_object_get(json_object_get(d, "new"), "oid"), change.ptr);
	}
	fputc('\n', out);
	mlv_buf_release(&what);
	mlv_buf_release(&change);
}

/* A side that holds nothing: before a model's first version. */
static int empty_side(struct mlv_compare_side *s, struct mlv_repo *r)
{
	git_treebuilder *tb = NULL;
	git_oid id;
	int err;

	mlv_compare_side_release(s);
	s->label = mlv_xstrdup("(none)");
	if ((err = git_treebuilder_new(&tb, r->git, NULL)) < 0 ||
	    (err = git_treebuilder_write(&id, tb)) < 0 ||
	    (err = git_tree_lookup(&s->tree, r->git, &id)) < 0)
		err = mlv_error_from_git(err, "cannot make an empty tree");
	git_treebuilder_free(tb);
	return err;
}

/* The last two versions of `model` in the history of HEAD: the older
 * into `a` (none: an empty side), the newer into `b`. 0, MLV_ENOTFOUND
 * when it has none, or another error. */
static int last_two(struct mlv_compare_side *a, struct mlv_compare_side *b,
		    struct mlv_repo *r, const char *model)
{
	struct mlv_history h = MLV_HISTORY_INIT;
	git_revwalk *walk = NULL;
	const char *models[1] = { model };
	char hex[GIT_OID_HEXSZ + 1];
	int err;

	if ((err = mlv_history_revwalk(&walk, r, NULL, 0)) < 0 ||
	    (err = mlv_history_walk(&h, r, walk, models, 1)) < 0)
		goto done;
	if (!h.n) {
		mlv_error_set("no version of '%s' in the history of HEAD", model);
		err = MLV_ENOTFOUND;
		goto done;
	}
	if ((err = mlv_compare_side_id(b, r, &h.versions[0].commit,
				       git_oid_tostr(hex, 13, &h.versions[0].commit))) < 0)
		goto done;
	if (h.n > 1)
		err = mlv_compare_side_id(a, r, &h.versions[1].commit,
					  git_oid_tostr(hex, 13, &h.versions[1].commit));
	else
		err = empty_side(a, r);
done:
	mlv_history_release(&h);
	git_revwalk_free(walk);
	return err;
}

/* 1 when the JSON array `list` (may be NULL) holds the string `s`. */
static int in_list(const json_t *list, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (!strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

/* The models of the newest model version in the history of HEAD (a JSON
 * array; NULL on error). */
static json_t *newest_models(struct mlv_repo *r)
{
	struct mlv_history h = MLV_HISTORY_INIT;
	git_revwalk *walk = NULL;
	json_t *models = NULL;
	size_t i;

	if (mlv_history_revwalk(&walk, r, NULL, 0) < 0 ||
	    mlv_history_walk(&h, r, walk, NULL, 0) < 0)
		goto done;
	models = json_array();
	for (i = 0; i < h.n && git_oid_equal(&h.versions[i].commit, &h.versions[0].commit);
	     i++)
		json_array_append_new(models, json_stringn_nocheck(h.versions[i].path,
								   strlen(h.versions[i].path)));
done:
	git_revwalk_free(walk);
	mlv_history_release(&h);
	return models;
}

/*
 * The side of revision `rev`, a model reference among them; the model a
 * reference names joins `implied` (once). 0, or a negative error with its
 * message set.
 */
static int rev_side(struct mlv_compare_side *s, json_t *implied, struct mlv_repo *r,
		    const char *rev)
{
	struct mlv_buf model = MLV_BUF_INIT;
	git_oid commit;
	int err;

	if ((err = resolve_rev(&commit, &model, r, rev)) < 0)
		goto done;
	if (err == 1 && !in_list(implied, model.ptr))
		json_array_append_new(implied, json_stringn_nocheck(model.ptr, model.len));
	err = mlv_compare_side_id(s, r, &commit, rev);
done:
	mlv_buf_release(&model);
	return err;
}

int cmd_diff(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_compare_side a = MLV_COMPARE_SIDE_INIT, b = MLV_COMPARE_SIDE_INIT;
	struct mlv_compare_side older = MLV_COMPARE_SIDE_INIT, newer = MLV_COMPARE_SIDE_INIT;
	struct output_opts out = OUTPUT_OPTS_INIT;
	struct mlv_datadir_cache *cache = NULL;
	const char *revs[2] = { NULL, NULL };
	json_t *models = json_array(), *reports = json_array(), *o = NULL, *m;
	json_t *changed = NULL, *implied = json_array();
	int nrevs = 0, dashdash = 0, color, rc = 0, i;
	size_t k;
	const struct option opts[] = {
		OPT_OUTPUT(&out, "text, json or md (a Markdown table)"),
		OPT_END(),
	};

	if ((rc = parse_options_flags(&argc, argv, opts, DIFF_USAGE, PARSE_KEEP_DASHDASH)))
		goto done;
	for (i = 1; i < argc; i++) {
		if (dashdash)
			json_array_append_new(models, json_stringn_nocheck(argv[i],
									   strlen(argv[i])));
		else if (!strcmp(argv[i], "--"))
			dashdash = 1;
		else if (nrevs < 2)
			revs[nrevs++] = argv[i];
		else {
			fprintf(stderr, "error: two revisions at most, not '%s' too (models "
					"go after --)\n", argv[i]);
			rc = usage_with_options(DIFF_USAGE, opts);
			goto done;
		}
	}
	if (strcmp(out.format, "text") && strcmp(out.format, "json") &&
	    strcmp(out.format, "md")) {
		fprintf(stderr, "fatal: unknown format '%s' (text, json or md)\n", out.format);
		rc = 129;
		goto done;
	}
	if (mlv_repo_open(&repo) < 0 ||
	    mlv_datadir_cache_new(&cache, repo.git) < 0) {
		rc = die_with_error("");
		goto done;
	}
	json_array_foreach(models, k, m) {
		char *path = model_path(&repo, json_string_value(m));

		json_array_set_new(models, k, json_stringn_nocheck(path, strlen(path)));
		free(path);
	}
	/* Two revisions: those. One: it against the work tree. None: HEAD
	 * against the work tree for a model whose sidecar differs there, else
	 * the model's last two versions. */
	if ((nrevs == 2 && (rev_side(&a, implied, &repo, revs[0]) < 0 ||
			    rev_side(&b, implied, &repo, revs[1]) < 0)) ||
	    (nrevs < 2 && repo.workdir &&
	     (rev_side(&a, implied, &repo, nrevs ? revs[0] : "HEAD") < 0 ||
	      mlv_compare_side_worktree(&b, &repo) < 0)) ||
	    (nrevs == 1 && !repo.workdir && mlv_compare_side_worktree(&b, &repo) < 0)) {
		rc = die_with_error("");
		goto done;
	}
	/* model references name the models when "--" names none */
	if (!json_array_size(models) && json_array_size(implied)) {
		json_decref(models);
		models = json_incref(implied);
	}
	if ((nrevs || repo.workdir) && (!nrevs || !json_array_size(models)) &&
	    !(changed = mlv_compare_changed_models(&repo, &a, &b))) {
		rc = die_with_error("");
		goto done;
	}
	if (!json_array_size(models)) {
		json_decref(models);
		models = changed && json_array_size(changed) ? json_incref(changed)
							     : newest_models(&repo);
		if (!models) {
			rc = die_with_error("");
			goto done;
		}
	}
	json_array_foreach(models, k, m) {
		const char *path = json_string_value(m);
		struct mlv_compare_side *from = &a, *to = &b;

		if (!nrevs && !in_list(changed, path)) {
			if (last_two(&older, &newer, &repo, path) < 0) {
				rc = die_with_error("");
				goto done;
			}
			from = &older;
			to = &newer;
		}
		if (mlv_compare_model(&o, &repo, cache, from, to, path) < 0) {
			rc = die_with_error("");
			goto done;
		}
		mlv_json_set_string(o, "path", path);
		json_array_append_new(reports, o);
		o = NULL;
	}
	if (!strcmp(out.format, "json")) {
		o = json_object();
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set(o, "models", json_incref(reports));
		mlv_json_write(stdout, o, 2);
		putchar('\n');
	} else {
		if (!strcmp(out.format, "text"))
			mlv_pager_start(&repo, out.no_pager);
		color = !strcmp(out.format, "text") && mlv_pager_use_color(&repo, out.color);
		json_array_foreach(reports, k, m) {
			if (!strcmp(out.format, "md"))
				print_md(stdout, m);
			else
				print_text(stdout, m, color);
		}
	}
	mlv_datadir_cache_save(cache);
	mlv_error_clear();
done:
	json_decref(o);
	json_decref(models);
	json_decref(changed);
	json_decref(implied);
	json_decref(reports);
	mlv_datadir_cache_free(cache);
	mlv_compare_side_release(&a);
	mlv_compare_side_release(&b);
	mlv_compare_side_release(&older);
	mlv_compare_side_release(&newer);
	mlv_repo_release(&repo);
	return rc;
}
