/* Params and metrics from YAML and JSON files, flattened into sidecar keys. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <yaml.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/params.h"
#include "mlv/quote.h"
#include "mlv/sidecar.h"
#include "mlv/util.h"

/* More keys than any record needs; it keeps setting them linear enough. */
#define MAX_KEYS 10000

/*
 * Numbers that are not finite have no JSON value: in the tree they are
 * strings that start with a NUL, which no other string holds (a NUL in
 * the input is refused).
 */
static const char nan_mark[] = "\0nan", inf_mark[] = "\0inf", ninf_mark[] = "\0-inf";

static json_t *mark(const char *m, size_t size)
{
	return json_stringn(m, size - 1);
}

/* "nan", "inf" or "-inf" for a marked string, else NULL. */
static const char *marked(const json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || json_string_length(v) < 2 || s[0])
		return NULL;
	return s + 1;
}

/* Set the message "FILE:LINE:COLUMN: what"; MLV_EINVALID. */
static int fail_at(const char *name, size_t line, size_t column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_at(const char *name, size_t line, size_t column, const char *fmt, ...)
{
	struct mlv_buf msg = MLV_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mlv_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	mlv_error_set("%s:%zu:%zu: %s", name, line, column, msg.ptr);
	mlv_buf_release(&msg);
	return MLV_EINVALID;
}

/* Line and column (from 1) of byte `offset`. */
static void position(size_t *line, size_t *column, const char *data, size_t len,
		     size_t offset)
{
	size_t i;

	*line = 1;
	*column = 1;
	for (i = 0; i < offset && i < len; i++) {
		if (data[i] == '\n') {
			++*line;
			*column = 1;
		} else {
			++*column;
		}
	}
}

/* ---- values as sidecar text ---- */

static int is_number_text(const char *s, size_t len)
{
	char *end;

	if (!len || isspace((unsigned char)s[0]))
		return 0;
	errno = 0;
	strtod(s, &end);
	return end == s + len;
}

static void put_json_string(struct mlv_buf *out, const char *s, size_t len)
{
	size_t i;

	mlv_buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			mlv_buf_printf(out, "\\%c", c);
		else if (c == '\n')
			mlv_buf_puts(out, "\\n");
		else if (c == '\t')
			mlv_buf_puts(out, "\\t");
		else if (c < 0x20 || c == 0x7f || c == ';') /* ';' could start a comment */
			mlv_buf_printf(out, "\\u%04x", c);
		else
			mlv_buf_putc(out, (char)c);
	}
	mlv_buf_putc(out, '"');
}

void mlv_params_format_string(struct mlv_buf *out, const char *s, size_t len)
{
	int quote = 0;
	size_t i;

	if (len) {
		quote = isspace((unsigned char)s[0]) || isspace((unsigned char)s[len - 1]) ||
			strchr("\"[{;", s[0]) || is_number_text(s, len) ||
			(len == 4 && (!strncasecmp(s, "true", 4) || !strncasecmp(s, "null", 4))) ||
			(len == 5 && !strncasecmp(s, "false", 5));
		for (i = 0; i < len && !quote; i++)
			quote = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
				(s[i] == ';' && isspace((unsigned char)s[i - 1]));
	}
	if (quote)
		put_json_string(out, s, len);
	else
		mlv_buf_put(out, s, len);
}

/* The shortest text that reads back as `d`; a whole number keeps ".0". */
static void put_real(struct mlv_buf *out, double d)
{
	char text[40];
	int precision;

	for (precision = 1; precision <= 17; precision++) {
		snprintf(text, sizeof(text), "%.*g", precision, d);
		if (strtod(text, NULL) == d)
			break;
	}
	mlv_buf_puts(out, text);
	if (!strpbrk(text, ".eE"))
		mlv_buf_puts(out, ".0");
}

/* A scalar, bare in a sidecar value (`json` 0) or inside JSON text. */
static void put_scalar(struct mlv_buf *out, const json_t *v, int json)
{
	const char *m = marked(v);

	if (m && json)
		mlv_buf_puts(out, !strcmp(m, "nan") ? "NaN" :
				  !strcmp(m, "inf") ? "Infinity" : "-Infinity");
	else if (m)
		mlv_buf_puts(out, m);
	else if (json_is_string(v) && json)
		put_json_string(out, json_string_value(v), json_string_length(v));
	else if (json_is_string(v))
		mlv_params_format_string(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		mlv_buf_printf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		put_real(out, json_real_value(v));
	else
		mlv_buf_puts(out, json_is_true(v) ? "true" : json_is_false(v) ? "false" : "null");
}

/* Compact JSON text of any value; stops early once it is too long for a
 * sidecar line (and so memory stays bounded, whatever aliases repeat). */
static void put_json(struct mlv_buf *out, const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (out->len > MLV_SIDECAR_MAX_LINE)
		return;
	if (json_is_array(v)) {
		mlv_buf_putc(out, '[');
		json_array_foreach(v, i, item) {
			if (i)
				mlv_buf_putc(out, ',');
			put_json(out, item);
		}
		mlv_buf_putc(out, ']');
	} else if (json_is_object(v)) {
		i = 0;
		mlv_buf_putc(out, '{');
		json_object_foreach((json_t *)v, key, item) {
			if (i++)
				mlv_buf_putc(out, ',');
			put_json_string(out, key, strlen(key));
			mlv_buf_putc(out, ':');
			put_json(out, item);
		}
		mlv_buf_putc(out, '}');
	} else {
		put_scalar(out, v, 1);
	}
}

/* ---- keys ---- */

const char *mlv_params_key_problem(const char *key)
{
	const char *p;

	if (!*key)
		return "is empty";
	for (p = key; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "holds a line break or another control character";
	if (isspace((unsigned char)key[0]) || isspace((unsigned char)p[-1]))
		return "starts or ends with white space";
	if (strpbrk(key, "=:;#[]"))
		return "holds one of '=', ':', ';', '#', '[' and ']', which INI reads "
		       "as something else";
	return NULL;
}

static void params_set(struct mlv_params *p, json_t *index, const char *key,
		       const char *value)
{
	json_t *at = json_object_get(index, key);
	struct mlv_params_entry *e;

	if (at) {
		e = &p->entries[json_integer_value(at)];
		free(e->value);
		e->value = mlv_xstrdup(value);
		return;
	}
	MLV_ALLOC_GROW(p->entries, p->n, p->alloc);
	e = &p->entries[p->n];
	e->key = mlv_xstrdup(key);
	e->value = mlv_xstrdup(value);
	json_object_set_new(index, key, json_integer((json_int_t)p->n));
	p->n++;
}

void mlv_params_release(struct mlv_params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->entries[i].key);
		free(p->entries[i].value);
	}
	free(p->entries);
	p->entries = NULL;
	p->n = p->alloc = 0;
}

/* ---- flattening ---- */

struct flatten {
	const char *name;
	struct mlv_params out;
	json_t *index; /* key -> entry */
	size_t bytes;  /* of the record's lines */
};

static int flatten(struct flatten *f, struct mlv_buf *key, const json_t *obj)
{
	struct mlv_buf value = MLV_BUF_INIT;
	const char *k;
	json_t *v;
	size_t keep = key->len;
	int err = 0;

	json_object_foreach((json_t *)obj, k, v) {
		mlv_buf_truncate(key, keep);
		if (keep)
			mlv_buf_putc(key, '.');
		mlv_buf_puts(key, k);
		if (json_is_object(v) && json_object_size(v)) {
			if ((err = flatten(f, key, v)) < 0)
				break;
			continue;
		}
		if (mlv_params_key_problem(key->ptr)) {
			mlv_error_set("%s: key '%s' cannot be a sidecar key: it %s", f->name,
				      mlv_quote_display(key->ptr),
				      mlv_params_key_problem(key->ptr));
			err = MLV_EINVALID;
			break;
		}
		if (json_object_get(f->index, key->ptr)) {
			mlv_error_set("%s: key '%s' comes twice once nested keys are joined "
				      "with '.'; rename one of them", f->name,
				      mlv_quote_display(key->ptr));
			err = MLV_EINVALID;
			break;
		}
		if (f->out.n == MAX_KEYS) {
			mlv_error_set("%s holds more than %d keys, more than a sidecar "
				      "records", f->name, MAX_KEYS);
			err = MLV_EINVALID;
			break;
		}
		mlv_buf_clear(&value);
		if (json_is_array(v) || json_is_object(v))
			put_json(&value, v);
		else
			put_scalar(&value, v, 0);
		if (key->len + 3 + value.len > MLV_SIDECAR_MAX_LINE) {
			mlv_error_set("%s: key '%s': its value does not fit on a sidecar "
				      "line (%d bytes with the key); record a shorter one "
				      "with --param or --metric", f->name,
				      mlv_quote_display(key->ptr), MLV_SIDECAR_MAX_LINE);
			err = MLV_EINVALID;
			break;
		}
		params_set(&f->out, f->index, key->ptr, value.ptr);
	}
	mlv_buf_truncate(key, keep);
	mlv_buf_release(&value);
	return err;
}

/* ---- YAML: libyaml's events into a jansson tree ---- */

struct frame {
	json_t *node;     /* array or object */
	json_t *explicit; /* a mapping's keys written in it: key -> line */
	char *key;        /* the key waiting for its value */
	size_t key_line;
	int merge;        /* the key is a plain "<<" */
	size_t start;     /* values counted when it opened */
	char *anchor;
};

struct yaml_state {
	const char *name;
	struct frame stack[MLV_PARAMS_MAX_DEPTH];
	size_t depth;
	json_t *anchors; /* name -> [node, values it stands for] */
	size_t values;   /* counting each alias as what it stands for */
	size_t aliased;
	json_t *root;
	int documents;
};

static const char *tag_name(const char *tag)
{
	static const char prefix[] = "tag:yaml.org,2002:";

	return strncmp(tag, prefix, sizeof(prefix) - 1) ? tag : tag + sizeof(prefix) - 1;
}

/* YAML 1.2's core schema for a plain scalar: NULL when it is a string. */
static json_t *resolve_plain(const char *s, size_t n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const trues[] = { "true", "True", "TRUE" };
	static const char *const falses[] = { "false", "False", "FALSE" };
	const char *p = s, *digits;
	char *end;
	size_t i;

	for (i = 0; i < 5; i++)
		if (!strcmp(s, nulls[i]))
			return json_null();
	for (i = 0; i < 3; i++) {
		if (!strcmp(s, trues[i]))
			return json_true();
		if (!strcmp(s, falses[i]))
			return json_false();
	}
	if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
		return mark(nan_mark, sizeof(nan_mark));
	if (*p == '-' || *p == '+')
		p++;
	if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF"))
		return *s == '-' ? mark(ninf_mark, sizeof(ninf_mark))
				 : mark(inf_mark, sizeof(inf_mark));
	if ((!strncmp(s, "0x", 2) && n > 2 && strspn(s + 2, "0123456789abcdefABCDEF") == n - 2) ||
	    (!strncmp(s, "0o", 2) && n > 2 && strspn(s + 2, "01234567") == n - 2)) {
		unsigned long long u;

		errno = 0;
		u = strtoull(s + 2, &end, s[1] == 'x' ? 16 : 8);
		return errno || u > LLONG_MAX ? mark("\0big", 5) : json_integer((json_int_t)u);
	}
	if (strspn(p, "0123456789") == strlen(p) && *p) {
		long long v;

		errno = 0;
		v = strtoll(s, &end, 10);
		return errno ? mark("\0big", 5) : json_integer(v);
	}
	/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
	digits = p;
	p += strspn(p, "0123456789");
	if (*p == '.')
		p += 1 + strspn(p + 1, "0123456789");
	if (p == digits || (p == digits + 1 && *digits == '.'))
		return NULL;
	if (*p == 'e' || *p == 'E') {
		const char *e = p + 1 + (p[1] == '-' || p[1] == '+');

		if (!strspn(e, "0123456789"))
			return NULL;
		p = e + strspn(e, "0123456789");
	}
	if (*p)
		return NULL;
	return isfinite(strtod(s, NULL)) ? json_real(strtod(s, NULL)) : mark("\0big", 5);
}

static int yaml_scalar(json_t **out, struct yaml_state *st, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *want = tag ? tag_name(tag) : NULL;
	const yaml_mark_t *m = &ev->start_mark;
	json_t *v = NULL;

	*out = NULL;
	if (memchr(s, '\0', n))
		return fail_at(st->name, m->line + 1, m->column + 1,
			       "a NUL character cannot be recorded");
	if ((tag && (!strcmp(tag, "!") || !strcmp(want, "str"))) ||
	    (!tag && ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)) {
		*out = json_stringn(s, n);
		return 0;
	}
	if (tag && strcmp(want, "null") && strcmp(want, "bool") && strcmp(want, "int") &&
	    strcmp(want, "float"))
		return fail_at(st->name, m->line + 1, m->column + 1,
			       "tag '%s' is not supported: params are strings, "
			       "numbers, booleans, null, lists and mappings", tag);
	v = resolve_plain(s, n);
	if (v && json_is_string(v) && !strcmp(json_string_value(v) + 1, "big")) {
		json_decref(v);
		return fail_at(st->name, m->line + 1, m->column + 1,
			       "%s is out of range for a number", s);
	}
	if (!tag) {
		*out = v ? v : json_stringn(s, n);
		return 0;
	}
	if (!strcmp(want, "float") && json_is_integer(v)) {
		json_t *r = json_real((double)json_integer_value(v));

		json_decref(v);
		v = r;
	}
	if (!v || (!strcmp(want, "null") && !json_is_null(v)) ||
	    (!strcmp(want, "bool") && !json_is_boolean(v)) ||
	    (!strcmp(want, "int") && !json_is_integer(v)) ||
	    (!strcmp(want, "float") && !json_is_real(v) && !marked(v))) {
		json_decref(v);
		return fail_at(st->name, m->line + 1, m->column + 1,
			       "'%s' is not a valid !!%s", s, want);
	}
	*out = v;
	return 0;
}

static void set_anchor(struct yaml_state *st, const char *anchor, json_t *node,
		       size_t size)
{
	json_object_set_new(st->anchors, anchor,
			    json_pack("[OI]", node, (json_int_t)size));
}

/* `<<: *base` (or a list of them): keys the mapping does not set itself. */
static int merge(struct yaml_state *st, struct frame *f, json_t *v,
		 const yaml_mark_t *m)
{
	json_t *from, *item;
	const char *k;
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;

	for (i = 0; i < n; i++) {
		from = json_is_array(v) ? json_array_get(v, i) : v;
		if (!json_is_object(from))
			return fail_at(st->name, m->line + 1, m->column + 1,
				       "'<<' merges a mapping or a list of mappings");
		json_object_foreach(from, k, item)
			if (!json_object_get(f->node, k))
				json_object_set(f->node, k, item);
	}
	return 0;
}

/* Put a finished value where it belongs; steals `v`. */
static int add_value(struct yaml_state *st, json_t *v, const yaml_mark_t *m)
{
	struct frame *f;
	json_t *first;
	int err = 0;

	if (!v)
		return fail_at(st->name, m->line + 1, m->column + 1,
			       "this value cannot be recorded");
	if (!st->depth) {
		json_decref(st->root);
		st->root = v;
		return 0;
	}
	f = &st->stack[st->depth - 1];
	if (json_is_array(f->node)) {
		json_array_append_new(f->node, v);
		return 0;
	}
	if ((first = json_object_get(f->explicit, f->key))) {
		err = fail_at(st->name, f->key_line, 1, "duplicate key '%s' (first on line "
			      "%lld)", mlv_quote_display(f->key),
			      (long long)json_integer_value(first));
	} else {
		json_object_set_new(f->explicit, f->key, json_integer((json_int_t)f->key_line));
		if (f->merge)
			err = merge(st, f, v, m);
		else if (json_object_set(f->node, f->key, v) < 0)
			err = fail_at(st->name, f->key_line, 1, "key '%s' is not UTF-8",
				      mlv_quote_display(f->key));
	}
	json_decref(v);
	free(f->key);
	f->key = NULL;
	return err;
}

/* 1 when the innermost open node is a mapping waiting for a key. */
static int wants_key(const struct yaml_state *st)
{
	const struct frame *f = st->depth ? &st->stack[st->depth - 1] : NULL;

	return f && json_is_object(f->node) && !f->key;
}

static int yaml_event(struct yaml_state *st, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct frame *f;
	json_t *v = NULL, *a;
	const char *anchor = NULL;
	size_t i;
	int err;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++st->documents > 1)
			return fail_at(st->name, m->line + 1, m->column + 1,
				       "a second YAML document: params come from one");
		return 0;
	case YAML_SCALAR_EVENT:
		st->values++;
		anchor = (const char *)ev->data.scalar.anchor;
		if (wants_key(st)) {
			const char *s = (const char *)ev->data.scalar.value;

			f = &st->stack[st->depth - 1];
			if (memchr(s, '\0', ev->data.scalar.length))
				return fail_at(st->name, m->line + 1, m->column + 1,
					       "a key holds a NUL character");
			f->key = mlv_xstrdup(s);
			f->key_line = m->line + 1;
			f->merge = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
				   !ev->data.scalar.tag && !strcmp(s, "<<");
			if (anchor)
				set_anchor(st, anchor, json_string(s), 1);
			return 0;
		}
		if ((err = yaml_scalar(&v, st, ev)) < 0)
			return err;
		if (anchor)
			set_anchor(st, anchor, v, 1);
		return add_value(st, v, m);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (wants_key(st))
			return fail_at(st->name, m->line + 1, m->column + 1,
				       "a key must be a plain value, not a list or "
				       "a mapping");
		if (st->depth == MLV_PARAMS_MAX_DEPTH)
			return fail_at(st->name, m->line + 1, m->column + 1,
				       "nested more than %d deep", MLV_PARAMS_MAX_DEPTH);
		anchor = (const char *)(ev->type == YAML_MAPPING_START_EVENT ?
					ev->data.mapping_start.anchor :
					ev->data.sequence_start.anchor);
		f = &st->stack[st->depth++];
		memset(f, 0, sizeof(*f));
		f->node = ev->type == YAML_MAPPING_START_EVENT ? json_object() : json_array();
		f->explicit = json_object();
		f->start = st->values;
		f->anchor = anchor ? mlv_xstrdup(anchor) : NULL;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		f = &st->stack[--st->depth];
		st->values++;
		v = f->node;
		if (f->anchor)
			set_anchor(st, f->anchor, v, st->values - f->start);
		json_decref(f->explicit);
		free(f->anchor);
		free(f->key);
		return add_value(st, v, m);
	case YAML_ALIAS_EVENT:
		anchor = (const char *)ev->data.alias.anchor;
		if (wants_key(st))
			return fail_at(st->name, m->line + 1, m->column + 1,
				       "a key must be a plain value, not an alias");
		if (!(a = json_object_get(st->anchors, anchor))) {
			for (i = 0; i < st->depth; i++)
				if (st->stack[i].anchor && !strcmp(st->stack[i].anchor, anchor))
					return fail_at(st->name, m->line + 1, m->column + 1,
						       "alias *%s is inside the node it "
						       "names", anchor);
			return fail_at(st->name, m->line + 1, m->column + 1,
				       "alias *%s has no anchor &%s before it", anchor,
				       anchor);
		}
		st->aliased += (size_t)json_integer_value(json_array_get(a, 1));
		st->values += (size_t)json_integer_value(json_array_get(a, 1));
		if (st->aliased > MLV_PARAMS_MAX_ALIASED)
			return fail_at(st->name, m->line + 1, m->column + 1,
				       "aliases repeat more than %d values (an alias "
				       "bomb?): refused", MLV_PARAMS_MAX_ALIASED);
		return add_value(st, json_incref(json_array_get(a, 0)), m);
	default:
		return 0;
	}
}

static int yaml_tree(json_t **out, const char *name, const char *data, size_t len)
{
	struct yaml_state st;
	yaml_parser_t parser;
	yaml_event_t ev;
	size_t line, column;
	int err = 0, end = 0;

	memset(&st, 0, sizeof(st));
	st.name = name;
	st.anchors = json_object();
	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!end && !err) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_READER_ERROR) {
				position(&line, &column, data, len, parser.problem_offset);
				err = fail_at(name, line, column, "%s", parser.problem);
			} else if (parser.context) {
				err = fail_at(name, parser.problem_mark.line + 1,
					      parser.problem_mark.column + 1,
					      "%s %s (from line %zu, column %zu)",
					      parser.problem, parser.context,
					      parser.context_mark.line + 1,
					      parser.context_mark.column + 1);
			} else {
				err = fail_at(name, parser.problem_mark.line + 1,
					      parser.problem_mark.column + 1, "%s",
					      parser.problem ? parser.problem : "not YAML");
			}
			break;
		}
		err = yaml_event(&st, &ev);
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	while (st.depth) {
		struct frame *f = &st.stack[--st.depth];

		json_decref(f->node);
		json_decref(f->explicit);
		free(f->anchor);
		free(f->key);
	}
	yaml_parser_delete(&parser);
	json_decref(st.anchors);
	if (err)
		json_decref(st.root);
	else
		*out = st.root;
	return err;
}

/* ---- JSON ---- */

/*
 * Python's json module writes NaN, Infinity and -Infinity, which are not
 * JSON; outside strings they become marked strings. 1 when `data` held
 * one (and `out` holds the text to parse).
 */
static int replace_nonfinite(struct mlv_buf *out, const char *data, size_t len)
{
	static const struct { const char *word, *as; } words[] = {
		{ "-Infinity", "\"\\u0000-inf\"" },
		{ "Infinity", "\"\\u0000inf\"" },
		{ "NaN", "\"\\u0000nan\"" },
	};
	size_t i, w, done = 0;
	int in_string = 0, found = 0;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (data[i] == '\\')
				i++;
			else if (data[i] == '"')
				in_string = 0;
			continue;
		}
		if (data[i] == '"') {
			in_string = 1;
			continue;
		}
		for (w = 0; w < 3; w++) {
			size_t n = strlen(words[w].word);

			if (len - i >= n && !memcmp(data + i, words[w].word, n)) {
				mlv_buf_put(out, data + done, i - done);
				mlv_buf_puts(out, words[w].as);
				done = i + n;
				i += n - 1;
				found = 1;
				break;
			}
		}
	}
	mlv_buf_put(out, data + done, len - done);
	return found;
}

static int json_tree(json_t **out, const char *name, const char *data, size_t len)
{
	struct mlv_buf text = MLV_BUF_INIT;
	json_error_t jerr;
	const char *nul;
	size_t line, column;
	int flags = JSON_REJECT_DUPLICATES;

	/* the marks need NULs in strings, and only they may have them */
	if (replace_nonfinite(&text, data, len)) {
		if ((nul = memmem(data, len, "\\u0000", 6))) {
			position(&line, &column, data, len, (size_t)(nul - data));
			mlv_buf_release(&text);
			return fail_at(name, line, column,
				       "a NUL character cannot be recorded");
		}
		flags |= JSON_ALLOW_NUL;
	}
	*out = json_loadb(text.ptr, text.len, flags, &jerr);
	mlv_buf_release(&text);
	if (*out)
		return 0;
	if (jerr.line > 0)
		return fail_at(name, (size_t)jerr.line, (size_t)(jerr.column > 0 ? jerr.column : 1),
			       "%s", jerr.text);
	mlv_error_set("%s: %s", name, jerr.text);
	return MLV_EINVALID;
}

/* ---- files ---- */

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

enum mlv_params_format mlv_params_sniff(const char *name, const char *data, size_t len)
{
	size_t i;

	if (has_suffix(name, ".yaml") || has_suffix(name, ".yml"))
		return MLV_PARAMS_YAML;
	if (has_suffix(name, ".json"))
		return MLV_PARAMS_JSON;
	for (i = 0; i < len && strchr(" \t\r\n", data[i]); i++)
		;
	return i < len && (data[i] == '{' || data[i] == '[') ? MLV_PARAMS_JSON
							     : MLV_PARAMS_YAML;
}

int mlv_params_parse(struct mlv_params *out, const char *name, const char *data,
		     size_t len, enum mlv_params_format format, int last)
{
	struct flatten f = { name, MLV_PARAMS_INIT, NULL, 0 };
	struct mlv_buf key = MLV_BUF_INIT;
	json_t *root = NULL, *top, *history;
	json_t *index = NULL;
	size_t i;
	int err;

	if (format == MLV_PARAMS_AUTO)
		format = mlv_params_sniff(name, data, len);
	if (len > MLV_PARAMS_MAX_SIZE) {
		mlv_error_set("%s is %zu bytes; params and metrics files are read up "
			      "to %d MiB", name, len, MLV_PARAMS_MAX_SIZE >> 20);
		return MLV_EINVALID;
	}
	if ((err = format == MLV_PARAMS_JSON ? json_tree(&root, name, data, len)
					     : yaml_tree(&root, name, data, len)) < 0)
		goto done;
	top = root;
	if (last) {
		history = json_object_get(root, "log_history");
		if (!json_is_array(history) || !json_array_size(history)) {
			mlv_error_set("%s has no top-level \"log_history\" list with an "
				      "entry: '" MLV_PARAMS_LAST_SUFFIX "' takes the last "
				      "entry of a Hugging Face trainer_state.json's", name);
			err = MLV_EINVALID;
			goto done;
		}
		top = json_array_get(history, json_array_size(history) - 1);
	}
	if (!json_is_object(top)) {
		mlv_error_set("%s%s is %s, not a mapping of names to values", name,
			      last ? ": the last log_history entry" : "",
			      !top ? "empty" : json_is_array(top) ? "a list" : "a single value");
		err = MLV_EINVALID;
		goto done;
	}
	f.index = json_object();
	if ((err = flatten(&f, &key, top)) < 0)
		goto done;
	/* all or nothing: only now does `out` change */
	index = json_object();
	for (i = 0; i < out->n; i++)
		json_object_set_new(index, out->entries[i].key, json_integer((json_int_t)i));
	for (i = 0; i < f.out.n; i++)
		params_set(out, index, f.out.entries[i].key, f.out.entries[i].value);
done:
	json_decref(root);
	json_decref(f.index);
	json_decref(index);
	mlv_params_release(&f.out);
	mlv_buf_release(&key);
	return err;
}

int mlv_params_read_file(struct mlv_params *out, const char *arg)
{
	struct mlv_buf data = MLV_BUF_INIT;
	char *path = NULL;
	struct stat st;
	size_t suffix = strlen(MLV_PARAMS_LAST_SUFFIX), len = strlen(arg);
	int fd = -1, last, err = MLV_ERROR;
	ssize_t n;

	last = len >= suffix && !strcmp(arg + len - suffix, MLV_PARAMS_LAST_SUFFIX);
	path = last ? mlv_xstrndup(arg, len - suffix) : mlv_xstrdup(arg);
	if (!*path) {
		mlv_error_set("'%s' names no file", arg);
		err = MLV_EINVALID;
		goto done;
	}
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
		err = errno == ENOENT ? MLV_ENOTFOUND : MLV_ERROR;
		if (errno == ENOENT && last && access(arg, F_OK) == 0)
			mlv_error_set("'%s' does not exist: a trailing '"
				      MLV_PARAMS_LAST_SUFFIX "' selects the last "
				      "log_history entry, so '%s' cannot be named; "
				      "rename it", path, arg);
		else
			mlv_error_set_errno("cannot open '%s'", path);
		goto done;
	}
	if (fstat(fd, &st) < 0) {
		mlv_error_set_errno("cannot read '%s'", path);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		mlv_error_set("'%s' is not a regular file", path);
		err = MLV_EINVALID;
		goto done;
	}
	if (st.st_size > MLV_PARAMS_MAX_SIZE) {
		mlv_error_set("'%s' is %lld bytes; params and metrics files are read up "
			      "to %d MiB", path, (long long)st.st_size,
			      MLV_PARAMS_MAX_SIZE >> 20);
		err = MLV_EINVALID;
		goto done;
	}
	for (;;) {
		mlv_buf_grow(&data, 65536);
		if ((n = mlv_read_retry(fd, data.ptr + data.len, 65536)) < 0) {
			mlv_error_set_errno("cannot read '%s'", path);
			goto done;
		}
		if (!n)
			break;
		data.len += (size_t)n;
		data.ptr[data.len] = '\0';
		if (data.len > MLV_PARAMS_MAX_SIZE) {
			mlv_error_set("'%s' grew past %d MiB while being read", path,
				      MLV_PARAMS_MAX_SIZE >> 20);
			err = MLV_EINVALID;
			goto done;
		}
	}
	err = mlv_params_parse(out, path, data.ptr, data.len, MLV_PARAMS_AUTO, last);
done:
	if (fd >= 0)
		close(fd);
	mlv_buf_release(&data);
	free(path);
	return err;
}
