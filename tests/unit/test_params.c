/* Unit tests for include/mlv/params.h: YAML and JSON files as sidecar keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/params.h"
#include "mlv/sidecar.h"
#include "mlv/util.h"

#include "helpers.h"

/* Every key as "key = value\n", in order. */
static char *joined(const struct mlv_params *p)
{
	struct mlv_buf out = MLV_BUF_INIT;
	size_t i;

	for (i = 0; i < p->n; i++)
		mlv_buf_printf(&out, "%s = %s\n", p->entries[i].key, p->entries[i].value);
	return mlv_buf_detach(&out);
}

/* Parse `text` as the file `name` (format by its name) and compare. */
static void expect(const char *name, const char *text, int last, const char *want)
{
	struct mlv_params p = MLV_PARAMS_INIT;
	char *got;

	mlv_error_clear();
	assert_int_equal(mlv_params_parse(&p, name, text, strlen(text),
					  MLV_PARAMS_AUTO, last), 0);
	got = joined(&p);
	assert_string_equal(got, want);
	free(got);
	mlv_params_release(&p);
}

/* Parsing must fail with a message holding `want`, and add nothing. */
static void refuse(const char *name, const char *text, int last, const char *want)
{
	struct mlv_params p = MLV_PARAMS_INIT;

	mlv_error_clear();
	assert_int_equal(mlv_params_parse(&p, name, text, strlen(text),
					  MLV_PARAMS_AUTO, last), MLV_EINVALID);
	if (!strstr(mlv_error_last(), want))
		fail_msg("message '%s' lacks '%s'", mlv_error_last(), want);
	assert_int_equal(p.n, 0);
	mlv_params_release(&p);
}

static void test_params__nesting(void **state)
{
	(void)state;
	expect("params.yaml",
	       "train:\n"
	       "  optimizer:\n"
	       "    lr: 0.001\n"
	       "    name: adam\n"
	       "  epochs: 10\n"
	       "seed: 42\n",
	       0,
	       "train.optimizer.lr = 0.001\n"
	       "train.optimizer.name = adam\n"
	       "train.epochs = 10\n"
	       "seed = 42\n");
	expect("metrics.json", "{\"eval\": {\"loss\": 0.25, \"acc\": {\"top1\": 0.9}}, "
	       "\"step\": 7}", 0,
	       "eval.loss = 0.25\neval.acc.top1 = 0.9\nstep = 7\n");
	/* an empty mapping is kept, not dropped */
	expect("p.yaml", "a: {}\nb: 1\n", 0, "a = {}\nb = 1\n");
	/* an unquoted key may be a number */
	expect("p.yaml", "layers:\n  1: 64\n  2: 32\n", 0, "layers.1 = 64\nlayers.2 = 32\n");
}

static void test_params__yaml_types(void **state)
{
	(void)state;
	expect("p.yaml",
	       "int: 12\nneg: -3\nplus: +4\nhex: 0x1F\noct: 0o17\n"
	       "f: 1e-3\nwhole: 2.0\nhalf: .5\nbig: 6.02e23\n"
	       "t: true\nT: True\nf2: FALSE\nn: null\ntilde: ~\nnone:\n"
	       "inf: .inf\nninf: -.inf\nnan: .nan\n", 0,
	       "int = 12\nneg = -3\nplus = 4\nhex = 31\noct = 15\n"
	       "f = 0.001\nwhole = 2.0\nhalf = 0.5\nbig = 6.02e+23\n"
	       "t = true\nT = true\nf2 = false\nn = null\ntilde = null\nnone = null\n"
	       "inf = inf\nninf = -inf\nnan = nan\n");
	/* strings that would read back as something else are quoted */
	expect("p.yaml",
	       "s1: \"1\"\ns2: '0.5'\nst: \"true\"\nsn: 'null'\nsf: 'False'\n"
	       "sinf: inf\nsnan: nan\nhexs: '0x10'\n"
	       "lead: ' x'\ntrail: 'x '\nq: '\"x\"'\nlist: '[1]'\nobj: '{a}'\n"
	       "semi: 'a ; b'\nsemi0: ';x'\nnl: \"a\\nb\"\nempty: ''\n", 0,
	       "s1 = \"1\"\ns2 = \"0.5\"\nst = \"true\"\nsn = \"null\"\nsf = \"False\"\n"
	       "sinf = \"inf\"\nsnan = \"nan\"\nhexs = \"0x10\"\n"
	       "lead = \" x\"\ntrail = \"x \"\nq = \"\\\"x\\\"\"\nlist = \"[1]\"\n"
	       "obj = \"{a}\"\nsemi = \"a \\u003b b\"\nsemi0 = \"\\u003bx\"\n"
	       "nl = \"a\\nb\"\nempty = \n");
	/* YAML 1.2: these stay text, as DVC's ruamel.yaml reads them */
	expect("p.yaml",
	       "yes: yes\noff: off\ndate: 2024-01-01\nver: 1.2.0\nmixed: a;b\n"
	       "path: data/train.csv\nuni: \"\xc3\xa9t\xc3\xa9\"\nint_s: !!str 5\n", 0,
	       "yes = yes\noff = off\ndate = 2024-01-01\nver = 1.2.0\nmixed = a;b\n"
	       "path = data/train.csv\nuni = \xc3\xa9t\xc3\xa9\nint_s = \"5\"\n");
	/* explicit tags that agree with the value */
	expect("p.yaml", "a: !!float 3\nb: !!int 4\nc: !!bool true\n", 0,
	       "a = 3.0\nb = 4\nc = true\n");
	refuse("p.yaml", "a: !!int abc\n", 0, "p.yaml:1:4: 'abc' is not a valid !!int");
	refuse("p.yaml", "a: !custom x\n", 0, "p.yaml:1:4: tag '!custom' is not supported");
	refuse("p.yaml", "a: 99999999999999999999\n", 0,
	       "p.yaml:1:4: 99999999999999999999 is out of range");
	refuse("p.yaml", "a: 1e999\n", 0, "p.yaml:1:4: 1e999 is out of range");
}

static void test_params__json_types(void **state)
{
	(void)state;
	expect("m.json",
	       "{\"i\": 3, \"r\": 0.1, \"w\": 1.0, \"e\": 1e-3, \"s\": \"1\", "
	       "\"b\": false, \"n\": null, \"t\": \"text\", \"nested\": {\"x\": -2}}", 0,
	       "i = 3\nr = 0.1\nw = 1.0\ne = 0.001\ns = \"1\"\nb = false\nn = null\n"
	       "t = text\nnested.x = -2\n");
	/* what Python's json module writes for floats that are not finite */
	expect("m.json", "{\"a\": NaN, \"b\": Infinity, \"c\": -Infinity, "
	       "\"d\": \"NaN\", \"l\": [NaN, 1]}", 0,
	       "a = nan\nb = inf\nc = -inf\nd = \"NaN\"\nl = [NaN,1]\n");
	refuse("m.json", "{\"a\": NaN, \"b\": \"\\u0000\"}", 0,
	       "m.json:1:18: a NUL character cannot be recorded");
	refuse("m.json", "[1, 2]", 0, "m.json is a list, not a mapping");
}

static void test_params__lists(void **state)
{
	(void)state;
	expect("p.yaml",
	       "layers: [64, 32]\n"
	       "names: [a, \"b c\", '1']\n"
	       "empty: []\n"
	       "sched:\n"
	       "  - {step: 1, lr: 0.1}\n"
	       "  - {step: 2, lr: 1e-3, on: true, x: null}\n"
	       "deep: [[1, [2]], {a: [3]}]\n"
	       "semi: ['a ; b']\n", 0,
	       "layers = [64,32]\n"
	       "names = [\"a\",\"b c\",\"1\"]\n"
	       "empty = []\n"
	       "sched = [{\"step\":1,\"lr\":0.1},{\"step\":2,\"lr\":0.001,\"on\":true,"
	       "\"x\":null}]\n"
	       "deep = [[1,[2]],{\"a\":[3]}]\n"
	       "semi = [\"a \\u003b b\"]\n");
	expect("m.json", "{\"l\": [1.5, \"x\", {\"k\": [true]}]}", 0,
	       "l = [1.5,\"x\",{\"k\":[true]}]\n");
}

#define TRAINER_STATE \
	"{\n" \
	"  \"best_metric\": null,\n" \
	"  \"epoch\": 3.0,\n" \
	"  \"log_history\": [\n" \
	"    {\"epoch\": 1.0, \"eval_loss\": 0.52, \"step\": 500},\n" \
	"    {\"epoch\": 3.0, \"eval_loss\": 0.31, \"eval_accuracy\": 0.88, \"step\": 1500}\n" \
	"  ],\n" \
	"  \"max_steps\": 1500\n" \
	"}\n"

static void test_params__last(void **state)
{
	(void)state;
	expect("trainer_state.json", TRAINER_STATE, 1,
	       "epoch = 3.0\neval_loss = 0.31\neval_accuracy = 0.88\nstep = 1500\n");
	/* without #last, the whole file, lists as JSON text */
	expect("trainer_state.json", "{\"log_history\": [{\"a\": 1}], \"x\": 2}", 0,
	       "log_history = [{\"a\":1}]\nx = 2\n");
	refuse("t.json", "{\"log_history\": []}", 1, "t.json has no top-level \"log_history\"");
	refuse("t.json", "{\"epoch\": 1}", 1, "t.json has no top-level \"log_history\"");
	refuse("t.json", "{\"log_history\": [1, 2]}", 1,
	       "t.json: the last log_history entry is a single value, not a mapping");
}

static void test_params__duplicate_keys(void **state)
{
	(void)state;
	refuse("p.yaml", "a: 1\nb:\n  c: 2\n  c: 3\n", 0,
	       "p.yaml:4:1: duplicate key 'c' (first on line 3)");
	refuse("m.json", "{\"a\": 1,\n \"a\": 2}", 0, "m.json:2:");
	refuse("m.json", "{\"a\": 1,\n \"a\": 2}", 0, "duplicate object key");
	/* two spellings of one flattened key */
	refuse("p.yaml", "a.b: 1\na:\n  b: 2\n", 0,
	       "p.yaml: key 'a.b' comes twice once nested keys are joined");
}

static void test_params__bad_syntax(void **state)
{
	(void)state;
	refuse("p.yaml", "a: 1\nb: [1, 2\nc: 3\n", 0, "p.yaml:3:2: did not find expected "
	       "',' or ']' while parsing a flow sequence (from line 2, column 4)");
	refuse("p.yaml", "a: 1\n  b: 2\n", 0, "p.yaml:2:4: mapping values are not allowed");
	refuse("p.yaml", "a: \"open\n", 0, "p.yaml:2:1: found unexpected end of stream");
	refuse("p.yaml", "a: 1\n\tb: 2\n", 0, "p.yaml:2:1:");
	refuse("p.yaml", "a: \xff\n", 0, "p.yaml:1:4: invalid leading UTF-8 octet");
	refuse("m.json", "{\"a\": 1,,\n}", 0, "m.json:1:9: ");
	refuse("m.json", "{\"a\": 1}\n{\"b\": 2}\n", 0, "m.json:2:1: end of file expected");
	refuse("m.json", "", 0, "m.json");
	refuse("p.yaml", "", 0, "p.yaml is empty, not a mapping");
	refuse("p.yaml", "- 1\n- 2\n", 0, "p.yaml is a list, not a mapping");
	refuse("p.yaml", "just text\n", 0, "p.yaml is a single value, not a mapping");
	refuse("p.yaml", "a: 1\n---\nb: 2\n", 0, "p.yaml:2:1: a second YAML document");
	refuse("p.yaml", "[1, 2]: x\n", 0, "p.yaml:1:1: a key must be a plain value");
}

static void test_params__aliases(void **state)
{
	(void)state;
	expect("p.yaml",
	       "base: &b {lr: 0.1, depth: 6}\n"
	       "run:\n"
	       "  <<: *b\n"
	       "  depth: 8\n"
	       "copy: *b\n"
	       "n: &n 3\n"
	       "m: *n\n", 0,
	       "base.lr = 0.1\nbase.depth = 6\nrun.lr = 0.1\nrun.depth = 8\n"
	       "copy.lr = 0.1\ncopy.depth = 6\nn = 3\nm = 3\n");
	/* a key the mapping sets before the merge wins over it too */
	expect("p.yaml", "b: &b {x: 1, y: 2}\nr: {y: 9, <<: *b}\n", 0,
	       "b.x = 1\nb.y = 2\nr.y = 9\nr.x = 1\n");
	refuse("p.yaml", "a: *nowhere\n", 0, "p.yaml:1:4: alias *nowhere has no anchor");
	refuse("p.yaml", "a: &x [1, *x]\n", 0, "p.yaml:1:11: alias *x is inside the node");
	refuse("p.yaml", "a: 1\n<<: 2\n", 0, "'<<' merges a mapping");
}

static void test_params__alias_bomb(void **state)
{
	struct mlv_buf bomb = MLV_BUF_INIT;
	int level;

	(void)state;
	/* nine levels of ten aliases each: 10^9 values once expanded */
	mlv_buf_puts(&bomb, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (level = 1; level <= 9; level++) {
		int k;

		mlv_buf_printf(&bomb, "a%d: &a%d [", level, level);
		for (k = 0; k < 10; k++)
			mlv_buf_printf(&bomb, "%s*a%d", k ? ", " : "", level - 1);
		mlv_buf_puts(&bomb, "]\n");
	}
	refuse("bomb.yaml", bomb.ptr, 0, "aliases repeat more than 100000 values");
	refuse("bomb.yaml", bomb.ptr, 0, "bomb.yaml:5:");
	mlv_buf_release(&bomb);
}

static void test_params__keys(void **state)
{
	(void)state;
	assert_null(mlv_params_key_problem("train.optimizer.lr"));
	assert_null(mlv_params_key_problem("train/loss"));
	assert_null(mlv_params_key_problem("f1 score"));
	assert_non_null(mlv_params_key_problem(""));
	assert_non_null(mlv_params_key_problem("a=b"));
	assert_non_null(mlv_params_key_problem("a:b"));
	assert_non_null(mlv_params_key_problem("a;b"));
	assert_non_null(mlv_params_key_problem("[a]"));
	assert_non_null(mlv_params_key_problem("#a"));
	assert_non_null(mlv_params_key_problem(" a"));
	assert_non_null(mlv_params_key_problem("a\nb"));
	refuse("p.yaml", "lr:0.1: 3\n", 0,
	       "p.yaml: key 'lr:0.1' cannot be a sidecar key: it holds one of");
	refuse("m.json", "{\"a\": {\"b=c\": 1}}", 0, "m.json: key 'a.b=c' cannot be");
	refuse("m.json", "{\"\": 1}", 0, "m.json: key '' cannot be a sidecar key: it is empty");
}

static void test_params__limits(void **state)
{
	struct mlv_buf text = MLV_BUF_INIT;
	int i;

	(void)state;
	mlv_buf_puts(&text, "long: \"");
	for (i = 0; i < MLV_SIDECAR_MAX_LINE; i++)
		mlv_buf_putc(&text, 'x');
	mlv_buf_puts(&text, "\"\n");
	refuse("p.yaml", text.ptr, 0, "p.yaml: key 'long': its value does not fit");
	mlv_buf_clear(&text);
	for (i = 0; i < MLV_PARAMS_MAX_DEPTH + 1; i++)
		mlv_buf_putc(&text, '[');
	refuse("p.yaml", text.ptr, 0, "nested more than 64 deep");
	mlv_buf_clear(&text);
	mlv_buf_puts(&text, "{");
	for (i = 0; i <= 10000; i++)
		mlv_buf_printf(&text, "%s\"k%d\": %d", i ? ", " : "", i, i);
	mlv_buf_puts(&text, "}");
	refuse("m.json", text.ptr, 0, "m.json holds more than 10000 keys");
	mlv_buf_release(&text);
}

static void test_params__later_wins(void **state)
{
	struct mlv_params p = MLV_PARAMS_INIT;
	char *got;

	(void)state;
	assert_int_equal(mlv_params_parse(&p, "a.yaml", "x: 1\ny: 2\n", 10,
					  MLV_PARAMS_AUTO, 0), 0);
	assert_int_equal(mlv_params_parse(&p, "b.json", "{\"y\": 3, \"z\": 4}", 16,
					  MLV_PARAMS_AUTO, 0), 0);
	/* a file that fails changes nothing */
	assert_int_equal(mlv_params_parse(&p, "c.json", "{\"x\": 9, \"x\": 9}", 16,
					  MLV_PARAMS_AUTO, 0), MLV_EINVALID);
	got = joined(&p);
	assert_string_equal(got, "x = 1\ny = 3\nz = 4\n");
	free(got);
	mlv_params_release(&p);
}

static void test_params__sniff(void **state)
{
	(void)state;
	assert_int_equal(mlv_params_sniff("a.YML", "{", 1), MLV_PARAMS_YAML);
	assert_int_equal(mlv_params_sniff("a.yaml", "{", 1), MLV_PARAMS_YAML);
	assert_int_equal(mlv_params_sniff("a.Json", "a: 1", 4), MLV_PARAMS_JSON);
	assert_int_equal(mlv_params_sniff("params", " \n{", 3), MLV_PARAMS_JSON);
	assert_int_equal(mlv_params_sniff("params", "[1]", 3), MLV_PARAMS_JSON);
	assert_int_equal(mlv_params_sniff("params", "a: {}", 5), MLV_PARAMS_YAML);
	assert_int_equal(mlv_params_sniff("params", "", 0), MLV_PARAMS_YAML);
	/* a .txt holding JSON is read as JSON, with JSON's messages */
	refuse("m.txt", "{\"a\": 1,}", 0, "m.txt:1:9:");
}

static void test_params__read_file(void **state)
{
	char dir[] = "/tmp/test_params.XXXXXX", *path, *odd, *arg;
	struct mlv_params p = MLV_PARAMS_INIT;
	struct mlv_buf b = MLV_BUF_INIT;
	char *got;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = mlv_path_join(dir, "run#1.json");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(TRAINER_STATE, f);
	fclose(f);
	mlv_buf_printf(&b, "%s#last", path);
	arg = mlv_buf_detach(&b);
	/* a '#' inside the path is the path's; a trailing #last selects */
	assert_int_equal(mlv_params_read_file(&p, arg), 0);
	got = joined(&p);
	assert_string_equal(got, "epoch = 3.0\neval_loss = 0.31\neval_accuracy = 0.88\n"
			    "step = 1500\n");
	free(got);
	mlv_params_release(&p);
	assert_int_equal(mlv_params_read_file(&p, path), 0);
	assert_string_equal(p.entries[0].key, "best_metric");
	mlv_params_release(&p);

	/* a file whose name ends in #last cannot be named, and we say so */
	odd = mlv_path_join(dir, "odd.json#last");
	f = fopen(odd, "w");
	assert_non_null(f);
	fputs("{}", f);
	fclose(f);
	assert_int_equal(mlv_params_read_file(&p, odd), MLV_ENOTFOUND);
	assert_non_null(strstr(mlv_error_last(), "a trailing '#last' selects"));
	assert_int_equal(mlv_params_read_file(&p, dir), MLV_EINVALID);
	assert_non_null(strstr(mlv_error_last(), "is not a regular file"));
	assert_int_equal(mlv_params_read_file(&p, "#last"), MLV_EINVALID);
	assert_int_equal(p.n, 0);

	/* over 16 MiB: refused before it is read */
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), MLV_PARAMS_MAX_SIZE + 1), 0);
	fclose(f);
	assert_int_equal(mlv_params_read_file(&p, path), MLV_EINVALID);
	assert_non_null(strstr(mlv_error_last(), "params and metrics files are read up "
			       "to 16 MiB"));
	free(path);
	free(odd);
	free(arg);
	assert_int_equal(test_remove_tree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params__nesting),
		cmocka_unit_test(test_params__yaml_types),
		cmocka_unit_test(test_params__json_types),
		cmocka_unit_test(test_params__lists),
		cmocka_unit_test(test_params__last),
		cmocka_unit_test(test_params__duplicate_keys),
		cmocka_unit_test(test_params__bad_syntax),
		cmocka_unit_test(test_params__aliases),
		cmocka_unit_test(test_params__alias_bomb),
		cmocka_unit_test(test_params__keys),
		cmocka_unit_test(test_params__limits),
		cmocka_unit_test(test_params__later_wins),
		cmocka_unit_test(test_params__sniff),
		cmocka_unit_test(test_params__read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
