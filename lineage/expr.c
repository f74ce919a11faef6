/*
 * The `git mlv find` expression language: a hand-written tokenizer and
 * recursive-descent parser build a tree in three arrays of one
 * allocation each (nodes, literals, distinct fields), with every string in
 * one text pool; matching walks the tree without allocating.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/expr.h"
#include "mlv/sidecar.h"
#include "mlv/util.h"

#define NONE ((size_t)-1)
#define NEAR_MAX 32 /* source bytes quoted in an error message */

enum expr_op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_LIKE,
	OP_ILIKE,
	OP_NOT_LIKE,
	OP_NOT_ILIKE,
	OP_IN,
	OP_NOT_IN,
	OP_IS_NULL,
	OP_IS_NOT_NULL
};

static const char *const op_names[] = {
	"=", "!=", "<", "<=", ">", ">=", "like", "ilike", "not like",
	"not ilike", "in", "not in", "is null", "is not null"
};

enum node_kind { NODE_OR, NODE_AND, NODE_NOT, NODE_CMP };

/*
 * One node of the tree. An `and` or `or` holds any number of operands,
 * so that a long chain does not make a deep tree: `child` is the first,
 * each operand's `next` the one after it.
 */
struct expr_node {
	enum node_kind kind;
	size_t child; /* NODE_OR, NODE_AND, NODE_NOT */
	size_t next;  /* the next operand of the parent and/or, or NONE */
	enum expr_op op; /* NODE_CMP */
	size_t field;    /* NODE_CMP: the field name's offset in the pool */
	size_t lit, nlit; /* NODE_CMP: its literals in `lits` */
};

/* What a text is, for the comparison rules of expr.h. */
struct text_kind {
	unsigned char number, integer, semver;
	double value;
};

struct expr_literal {
	size_t text; /* offset in the pool */
	struct text_kind kind;
};

struct mlv_expr {
	struct expr_node *nodes;
	size_t nnodes, anodes;
	struct expr_literal *lits;
	size_t nlits, alits;
	size_t *fields; /* distinct field names, as pool offsets */
	size_t nfields;
	struct mlv_buf pool;
	size_t root;
};

enum token_kind {
	TOK_END,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_COMMA,
	TOK_OP,
	TOK_FIELD,
	TOK_VALUE, /* a string, number, version or oid */
	TOK_AND,
	TOK_OR,
	TOK_NOT,
	TOK_LIKE,
	TOK_ILIKE,
	TOK_IN,
	TOK_IS,
	TOK_NULL
};

static const struct {
	const char *word;
	enum token_kind kind;
} keywords[] = {
	{ "and", TOK_AND },   { "or", TOK_OR }, { "not", TOK_NOT },
	{ "like", TOK_LIKE }, { "ilike", TOK_ILIKE }, { "in", TOK_IN },
	{ "is", TOK_IS },     { "null", TOK_NULL },
};

struct token {
	enum token_kind kind;
	size_t start, len; /* the source bytes */
	size_t text;       /* TOK_FIELD, TOK_VALUE: the decoded text in the pool */
	enum expr_op op;   /* TOK_OP */
};

struct parser {
	struct mlv_expr *e;
	const char *src;
	size_t len;
	size_t pos; /* where the next token starts, or blanks before it */
	struct token tok;
	unsigned depth;
	size_t column;
};

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident_char(int c)
{
	return is_ident_start(c) || is_digit(c) || c == '-';
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* `n` bytes at `s` are `word` (lowercase), ignoring ASCII case. */
static int is_word(const char *s, size_t n, const char *word)
{
	size_t i;
	int same = strlen(word) == n;

	for (i = 0; same && i < n; i++)
		same = fold((unsigned char)s[i]) == word[i];
	return same;
}

/*
 * Decimal number, integer, semantic version: what the comparison rules
 * ask of a value or a literal.
 */
static void classify(struct text_kind *k, const char *s)
{
	const char *p = s, *q;
	size_t digits = 0;
	int integer = 1;
	char *end;

	memset(k, 0, sizeof(*k));
	if (*p == '+' || *p == '-')
		p++;
	for (; is_digit(*p); p++)
		digits++;
	if (*p == '.') {
		integer = 0;
		for (p++; is_digit(*p); p++)
			digits++;
	}
	if (digits && (*p == 'e' || *p == 'E')) {
		q = p + 1;
		if (*q == '+' || *q == '-')
			q++;
		if (is_digit(*q)) {
			integer = 0;
			while (is_digit(*q))
				q++;
			p = q;
		}
	}
	if (digits && !*p) {
		k->value = strtod(s, &end);
		k->number = !*end && isfinite(k->value);
		k->integer = k->number && integer;
	}
	k->semver = !k->number && mlv_semver_is_valid(s);
}

/* Two integers ([+-]digits), exactly: <0, 0, >0. */
static int integer_compare(const char *a, const char *b)
{
	int neg_a = *a == '-', neg_b = *b == '-', c;
	size_t la, lb;

	a += *a == '+' || *a == '-';
	b += *b == '+' || *b == '-';
	while (*a == '0')
		a++;
	while (*b == '0')
		b++;
	la = strlen(a);
	lb = strlen(b);
	neg_a &= la > 0; /* -0 is 0 */
	neg_b &= lb > 0;
	if (neg_a != neg_b)
		c = neg_a ? -1 : 1;
	else {
		c = la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
		c = (c > 0) - (c < 0);
		if (neg_a)
			c = -c;
	}
	return c;
}

/* `value` against a literal by the rules of expr.h: <0, 0, >0. */
static int value_compare(const char *value, const struct text_kind *vk,
			 const char *lit, const struct text_kind *lk)
{
	int c;

	if (vk->number && lk->number)
		c = vk->integer && lk->integer ? integer_compare(value, lit) :
		    (vk->value > lk->value) - (vk->value < lk->value);
	else if (vk->semver && lk->semver)
		c = mlv_semver_compare(value, lit);
	else
		c = strcmp(value, lit);
	return (c > 0) - (c < 0);
}

/*
 * Match one pattern element at `p` (not '%', not the end) against the
 * character at `*s` (not the end): its length in the pattern, with `*s`
 * moved past what it matched, or 0.
 */
static size_t like_step(const char **s, const char *p, int nocase)
{
	const unsigned char *t = (const unsigned char *)*s;
	size_t n = 0;
	int want;

	if (*p == '_') {
		/* one UTF-8 character: a byte and its continuation bytes */
		for (t++; (*t & 0xc0) == 0x80; t++)
			;
		n = 1;
	} else {
		n = *p == '\\' && p[1] ? 2 : 1;
		want = (unsigned char)p[n - 1];
		if (nocase ? fold(*t) == fold(want) : *t == want)
			t++;
		else
			n = 0;
	}
	if (n)
		*s = (const char *)t;
	return n;
}

/* SQL LIKE without recursion: on a mismatch, the last '%' takes one more
 * byte. */
static int like_match(const char *s, const char *p, int nocase)
{
	const char *star_p = NULL, *star_s = NULL;
	size_t n;
	int r = -1;

	while (r < 0) {
		if (*p == '%') {
			while (*p == '%')
				p++;
			star_p = p;
			star_s = s;
		} else if (!*s) {
			r = !*p;
		} else if (*p && (n = like_step(&s, p, nocase))) {
			p += n;
		} else if (star_p) {
			p = star_p;
			s = ++star_s;
		} else {
			r = 0;
		}
	}
	return r;
}

static int match_comparison(const struct mlv_expr *e, const struct expr_node *n,
			    mlv_expr_lookup_fn lookup, void *payload)
{
	const char *field = e->pool.ptr + n->field, *value, *lit;
	const struct expr_literal *l;
	struct text_kind vk;
	size_t i;
	int r = 0, c;

	value = lookup(field, payload);
	if (n->op == OP_IS_NULL || n->op == OP_IS_NOT_NULL) {
		r = (value == NULL) == (n->op == OP_IS_NULL);
		goto done;
	}
	if (!value)
		goto done; /* absent: false, as NULL in SQL */
	l = &e->lits[n->lit];
	lit = e->pool.ptr + l->text;
	switch (n->op) {
	case OP_LIKE:
	case OP_NOT_LIKE:
	case OP_ILIKE:
	case OP_NOT_ILIKE:
		r = like_match(value, lit, n->op == OP_ILIKE || n->op == OP_NOT_ILIKE);
		r ^= n->op == OP_NOT_LIKE || n->op == OP_NOT_ILIKE;
		goto done;
	default:
		break;
	}
	classify(&vk, value);
	if (n->op == OP_IN || n->op == OP_NOT_IN) {
		for (i = 0; i < n->nlit && !r; i++)
			r = !value_compare(value, &vk, e->pool.ptr + l[i].text, &l[i].kind);
		r ^= n->op == OP_NOT_IN;
		goto done;
	}
	c = value_compare(value, &vk, lit, &l->kind);
	switch (n->op) {
	case OP_EQ: r = c == 0; break;
	case OP_NE: r = c != 0; break;
	case OP_LT: r = c < 0; break;
	case OP_LE: r = c <= 0; break;
	case OP_GT: r = c > 0; break;
	case OP_GE: r = c >= 0; break;
	default: break;
	}
done:
	return r;
}

static int match_node(const struct mlv_expr *e, size_t at,
		      mlv_expr_lookup_fn lookup, void *payload)
{
	const struct expr_node *n = &e->nodes[at];
	size_t k;
	int r = 0;

	switch (n->kind) {
	case NODE_OR:
		for (k = n->child; k != NONE && !r; k = e->nodes[k].next)
			r = match_node(e, k, lookup, payload);
		break;
	case NODE_AND:
		r = 1;
		for (k = n->child; k != NONE && r; k = e->nodes[k].next)
			r = match_node(e, k, lookup, payload);
		break;
	case NODE_NOT:
		r = !match_node(e, n->child, lookup, payload);
		break;
	case NODE_CMP:
		r = match_comparison(e, n, lookup, payload);
		break;
	}
	return r;
}

int mlv_expr_match(const struct mlv_expr *e, mlv_expr_lookup_fn lookup,
		   void *payload)
{
	return match_node(e, e->root, lookup, payload);
}

int mlv_expr_fields(const struct mlv_expr *e,
		    int (*fn)(const char *field, void *payload), void *payload)
{
	size_t i;
	int r = 0;

	for (i = 0; i < e->nfields && !r; i++)
		r = fn(e->pool.ptr + e->fields[i], payload);
	return r;
}

void mlv_expr_free(struct mlv_expr *e)
{
	if (!e)
		goto done;
	free(e->nodes);
	free(e->lits);
	free(e->fields);
	mlv_buf_release(&e->pool);
	free(e);
done:
	return;
}

/*
 * Errors: "column N: what, near 'source'" with N the 1-based column of
 * `at`, and at most NEAR_MAX of the `len` bytes there, unprintable ones
 * as \xNN. Always MLV_EINVALID.
 */
static int fail_at(struct parser *ps, size_t at, size_t len, const char *what)
{
	struct mlv_buf near = MLV_BUF_INIT;
	unsigned char c;
	size_t i;

	ps->column = at + 1;
	if (at >= ps->len) {
		mlv_error_set("column %zu: %s, at the end", at + 1, what);
		goto done;
	}
	if (len > ps->len - at)
		len = ps->len - at;
	for (i = 0; i < len && i < NEAR_MAX; i++) {
		c = (unsigned char)ps->src[at + i];
		if (c >= 0x20 && c < 0x7f)
			mlv_buf_putc(&near, (char)c);
		else
			mlv_buf_printf(&near, "\\x%02x", c);
	}
	if (len > NEAR_MAX)
		mlv_buf_puts(&near, "...");
	mlv_error_set("column %zu: %s, near '%s'", at + 1, what, near.ptr);
done:
	mlv_buf_release(&near);
	return MLV_EINVALID;
}

static int fail_token(struct parser *ps, const char *what)
{
	return fail_at(ps, ps->tok.start, ps->tok.len, what);
}

/* A quoted string at ps->pos: its text, decoded, to the pool. */
static int lex_string(struct parser *ps)
{
	struct mlv_buf *pool = &ps->e->pool;
	const char *s = ps->src;
	size_t at = ps->pos, p = at + 1;
	char quote = s[at];
	int err = 0;

	for (;;) {
		if (!s[p]) {
			err = fail_at(ps, at, ps->len - at, "unclosed quote");
			goto done;
		}
		if (s[p] == '\\' && (s[p + 1] == quote || s[p + 1] == '\\')) {
			mlv_buf_putc(pool, s[p + 1]);
			p += 2;
		} else if (s[p] == quote && s[p + 1] == quote) {
			mlv_buf_putc(pool, quote);
			p += 2;
		} else if (s[p] == quote) {
			p++;
			break;
		} else {
			mlv_buf_putc(pool, s[p++]);
		}
	}
	mlv_buf_putc(pool, '\0');
	ps->tok.kind = TOK_VALUE;
	ps->pos = p;
done:
	return err;
}

/* A bare number or semantic version at ps->pos. */
static int lex_bare_value(struct parser *ps)
{
	struct mlv_buf *pool = &ps->e->pool;
	const char *s = ps->src;
	size_t at = ps->pos, p = at, start = pool->len;
	struct text_kind k;
	int err = 0;

	while (is_digit(s[p]) || is_ident_start(s[p]) || s[p] == '.' ||
	       s[p] == '+' || s[p] == '-')
		p++;
	mlv_buf_put(pool, s + at, p - at);
	mlv_buf_putc(pool, '\0');
	classify(&k, pool->ptr + start);
	if (!k.number && !k.semver) {
		err = fail_at(ps, at, p - at, "not a number or a semantic version");
		goto done;
	}
	ps->tok.kind = TOK_VALUE;
	ps->pos = p;
done:
	return err;
}

/* `sha256:` and 64 lowercase hex digits at ps->pos, `sha256` read. */
static int lex_oid(struct parser *ps)
{
	struct mlv_buf *pool = &ps->e->pool;
	const char *s = ps->src;
	size_t at = ps->tok.start, p = ps->pos + 1, hex = p;
	int err = 0, lower = 1;

	for (; is_ident_char(s[p]); p++)
		lower &= is_digit(s[p]) || (s[p] >= 'a' && s[p] <= 'f');
	if (!lower || p - hex != 64) {
		err = fail_at(ps, at, p - at,
			      "an oid is sha256: and 64 lowercase hex digits");
		goto done;
	}
	mlv_buf_put(pool, s + at, p - at);
	mlv_buf_putc(pool, '\0');
	ps->tok.kind = TOK_VALUE;
	ps->pos = p;
done:
	return err;
}

/*
 * A field name at ps->pos, its segments joined with '.' into the pool;
 * or a keyword (one plain segment), or `sha256:...`.
 */
static int lex_word(struct parser *ps)
{
	struct mlv_buf *pool = &ps->e->pool;
	const char *s = ps->src;
	size_t p = ps->pos, start = pool->len, seg = p, n = 0, i;
	int err = 0, quoted = 0;
	const char *close;

	for (;;) {
		seg = p;
		if (s[p] == '`') {
			close = strchr(s + p + 1, '`');
			if (!close) {
				err = fail_at(ps, p, ps->len - p, "unclosed back quote");
				goto done;
			}
			if (close == s + p + 1) {
				err = fail_at(ps, p, 2, "empty field name");
				goto done;
			}
			mlv_buf_put(pool, s + p + 1, (size_t)(close - s) - p - 1);
			p = (size_t)(close - s) + 1;
			quoted = 1;
		} else if (is_ident_start(s[p])) {
			while (is_ident_char(s[p]))
				p++;
			mlv_buf_put(pool, s + seg, p - seg);
		} else {
			err = fail_at(ps, p - 1, 1, "expected a field name after '.'");
			goto done;
		}
		n++;
		if (s[p] != '.')
			break;
		mlv_buf_putc(pool, '.');
		p++;
	}
	mlv_buf_putc(pool, '\0');
	ps->tok.kind = TOK_FIELD;
	ps->pos = p;
	if (n > 1 || quoted)
		goto done;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (is_word(s + seg, p - seg, keywords[i].word))
			ps->tok.kind = keywords[i].kind;
	if (ps->tok.kind != TOK_FIELD) {
		mlv_buf_truncate(pool, start);
	} else if (p - seg == 6 && !memcmp(s + seg, "sha256", 6) && s[p] == ':') {
		mlv_buf_truncate(pool, start);
		err = lex_oid(ps);
	}
done:
	return err;
}

static int lex_operator(struct parser *ps)
{
	static const struct {
		const char *text;
		enum expr_op op;
	} ops[] = {
		{ "=", OP_EQ }, { "==", OP_EQ }, { "!=", OP_NE }, { "<>", OP_NE },
		{ "<", OP_LT }, { "<=", OP_LE }, { ">", OP_GT },  { ">=", OP_GE },
	};
	const char *s = ps->src;
	size_t at = ps->pos, p = at, i;
	int err = 0, found = 0;

	while (s[p] && strchr("=!<>~", s[p]))
		p++;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]) && !found; i++) {
		if (strlen(ops[i].text) == p - at && !memcmp(ops[i].text, s + at, p - at)) {
			ps->tok.op = ops[i].op;
			found = 1;
		}
	}
	if (!found) {
		err = fail_at(ps, at, p - at, "unknown operator");
		goto done;
	}
	ps->tok.kind = TOK_OP;
	ps->pos = p;
done:
	return err;
}

/* Read the next token into ps->tok. */
static int next_token(struct parser *ps)
{
	const char *s = ps->src;
	int err = 0;
	char c;

	while (is_blank(s[ps->pos]))
		ps->pos++;
	c = s[ps->pos];
	ps->tok.start = ps->pos;
	ps->tok.text = ps->e->pool.len;
	if (!c) {
		ps->tok.kind = TOK_END;
	} else if (c == '(' || c == ')' || c == ',') {
		ps->tok.kind = c == '(' ? TOK_LPAREN : c == ')' ? TOK_RPAREN : TOK_COMMA;
		ps->pos++;
	} else if (strchr("=!<>~", c)) {
		err = lex_operator(ps);
	} else if (c == '\'' || c == '"') {
		err = lex_string(ps);
	} else if (c == '`' || is_ident_start(c)) {
		err = lex_word(ps);
	} else if (is_digit(c) || c == '.' || c == '+' || c == '-') {
		err = lex_bare_value(ps);
	} else {
		err = fail_at(ps, ps->pos, 1, "unexpected character");
	}
	ps->tok.len = ps->pos - ps->tok.start;
	return err;
}

static size_t new_node(struct mlv_expr *e, enum node_kind kind)
{
	struct expr_node *n;

	MLV_ALLOC_GROW(e->nodes, e->nnodes, e->anodes);
	n = &e->nodes[e->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->child = NONE;
	n->next = NONE;
	return e->nnodes++;
}

static int parse_or(struct parser *ps, size_t *out);

/* The current token, a literal: append it to e->lits. */
static int parse_literal(struct parser *ps)
{
	struct mlv_expr *e = ps->e;
	struct expr_literal *l;
	int err = 0;

	if (ps->tok.kind != TOK_VALUE) {
		err = fail_token(ps, "expected a value (a quoted string, a number, "
				 "a version or an oid)");
		goto done;
	}
	MLV_ALLOC_GROW(e->lits, e->nlits, e->alits);
	l = &e->lits[e->nlits++];
	l->text = ps->tok.text;
	classify(&l->kind, e->pool.ptr + l->text);
	err = next_token(ps);
done:
	return err;
}

/* `( literal, ... )` after `in`. */
static int parse_list(struct parser *ps, size_t *nlit)
{
	int err = 0;

	if (ps->tok.kind != TOK_LPAREN) {
		err = fail_token(ps, "expected '(' after in");
		goto done;
	}
	if ((err = next_token(ps)) < 0)
		goto done;
	for (;;) {
		if ((err = parse_literal(ps)) < 0)
			goto done;
		(*nlit)++;
		if (ps->tok.kind == TOK_RPAREN)
			break;
		if (ps->tok.kind != TOK_COMMA) {
			err = fail_token(ps, "expected ',' or ')' in the list");
			goto done;
		}
		if ((err = next_token(ps)) < 0)
			goto done;
	}
	err = next_token(ps);
done:
	return err;
}

/* field OP literal, field [not] in (...), field is [not] null */
static int parse_comparison(struct parser *ps, size_t *out)
{
	struct mlv_expr *e = ps->e;
	size_t field, lit = e->nlits, nlit = 0;
	enum expr_op op = OP_EQ;
	int err = 0, negate = 0;

	if (ps->tok.kind != TOK_FIELD) {
		err = fail_token(ps, "expected a field name");
		goto done;
	}
	field = ps->tok.text;
	if ((err = next_token(ps)) < 0)
		goto done;
	if (ps->tok.kind == TOK_NOT) {
		negate = 1;
		if ((err = next_token(ps)) < 0)
			goto done;
		if (ps->tok.kind != TOK_LIKE && ps->tok.kind != TOK_ILIKE &&
		    ps->tok.kind != TOK_IN) {
			err = fail_token(ps, "expected like, ilike or in after not");
			goto done;
		}
	}
	switch (ps->tok.kind) {
	case TOK_OP:
	case TOK_LIKE:
	case TOK_ILIKE:
		op = ps->tok.kind == TOK_OP ? ps->tok.op :
		     ps->tok.kind == TOK_LIKE ? (negate ? OP_NOT_LIKE : OP_LIKE) :
		     (negate ? OP_NOT_ILIKE : OP_ILIKE);
		if ((err = next_token(ps)) < 0 || (err = parse_literal(ps)) < 0)
			goto done;
		nlit = 1;
		break;
	case TOK_IN:
		op = negate ? OP_NOT_IN : OP_IN;
		if ((err = next_token(ps)) < 0 || (err = parse_list(ps, &nlit)) < 0)
			goto done;
		break;
	case TOK_IS:
		if ((err = next_token(ps)) < 0)
			goto done;
		op = OP_IS_NULL;
		if (ps->tok.kind == TOK_NOT) {
			op = OP_IS_NOT_NULL;
			if ((err = next_token(ps)) < 0)
				goto done;
		}
		if (ps->tok.kind != TOK_NULL) {
			err = fail_token(ps, "expected null or not null after is");
			goto done;
		}
		if ((err = next_token(ps)) < 0)
			goto done;
		break;
	default:
		err = fail_token(ps, "expected a comparison operator");
		goto done;
	}
	*out = new_node(e, NODE_CMP);
	e->nodes[*out].op = op;
	e->nodes[*out].field = field;
	e->nodes[*out].lit = lit;
	e->nodes[*out].nlit = nlit;
done:
	return err;
}

/* One more level of parentheses or `not`, at the current token. */
static int enter(struct parser *ps)
{
	int err = 0;

	if (++ps->depth > MLV_EXPR_MAX_DEPTH)
		err = fail_token(ps, "more than 100 nested parentheses and nots");
	return err;
}

/* not unary | ( or ) | comparison */
static int parse_unary(struct parser *ps, size_t *out)
{
	size_t child = NONE, open;
	int err = 0;

	if (ps->tok.kind == TOK_NOT) {
		if ((err = enter(ps)) < 0 || (err = next_token(ps)) < 0 ||
		    (err = parse_unary(ps, &child)) < 0)
			goto done;
		*out = new_node(ps->e, NODE_NOT);
		ps->e->nodes[*out].child = child;
		ps->depth--;
	} else if (ps->tok.kind == TOK_LPAREN) {
		open = ps->tok.start;
		if ((err = enter(ps)) < 0 || (err = next_token(ps)) < 0 ||
		    (err = parse_or(ps, out)) < 0)
			goto done;
		if (ps->tok.kind == TOK_END) {
			err = fail_at(ps, open, 1, "'(' is not closed");
			goto done;
		}
		if (ps->tok.kind != TOK_RPAREN) {
			err = fail_token(ps, "expected and, or or ')'");
			goto done;
		}
		if ((err = next_token(ps)) < 0)
			goto done;
		ps->depth--;
	} else {
		err = parse_comparison(ps, out);
	}
done:
	return err;
}

/*
 * operand (SEP operand)*, the operands being ands for an or, unaries for
 * an and: one node, or an or/and node over all of them.
 */
static int parse_chain(struct parser *ps, size_t *out, enum token_kind sep)
{
	struct mlv_expr *e = ps->e;
	size_t first = NONE, last, k = NONE;
	int err;

	err = sep == TOK_OR ? parse_chain(ps, &first, TOK_AND) :
	      parse_unary(ps, &first);
	*out = first;
	if (err < 0 || ps->tok.kind != sep)
		goto done;
	*out = new_node(e, sep == TOK_OR ? NODE_OR : NODE_AND);
	e->nodes[*out].child = last = first;
	while (ps->tok.kind == sep) {
		if ((err = next_token(ps)) < 0)
			goto done;
		err = sep == TOK_OR ? parse_chain(ps, &k, TOK_AND) :
		      parse_unary(ps, &k);
		if (err < 0)
			goto done;
		e->nodes[last].next = k;
		last = k;
	}
done:
	return err;
}

static int parse_or(struct parser *ps, size_t *out)
{
	return parse_chain(ps, out, TOK_OR);
}

struct field_ref {
	const char *name;
	size_t order, offset;
};

static int field_by_name(const void *a, const void *b)
{
	const struct field_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = (x->order > y->order) - (x->order < y->order);
	return c;
}

static int field_by_order(const void *a, const void *b)
{
	const struct field_ref *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

/* e->fields: each field name once, in the order of first appearance
 * (comparison nodes are made in source order). */
static void collect_fields(struct mlv_expr *e)
{
	struct field_ref *refs = NULL;
	size_t i, n = 0, m = 0;

	for (i = 0; i < e->nnodes; i++)
		n += e->nodes[i].kind == NODE_CMP;
	refs = mlv_xreallocarray(NULL, n, sizeof(*refs));
	for (i = 0, n = 0; i < e->nnodes; i++) {
		if (e->nodes[i].kind != NODE_CMP)
			continue;
		refs[n].offset = e->nodes[i].field;
		refs[n].name = e->pool.ptr + refs[n].offset;
		refs[n].order = n;
		n++;
	}
	qsort(refs, n, sizeof(*refs), field_by_name);
	for (i = 0; i < n; i++)
		if (!m || strcmp(refs[i].name, refs[m - 1].name))
			refs[m++] = refs[i];
	qsort(refs, m, sizeof(*refs), field_by_order);
	e->fields = mlv_xreallocarray(NULL, m, sizeof(*e->fields));
	for (i = 0; i < m; i++)
		e->fields[i] = refs[i].offset;
	e->nfields = m;
	free(refs);
}

int mlv_expr_parse(struct mlv_expr **out, size_t *column, const char *text)
{
	struct parser ps;
	struct mlv_expr *e = NULL;
	int err = 0;

	memset(&ps, 0, sizeof(ps));
	*out = NULL;
	e = mlv_xmalloc(sizeof(*e));
	memset(e, 0, sizeof(*e));
	mlv_buf_init(&e->pool, 0);
	ps.e = e;
	ps.src = text ? text : "";
	ps.len = strlen(ps.src);
	if ((err = next_token(&ps)) < 0)
		goto done;
	if (ps.tok.kind == TOK_END) {
		ps.column = 1;
		mlv_error_set("column 1: empty expression");
		err = MLV_EINVALID;
		goto done;
	}
	if ((err = parse_or(&ps, &e->root)) < 0)
		goto done;
	if (ps.tok.kind == TOK_RPAREN) {
		err = fail_token(&ps, "')' without '('");
		goto done;
	}
	if (ps.tok.kind != TOK_END) {
		err = fail_token(&ps, "expected and, or or the end");
		goto done;
	}
	collect_fields(e);
	*out = e;
	e = NULL;
done:
	if (column)
		*column = err ? ps.column : 0;
	mlv_expr_free(e);
	return err;
}

/* `name` as a field: bare when each segment is an identifier and it is no
 * keyword, else in back quotes (a name never holds one). */
static int format_field(struct mlv_buf *out, const char *name)
{
	const char *p = name;
	size_t i;
	int plain = 1;

	while (plain) {
		plain = is_ident_start((unsigned char)*p);
		while (is_ident_char((unsigned char)*p))
			p++;
		if (*p != '.')
			break;
		p++;
	}
	plain &= !*p;
	for (i = 0; plain && i < sizeof(keywords) / sizeof(keywords[0]); i++)
		plain = !is_word(name, strlen(name), keywords[i].word);
	return plain ? mlv_buf_puts(out, name) : mlv_buf_printf(out, "`%s`", name);
}

/* `text` in single quotes, with `'` and `\` doubled. */
static int format_literal(struct mlv_buf *out, const char *text)
{
	size_t n;
	int err;

	if ((err = mlv_buf_putc(out, '\'')) < 0)
		goto done;
	while (*text) {
		n = strcspn(text, "'\\");
		if ((err = mlv_buf_put(out, text, n)) < 0)
			goto done;
		text += n;
		if (*text) {
			if ((err = mlv_buf_putc(out, *text)) < 0 ||
			    (err = mlv_buf_putc(out, *text)) < 0)
				goto done;
			text++;
		}
	}
	err = mlv_buf_putc(out, '\'');
done:
	return err;
}

static int format_comparison(struct mlv_buf *out, const struct mlv_expr *e,
			     const struct expr_node *n)
{
	size_t i;
	int err, list = n->op == OP_IN || n->op == OP_NOT_IN;

	if ((err = format_field(out, e->pool.ptr + n->field)) < 0 ||
	    (err = mlv_buf_printf(out, " %s", op_names[n->op])) < 0)
		goto done;
	if (n->op == OP_IS_NULL || n->op == OP_IS_NOT_NULL)
		goto done;
	if ((err = mlv_buf_puts(out, list ? " (" : " ")) < 0)
		goto done;
	for (i = 0; i < n->nlit; i++) {
		if ((i && (err = mlv_buf_puts(out, ", ")) < 0) ||
		    (err = format_literal(out, e->pool.ptr + e->lits[n->lit + i].text)) < 0)
			goto done;
	}
	if (list)
		err = mlv_buf_putc(out, ')');
done:
	return err;
}

static int format_node(struct mlv_buf *out, const struct mlv_expr *e, size_t at)
{
	const struct expr_node *n = &e->nodes[at];
	const struct expr_node *c;
	size_t k;
	int err = 0, paren;

	if (n->kind == NODE_CMP) {
		err = format_comparison(out, e, n);
		goto done;
	}
	if (n->kind == NODE_NOT && (err = mlv_buf_puts(out, "not ")) < 0)
		goto done;
	for (k = n->child; k != NONE; k = n->kind == NODE_NOT ? NONE : c->next) {
		c = &e->nodes[k];
		/* only where the original needed them: no deeper nesting */
		paren = c->kind == NODE_OR ||
			(c->kind == NODE_AND && n->kind != NODE_OR);
		if ((k != n->child &&
		     (err = mlv_buf_puts(out, n->kind == NODE_OR ? " or " : " and ")) < 0) ||
		    (paren && (err = mlv_buf_putc(out, '(')) < 0) ||
		    (err = format_node(out, e, k)) < 0 ||
		    (paren && (err = mlv_buf_putc(out, ')')) < 0))
			goto done;
	}
done:
	return err;
}

int mlv_expr_format(struct mlv_buf *out, const struct mlv_expr *e)
{
	return format_node(out, e, e->root);
}
