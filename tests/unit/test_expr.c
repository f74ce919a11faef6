/* Unit tests for include/mlv/expr.h: the `git mlv find` filter language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/expr.h"

#define HEX_A "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
#define HEX_C "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define COMMIT "9fceb02d0ae598e95dc970b74767f19372d61af8"
#define VALUE_HINT "expected a value (a quoted string, a number, a version or an oid)"

struct kv {
	const char *key, *value;
};

/* One model version, as `git mlv find` would see it. */
static const struct kv version[] = {
	{ "metrics.auc", "0.91" },
	{ "metrics.loss", "1e-3" },
	{ "metrics.f1 score", "0.8" },
	{ "metrics.count", "12" },
	{ "params.learning_rate", "0.001" },
	{ "params.max_depth", "6" },
	{ "params.max-depth", "7" },
	{ "params.optimizer", "Adam" },
	{ "params.note", "it's \"fine\"" },
	{ "params.path", "C:\\temp\\x" },
	{ "params.trail", "dir\\" },
	{ "params.pct", "50%" },
	{ "params.under", "a_b" },
	{ "params.underx", "axb" },
	{ "params.empty", "" },
	{ "params.big", "12345678901234567890" },
	{ "params.zeros", "007" },
	{ "params.nought", "-0" },
	{ "params.neg", "-2.5" },
	{ "params.cafe", "caf\xc3\xa9" },
	{ "model.version", "1.10.0" },
	{ "model.name", "fraud-detect-xgb" },
	{ "model.path", "models/fraud.onnx" },
	{ "model.oid", "sha256:" HEX_A },
	{ "data.train.oid", "sha256:" HEX_C },
	{ "data.train.path", "data/train.csv" },
	{ "env.cuda", "12.1" },
	{ "env.python", "3.11.7" },
	{ "code.commit", COMMIT },
	{ "config.path", "configs/train.yaml" },
	{ "and", "keyword" },
	{ NULL, NULL }
};

static const char *kv_lookup(const char *field, void *payload)
{
	const struct kv *kv = payload;
	const char *value = NULL;

	for (; kv->key && !value; kv++)
		if (!strcmp(kv->key, field))
			value = kv->value;
	return value;
}

/* Parse a heap copy of exactly the text's size, so that the sanitizer
 * build catches a read past its end. */
static int parse_copy(struct mlv_expr **e, size_t *column, const char *text)
{
	char *copy = strdup(text);
	int err;

	assert_non_null(copy);
	err = mlv_expr_parse(e, column, copy);
	free(copy);
	return err;
}

static struct mlv_expr *parse_ok(const char *text)
{
	struct mlv_expr *e = NULL;
	size_t column = 99;
	int err = parse_copy(&e, &column, text);

	if (err)
		print_message("'%.200s': %s\n", text, mlv_error_last());
	assert_int_equal(err, 0);
	assert_int_equal(column, 0);
	assert_non_null(e);
	return e;
}

static int match_kv(const char *text, const struct kv *kv)
{
	struct mlv_expr *e = parse_ok(text);
	int r = mlv_expr_match(e, kv_lookup, (void *)kv);

	mlv_expr_free(e);
	return r;
}

static void check(const char *text, int want)
{
	int r = match_kv(text, version);

	if (r != want)
		print_message("'%s' gave %d, want %d\n", text, r, want);
	assert_int_equal(r, want);
}

#define assert_match(text) check((text), 1)
#define assert_no_match(text) check((text), 0)

/* The text fails to parse with exactly this column and message. */
static void check_error(const char *text, size_t want_column, const char *want)
{
	struct mlv_expr *e = (struct mlv_expr *)&e; /* not NULL: must be reset */
	size_t column = 0;
	int err = parse_copy(&e, &column, text);

	if (err != MLV_EINVALID || column != want_column ||
	    strcmp(mlv_error_last(), want))
		print_message("'%s': %d, column %zu, '%s'\n", text, err, column,
			      mlv_error_last());
	assert_int_equal(err, MLV_EINVALID);
	assert_null(e);
	assert_int_equal(column, want_column);
	assert_string_equal(mlv_error_last(), want);
}

static void test_expr__equality(void **state)
{
	(void)state;
	assert_match("params.optimizer = 'Adam'");
	assert_match("params.optimizer == 'Adam'");
	assert_no_match("params.optimizer = 'adam'");
	assert_no_match("params.optimizer == 'Ada'");
	assert_match("params.optimizer != 'adam'");
	assert_match("params.optimizer <> 'adam'");
	assert_no_match("params.optimizer != 'Adam'");
	assert_no_match("params.optimizer <> 'Adam'");
	assert_match("params.empty = ''");
	assert_no_match("params.empty != ''");
	assert_match("model.path = 'models/fraud.onnx'");
	assert_match("code.commit = '" COMMIT "'");
	assert_match("config.path = \"configs/train.yaml\"");
	assert_match("data.train.path = 'data/train.csv'");
}

static void test_expr__ordering(void **state)
{
	(void)state;
	assert_match("metrics.auc > 0.9");
	assert_no_match("metrics.auc > 0.91");
	assert_match("metrics.auc >= 0.91");
	assert_no_match("metrics.auc >= 0.92");
	assert_match("metrics.auc < 0.92");
	assert_no_match("metrics.auc < 0.91");
	assert_match("metrics.auc <= 0.91");
	assert_no_match("metrics.auc <= 0.9");
	assert_match("params.optimizer < 'B'");
	assert_no_match("params.optimizer > 'B'");
	assert_match("params.optimizer >= 'Adam'");
	assert_match("params.optimizer <= 'Adam'");
}

static void test_expr__numbers(void **state)
{
	(void)state;
	/* numeric, whatever the spelling of either side */
	assert_match("params.learning_rate = 0.001");
	assert_match("params.learning_rate = '0.001'");
	assert_match("params.learning_rate = 1e-3");
	assert_match("params.learning_rate = 1E-3");
	assert_match("params.learning_rate = 0.0010");
	assert_match("params.learning_rate = .001");
	assert_match("params.learning_rate = +0.001");
	assert_match("params.learning_rate = 10e-4");
	assert_no_match("params.learning_rate = 0.002");
	assert_match("metrics.loss = 0.001");
	assert_match("metrics.loss < 0.01");
	/* as text "12" < "9"; as numbers it is not */
	assert_no_match("metrics.count < 9");
	assert_match("metrics.count > 9");
	assert_match("metrics.count = 12.0");
	assert_match("metrics.count = 12.");
	assert_match("metrics.count in (12e0)");
	assert_match("params.neg < -2");
	assert_match("params.neg > -3");
	assert_match("params.neg = -2.50");
	assert_match("env.cuda = 12.10");
	assert_match("env.cuda > 9");
	/* a number against a word: bytes, "Adam" > "1" */
	assert_match("params.optimizer > 1");
	assert_no_match("params.optimizer = 0");
}

static void test_expr__integers_exact(void **state)
{
	(void)state;
	/* equal as doubles, different as integers */
	assert_match("params.big = 12345678901234567890");
	assert_no_match("params.big = 12345678901234567891");
	assert_match("params.big < 12345678901234567891");
	assert_match("params.big > 12345678901234567889");
	assert_match("params.big > -12345678901234567891");
	assert_match("params.zeros = 7");
	assert_match("params.zeros = +0007");
	assert_match("params.zeros < 10");
	assert_match("params.zeros > -10");
	assert_no_match("params.zeros = '007x'");
	/* -0 is 0 */
	assert_match("params.nought = 0");
	assert_match("params.nought = -000");
	assert_match("params.nought >= +0");
	assert_match("params.nought < 1");
	assert_match("params.nought > -1");
	assert_no_match("params.nought < 0");
}

static void test_expr__semver(void **state)
{
	(void)state;
	/* as text "1.10.0" < "1.9.0" */
	assert_match("model.version > 1.9.0");
	assert_match("model.version >= 1.2.0");
	assert_no_match("model.version < 1.9.0");
	assert_match("model.version = 1.10.0");
	assert_match("model.version = '1.10.0'");
	assert_match("model.version < 1.10.1");
	assert_match("model.version < 2.0.0");
	assert_match("model.version > 1.10.0-rc.1");
	assert_no_match("model.version <= 1.10.0-rc.1");
	assert_match("model.version = 1.10.0+build.7");
	assert_match("model.version in (1.9.0, 1.10.0)");
	assert_no_match("model.version in (1.9.0, 1.11.0)");
	/* any field, when both sides are versions */
	assert_match("env.python > 3.9.0");
	assert_no_match("env.python < 3.9.0");
	/* a version against a number: bytes ("1.10.0" < "2") */
	assert_match("model.version < 2");
}

static void test_expr__oids(void **state)
{
	(void)state;
	assert_match("data.train.oid = sha256:" HEX_C);
	assert_no_match("data.train.oid = sha256:" HEX_A);
	assert_match("data.train.oid != sha256:" HEX_A);
	assert_match("data.train.oid = 'sha256:" HEX_C "'");
	assert_match("model.oid in (sha256:" HEX_C ", sha256:" HEX_A ")");
	assert_match("model.oid like 'sha256:4d7a%'");
}

static void test_expr__like(void **state)
{
	(void)state;
	assert_match("model.name like 'fraud%'");
	assert_match("model.name like '%xgb'");
	assert_match("model.name like '%detect%'");
	assert_match("model.name like 'f%d%xgb'");
	assert_match("model.name like '%-%-%'");
	assert_match("model.name like '%%'");
	assert_match("model.name like 'fraud-detect-xgb'");
	assert_no_match("model.name like 'fraud'");
	assert_no_match("model.name like 'detect%'");
	assert_no_match("model.name like '%xgbx'");
	assert_no_match("model.name like '%-%-%-%'");
	assert_match("model.name like 'fraud_detect_xgb'");
	assert_match("model.name like '_____-%'");
	assert_no_match("model.name like '____-%'");
	assert_no_match("model.name like 'Fraud%'");
	/* % matches the empty string, and only % does */
	assert_match("params.empty like '%'");
	assert_match("params.empty like ''");
	assert_no_match("params.empty like '_'");
	assert_no_match("model.name like ''");
	/* _ is one UTF-8 character */
	assert_match("params.cafe like 'caf_'");
	assert_no_match("params.cafe like 'caf__'");
	assert_match("params.cafe like '_af_'");
	/* escapes */
	assert_match("params.pct like '50\\%'");
	assert_match("params.pct like '5_\\%'");
	assert_no_match("params.pct like '5\\%'");
	assert_match("params.under like 'a\\_b'");
	assert_no_match("params.underx like 'a\\_b'");
	assert_match("params.underx like 'a_b'");
	/* a backslash in the value: \\ in the string, twice in the pattern */
	assert_match("params.path like 'C:\\\\\\\\temp%'");
	assert_no_match("params.path like 'C:\\\\temp%'");
	assert_match("params.trail like 'dir\\\\'");
	/* like compares text, never numbers */
	assert_no_match("params.learning_rate like '1e-3'");
	assert_match("params.learning_rate like '0.00_'");
	/* not like */
	assert_match("model.name not like 'x%'");
	assert_no_match("model.name not like 'fraud%'");
}

static void test_expr__ilike(void **state)
{
	(void)state;
	assert_match("params.optimizer ilike 'ADAM'");
	assert_no_match("params.optimizer like 'ADAM'");
	assert_match("params.optimizer ilike 'a%'");
	assert_match("model.name ilike 'FRAUD-%-XGB'");
	assert_no_match("model.name ilike 'FRAUD-%-XGBOOST'");
	assert_match("params.optimizer not ilike 'b%'");
	assert_no_match("params.optimizer not ilike 'A_A_'");
	/* only ASCII folds */
	assert_no_match("params.cafe ilike 'CAF\xc3\x89'");
	assert_match("params.cafe ilike 'CAF\xc3\xa9'");
}

static void test_expr__in(void **state)
{
	(void)state;
	assert_match("params.max_depth in (4, 6, 8)");
	assert_match("params.max_depth in ('6')");
	assert_match("params.max_depth in (6.0)");
	assert_no_match("params.max_depth in (4, 8)");
	assert_match("params.max_depth not in (4, 8)");
	assert_no_match("params.max_depth not in (4, 6)");
	assert_match("model.name in ('a', \"fraud-detect-xgb\")");
	assert_no_match("model.name in ('Fraud-detect-xgb')");
	assert_match("params.optimizer IN ('x','Adam')");
	assert_match("params.optimizer NOT IN('x','y')");
}

static void test_expr__is_null(void **state)
{
	(void)state;
	assert_match("env.rocm is null");
	assert_no_match("env.cuda is null");
	assert_match("env.cuda is not null");
	assert_no_match("env.rocm is not null");
	assert_match("env.rocm IS NULL");
	assert_match("env.cuda Is Not Null");
	/* empty is a value */
	assert_match("params.empty is not null");
	assert_no_match("params.empty is null");
}

static void test_expr__absent_fields(void **state)
{
	(void)state;
	/* every comparison on an absent field is false */
	assert_no_match("env.rocm = 1");
	assert_no_match("env.rocm != 1");
	assert_no_match("env.rocm <> ''");
	assert_no_match("env.rocm < 1");
	assert_no_match("env.rocm <= 1");
	assert_no_match("env.rocm > 1");
	assert_no_match("env.rocm >= 1");
	assert_no_match("env.rocm like '%'");
	assert_no_match("env.rocm ilike '%'");
	assert_no_match("env.rocm not like 'x'");
	assert_no_match("env.rocm not ilike 'x'");
	assert_no_match("env.rocm in (1, 2)");
	assert_no_match("env.rocm not in (1, 2)");
	/* but `not` negates the comparison's result */
	assert_match("not env.rocm = 1");
	assert_match("not (env.rocm != 1)");
	assert_match("env.rocm = 1 or env.cuda = 12.1");
	assert_no_match("env.rocm = 1 and env.cuda = 12.1");
	/* field names are case-sensitive */
	assert_match("Metrics.auc is null");
}

struct truth {
	const char *text;
	int (*want)(int a, int b, int c);
	int (*wrong)(int a, int b, int c); /* a misreading, or NULL */
};

static int t_or_and(int a, int b, int c) { return a || (b && c); }
static int f_or_and(int a, int b, int c) { return (a || b) && c; }
static int t_and_or(int a, int b, int c) { return (a && b) || c; }
static int f_and_or(int a, int b, int c) { return a && (b || c); }
static int t_not_and(int a, int b, int c) { return !a && b; }
static int f_not_and(int a, int b, int c) { return !(a && b); }
static int t_not_or(int a, int b, int c) { return !a || b; }
static int f_not_or(int a, int b, int c) { return !(a || b); }
static int t_not_group(int a, int b, int c) { return !(a && b); }
static int t_group_and(int a, int b, int c) { return (a || b) && c; }
static int t_or_not_and(int a, int b, int c) { return a || (!b && c); }
static int f_or_not_and(int a, int b, int c) { return a || !(b && c); }
static int t_not_not(int a, int b, int c) { return a; }
static int t_and_group(int a, int b, int c) { return a && (b || c); }
static int t_all_or(int a, int b, int c) { return a || b || c; }
static int t_all_and(int a, int b, int c) { return a && b && c; }
static int t_mixed(int a, int b, int c) { return (a && !b) || (!a && c) || (b && c); }
static int f_mixed(int a, int b, int c) { return a && (!b || !a) && (c || b) && c; }

static void test_expr__precedence(void **state)
{
	static const struct truth table[] = {
		{ "a = 1 or b = 1 and c = 1", t_or_and, f_or_and },
		{ "a = 1 and b = 1 or c = 1", t_and_or, f_and_or },
		{ "not a = 1 and b = 1", t_not_and, f_not_and },
		{ "not a = 1 or b = 1", t_not_or, f_not_or },
		{ "NOT a = 1 OR b = 1", t_not_or, f_not_or },
		{ "a = 1 or not b = 1 and c = 1", t_or_not_and, f_or_not_and },
		{ "a = 1 and not b = 1 or not a = 1 and c = 1 or b = 1 and c = 1",
		  t_mixed, f_mixed },
		{ "a = 1 and b = 1 and c = 1", t_all_and, NULL },
		{ "a = 1 or b = 1 or c = 1", t_all_or, NULL },
		{ "not not a = 1", t_not_not, NULL },
	};
	char a[2] = "0", b[2] = "0", c[2] = "0";
	struct kv kv[] = { { "a", a }, { "b", b }, { "c", c }, { NULL, NULL } };
	size_t i;
	int bits, differs;

	(void)state;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		differs = 0;
		for (bits = 0; bits < 8; bits++) {
			int x = bits & 1, y = (bits >> 1) & 1, z = (bits >> 2) & 1;

			a[0] = (char)('0' + x);
			b[0] = (char)('0' + y);
			c[0] = (char)('0' + z);
			if (match_kv(table[i].text, kv) != table[i].want(x, y, z))
				print_message("'%s' with a=%d b=%d c=%d\n",
					      table[i].text, x, y, z);
			assert_int_equal(match_kv(table[i].text, kv),
					 table[i].want(x, y, z));
			if (table[i].wrong)
				differs |= table[i].wrong(x, y, z) != table[i].want(x, y, z);
		}
		/* the table itself tells the readings apart */
		assert_true(differs || !table[i].wrong);
	}
}

static void test_expr__parentheses(void **state)
{
	static const struct truth table[] = {
		{ "(a = 1 or b = 1) and c = 1", t_group_and, t_or_and },
		{ "a = 1 and (b = 1 or c = 1)", t_and_group, t_and_or },
		{ "not (a = 1 and b = 1)", t_not_group, t_not_and },
		{ "((a = 1)) or (((b = 1)) and (c = 1))", t_or_and, f_or_and },
		{ "(not (a = 1) and (b = 1))", t_not_and, f_not_and },
		{ "(a=1)or(b=1)or(c=1)", t_all_or, t_all_and },
	};
	char a[2] = "0", b[2] = "0", c[2] = "0";
	struct kv kv[] = { { "a", a }, { "b", b }, { "c", c }, { NULL, NULL } };
	size_t i;
	int bits, differs;

	(void)state;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		differs = 0;
		for (bits = 0; bits < 8; bits++) {
			int x = bits & 1, y = (bits >> 1) & 1, z = (bits >> 2) & 1;

			a[0] = (char)('0' + x);
			b[0] = (char)('0' + y);
			c[0] = (char)('0' + z);
			assert_int_equal(match_kv(table[i].text, kv),
					 table[i].want(x, y, z));
			differs |= table[i].wrong(x, y, z) != table[i].want(x, y, z);
		}
		assert_true(differs);
	}
}

static void test_expr__keywords_any_case(void **state)
{
	(void)state;
	assert_match("metrics.auc > 0.9 AND params.optimizer LIKE 'A%'");
	assert_match("metrics.auc > 1 Or params.optimizer ILike 'a%'");
	assert_match("NoT metrics.auc > 1");
	assert_match("metrics.auc NOT IN (1) aNd env.rocm iS nUlL");
	assert_no_match("NOT metrics.auc > 0.9 OR NOT params.optimizer LIKE 'A%'");
	/* a keyword in back quotes, or dotted, is a field */
	assert_match("`and` = 'keyword'");
	assert_match("not.x is null");
	assert_match("x.and is null and params.in is null or x.or = 1");
	assert_match("`not` is null");
}

static void test_expr__quoting(void **state)
{
	(void)state;
	/* params.note is: it's "fine" */
	assert_match("params.note = 'it''s \"fine\"'");
	assert_match("params.note = \"it's \"\"fine\"\"\"");
	assert_match("params.note = 'it\\'s \"fine\"'");
	assert_match("params.note = \"it's \\\"fine\\\"\"");
	assert_no_match("params.note = 'it''s fine'");
	assert_no_match("params.note = 'its \"fine\"'");
	/* a backslash before anything but the quote or itself is kept */
	assert_match("params.path = 'C:\\temp\\x'");
	assert_match("params.path = 'C:\\\\temp\\\\x'");
	assert_match("params.trail = 'dir\\\\'");
	assert_match("params.trail = \"dir\\\\\"");
	assert_no_match("params.trail = 'dir'");
	/* back-quoted field segments */
	assert_match("metrics.`f1 score` = 0.8");
	assert_match("`metrics`.`f1 score` = 0.8");
	assert_match("`metrics.f1 score` = 0.8");
	assert_no_match("metrics.`f1 score` = 0.9");
	assert_match("params.max-depth = 7");
	assert_match("params.`max-depth` = 7");
	assert_match("params.max_depth = 6");
}

static void test_expr__blanks(void **state)
{
	(void)state;
	assert_match("metrics.auc>0.9");
	assert_match("\tmetrics.auc\n>\r0.9 \f\v");
	assert_match("metrics.auc>0.9 and(params.max_depth=6)");
	assert_match("params.max_depth in(6)");
	assert_match("params.max_depth in ( 6 , 7 )");
	assert_no_match("metrics.auc>0.92");
}

struct seen {
	struct mlv_buf names;
	int stop_at, calls;
};

static const char *record_lookup(const char *field, void *payload)
{
	struct seen *s = payload;

	mlv_buf_printf(&s->names, "%s|", field);
	return kv_lookup(field, (void *)version);
}

static int record_field(const char *field, void *payload)
{
	struct seen *s = payload;

	mlv_buf_printf(&s->names, "%s|", field);
	return ++s->calls == s->stop_at ? 42 : 0;
}

static void test_expr__lookup_names(void **state)
{
	struct seen s = { MLV_BUF_INIT, 0, 0 };
	struct mlv_expr *e;

	(void)state;
	e = parse_ok("metrics.`f1 score` > 0.5 and `a b`.`c.d`.e is null and "
		     "data.train.oid is not null and x = 1");
	assert_int_equal(mlv_expr_match(e, record_lookup, &s), 0);
	assert_string_equal(s.names.ptr,
			    "metrics.f1 score|a b.c.d.e|data.train.oid|x|");
	mlv_expr_free(e);
	mlv_buf_release(&s.names);
}

static void test_expr__short_circuit(void **state)
{
	struct seen s = { MLV_BUF_INIT, 0, 0 };
	struct mlv_expr *e;

	(void)state;
	e = parse_ok("metrics.auc > 0.9 or params.max_depth = 6");
	assert_int_equal(mlv_expr_match(e, record_lookup, &s), 1);
	assert_string_equal(s.names.ptr, "metrics.auc|");
	mlv_expr_free(e);
	mlv_buf_clear(&s.names);
	e = parse_ok("metrics.auc > 0.95 and params.max_depth = 6");
	assert_int_equal(mlv_expr_match(e, record_lookup, &s), 0);
	assert_string_equal(s.names.ptr, "metrics.auc|");
	mlv_expr_free(e);
	mlv_buf_release(&s.names);
}

static void test_expr__fields(void **state)
{
	struct seen s = { MLV_BUF_INIT, 0, 0 };
	struct mlv_expr *e;

	(void)state;
	e = parse_ok("b = 1 or (a = 2 and b = 3) or not c.`x y` in (1) or a like 'x' "
		     "or `c`.`x y` is null or `b` = 4 or aa = 1");
	assert_int_equal(mlv_expr_fields(e, record_field, &s), 0);
	assert_string_equal(s.names.ptr, "b|a|c.x y|aa|");
	assert_int_equal(s.calls, 4);
	/* the first non-zero return stops the walk */
	mlv_buf_clear(&s.names);
	s.calls = 0;
	s.stop_at = 2;
	assert_int_equal(mlv_expr_fields(e, record_field, &s), 42);
	assert_string_equal(s.names.ptr, "b|a|");
	mlv_expr_free(e);
	mlv_buf_release(&s.names);
}

static void test_expr__parse_errors(void **state)
{
	static const struct {
		const char *text;
		size_t column;
		const char *message;
	} bad[] = {
		/* empty */
		{ "", 1, "column 1: empty expression" },
		{ " \t\n ", 1, "column 1: empty expression" },
		/* unclosed quotes */
		{ "metrics.auc = 'abc", 15, "column 15: unclosed quote, near ''abc'" },
		{ "a = \"x", 5, "column 5: unclosed quote, near '\"x'" },
		{ "a = 'it''s", 5, "column 5: unclosed quote, near ''it''s'" },
		{ "a = 'x\\'", 5, "column 5: unclosed quote, near ''x\\''" },
		{ "a = \"x\" or b = 'y", 16, "column 16: unclosed quote, near ''y'" },
		/* parentheses */
		{ "(a = 1", 1, "column 1: '(' is not closed, near '('" },
		{ "(a = 1 and ((b = 1)", 12, "column 12: '(' is not closed, near '('" },
		{ "(a = 1 b = 2)", 8, "column 8: expected and, or or ')', near 'b'" },
		{ "a = 1)", 6, "column 6: ')' without '(', near ')'" },
		{ "(a = 1))", 8, "column 8: ')' without '(', near ')'" },
		{ "()", 2, "column 2: expected a field name, near ')'" },
		/* missing operands */
		{ "a = 1 and", 10, "column 10: expected a field name, at the end" },
		{ "a = 1 and ", 11, "column 11: expected a field name, at the end" },
		{ "a = 1 or or b = 1", 10, "column 10: expected a field name, near 'or'" },
		{ "and a = 1", 1, "column 1: expected a field name, near 'and'" },
		{ "not", 4, "column 4: expected a field name, at the end" },
		{ "a =", 4, "column 4: " VALUE_HINT ", at the end" },
		{ "a = and b = 1", 5, "column 5: " VALUE_HINT ", near 'and'" },
		{ "a <= <= 1", 6, "column 6: " VALUE_HINT ", near '<='" },
		{ "a", 2, "column 2: expected a comparison operator, at the end" },
		{ "= 1", 1, "column 1: expected a field name, near '='" },
		{ "1 = a", 1, "column 1: expected a field name, near '1'" },
		{ "'a' = 1", 1, "column 1: expected a field name, near ''a''" },
		{ "null is null", 1, "column 1: expected a field name, near 'null'" },
		/* operators */
		{ "a =~ 'x'", 3, "column 3: unknown operator, near '=~'" },
		{ "a => 1", 3, "column 3: unknown operator, near '=>'" },
		{ "a === 1", 3, "column 3: unknown operator, near '==='" },
		{ "a ! 1", 3, "column 3: unknown operator, near '!'" },
		{ "a <=> 1", 3, "column 3: unknown operator, near '<=>'" },
		{ "a equals 1", 3, "column 3: expected a comparison operator, near 'equals'" },
		{ "a 1", 3, "column 3: expected a comparison operator, near '1'" },
		{ "a not = 1", 7, "column 7: expected like, ilike or in after not, near '='" },
		{ "a not null", 7, "column 7: expected like, ilike or in after not, near 'null'" },
		{ "a is 1", 6, "column 6: expected null or not null after is, near '1'" },
		{ "a is not", 9, "column 9: expected null or not null after is, at the end" },
		{ "a is null null", 11, "column 11: expected and, or or the end, near 'null'" },
		/* in lists */
		{ "a in 1", 6, "column 6: expected '(' after in, near '1'" },
		{ "a in ()", 7, "column 7: " VALUE_HINT ", near ')'" },
		{ "a in (1 2)", 9, "column 9: expected ',' or ')' in the list, near '2'" },
		{ "a in (1,", 9, "column 9: " VALUE_HINT ", at the end" },
		{ "a in (1,)", 9, "column 9: " VALUE_HINT ", near ')'" },
		{ "a in (1", 8, "column 8: expected ',' or ')' in the list, at the end" },
		{ "a like", 7, "column 7: " VALUE_HINT ", at the end" },
		/* literals */
		{ "a = fraud", 5, "column 5: " VALUE_HINT ", near 'fraud'" },
		{ "a = 1.2.x", 5, "column 5: not a number or a semantic version, near '1.2.x'" },
		{ "a = 01.2.0", 5, "column 5: not a number or a semantic version, near '01.2.0'" },
		{ "a = 1.2", 0, NULL }, /* a number: see below */
		{ "a = 1e", 5, "column 5: not a number or a semantic version, near '1e'" },
		{ "a = 0x10", 5, "column 5: not a number or a semantic version, near '0x10'" },
		{ "a = -", 5, "column 5: not a number or a semantic version, near '-'" },
		{ "a = 1e999", 5, "column 5: not a number or a semantic version, near '1e999'" },
		{ "a = .", 5, "column 5: not a number or a semantic version, near '.'" },
		{ "a = 1.2.0.rc1", 5, "column 5: not a number or a semantic version, near '1.2.0.rc1'" },
		{ "a = sha256:abc", 5, "column 5: an oid is sha256: and 64 lowercase hex "
		  "digits, near 'sha256:abc'" },
		{ "a = sha256:4D7A214614AB2935C943F9E0FF69D22EADBB8F32B1258DAAA5E2CA24D17E2393",
		  5, "column 5: an oid is sha256: and 64 lowercase hex digits, near "
		  "'sha256:4D7A214614AB2935C943F9E0F...'" },
		{ "a = sha256:" HEX_A "0", 5, "column 5: an oid is sha256: and 64 lowercase "
		  "hex digits, near 'sha256:4d7a214614ab2935c943f9e0f...'" },
		{ "a = sha256:", 5, "column 5: an oid is sha256: and 64 lowercase hex "
		  "digits, near 'sha256:'" },
		/* fields */
		{ "metrics.`f1 score = 1", 9, "column 9: unclosed back quote, near '`f1 score = 1'" },
		{ "metrics.`` = 1", 9, "column 9: empty field name, near '``'" },
		{ "metrics. = 1", 8, "column 8: expected a field name after '.', near '.'" },
		{ "metrics.", 8, "column 8: expected a field name after '.', near '.'" },
		{ "metrics.1x = 1", 8, "column 8: expected a field name after '.', near '.'" },
		{ "metrics..auc = 1", 8, "column 8: expected a field name after '.', near '.'" },
		{ "a.b c = 1", 5, "column 5: expected a comparison operator, near 'c'" },
		/* trailing garbage and stray bytes */
		{ "a = 1 b", 7, "column 7: expected and, or or the end, near 'b'" },
		{ "a = 1 'x'", 7, "column 7: expected and, or or the end, near ''x''" },
		{ "a = 1 # comment", 7, "column 7: unexpected character, near '#'" },
		{ "a = 1;", 6, "column 6: unexpected character, near ';'" },
		{ "a = 1 and b = 2 garbage here", 17,
		  "column 17: expected and, or or the end, near 'garbage'" },
		{ "\x01", 1, "column 1: unexpected character, near '\\x01'" },
		{ "a = 1 \xff\xfe", 7, "column 7: unexpected character, near '\\xff'" },
		{ "a = '\x1b[31m", 5, "column 5: unclosed quote, near ''\\x1b[31m'" },
		{ "\x7f = 1", 1, "column 1: unexpected character, near '\\x7f'" },
		{ "a = 1 or \xc3\xa9 = 2", 10, "column 10: unexpected character, near '\\xc3'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (bad[i].message)
			check_error(bad[i].text, bad[i].column, bad[i].message);
		else
			mlv_expr_free(parse_ok(bad[i].text));
}

static void test_expr__long_near_is_cut(void **state)
{
	struct mlv_buf text = MLV_BUF_INIT, want = MLV_BUF_INIT;
	size_t i;

	(void)state;
	mlv_buf_puts(&text, "a = ");
	for (i = 0; i < 100; i++)
		mlv_buf_putc(&text, 'x');
	mlv_buf_puts(&want, "column 5: " VALUE_HINT ", near '");
	for (i = 0; i < 32; i++)
		mlv_buf_putc(&want, 'x');
	mlv_buf_puts(&want, "...'");
	check_error(text.ptr, 5, want.ptr);
	mlv_buf_release(&text);
	mlv_buf_release(&want);
}

static void test_expr__column_may_be_null(void **state)
{
	struct mlv_expr *e = NULL;

	(void)state;
	assert_int_equal(mlv_expr_parse(&e, NULL, "a = ("), MLV_EINVALID);
	assert_null(e);
	assert_string_equal(mlv_error_last(), "column 5: " VALUE_HINT ", near '('");
	assert_int_equal(mlv_expr_parse(&e, NULL, "a = 1"), 0);
	assert_non_null(e);
	mlv_expr_free(e);
	mlv_expr_free(NULL);
}

/* xorshift: the same junk on every run */
static uint32_t junk_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static int count_kv(const char *field, void *payload)
{
	(void)field;
	(*(int *)payload)++;
	return 0;
}

static void test_expr__binary_junk(void **state)
{
	static const char *const seeds[] = {
		"metrics.auc > 0.9 and params.optimizer like 'A%'",
		"(model.version >= 1.2.0 or not env.cuda is null) and x in (1, 'b')",
		"data.train.oid = sha256:" HEX_C,
		"metrics.`f1 score` not ilike \"a\"\"b\" or c is not null",
		"not (a = 1) or b <> -2.5e3 and c not in (1.0.0-rc.1)",
	};
	static const char alphabet[] = "ab.`'\"()=!<>,%_\\ 0123456789-+e:";
	char text[128];
	uint32_t seed = 2463534242u;
	size_t i, len, column, k;
	int round, err, ok = 0, failed = 0, n, mutations;
	struct mlv_expr *e;
	char prefix[32];

	(void)state;
	for (round = 0; round < 20000; round++) {
		const char *from = seeds[junk_next(&seed) % (sizeof(seeds) / sizeof(seeds[0]))];

		len = strlen(from);
		memcpy(text, from, len + 1);
		mutations = (int)(junk_next(&seed) % 4);
		while (mutations--) {
			uint32_t r = junk_next(&seed);

			k = (r >> 4) % len;
			/* any byte but NUL, or one of the language's own */
			text[k] = r & 1 ? (char)(1 + (r >> 16) % 255) :
				  alphabet[(r >> 16) % (sizeof(alphabet) - 1)];
			if ((r & 6) == 6) /* and sometimes cut it there */
				text[k + 1] = '\0';
			len = strlen(text);
			if (!len)
				break;
		}
		e = NULL;
		column = 0;
		err = mlv_expr_parse(&e, &column, text);
		if (!err) {
			ok++;
			assert_non_null(e);
			assert_int_equal(column, 0);
			n = 0;
			assert_int_equal(mlv_expr_fields(e, count_kv, &n), 0);
			assert_true(n >= 1);
			assert_true(mlv_expr_match(e, kv_lookup, (void *)version) >= 0);
			mlv_expr_free(e);
			continue;
		}
		failed++;
		assert_int_equal(err, MLV_EINVALID);
		assert_null(e);
		assert_true(column >= 1 && column <= strlen(text) + 1);
		snprintf(prefix, sizeof(prefix), "column %zu: ", column);
		assert_memory_equal(mlv_error_last(), prefix, strlen(prefix));
		/* the message carries no raw control or high byte */
		for (i = 0; mlv_error_last()[i]; i++)
			assert_true(mlv_error_last()[i] >= 0x20 &&
				    mlv_error_last()[i] < 0x7f);
	}
	/* the junk reached both outcomes */
	print_message("junk: %d parsed, %d refused\n", ok, failed);
	assert_true(ok > 1000);
	assert_true(failed > 1000);
}

static const char *long_lookup(const char *field, void *payload)
{
	return !strcmp(field, "params.p499") ? payload : NULL;
}

static void test_expr__long_expression(void **state)
{
	struct mlv_buf text = MLV_BUF_INIT, want = MLV_BUF_INIT;
	struct mlv_expr *e;
	int n = 0, i;

	(void)state;
	for (i = 0; i < 500; i++)
		mlv_buf_printf(&text, "%sparams.p%03d = 'value %03d'", i ? " or " : "", i, i);
	assert_true(text.len >= 10 * 1024);
	e = parse_ok(text.ptr);
	assert_int_equal(mlv_expr_match(e, long_lookup, "value 499"), 1);
	assert_int_equal(mlv_expr_match(e, long_lookup, "value 498"), 0);
	assert_int_equal(mlv_expr_fields(e, count_kv, &n), 0);
	assert_int_equal(n, 500);
	mlv_expr_free(e);

	/* the same as 500 ands: the last one decides */
	mlv_buf_clear(&text);
	for (i = 0; i < 500; i++)
		mlv_buf_printf(&text, "%sparams.p499 %s 'value %03d'", i ? " and " : "",
			       i == 499 ? "=" : "!=", i == 499 ? 499 : i);
	e = parse_ok(text.ptr);
	assert_int_equal(mlv_expr_match(e, long_lookup, "value 499"), 1);
	assert_int_equal(mlv_expr_match(e, long_lookup, "value 100"), 0);
	n = 0;
	assert_int_equal(mlv_expr_fields(e, count_kv, &n), 0);
	assert_int_equal(n, 1);
	mlv_expr_free(e);

	/* and an error far in: its column is exact */
	mlv_buf_truncate(&text, text.len - 1);
	mlv_buf_printf(&want, "column %zu: unclosed quote, near ''value 499'",
		       text.len - 9);
	check_error(text.ptr, text.len - 9, want.ptr);
	mlv_buf_release(&text);
	mlv_buf_release(&want);
}

static void test_expr__long_tokens(void **state)
{
	struct mlv_buf text = MLV_BUF_INIT, value = MLV_BUF_INIT, list = MLV_BUF_INIT;
	struct kv kv[] = { { NULL, NULL }, { NULL, NULL } };
	struct mlv_expr *e;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++)
		mlv_buf_putc(&value, (char)('a' + i % 26));
	/* a 20 KB field name and a 20 KB string, neither cut */
	mlv_buf_printf(&text, "params.`%s` = '%s'", value.ptr, value.ptr);
	e = parse_ok(text.ptr);
	mlv_buf_clear(&list);
	mlv_buf_printf(&list, "params.%s", value.ptr);
	kv[0].key = list.ptr;
	kv[0].value = value.ptr;
	assert_int_equal(mlv_expr_match(e, kv_lookup, kv), 1);
	mlv_buf_truncate(&value, value.len - 1);
	assert_int_equal(mlv_expr_match(e, kv_lookup, kv), 0);
	mlv_expr_free(e);

	/* an in list of 2000 values */
	mlv_buf_clear(&text);
	mlv_buf_puts(&text, "params.max_depth in (");
	for (i = 0; i < 2000; i++)
		mlv_buf_printf(&text, "%s%d", i ? ", " : "", i * 3 + 7);
	mlv_buf_putc(&text, ')');
	e = parse_ok(text.ptr);
	kv[0].key = "params.max_depth";
	kv[0].value = "5998";
	assert_int_equal(mlv_expr_match(e, kv_lookup, kv), 1);
	kv[0].value = "5999";
	assert_int_equal(mlv_expr_match(e, kv_lookup, kv), 0);
	mlv_expr_free(e);
	mlv_buf_release(&text);
	mlv_buf_release(&value);
	mlv_buf_release(&list);
}

static void nest(struct mlv_buf *b, int depth, const char *open, const char *inner,
		 const char *close)
{
	int i;

	mlv_buf_clear(b);
	for (i = 0; i < depth; i++)
		mlv_buf_puts(b, open);
	mlv_buf_puts(b, inner);
	for (i = 0; i < depth; i++)
		mlv_buf_puts(b, close);
}

static void test_expr__deep_nesting(void **state)
{
	struct mlv_buf text = MLV_BUF_INIT;
	struct mlv_expr *e;

	(void)state;
	nest(&text, 99, "(", "metrics.auc > 0.9", ")");
	e = parse_ok(text.ptr);
	assert_int_equal(mlv_expr_match(e, kv_lookup, (void *)version), 1);
	mlv_expr_free(e);
	nest(&text, 100, "(", "metrics.auc > 0.95", ")");
	e = parse_ok(text.ptr);
	assert_int_equal(mlv_expr_match(e, kv_lookup, (void *)version), 0);
	mlv_expr_free(e);
	nest(&text, 101, "(", "metrics.auc > 0.9", ")");
	check_error(text.ptr, 101, "column 101: more than 100 nested parentheses "
		    "and nots, near '('");

	/* nots nest too: 99 of them negate */
	nest(&text, 99, "not ", "metrics.auc > 0.9", "");
	e = parse_ok(text.ptr);
	assert_int_equal(mlv_expr_match(e, kv_lookup, (void *)version), 0);
	mlv_expr_free(e);
	nest(&text, 100, "not ", "metrics.auc > 0.9", "");
	e = parse_ok(text.ptr);
	assert_int_equal(mlv_expr_match(e, kv_lookup, (void *)version), 1);
	mlv_expr_free(e);
	nest(&text, 101, "not ", "metrics.auc > 0.9", "");
	check_error(text.ptr, 401, "column 401: more than 100 nested parentheses "
		    "and nots, near 'not'");
	nest(&text, 50, "not (", "metrics.auc > 0.9", ")");
	e = parse_ok(text.ptr);
	mlv_expr_free(e);
	nest(&text, 51, "(not ", "metrics.auc > 0.9", ")");
	check_error(text.ptr, 251, "column 251: more than 100 nested parentheses "
		    "and nots, near '('");

	/* far deeper than any stack would take: refused, not a crash */
	nest(&text, 1000000, "(", "a = 1", ")");
	check_error(text.ptr, 101, "column 101: more than 100 nested parentheses "
		    "and nots, near '('");
	mlv_buf_release(&text);
}

static void check_format(const char *text, const char *want)
{
	struct mlv_buf out = MLV_BUF_INIT, again = MLV_BUF_INIT;
	struct mlv_expr *e = parse_ok(text), *e2;

	assert_int_equal(mlv_expr_format(&out, e), 0);
	assert_string_equal(out.ptr, want);
	e2 = parse_ok(out.ptr);
	assert_int_equal(mlv_expr_format(&again, e2), 0);
	assert_string_equal(again.ptr, want);
	assert_int_equal(mlv_expr_match(e, kv_lookup, (void *)version),
			 mlv_expr_match(e2, kv_lookup, (void *)version));
	mlv_expr_free(e);
	mlv_expr_free(e2);
	mlv_buf_release(&out);
	mlv_buf_release(&again);
}

static void test_expr__format(void **state)
{
	(void)state;
	check_format("metrics.auc>0.9 AND (params.x=='a''b' OR model.version IN "
		     "(1.2.0,1.3.0)) and not env.cuda is null and metrics.`f1 score` "
		     "not ilike '%x\\\\%'",
		     "metrics.auc > '0.9' and (params.x = 'a''b' or model.version in "
		     "('1.2.0', '1.3.0')) and not env.cuda is null and `metrics.f1 score` "
		     "not ilike '%x\\\\%'");
	check_format("a <> 1 or b == \"x\" or c is not null or d not in (sha256:" HEX_A ")",
		     "a != '1' or b = 'x' or c is not null or d not in ('sha256:" HEX_A "')");
	check_format("(a = 1 or b = 1) or c = 1", "(a = '1' or b = '1') or c = '1'");
	check_format("a = 1 or (b = 1 and c = 1)", "a = '1' or b = '1' and c = '1'");
	check_format("(a = 1 and b = 1) and c = 1", "(a = '1' and b = '1') and c = '1'");
	check_format("not (a = 1 or b = 1)", "not (a = '1' or b = '1')");
	check_format("not ((a = 1))", "not a = '1'");
	check_format("`and` = 1 and `x-y`.z like 'C:\\temp'",
		     "`and` = '1' and x-y.z like 'C:\\\\temp'");
	check_format("params.note = 'it''s \"fine\"'", "params.note = 'it''s \"fine\"'");
	check_format("params.learning_rate = 1e-3", "params.learning_rate = '1e-3'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expr__equality),
		cmocka_unit_test(test_expr__ordering),
		cmocka_unit_test(test_expr__numbers),
		cmocka_unit_test(test_expr__integers_exact),
		cmocka_unit_test(test_expr__semver),
		cmocka_unit_test(test_expr__oids),
		cmocka_unit_test(test_expr__like),
		cmocka_unit_test(test_expr__ilike),
		cmocka_unit_test(test_expr__in),
		cmocka_unit_test(test_expr__is_null),
		cmocka_unit_test(test_expr__absent_fields),
		cmocka_unit_test(test_expr__precedence),
		cmocka_unit_test(test_expr__parentheses),
		cmocka_unit_test(test_expr__keywords_any_case),
		cmocka_unit_test(test_expr__quoting),
		cmocka_unit_test(test_expr__blanks),
		cmocka_unit_test(test_expr__lookup_names),
		cmocka_unit_test(test_expr__short_circuit),
		cmocka_unit_test(test_expr__fields),
		cmocka_unit_test(test_expr__parse_errors),
		cmocka_unit_test(test_expr__long_near_is_cut),
		cmocka_unit_test(test_expr__column_may_be_null),
		cmocka_unit_test(test_expr__binary_junk),
		cmocka_unit_test(test_expr__long_expression),
		cmocka_unit_test(test_expr__long_tokens),
		cmocka_unit_test(test_expr__deep_nesting),
		cmocka_unit_test(test_expr__format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
