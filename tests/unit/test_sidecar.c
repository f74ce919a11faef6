/* Unit tests for include/mlv/sidecar.h: the INI lineage record, line by line. */
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
#include "mlv/problems.h"
#include "mlv/sidecar.h"

#define HEX_A "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
#define HEX_B "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define HEX_C "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX_D "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define HEX_E "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_F "5555555555555555555555555555555555555555555555555555555555555555"
#define COMMIT "9fceb02d0ae598e95dc970b74767f19372d61af8"

/* Every section, written the way mlv_sidecar_format() writes it. */
#define FULL \
	"[mlv]\n"                                             /*  1 */ \
	"version = 1\n"                                       /*  2 */ \
	"\n"                                                  /*  3 */ \
	"[model]\n"                                           /*  4 */ \
	"oid = sha256:" HEX_A "\n"                            /*  5 */ \
	"name = fraud-detect-xgb-ds2024.11-20261123-r42\n"    /*  6 */ \
	"version = 1.3.0\n"                                   /*  7 */ \
	"base = sha256:" HEX_B "\n"                           /*  8 */ \
	"\n"                                                  /*  9 */ \
	"[data \"train\"]\n"                                  /* 10 */ \
	"path = data/train.csv\n"                             /* 11 */ \
	"oid = sha256:" HEX_C "\n"                            /* 12 */ \
	"\n"                                                  /* 13 */ \
	"[data \"holdout\"]\n"                                /* 14 */ \
	"uri = s3://datasets/x/2024-10/\n"                    /* 15 */ \
	"oid = sha256:" HEX_D "\n"                            /* 16 */ \
	"\n"                                                  /* 17 */ \
	"[config]\n"                                          /* 18 */ \
	"path = configs/train.yaml\n"                         /* 19 */ \
	"oid = sha256:" HEX_E "\n"                            /* 20 */ \
	"\n"                                                  /* 21 */ \
	"[params]\n"                                          /* 22 */ \
	"learning_rate = 0.001\n"                             /* 23 */ \
	"max_depth = 6\n"                                     /* 24 */ \
	"\n"                                                  /* 25 */ \
	"[environment]\n"                                     /* 26 */ \
	"python = 3.11.7\n"                                   /* 27 */ \
	"lockfile = requirements.lock\n"                      /* 28 */ \
	"lockfile-oid = sha256:" HEX_F "\n"                   /* 29 */ \
	"\n"                                                  /* 30 */ \
	"[code]\n"                                            /* 31 */ \
	"commit = " COMMIT "\n"                               /* 32 */ \
	"dirty = false\n"                                     /* 33 */ \
	"\n"                                                  /* 34 */ \
	"[metrics]\n"                                         /* 35 */ \
	"auc = 0.91\n"                                        /* 36 */

struct expected {
	const char *section, *name, *key, *value;
	unsigned line;
};

static const struct expected full_entries[] = {
	{ "mlv", NULL, "version", "1", 2 },
	{ "model", NULL, "oid", "sha256:" HEX_A, 5 },
	{ "model", NULL, "name", "fraud-detect-xgb-ds2024.11-20261123-r42", 6 },
	{ "model", NULL, "version", "1.3.0", 7 },
	{ "model", NULL, "base", "sha256:" HEX_B, 8 },
	{ "data", "train", "path", "data/train.csv", 11 },
	{ "data", "train", "oid", "sha256:" HEX_C, 12 },
	{ "data", "holdout", "uri", "s3://datasets/x/2024-10/", 15 },
	{ "data", "holdout", "oid", "sha256:" HEX_D, 16 },
	{ "config", NULL, "path", "configs/train.yaml", 19 },
	{ "config", NULL, "oid", "sha256:" HEX_E, 20 },
	{ "params", NULL, "learning_rate", "0.001", 23 },
	{ "params", NULL, "max_depth", "6", 24 },
	{ "environment", NULL, "python", "3.11.7", 27 },
	{ "environment", NULL, "lockfile", "requirements.lock", 28 },
	{ "environment", NULL, "lockfile-oid", "sha256:" HEX_F, 29 },
	{ "code", NULL, "commit", COMMIT, 32 },
	{ "code", NULL, "dirty", "false", 33 },
	{ "metrics", NULL, "auc", "0.91", 36 },
};

#define N_FULL (sizeof(full_entries) / sizeof(full_entries[0]))

/* The smallest valid sidecar: 4 lines, so appended text starts at line 5. */
#define MIN "[mlv]\nversion = 1\n[model]\noid = sha256:" HEX_A "\n"

/*
 * Parse exactly `len` bytes held in a heap block of exactly that size, so
 * that the sanitizer build catches any read past the end.
 */
static int parse_exact(struct mlv_sidecar *out, struct mlv_problems *problems,
		       const void *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, data, len);
	err = mlv_sidecar_parse(out, problems, "m.mlv", copy, len);
	free(copy);
	return err;
}

#define parse_lit(out, problems, s) parse_exact((out), (problems), (s), sizeof(s) - 1)

static void print_problems(const struct mlv_problems *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		print_message("  problem %zu: %s\n", i, p->items[i]);
}

/* The text gives exactly the problems `want` (NULL-terminated), in order. */
static void assert_problems(const void *data, size_t len, const char *const *want)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	size_t n = 0, i;

	while (want[n])
		n++;
	assert_int_equal(parse_exact(&sc, &problems, data, len),
			 n ? MLV_EINVALID : 0);
	if (problems.n != n)
		print_problems(&problems);
	assert_int_equal(problems.n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(problems.items[i], want[i]);
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
}

#define assert_problems_lit(s, ...) \
	assert_problems((s), sizeof(s) - 1, (const char *const[]){ __VA_ARGS__, NULL })

/* Exactly one problem. */
#define assert_problem_lit(s, msg) assert_problems_lit(s, msg)
#define assert_valid_lit(s) assert_problems((s), sizeof(s) - 1, (const char *const[]){ NULL })

static void assert_entries(const struct mlv_sidecar *sc, const struct expected *want,
			   size_t n, int check_lines)
{
	size_t i;

	assert_int_equal(sc->n, n);
	for (i = 0; i < n; i++) {
		const struct mlv_sidecar_entry *e = &sc->entries[i];

		assert_string_equal(e->section, want[i].section);
		if (want[i].name)
			assert_string_equal(e->name, want[i].name);
		else
			assert_null(e->name);
		assert_string_equal(e->key, want[i].key);
		assert_string_equal(e->value, want[i].value);
		if (check_lines)
			assert_int_equal(e->line, want[i].line);
	}
}

static void test_sidecar__parse_full(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems, FULL), 0);
	assert_int_equal(problems.n, 0);
	assert_entries(&sc, full_entries, N_FULL, 1);
	mlv_sidecar_release(&sc);
	assert_null(sc.entries);
	assert_int_equal(sc.n, 0);
}

static void test_sidecar__comments_and_spacing(void **state)
{
	static const char text[] =
		"; the lineage record\n"          /* 1 */
		"# of one model\n"                /* 2 */
		"[mlv]\n"                         /* 3 */
		"  version=1   \n"                /* 4: indented, no blanks */
		"\n"                              /* 5 */
		"[model]   ; inline comment\n"    /* 6 */
		"oid = sha256:" HEX_A " ; oid\n"  /* 7 */
		"\t\n"                            /* 8 */
		"[params]\n"                      /* 9 */
		"note = a;b\n"                    /* 10: ';' not after a blank */
		"lr: 0.1\n";                      /* 11: ':' separates too */
	static const struct expected want[] = {
		{ "mlv", NULL, "version", "1", 4 },
		{ "model", NULL, "oid", "sha256:" HEX_A, 7 },
		{ "params", NULL, "note", "a;b", 10 },
		{ "params", NULL, "lr", "0.1", 11 },
	};
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems, text), 0);
	assert_int_equal(problems.n, 0);
	assert_entries(&sc, want, 4, 1);
	mlv_sidecar_release(&sc);
}

static void test_sidecar__no_final_newline(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems, MIN "[metrics]\nauc = 0.5"), 0);
	assert_int_equal(problems.n, 0);
	assert_string_equal(mlv_sidecar_get(&sc, "metrics", NULL, "auc"), "0.5");
	assert_int_equal(mlv_sidecar_find(&sc, "metrics", NULL, "auc")->line, 6);
	mlv_sidecar_release(&sc);
}

/*
 * CRLF line ends: the '\r' counts as trailing blank space (inih strips it,
 * and the line checks treat "\r" alone as a blank line), so a CRLF file
 * gives the same entries, values and line numbers as its LF twin.
 */
static void test_sidecar__crlf(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf crlf = MLV_BUF_INIT;
	const char *p;

	(void)state;
	for (p = FULL; *p; p++) {
		if (*p == '\n')
			mlv_buf_putc(&crlf, '\r');
		mlv_buf_putc(&crlf, *p);
	}
	assert_int_equal(crlf.len, sizeof(FULL) - 1 + 36);
	assert_int_equal(parse_exact(&sc, &problems, crlf.ptr, crlf.len), 0);
	print_problems(&problems);
	assert_int_equal(problems.n, 0);
	assert_entries(&sc, full_entries, N_FULL, 1);
	mlv_sidecar_release(&sc);

	/* the problems of a CRLF file name the same lines */
	assert_problem_lit("[mlv]\r\nversion = 1\r\n[model]\r\noid = sha256:" HEX_A
			   "\r\nversion = 1.0\r\n",
			   "m.mlv:5: model.version '1.0' is not a semantic version "
			   "(MAJOR.MINOR.PATCH)");
	mlv_buf_release(&crlf);
}

static void test_sidecar__empty(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	(void)state;
	assert_int_equal(parse_exact(&sc, &problems, "", 0), MLV_EINVALID);
	assert_int_equal(problems.n, 1);
	assert_string_equal(problems.items[0], "m.mlv: no [mlv] section with 'version = 1'");
	assert_int_equal(sc.n, 0);
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
}

/*
 * Binary content is refused as a whole before any line is read (the
 * message names the file only, as the end-to-end tests expect).
 */
static void test_sidecar__binary(void **state)
{
	static const char text[] = "[mlv]\nversion = 1\n\0\0\0[model]\n";
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	(void)state;
	assert_int_equal(parse_exact(&sc, &problems, text, sizeof(text) - 1),
			 MLV_EINVALID);
	assert_int_equal(problems.n, 1);
	assert_string_equal(problems.items[0],
			    "m.mlv: binary content, not an INI sidecar; write it "
			    "with 'git mlv sidecar init'");
	assert_int_equal(sc.n, 0);
	mlv_problems_release(&problems);

	/* a single NUL at the very end is enough */
	assert_int_equal(parse_exact(&sc, &problems, MIN "\0", sizeof(MIN)), MLV_EINVALID);
	assert_int_equal(problems.n, 1);
	assert_non_null(strstr(problems.items[0], "binary content"));
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
}

/* MIN, "[params]" on line 5 and "k = " plus `pad` bytes on line 6. */
static void params_line(struct mlv_buf *b, size_t pad, int newline)
{
	mlv_buf_clear(b);
	mlv_buf_puts(b, MIN "[params]\nk = ");
	while (pad--)
		mlv_buf_putc(b, 'v');
	if (newline)
		mlv_buf_putc(b, '\n');
}

static void test_sidecar__line_limit(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf b = MLV_BUF_INIT, want = MLV_BUF_INIT;
	int newline;

	(void)state;
	mlv_buf_printf(&want, "m.mlv:6: line is %d bytes long, the limit is %d",
		       MLV_SIDECAR_MAX_LINE + 1, MLV_SIDECAR_MAX_LINE);
	for (newline = 0; newline <= 1; newline++) {
		/* "k = " and the value: the longest line that is accepted */
		params_line(&b, MLV_SIDECAR_MAX_LINE - 4, newline);
		assert_int_equal(parse_exact(&sc, &problems, b.ptr, b.len), 0);
		assert_int_equal(problems.n, 0);
		assert_int_equal(strlen(mlv_sidecar_get(&sc, "params", NULL, "k")),
				 MLV_SIDECAR_MAX_LINE - 4);
		assert_int_equal(mlv_sidecar_find(&sc, "params", NULL, "k")->line, 6);
		mlv_sidecar_release(&sc);

		/* one byte more: refused with its line, and the line is not kept */
		params_line(&b, MLV_SIDECAR_MAX_LINE - 3, newline);
		assert_int_equal(parse_exact(&sc, &problems, b.ptr, b.len), MLV_EINVALID);
		assert_int_equal(problems.n, 1);
		assert_string_equal(problems.items[0], want.ptr);
		assert_null(mlv_sidecar_get(&sc, "params", NULL, "k"));
		assert_int_equal(sc.n, 2);
		mlv_sidecar_release(&sc);
		mlv_problems_release(&problems);
	}
	mlv_buf_release(&b);
	mlv_buf_release(&want);
}

static void test_sidecar__huge_line(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf b = MLV_BUF_INIT, want = MLV_BUF_INIT;
	size_t i;

	(void)state;
	mlv_buf_puts(&b, MIN "[params]\nnotes = ");
	for (i = 0; i < 300000; i++)
		mlv_buf_putc(&b, i % 1000 == 500 ? '=' : 'x');
	/* the lines after it are still read, with their own numbers */
	mlv_buf_puts(&b, "\nother = 1\n[code]\ndirty = maybe\n");
	mlv_buf_printf(&want, "m.mlv:6: line is 300008 bytes long, the limit is %d",
		       MLV_SIDECAR_MAX_LINE);
	assert_int_equal(parse_exact(&sc, &problems, b.ptr, b.len), MLV_EINVALID);
	assert_int_equal(problems.n, 2);
	assert_string_equal(problems.items[0], want.ptr);
	assert_string_equal(problems.items[1],
			    "m.mlv:9: code.dirty 'maybe' is not true or false");
	assert_null(mlv_sidecar_get(&sc, "params", NULL, "notes"));
	assert_int_equal(mlv_sidecar_find(&sc, "params", NULL, "other")->line, 7);
	/* nothing of the refused line is read: not "notes", not a key after
	 * one of its '=' */
	assert_int_equal(sc.n, 4);
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
	mlv_buf_release(&b);
	mlv_buf_release(&want);
}

/* `n` bytes of a value that has what a line splitter could get wrong:
 * white space, '=', ':', '[', ';' and '#' inside, each far from the start. */
static void long_value(struct mlv_buf *v, size_t n)
{
	static const char odd[] = " =:[;#\t";
	size_t i;

	mlv_buf_clear(v);
	for (i = 0; i < n; i++)
		mlv_buf_putc(v, i % 199 == 198 && i + 1 < n ? odd[(i / 199) % 7] :
				'a' + (char)(i % 26));
}

static void test_sidecar__long_values(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT, again = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf v = MLV_BUF_INIT, uri = MLV_BUF_INIT, path = MLV_BUF_INIT,
		       text = MLV_BUF_INIT;
	size_t i;

	(void)state;
	long_value(&v, 64 * 1024);
	mlv_buf_puts(&uri, "s3://datasets/");
	for (i = 0; i < 400; i++)
		mlv_buf_puts(&uri, "partition=0123456789/");
	for (i = 0; i < 40; i++)
		mlv_buf_puts(&path, "a-rather-long-directory-name-for-data/");
	mlv_buf_puts(&path, "train.csv");

	mlv_buf_printf(&text, MIN "[data \"ext\"]\nuri = %s\noid = sha256:" HEX_B
		       "\n[data \"local\"]\npath =   %s  \noid = sha256:" HEX_C
		       "\n[params]\nnotes = %s\nafter = 1\n", uri.ptr, path.ptr, v.ptr);
	assert_int_equal(parse_exact(&sc, &problems, text.ptr, text.len), 0);
	assert_int_equal(problems.n, 0);
	assert_string_equal(mlv_sidecar_get(&sc, "data", "ext", "uri"), uri.ptr);
	/* white space around a long value goes, as around a short one */
	assert_string_equal(mlv_sidecar_get(&sc, "data", "local", "path"), path.ptr);
	assert_string_equal(mlv_sidecar_get(&sc, "params", NULL, "notes"), v.ptr);
	assert_int_equal(mlv_sidecar_find(&sc, "params", NULL, "notes")->line, 12);
	assert_int_equal(mlv_sidecar_find(&sc, "params", NULL, "after")->line, 13);

	/* what the writer makes of it reads back the same */
	mlv_buf_clear(&text);
	mlv_sidecar_format(&text, &sc);
	assert_int_equal(parse_exact(&again, &problems, text.ptr, text.len), 0);
	assert_int_equal(again.n, sc.n);
	for (i = 0; i < sc.n; i++)
		assert_string_equal(again.entries[i].value, sc.entries[i].value);
	mlv_sidecar_release(&sc);
	mlv_sidecar_release(&again);

	/* a comment after a long value is cut as after a short one */
	mlv_buf_clear(&text);
	mlv_buf_printf(&text, MIN "[params]\nnotes = %s ; a comment\n", v.ptr);
	assert_int_equal(parse_exact(&sc, &problems, text.ptr, text.len), 0);
	assert_string_equal(mlv_sidecar_get(&sc, "params", NULL, "notes"), v.ptr);
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
	mlv_buf_release(&v);
	mlv_buf_release(&uri);
	mlv_buf_release(&path);
	mlv_buf_release(&text);
}

/* Long lines are refused for what short ones are refused for. */
static void test_sidecar__long_line_problems(void **state)
{
	struct mlv_buf v = MLV_BUF_INIT, text = MLV_BUF_INIT;
	const char *dup[] = { "m.mlv:7: duplicate key 'notes' (first on line 6)", NULL };
	const char *garbage[] = { "m.mlv:6: expected 'key = value' or '[section]'", NULL };
	const char *oid[] = { NULL, NULL };
	struct mlv_buf why = MLV_BUF_INIT;

	(void)state;
	long_value(&v, 64 * 1024);
	mlv_buf_printf(&text, MIN "[params]\nnotes = %s\nnotes = %s\n", v.ptr, v.ptr);
	assert_problems(text.ptr, text.len, dup);

	/* a long line without '=' or ':' */
	mlv_buf_clear(&text);
	mlv_buf_puts(&text, MIN "[params]\n");
	for (mlv_buf_clear(&v); v.len < 64 * 1024;)
		mlv_buf_puts(&v, "garbage ");
	mlv_buf_printf(&text, "%s\n", v.ptr);
	assert_problems(text.ptr, text.len, garbage);

	/* a long value where an oid belongs */
	long_value(&v, 64 * 1024);
	mlv_buf_clear(&text);
	mlv_buf_printf(&text, MIN "[config]\npath = c.yaml\noid = sha256:%s\n", v.ptr);
	mlv_buf_printf(&why, "m.mlv:7: config.oid 'sha256:%s' is not 'sha256:' and "
		       "64 lowercase hex digits", v.ptr);
	oid[0] = why.ptr;
	assert_problems(text.ptr, text.len, oid);
	mlv_buf_release(&v);
	mlv_buf_release(&text);
	mlv_buf_release(&why);
}

/* MIN padded with 100-byte comment lines (the last shorter) to `size`. */
static void padded(struct mlv_buf *b, size_t size)
{
	mlv_buf_clear(b);
	mlv_buf_puts(b, MIN);
	while (b->len < size) {
		size_t n = size - b->len < 100 ? size - b->len : 100;

		mlv_buf_putc(b, ';');
		while (--n > 1)
			mlv_buf_putc(b, 'c');
		if (n)
			mlv_buf_putc(b, '\n');
	}
}

static void test_sidecar__size_limit(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	padded(&b, MLV_SIDECAR_MAX_SIZE);
	assert_int_equal(b.len, 1024 * 1024);
	assert_int_equal(parse_exact(&sc, &problems, b.ptr, b.len), 0);
	assert_int_equal(problems.n, 0);
	assert_int_equal(sc.n, 2);
	mlv_sidecar_release(&sc);

	padded(&b, MLV_SIDECAR_MAX_SIZE + 1);
	assert_int_equal(b.len, 1024 * 1024 + 1);
	assert_int_equal(parse_exact(&sc, &problems, b.ptr, b.len), MLV_EINVALID);
	assert_int_equal(problems.n, 1);
	assert_string_equal(problems.items[0],
			    "m.mlv: 1048577 bytes is too large for a sidecar (the "
			    "limit is 1048576); keep data out of it");
	/* nothing is read from a file that large */
	assert_int_equal(sc.n, 0);
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
	mlv_buf_release(&b);
}

static void test_sidecar__duplicate_section(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	(void)state;
	assert_problem_lit(MIN "[model]\noid = sha256:" HEX_B "\n",
			   "m.mlv:5: duplicate section [model]");
	assert_problem_lit(MIN "[data \"train\"]\npath = a.csv\noid = sha256:" HEX_B "\n"
			   "[data \"train\"]\npath = b.csv\noid = sha256:" HEX_C "\n",
			   "m.mlv:8: duplicate section [data \"train\"]");

	/* the second section's entries are not kept */
	assert_int_equal(parse_lit(&sc, &problems, MIN "[model]\nname = x\n"), MLV_EINVALID);
	assert_int_equal(sc.n, 2);
	assert_null(mlv_sidecar_get(&sc, "model", NULL, "name"));
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);

	/* two data sets with different names are not duplicates */
	assert_valid_lit(MIN "[data \"a\"]\npath = a.csv\noid = sha256:" HEX_B "\n"
			 "[data \"b\"]\npath = b.csv\noid = sha256:" HEX_C "\n");
}

static void test_sidecar__duplicate_key(void **state)
{
	(void)state;
	assert_problem_lit(MIN "name = a\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: duplicate key 'oid' (first on line 4)");
	assert_problem_lit(MIN "[params]\nlr = 0.1\n\n; again\nlr = 0.2\n",
			   "m.mlv:9: duplicate key 'lr' (first on line 6)");
	/* the same key in two sections is fine */
	assert_valid_lit(MIN "[params]\nlr = 1\n[metrics]\nlr = 2\n");
}

static void test_sidecar__unknown_section(void **state)
{
	(void)state;
	/* named once, at its first entry */
	assert_problem_lit(MIN "[hyperparams]\nlr = 0.1\nmomentum = 0.9\n",
			   "m.mlv:6: unknown section [hyperparams]");
	assert_problem_lit(MIN "[Model]\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: unknown section [Model]");
}

static void test_sidecar__unknown_key(void **state)
{
	(void)state;
	assert_problem_lit(MIN "color = red\n", "m.mlv:5: unknown key 'color' in [model]");
	assert_problem_lit(MIN "[code]\ncommit = " COMMIT "\nbranch = main\n",
			   "m.mlv:7: unknown key 'branch' in [code]");
	assert_problem_lit("[mlv]\nversion = 1\nmode = x\n",
			   "m.mlv:3: unknown key 'mode' in [mlv]");
	/* free sections take any key, even one a schema section checks */
	assert_valid_lit(MIN "[params]\nanything-goes = 1\nbase = resnet50\n"
			 "oid = 7\npath = /scratch/run\n"
			 "[metrics]\nf1.macro = 0.8\noid = x\n"
			 "[environment]\ncuda = 12.4\npath = /usr/bin\nbase = ubuntu\n");
}

/* A section whose first key is unknown is still checked as a whole. */
static void test_sidecar__unknown_first_key(void **state)
{
	(void)state;
	assert_problems_lit("[mlv]\nversion = 1\n[model]\ncolor = red\nname = x\n",
			    "m.mlv:4: unknown key 'color' in [model]",
			    "m.mlv:4: [model] has no 'oid'");
	assert_problems_lit(MIN "[data \"train\"]\ncount = 3\noid = sha256:" HEX_B "\n",
			    "m.mlv:6: unknown key 'count' in [data]",
			    "m.mlv:6: [data \"train\"] needs exactly one of 'path' and 'uri'");
}

static void test_sidecar__section_names(void **state)
{
	(void)state;
	assert_problem_lit(MIN "[data]\npath = d.csv\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: [data] needs a name: [data \"train\"]");
	assert_problem_lit(MIN "[config \"main\"]\npath = c.yaml\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: [config] takes no name");
	/* a named [mlv] holds no version either */
	assert_problems_lit("[mlv \"x\"]\nversion = 1\n[model]\noid = sha256:" HEX_B "\n",
			    "m.mlv:2: [mlv] takes no name",
			    "m.mlv: no [mlv] section with 'version = 1'");
}

/* A data set's name is kept whole, however long (inih cuts its own copy of
 * a section name at 49 bytes). */
static void test_sidecar__long_data_name(void **state)
{
#define LONG_NAME "imagenet-2012-train-subset-balanced-by-class-v3-part-one"
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf text = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems,
				   MIN "[data \"" LONG_NAME "\"]\npath = a.csv\n"
				   "oid = sha256:" HEX_B "\n"
				   "[data \"" LONG_NAME "-and-two\"]\npath = b.csv\n"
				   "oid = sha256:" HEX_C "\n"), 0);
	print_problems(&problems);
	assert_int_equal(problems.n, 0);
	assert_string_equal(mlv_sidecar_get(&sc, "data", LONG_NAME, "path"), "a.csv");
	assert_string_equal(mlv_sidecar_get(&sc, "data", LONG_NAME "-and-two", "path"),
			    "b.csv");
	mlv_sidecar_format(&text, &sc);
	assert_non_null(strstr(text.ptr, "[data \"" LONG_NAME "\"]\npath = a.csv\n"));
	mlv_sidecar_release(&sc);
	mlv_buf_release(&text);
#undef LONG_NAME
}

static void test_sidecar__data_source(void **state)
{
	(void)state;
	assert_problem_lit(MIN "[data \"train\"]\npath = d.csv\nuri = s3://b/k\n"
			   "oid = sha256:" HEX_B "\n",
			   "m.mlv:6: [data \"train\"] needs exactly one of 'path' and 'uri'");
	assert_problem_lit(MIN "[data \"train\"]\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: [data \"train\"] needs exactly one of 'path' and 'uri'");
	assert_valid_lit(MIN "[data \"train\"]\nuri = s3://b/k\noid = sha256:" HEX_B "\n");
}

static void test_sidecar__missing_oid(void **state)
{
	(void)state;
	assert_problem_lit("[mlv]\nversion = 1\n[model]\nname = x\nversion = 1.0.0\n",
			   "m.mlv:4: [model] has no 'oid'");
	assert_problem_lit(MIN "[data \"train\"]\npath = d.csv\n",
			   "m.mlv:6: [data \"train\"] has no 'oid'");
	assert_problem_lit(MIN "[config]\npath = c.yaml\n", "m.mlv:6: [config] has no 'oid'");
	assert_problem_lit(MIN "[config]\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: [config] has no 'path'");
}

static void test_sidecar__malformed_oids(void **state)
{
	(void)state;
	assert_problem_lit("[mlv]\nversion = 1\n[model]\n"
			   "oid = sha256:4D7A214614AB2935C943F9E0FF69D22EADBB8F32B1258DAAA5E2CA24D17E2393\n",
			   "m.mlv:4: model.oid 'sha256:4D7A214614AB2935C943F9E0FF69D22EADBB8F32B1258DAAA5E2CA24D17E2393' "
			   "is not 'sha256:' and 64 lowercase hex digits");
	/* one uppercase digit is enough */
	assert_problem_lit("[mlv]\nversion = 1\n[model]\n"
			   "oid = sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e239F\n",
			   "m.mlv:4: model.oid 'sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e239F' "
			   "is not 'sha256:' and 64 lowercase hex digits");
	/* 63 and 65 digits */
	assert_problem_lit("[mlv]\nversion = 1\n[model]\n"
			   "oid = sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e239\n",
			   "m.mlv:4: model.oid 'sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e239' "
			   "is not 'sha256:' and 64 lowercase hex digits");
	assert_problem_lit("[mlv]\nversion = 1\n[model]\noid = sha256:" HEX_A "0\n",
			   "m.mlv:4: model.oid 'sha256:" HEX_A "0' "
			   "is not 'sha256:' and 64 lowercase hex digits");
	/* no prefix, or another algorithm */
	assert_problem_lit("[mlv]\nversion = 1\n[model]\noid = " HEX_A "\n",
			   "m.mlv:4: model.oid '" HEX_A "' "
			   "is not 'sha256:' and 64 lowercase hex digits");
	assert_problem_lit("[mlv]\nversion = 1\n[model]\noid = sha512:" HEX_A "\n",
			   "m.mlv:4: model.oid 'sha512:" HEX_A "' "
			   "is not 'sha256:' and 64 lowercase hex digits");
	/* base, data, config and lockfile oids are checked the same way */
	assert_problem_lit(MIN "base = sha256:XYZ\n",
			   "m.mlv:5: model.base 'sha256:XYZ' is not 'sha256:' and 64 "
			   "lowercase hex digits");
	assert_problem_lit(MIN "[data \"t\"]\npath = d.csv\noid = sha256:\n",
			   "m.mlv:7: data.oid 'sha256:' is not 'sha256:' and 64 "
			   "lowercase hex digits");
	assert_problem_lit(MIN "[config]\npath = c.yaml\noid = " HEX_B "\n",
			   "m.mlv:7: config.oid '" HEX_B "' is not 'sha256:' and 64 "
			   "lowercase hex digits");
	assert_problem_lit(MIN "[environment]\nlockfile = uv.lock\nlockfile-oid = 1\n",
			   "m.mlv:7: environment.lockfile-oid '1' is not 'sha256:' and 64 "
			   "lowercase hex digits");
}

static void test_sidecar__repo_path_is_safe(void **state)
{
	static const char *const bad[] = {
		"", "/", "/etc/passwd", "..", "../x", "a/..", "a/../b", "data/../../x",
		".", "./a", "a/.", "a/./b", "a//b", "//a", "a\\b", "..\\x",
		".git/config", "a/.GIT/b", "data/", "a/b/",
	};
	static const char *const good[] = {
		"data/train.csv", "a", "a/b/c", ".hidden", "a/.b", "..a", "a..",
		"a/...", "x y/z", "-",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mlv_repo_path_is_safe(bad[i]))
			fail_msg("'%s' was accepted", bad[i]);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!mlv_repo_path_is_safe(good[i]))
			fail_msg("'%s' was refused", good[i]);
}

/* A recorded value also cannot hold what a sidecar line cannot. */
static void test_sidecar__recordable_paths(void **state)
{
	static const char *const bad[] = { "a\nb", "a\rb", " a", "a ", "\tx", "a\\b", "" };

	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!mlv_sidecar_path_problem(bad[i]))
			fail_msg("'%s' was accepted", bad[i]);
	assert_null(mlv_sidecar_path_problem("data/a b.csv"));
	assert_non_null(strstr(mlv_sidecar_path_problem("a\nb"), "line break"));
	assert_non_null(strstr(mlv_sidecar_path_problem("a "), "white space"));
	/* a model may be called so: it is not written into its sidecar */
	assert_null(mlv_repo_path_problem("nl\nx.onnx"));
}

/* Only a data set may be a directory: one trailing '/'. */
static void test_sidecar__data_directory_paths(void **state)
{
	static const char *const bad[] = { "/", "data//", "//", "a/../b/", "./",
					   ".git/", "a\\b/", "a\n/", " a/" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!mlv_sidecar_data_path_problem(bad[i]))
			fail_msg("'%s' was accepted", bad[i]);
	assert_null(mlv_sidecar_data_path_problem("data/images/"));
	assert_null(mlv_sidecar_data_path_problem("images/"));
	assert_null(mlv_sidecar_data_path_problem("data/train.csv"));
	assert_non_null(strstr(mlv_sidecar_path_problem("data/images/"),
			       "only a [data] input may be a directory"));
	assert_non_null(strstr(mlv_sidecar_data_path_problem("data//"),
			       "empty or '.' part"));
	assert_true(mlv_sidecar_path_is_dir("data/images/"));
	assert_false(mlv_sidecar_path_is_dir("data/images"));
	assert_false(mlv_sidecar_path_is_dir(""));
}

#define DIR_DATA "[data \"images\"]\npath = data/images/\noid = sha256:" HEX_B "\n"

static void test_sidecar__data_directory(void **state)
{
	static const struct expected want[] = {
		{ "mlv", NULL, "version", "1", 2 },
		{ "model", NULL, "oid", "sha256:" HEX_A, 4 },
		{ "data", "images", "path", "data/images/", 6 },
		{ "data", "images", "oid", "sha256:" HEX_B, 7 },
		{ "data", "images", "files", "20000", 8 },
		{ "data", "images", "size", "18446744073709551615", 9 },
	};
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems, MIN DIR_DATA "files = 20000\n"
				   "size = 18446744073709551615\n"), 0);
	assert_int_equal(problems.n, 0);
	assert_entries(&sc, want, sizeof(want) / sizeof(want[0]), 1);
	mlv_sidecar_release(&sc);
	mlv_problems_release(&problems);
	/* an empty directory can be written down, and the check refuses it */
	assert_valid_lit(MIN DIR_DATA "files = 0\nsize = 0\n");
	/* data outside the repository may say how much it holds */
	assert_valid_lit(MIN "[data \"x\"]\nuri = s3://b/x/\noid = sha256:" HEX_B
			 "\nfiles = 3\nsize = 10\n");
}

static void test_sidecar__data_directory_problems(void **state)
{
	(void)state;
	assert_problem_lit(MIN DIR_DATA,
			   "m.mlv:6: [data \"images\"] records a directory and needs "
			   "'files' and 'size'; write them with 'git mlv sidecar update'");
	assert_problem_lit(MIN DIR_DATA "files = 2\n",
			   "m.mlv:6: [data \"images\"] records a directory and needs "
			   "'files' and 'size'; write them with 'git mlv sidecar update'");
	assert_problem_lit(MIN "[data \"t\"]\npath = d.csv\noid = sha256:" HEX_B
			   "\nsize = 2\n",
			   "m.mlv:6: [data \"t\"] 'files' and 'size' describe a "
			   "directory, and its path is a file (a directory's ends in '/')");
	assert_problem_lit(MIN DIR_DATA "files = 01\nsize = 1\n",
			   "m.mlv:8: data.files '01' is not a decimal number");
	assert_problem_lit(MIN DIR_DATA "files = 1\nsize = -1\n",
			   "m.mlv:9: data.size '-1' is not a decimal number");
	assert_problem_lit(MIN DIR_DATA "files = 1\nsize = 18446744073709551616\n",
			   "m.mlv:9: data.size '18446744073709551616' is not a decimal "
			   "number");
	assert_problem_lit(MIN DIR_DATA "files = 1e3\nsize = 1\n",
			   "m.mlv:8: data.files '1e3' is not a decimal number");
	assert_problem_lit(MIN DIR_DATA "files =\nsize = 1\n",
			   "m.mlv:8: data.files '' is not a decimal number");
	assert_problem_lit(MIN "[data \"d\"]\npath = d//\noid = sha256:" HEX_B
			   "\nfiles = 1\nsize = 1\n",
			   "m.mlv:6: data.path 'd//' must be a path inside the "
			   "repository: it has an empty or '.' part; give it as git lists it");
	assert_problem_lit(MIN "[config]\npath = configs/\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: config.path 'configs/' must be a path inside the "
			   "repository: it ends in '/', which names a directory; only a "
			   "[data] input may be a directory");
	assert_problem_lit(MIN "[environment]\nlockfile = locks/\nlockfile-oid = "
			   "sha256:" HEX_B "\n",
			   "m.mlv:6: environment.lockfile 'locks/' must be a path inside "
			   "the repository: it ends in '/', which names a directory; only "
			   "a [data] input may be a directory");
}

static void test_sidecar__unsafe_paths(void **state)
{
	(void)state;
	assert_problem_lit(MIN "[data \"t\"]\npath = ../x\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: data.path '../x' must be a path inside the "
			   "repository: it is outside the repository (a '..' part leaves it)");
	assert_problem_lit(MIN "[config]\npath = /etc/passwd\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: config.path '/etc/passwd' must be a path inside the "
			   "repository: it is an absolute path, outside the repository; give it relative to the top of the work tree");
	assert_problem_lit(MIN "[data \"t\"]\npath = a/./b\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: data.path 'a/./b' must be a path inside the "
			   "repository: it has an empty or '.' part; give it as git lists it");
	assert_problem_lit(MIN "[data \"t\"]\npath = a//b\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: data.path 'a//b' must be a path inside the "
			   "repository: it has an empty or '.' part; give it as git lists it");
	assert_problem_lit(MIN "[data \"t\"]\npath =\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: data.path '' must be a path inside the "
			   "repository: it is empty");
	assert_problem_lit(MIN "[data \"t\"]\npath = a\\b\noid = sha256:" HEX_B "\n",
			   "m.mlv:6: data.path 'a\\b' must be a path inside the "
			   "repository: it holds a backslash, which Windows reads as a "
			   "directory separator, so the record would name another file "
			   "there; rename the file");
	assert_problem_lit(MIN "[environment]\nlockfile = ../uv.lock\n"
			   "lockfile-oid = sha256:" HEX_B "\n",
			   "m.mlv:6: environment.lockfile '../uv.lock' must be a path "
			   "inside the repository: it is outside the repository (a '..' part leaves it)");
	assert_valid_lit(MIN "[data \"t\"]\npath = data/train.csv\noid = sha256:" HEX_B "\n");
}

static void test_sidecar__mlv_version(void **state)
{
	(void)state;
	assert_problem_lit("[mlv]\nversion = 2\n[model]\noid = sha256:" HEX_A "\n",
			   "m.mlv:2: sidecar version '2' is not supported (this mlv "
			   "reads version 1)");
	assert_problem_lit("[mlv]\nversion = 1.0\n",
			   "m.mlv:2: sidecar version '1.0' is not supported (this mlv "
			   "reads version 1)");
}

static void test_sidecar__missing_mlv(void **state)
{
	(void)state;
	assert_problem_lit("[model]\noid = sha256:" HEX_A "\n",
			   "m.mlv: no [mlv] section with 'version = 1'");
	/* a header alone holds no version */
	assert_problem_lit("[mlv]\n[model]\noid = sha256:" HEX_A "\n",
			   "m.mlv: no [mlv] section with 'version = 1'");
}

static void test_sidecar__code_commit(void **state)
{
	(void)state;
	assert_problem_lit(MIN "[code]\ncommit = HEAD\n",
			   "m.mlv:6: code.commit 'HEAD' is not a commit id");
	assert_problem_lit(MIN "[code]\ncommit = 9FCEB02D0AE598E95DC970B74767F19372D61AF8\n",
			   "m.mlv:6: code.commit '9FCEB02D0AE598E95DC970B74767F19372D61AF8' "
			   "is not a commit id");
	/* 39 and 41 digits, an abbreviation */
	assert_problem_lit(MIN "[code]\ncommit = 9fceb02d0ae598e95dc970b74767f19372d61af\n",
			   "m.mlv:6: code.commit '9fceb02d0ae598e95dc970b74767f19372d61af' "
			   "is not a commit id");
	assert_problem_lit(MIN "[code]\ncommit = " COMMIT "0\n",
			   "m.mlv:6: code.commit '" COMMIT "0' is not a commit id");
	assert_problem_lit(MIN "[code]\ncommit = 9fceb02\n",
			   "m.mlv:6: code.commit '9fceb02' is not a commit id");
	/* SHA-1 and SHA-256 repositories */
	assert_valid_lit(MIN "[code]\ncommit = " COMMIT "\n");
	assert_valid_lit(MIN "[code]\ncommit = " HEX_C "\n");
}

static void test_sidecar__code_dirty(void **state)
{
	(void)state;
	assert_problem_lit(MIN "[code]\ndirty = perhaps\n",
			   "m.mlv:6: code.dirty 'perhaps' is not true or false");
	assert_problem_lit(MIN "[code]\ndirty = 2\n",
			   "m.mlv:6: code.dirty '2' is not true or false");
	assert_valid_lit(MIN "[code]\ndirty = true\n");
	assert_valid_lit(MIN "[code]\ndirty = false\n");
}

static void test_sidecar__model_version(void **state)
{
	(void)state;
	assert_problem_lit(MIN "version = v1.0\n",
			   "m.mlv:5: model.version 'v1.0' is not a semantic version "
			   "(MAJOR.MINOR.PATCH)");
	assert_valid_lit(MIN "version = 2.0.0-rc.1+build.7\n");
}

static void test_sidecar__lockfile_pair(void **state)
{
	(void)state;
	/* named at the section's first entry */
	assert_problem_lit(MIN "[environment]\npython = 3.11.7\nlockfile = uv.lock\n",
			   "m.mlv:6: [environment] needs both 'lockfile' and 'lockfile-oid'");
	assert_problem_lit(MIN "[environment]\nlockfile-oid = sha256:" HEX_B "\n",
			   "m.mlv:6: [environment] needs both 'lockfile' and 'lockfile-oid'");
	assert_valid_lit(MIN "[environment]\npython = 3.11.7\n");
}

static void test_sidecar__not_ini(void **state)
{
	(void)state;
	/* one problem: no extra "syntax error" for the same line */
	assert_problem_lit(MIN "this is not ini\n",
			   "m.mlv:5: expected 'key = value' or '[section]'");
	assert_problem_lit(MIN "[config\n", "m.mlv:5: section header without ']'");
	/* a value without a key */
	assert_problem_lit(MIN "[params]\nlr = 1\n= 2\n",
			   "m.mlv:7: expected 'key = value' or '[section]'");
	assert_problem_lit(MIN "[params]\n  : 2\n",
			   "m.mlv:6: expected 'key = value' or '[section]'");
}

/* Every kind of problem at once: each is reported, in file order (the line
 * checks first, then the entries, then what is missing). */
static void test_sidecar__every_problem(void **state)
{
	static const char text[] =
		"[model]\n"                                   /*  1 */
		"oid = sha256:" HEX_A "\n"                    /*  2 */
		"oid = sha256:" HEX_B "\n"                    /*  3 dup key */
		"color = red\n"                               /*  4 unknown key */
		"version = 1.0\n"                             /*  5 semver */
		"base = " HEX_C "\n"                          /*  6 no prefix */
		"not ini at all\n"                            /*  7 */
		"[model]\n"                                   /*  8 dup section */
		"name = lost\n"                               /*  9 */
		"[data]\n"                                    /* 10 */
		"path = d.csv\n"                              /* 11 no name */
		"[data \"train\"]\n"                          /* 12 */
		"path = ../d.csv\n"                           /* 13 unsafe, path+uri */
		"uri = s3://b/k\n"                            /* 14 */
		"[config \"x\"]\n"                            /* 15 */
		"path = c.yaml\n"                             /* 16 takes no name */
		"[environment]\n"                             /* 17 */
		"lockfile = /uv.lock\n"                       /* 18 unsafe, no oid */
		"[code]\n"                                    /* 19 */
		"commit = HEAD\n"                             /* 20 */
		"dirty = perhaps\n"                           /* 21 */
		"[hyper]\n"                                   /* 22 */
		"lr = 1\n";                                   /* 23 unknown section */

	(void)state;
	assert_problems_lit(text,
		"m.mlv:7: expected 'key = value' or '[section]'",
		"m.mlv:8: duplicate section [model]",
		"m.mlv:3: duplicate key 'oid' (first on line 2)",
		"m.mlv:4: unknown key 'color' in [model]",
		"m.mlv:5: model.version '1.0' is not a semantic version (MAJOR.MINOR.PATCH)",
		"m.mlv:6: model.base '" HEX_C "' is not 'sha256:' and 64 lowercase hex digits",
		"m.mlv:11: [data] needs a name: [data \"train\"]",
		"m.mlv:13: data.path '../d.csv' must be a path inside the repository: it is outside the repository (a '..' part leaves it)",
		"m.mlv:13: [data \"train\"] needs exactly one of 'path' and 'uri'",
		"m.mlv:13: [data \"train\"] has no 'oid'",
		"m.mlv:16: [config] takes no name",
		"m.mlv:18: environment.lockfile '/uv.lock' must be a path inside the repository: it is an absolute path, outside the repository; give it relative to the top of the work tree",
		"m.mlv:18: [environment] needs both 'lockfile' and 'lockfile-oid'",
		"m.mlv:20: code.commit 'HEAD' is not a commit id",
		"m.mlv:21: code.dirty 'perhaps' is not true or false",
		"m.mlv:23: unknown section [hyper]",
		"m.mlv: no [mlv] section with 'version = 1'");
}

/* ------------------------------------------------------------------ */
/* Editing and writing. */

static void test_sidecar__format_round_trip(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT, again = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf text = MLV_BUF_INIT, text2 = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems, FULL), 0);
	mlv_sidecar_format(&text, &sc);
	/* FULL is written the way format writes: the same bytes come back */
	assert_int_equal(text.len, sizeof(FULL) - 1);
	assert_memory_equal(text.ptr, FULL, sizeof(FULL) - 1);
	assert_int_equal(parse_exact(&again, &problems, text.ptr, text.len), 0);
	assert_int_equal(problems.n, 0);
	assert_entries(&again, full_entries, N_FULL, 1);

	/* and from text with comments, the entries (not the lines) survive */
	mlv_sidecar_release(&sc);
	mlv_sidecar_release(&again);
	assert_int_equal(parse_lit(&sc, &problems, "; top\n[mlv]\nversion=1\n[model]\n"
				   "oid = sha256:" HEX_A " ; c\n[params]\nnote = a;b\n"), 0);
	mlv_sidecar_format(&text2, &sc);
	assert_string_equal(text2.ptr, "[mlv]\nversion = 1\n\n[model]\noid = sha256:" HEX_A
			    "\n\n[params]\nnote = a;b\n");
	assert_int_equal(parse_exact(&again, &problems, text2.ptr, text2.len), 0);
	assert_int_equal(again.n, 3);
	assert_string_equal(again.entries[2].value, "a;b");
	mlv_sidecar_release(&sc);
	mlv_sidecar_release(&again);
	mlv_buf_release(&text);
	mlv_buf_release(&text2);
}

/* What the parser reads back from what format writes is what was set. */
static void test_sidecar__format_odd_values(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT, again = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf text = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems, MIN "[params]\nnote =;x\nempty =\n"
				   "hash = #1\nsemi = a;b\n"), 0);
	assert_string_equal(mlv_sidecar_get(&sc, "params", NULL, "note"), ";x");
	assert_string_equal(mlv_sidecar_get(&sc, "params", NULL, "empty"), "");
	mlv_sidecar_format(&text, &sc);
	assert_string_equal(text.ptr, "[mlv]\nversion = 1\n\n[model]\noid = sha256:" HEX_A
			    "\n\n[params]\nnote =;x\nempty = \nhash = #1\nsemi = a;b\n");
	assert_int_equal(parse_exact(&again, &problems, text.ptr, text.len), 0);
	assert_entries(&again, (const struct expected[]){
			       { "mlv", NULL, "version", "1", 2 },
			       { "model", NULL, "oid", "sha256:" HEX_A, 5 },
			       { "params", NULL, "note", ";x", 8 },
			       { "params", NULL, "empty", "", 9 },
			       { "params", NULL, "hash", "#1", 10 },
			       { "params", NULL, "semi", "a;b", 11 },
		       }, 6, 1);
	mlv_sidecar_release(&sc);
	mlv_sidecar_release(&again);
	mlv_buf_release(&text);
}

static void test_sidecar__format_empty(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_buf text = MLV_BUF_INIT;

	(void)state;
	mlv_sidecar_format(&text, &sc);
	assert_int_equal(text.len, 0);
	mlv_buf_release(&text);
}

static void test_sidecar__set_replaces_in_place(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf text = MLV_BUF_INIT;
	const struct mlv_sidecar_entry *e;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems, FULL), 0);
	mlv_sidecar_set(&sc, "model", NULL, "version", "1.4.0");
	mlv_sidecar_set(&sc, "data", "holdout", "oid", "sha256:" HEX_E);
	assert_int_equal(sc.n, N_FULL);
	assert_string_equal(sc.entries[3].key, "version");
	assert_string_equal(sc.entries[3].value, "1.4.0");
	assert_int_equal(sc.entries[3].line, 7);
	e = mlv_sidecar_find(&sc, "data", "holdout", "oid");
	assert_ptr_equal(e, &sc.entries[8]);
	assert_string_equal(e->value, "sha256:" HEX_E);
	/* the other data set is untouched */
	assert_string_equal(mlv_sidecar_get(&sc, "data", "train", "oid"), "sha256:" HEX_C);
	mlv_sidecar_format(&text, &sc);
	assert_non_null(strstr(text.ptr, "[model]\noid = sha256:" HEX_A "\n"
			       "name = fraud-detect-xgb-ds2024.11-20261123-r42\n"
			       "version = 1.4.0\nbase = "));
	mlv_sidecar_release(&sc);
	mlv_buf_release(&text);
}

static void test_sidecar__set_appends(void **state)
{
	static const char text_in[] =
		"[mlv]\nversion = 1\n"
		"[model]\noid = sha256:" HEX_A "\n"
		"[data \"train\"]\npath = a.csv\noid = sha256:" HEX_B "\n"
		"[data \"test\"]\npath = b.csv\noid = sha256:" HEX_C "\n";
	static const struct expected want[] = {
		{ "mlv", NULL, "version", "1", 2 },
		{ "model", NULL, "oid", "sha256:" HEX_A, 4 },
		{ "model", NULL, "name", "m", 0 },
		{ "data", "train", "path", "a.csv", 6 },
		{ "data", "train", "oid", "sha256:" HEX_B, 7 },
		{ "data", "train", "rows", "10", 0 },
		{ "data", "test", "path", "b.csv", 9 },
		{ "data", "test", "oid", "sha256:" HEX_C, 10 },
		{ "metrics", NULL, "auc", "0.9", 0 },
		{ "metrics", NULL, "f1", "0.8", 0 },
	};
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf text = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems, text_in), 0);
	mlv_sidecar_set(&sc, "model", NULL, "name", "m");
	/* after train's last entry, not after test's */
	mlv_sidecar_set(&sc, "data", "train", "rows", "10");
	/* a new section goes at the end */
	mlv_sidecar_set(&sc, "metrics", NULL, "auc", "0.9");
	mlv_sidecar_set(&sc, "metrics", NULL, "f1", "0.8");
	assert_entries(&sc, want, sizeof(want) / sizeof(want[0]), 1);
	mlv_sidecar_format(&text, &sc);
	assert_string_equal(text.ptr,
			    "[mlv]\nversion = 1\n\n"
			    "[model]\noid = sha256:" HEX_A "\nname = m\n\n"
			    "[data \"train\"]\npath = a.csv\noid = sha256:" HEX_B "\nrows = 10\n\n"
			    "[data \"test\"]\npath = b.csv\noid = sha256:" HEX_C "\n\n"
			    "[metrics]\nauc = 0.9\nf1 = 0.8\n");
	mlv_sidecar_release(&sc);

	/* growing past the first allocation keeps every entry */
	{
		char key[16], value[16];
		int i;

		for (i = 0; i < 100; i++) {
			snprintf(key, sizeof(key), "k%d", i);
			snprintf(value, sizeof(value), "v%d", i);
			mlv_sidecar_set(&sc, i % 2 ? "params" : "metrics", NULL, key, value);
		}
		assert_int_equal(sc.n, 100);
		assert_string_equal(mlv_sidecar_get(&sc, "params", NULL, "k99"), "v99");
		assert_string_equal(mlv_sidecar_get(&sc, "metrics", NULL, "k0"), "v0");
		/* each section stays contiguous */
		for (i = 0; i < 50; i++)
			assert_string_equal(sc.entries[i].section, "metrics");
		mlv_sidecar_release(&sc);
	}
	mlv_buf_release(&text);
}

static void test_sidecar__remove_section(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems, FULL), 0);
	mlv_sidecar_remove_section(&sc, "data", "train");
	assert_int_equal(sc.n, N_FULL - 2);
	assert_null(mlv_sidecar_find(&sc, "data", "train", "oid"));
	assert_string_equal(mlv_sidecar_get(&sc, "data", "holdout", "oid"), "sha256:" HEX_D);
	/* the order of what is left is kept */
	assert_string_equal(sc.entries[4].key, "base");
	assert_string_equal(sc.entries[5].section, "data");
	assert_string_equal(sc.entries[5].name, "holdout");
	/* NULL means the unnamed section: named data sets stay */
	mlv_sidecar_remove_section(&sc, "data", NULL);
	assert_int_equal(sc.n, N_FULL - 2);
	mlv_sidecar_remove_section(&sc, "params", NULL);
	assert_int_equal(sc.n, N_FULL - 4);
	assert_null(mlv_sidecar_get(&sc, "params", NULL, "learning_rate"));
	mlv_sidecar_remove_section(&sc, "nothing", NULL);
	assert_int_equal(sc.n, N_FULL - 4);
	mlv_sidecar_release(&sc);
}

static void test_sidecar__find(void **state)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	const struct mlv_sidecar_entry *e;

	(void)state;
	assert_int_equal(parse_lit(&sc, &problems, FULL), 0);
	e = mlv_sidecar_find(&sc, "data", "train", "oid");
	assert_non_null(e);
	assert_int_equal(e->line, 12);
	assert_string_equal(e->value, "sha256:" HEX_C);
	e = mlv_sidecar_find(&sc, "data", "holdout", "oid");
	assert_non_null(e);
	assert_int_equal(e->line, 16);
	/* a named section is not found without its name, and the reverse */
	assert_null(mlv_sidecar_find(&sc, "data", NULL, "oid"));
	assert_null(mlv_sidecar_find(&sc, "model", "x", "oid"));
	assert_null(mlv_sidecar_find(&sc, "data", "Train", "oid"));
	assert_null(mlv_sidecar_find(&sc, "data", "train", "uri"));
	e = mlv_sidecar_find(&sc, "model", NULL, "oid");
	assert_non_null(e);
	assert_int_equal(e->line, 5);
	/* the same key in two sections */
	assert_string_equal(mlv_sidecar_get(&sc, "model", NULL, "version"), "1.3.0");
	assert_string_equal(mlv_sidecar_get(&sc, "mlv", NULL, "version"), "1");
	assert_null(mlv_sidecar_get(&sc, "code", NULL, "version"));
	assert_null(mlv_sidecar_get(&sc, "nope", NULL, "oid"));
	mlv_sidecar_release(&sc);
}

/* ------------------------------------------------------------------ */
/* Semantic versions. */

static void test_sidecar__semver_valid(void **state)
{
	static const char *const good[] = {
		"0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1",
		"1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0-x-y-z.--", "1.0.0-0",
		"1.0.0+20130313144700", "1.0.0+001", "1.0.0-beta+exp.sha.5114f85",
		"1.0.0+21AF26D3---117B344092BD", "1.0.0-rc.1+build.1",
		"4294967296.0.0",
	};
	static const char *const bad[] = {
		"", "1", "1.2", "1.2.", ".1.2", "1..3", "1.2.3.4", "v1.2.3", "a.b.c",
		"01.2.3", "1.02.3", "1.2.03", "00.0.0", "-1.2.3", " 1.2.3", "1.2.3 ",
		"1.2.3-", "1.2.3+", "1.2.3-+b", "1.2.3-a+", "1.2.3-a b", "1.2.3-a+b+c",
		"1.2.3-alpha_1", "1.2.3-01", "1.2.3-alpha.01", "1.2.3-alpha..1",
		"1.2.3-.a", "1.2.3-a.", "1.2.3+b..1", "1.2.3+.b", "1.2.3+b.",
		"1.2.3-é", "1,2,3",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!mlv_semver_is_valid(good[i]))
			fail_msg("'%s' was refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mlv_semver_is_valid(bad[i]))
			fail_msg("'%s' was accepted", bad[i]);
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

static void test_sidecar__semver_order(void **state)
{
	/* ascending, from semver.org's precedence rules */
	static const char *const order[] = {
		"0.9.9", "1.0.0-0", "1.0.0-2", "1.0.0-10", "1.0.0-alpha",
		"1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0",
		"2.0.0", "10.0.0",
	};
	size_t n = sizeof(order) / sizeof(order[0]), i, j;

	(void)state;
	for (i = 0; i < n; i++) {
		assert_true(mlv_semver_is_valid(order[i]));
		for (j = 0; j < n; j++) {
			int want = (i > j) - (i < j);

			if (sign(mlv_semver_compare(order[i], order[j])) != want)
				fail_msg("compare('%s', '%s') is %d, not %d", order[i],
					 order[j], mlv_semver_compare(order[i], order[j]),
					 want);
		}
	}
	/* build metadata does not count */
	assert_int_equal(mlv_semver_compare("1.0.0+a", "1.0.0+b"), 0);
	assert_int_equal(mlv_semver_compare("1.0.0+a", "1.0.0"), 0);
	assert_int_equal(mlv_semver_compare("1.0.0-rc.1+a", "1.0.0-rc.1+b.2"), 0);
	assert_true(mlv_semver_compare("1.0.0-rc.1+zzz", "1.0.0-rc.2+aaa") < 0);
	assert_true(mlv_semver_compare("1.0.0-rc+1", "1.0.0-rc.1") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sidecar__parse_full),
		cmocka_unit_test(test_sidecar__comments_and_spacing),
		cmocka_unit_test(test_sidecar__no_final_newline),
		cmocka_unit_test(test_sidecar__crlf),
		cmocka_unit_test(test_sidecar__empty),
		cmocka_unit_test(test_sidecar__binary),
		cmocka_unit_test(test_sidecar__line_limit),
		cmocka_unit_test(test_sidecar__huge_line),
		cmocka_unit_test(test_sidecar__long_values),
		cmocka_unit_test(test_sidecar__long_line_problems),
		cmocka_unit_test(test_sidecar__size_limit),
		cmocka_unit_test(test_sidecar__duplicate_section),
		cmocka_unit_test(test_sidecar__duplicate_key),
		cmocka_unit_test(test_sidecar__unknown_section),
		cmocka_unit_test(test_sidecar__unknown_key),
		cmocka_unit_test(test_sidecar__unknown_first_key),
		cmocka_unit_test(test_sidecar__section_names),
		cmocka_unit_test(test_sidecar__long_data_name),
		cmocka_unit_test(test_sidecar__data_source),
		cmocka_unit_test(test_sidecar__missing_oid),
		cmocka_unit_test(test_sidecar__malformed_oids),
		cmocka_unit_test(test_sidecar__repo_path_is_safe),
		cmocka_unit_test(test_sidecar__data_directory_paths),
		cmocka_unit_test(test_sidecar__data_directory),
		cmocka_unit_test(test_sidecar__data_directory_problems),
		cmocka_unit_test(test_sidecar__recordable_paths),
		cmocka_unit_test(test_sidecar__unsafe_paths),
		cmocka_unit_test(test_sidecar__mlv_version),
		cmocka_unit_test(test_sidecar__missing_mlv),
		cmocka_unit_test(test_sidecar__code_commit),
		cmocka_unit_test(test_sidecar__code_dirty),
		cmocka_unit_test(test_sidecar__model_version),
		cmocka_unit_test(test_sidecar__lockfile_pair),
		cmocka_unit_test(test_sidecar__not_ini),
		cmocka_unit_test(test_sidecar__every_problem),
		cmocka_unit_test(test_sidecar__format_round_trip),
		cmocka_unit_test(test_sidecar__format_odd_values),
		cmocka_unit_test(test_sidecar__format_empty),
		cmocka_unit_test(test_sidecar__set_replaces_in_place),
		cmocka_unit_test(test_sidecar__set_appends),
		cmocka_unit_test(test_sidecar__remove_section),
		cmocka_unit_test(test_sidecar__find),
		cmocka_unit_test(test_sidecar__semver_valid),
		cmocka_unit_test(test_sidecar__semver_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
