/*
 * Unit tests for include/mlv/manifest.h: the ref manifest (`git/refs` in a
 * remote store), byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <git2.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/manifest.h"

#define MAGIC "# mlv ref manifest 1"
#define OID40 "0123456789abcdef0123456789abcdef01234567"
#define OID40B "89abcdef0123456789abcdef0123456789abcdef"
#define OID64 "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
#define PACK1 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define PACK2 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define WHERE "s3://bucket/repo/git/refs"

/* A manifest as mlv_manifest_format() writes it: head, packs, sorted refs. */
#define CANONICAL                         \
	MAGIC "\n"                        \
	"head refs/heads/main\n"          \
	"pack " PACK1 "\n"                \
	"pack " PACK2 "\n"                \
	OID40 " refs/heads/feature/x\n"   \
	OID64 " refs/heads/main\n"        \
	OID40B " refs/tags/v1.0\n"

/*
 * Parse exactly `len` bytes held in a heap block of exactly that size, so
 * that the sanitizer build catches any read past the end.
 */
static int parse_exact(struct mlv_manifest *m, const void *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, data, len);
	err = mlv_manifest_parse(m, copy, len, WHERE);
	free(copy);
	return err;
}

#define parse_lit(m, s) parse_exact((m), (s), sizeof(s) - 1)

/*
 * `data` must be rejected with MLV_EINVALID, a message naming WHERE and
 * line `lineno`, and an empty manifest left behind.
 */
static void assert_rejected_at(const void *data, size_t len, unsigned lineno)
{
	struct mlv_manifest m;
	char prefix[128];

	mlv_error_clear();
	memset(&m, 'x', sizeof(m));
	assert_int_equal(parse_exact(&m, data, len), MLV_EINVALID);
	snprintf(prefix, sizeof(prefix), WHERE ":%u:", lineno);
	if (strncmp(mlv_error_last(), prefix, strlen(prefix)))
		fail_msg("message '%s' does not start with '%s'", mlv_error_last(),
			 prefix);
	assert_null(m.head);
	assert_int_equal(m.nrefs, 0);
	assert_int_equal(m.npacks, 0);
	assert_null(m.refs);
	assert_null(m.packs);
}

#define assert_rejected_lit(s, lineno) assert_rejected_at((s), sizeof(s) - 1, (lineno))

/* A magic line and `line` (which is line 2). */
#define assert_line_rejected(line) assert_rejected_lit(MAGIC "\n" line, 2)

static void assert_formats_to(const struct mlv_manifest *m, const char *expect)
{
	struct mlv_buf out = MLV_BUF_INIT;

	mlv_manifest_format(&out, m);
	assert_int_equal(out.len, strlen(expect));
	assert_string_equal(out.ptr, expect);
	mlv_buf_release(&out);
}

static void test_manifest__parse_canonical(void **state)
{
	struct mlv_manifest m;

	(void)state;
	assert_int_equal(parse_lit(&m, CANONICAL), 0);
	assert_string_equal(m.head, "refs/heads/main");
	assert_int_equal(m.npacks, 2);
	assert_string_equal(m.packs[0], PACK1);
	assert_string_equal(m.packs[1], PACK2);
	assert_int_equal(m.nrefs, 3);
	assert_string_equal(m.refs[0].name, "refs/heads/feature/x");
	assert_string_equal(m.refs[0].oid, OID40);
	assert_string_equal(m.refs[1].name, "refs/heads/main");
	assert_string_equal(m.refs[1].oid, OID64);
	assert_string_equal(m.refs[2].name, "refs/tags/v1.0");
	assert_string_equal(m.refs[2].oid, OID40B);
	mlv_manifest_release(&m);
	assert_null(m.refs);
	assert_int_equal(m.nrefs, 0);
}

static void test_manifest__round_trip(void **state)
{
	static const char *const texts[] = {
		CANONICAL,
		MAGIC "\n",
		MAGIC "\nhead refs/heads/main\n",
		MAGIC "\npack " PACK1 "\n",
		MAGIC "\n" OID40 " refs/heads/main\n",
		MAGIC "\n" OID64 " refs/heads/a\n" OID64 " refs/heads/a/b\n"
		      OID40 " refs/heads/b\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct mlv_manifest m;

		assert_int_equal(parse_exact(&m, texts[i], strlen(texts[i])), 0);
		assert_formats_to(&m, texts[i]);
		mlv_manifest_release(&m);
	}
}

static void test_manifest__format_empty(void **state)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;

	(void)state;
	assert_formats_to(&m, MAGIC "\n");
}

static void test_manifest__format_replaces_buffer(void **state)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;
	struct mlv_buf out = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(mlv_buf_puts(&out, "old contents\n"), 0);
	mlv_manifest_set(&m, "refs/heads/main", OID40);
	mlv_manifest_format(&out, &m);
	assert_string_equal(out.ptr, MAGIC "\n" OID40 " refs/heads/main\n");
	mlv_buf_release(&out);
	mlv_manifest_release(&m);
}

/* Lines in any order are accepted; format puts them in canonical order. */
static void test_manifest__parse_unsorted_formats_canonical(void **state)
{
	struct mlv_manifest m;

	(void)state;
	assert_int_equal(parse_lit(&m, MAGIC "\n"
					OID40B " refs/tags/v1.0\n"
					"pack " PACK1 "\n"
					OID64 " refs/heads/main\n"
					"head refs/heads/main\n"
					OID40 " refs/heads/feature/x\n"
					"pack " PACK2 "\n"),
			 0);
	assert_formats_to(&m, CANONICAL);
	mlv_manifest_release(&m);
}

static void test_manifest__set_keeps_sorted(void **state)
{
	static const char *const names[] = {
		"refs/tags/v2", "refs/heads/b", "refs/heads/a/b", "refs/heads/a",
		"refs/heads/A", "refs/heads/a-b", "refs/notes/commits", "refs/heads/a.b",
	};
	static const char *const sorted[] = {
		"refs/heads/A", "refs/heads/a", "refs/heads/a-b", "refs/heads/a.b",
		"refs/heads/a/b", "refs/heads/b", "refs/notes/commits", "refs/tags/v2",
	};
	struct mlv_manifest m = MLV_MANIFEST_INIT;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		mlv_manifest_set(&m, names[i], OID40);
		assert_int_equal(m.nrefs, i + 1);
		for (j = 1; j < m.nrefs; j++)
			assert_true(strcmp(m.refs[j - 1].name, m.refs[j].name) < 0);
	}
	for (i = 0; i < m.nrefs; i++)
		assert_string_equal(m.refs[i].name, sorted[i]);
	mlv_manifest_release(&m);
}

static void test_manifest__set_updates_in_place(void **state)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;

	(void)state;
	mlv_manifest_set(&m, "refs/heads/main", OID40);
	mlv_manifest_set(&m, "refs/heads/dev", OID40B);
	mlv_manifest_set(&m, "refs/heads/main", OID64);
	assert_int_equal(m.nrefs, 2);
	assert_string_equal(mlv_manifest_find(&m, "refs/heads/main")->oid, OID64);
	/* a shorter id replaces a longer one completely */
	mlv_manifest_set(&m, "refs/heads/main", OID40B);
	assert_string_equal(mlv_manifest_find(&m, "refs/heads/main")->oid, OID40B);
	assert_formats_to(&m, MAGIC "\n" OID40B " refs/heads/dev\n"
				   OID40B " refs/heads/main\n");
	mlv_manifest_release(&m);
}

static void test_manifest__set_null_deletes(void **state)
{
	struct mlv_manifest m;

	(void)state;
	assert_int_equal(parse_lit(&m, CANONICAL), 0);
	/* deleting what is not there changes nothing */
	mlv_manifest_set(&m, "refs/heads/nope", NULL);
	mlv_manifest_set(&m, "refs/heads/mai", NULL);
	assert_int_equal(m.nrefs, 3);
	/* the middle one */
	mlv_manifest_set(&m, "refs/heads/main", NULL);
	assert_int_equal(m.nrefs, 2);
	assert_null(mlv_manifest_find(&m, "refs/heads/main"));
	assert_formats_to(&m, MAGIC "\nhead refs/heads/main\npack " PACK1 "\npack " PACK2
				   "\n" OID40 " refs/heads/feature/x\n" OID40B
				   " refs/tags/v1.0\n");
	/* the last, then the first */
	mlv_manifest_set(&m, "refs/tags/v1.0", NULL);
	assert_int_equal(m.nrefs, 1);
	assert_string_equal(m.refs[0].name, "refs/heads/feature/x");
	mlv_manifest_set(&m, "refs/heads/feature/x", NULL);
	assert_int_equal(m.nrefs, 0);
	/* head and packs are untouched by ref deletion */
	assert_formats_to(&m, MAGIC "\nhead refs/heads/main\npack " PACK1 "\npack " PACK2
				   "\n");
	/* and a deleted ref can come back */
	mlv_manifest_set(&m, "refs/heads/main", OID64);
	assert_int_equal(m.nrefs, 1);
	mlv_manifest_release(&m);
}

static void test_manifest__add_pack_dedupes(void **state)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;

	(void)state;
	mlv_manifest_add_pack(&m, PACK2);
	mlv_manifest_add_pack(&m, PACK1);
	mlv_manifest_add_pack(&m, PACK2);
	mlv_manifest_add_pack(&m, PACK1);
	assert_int_equal(m.npacks, 2);
	/* packs keep the order they were added in */
	assert_string_equal(m.packs[0], PACK2);
	assert_string_equal(m.packs[1], PACK1);
	assert_formats_to(&m, MAGIC "\npack " PACK2 "\npack " PACK1 "\n");
	mlv_manifest_release(&m);
}

/* A pack listed twice in a stored manifest collapses to one. */
static void test_manifest__parse_duplicate_pack(void **state)
{
	struct mlv_manifest m;

	(void)state;
	assert_int_equal(parse_lit(&m, MAGIC "\npack " PACK1 "\npack " PACK1 "\n"), 0);
	assert_int_equal(m.npacks, 1);
	mlv_manifest_release(&m);
}

static void test_manifest__add_many(void **state)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;
	char name[64], pack[65];
	size_t i;

	(void)state;
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "refs/heads/b%03zu", 299 - i);
		mlv_manifest_set(&m, name, OID40);
		snprintf(pack, sizeof(pack), "%064zx", i);
		mlv_manifest_add_pack(&m, pack);
	}
	assert_int_equal(m.nrefs, 300);
	assert_int_equal(m.npacks, 300);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "refs/heads/b%03zu", i);
		assert_string_equal(m.refs[i].name, name);
	}
	mlv_manifest_release(&m);
}

static void test_manifest__find(void **state)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;
	const struct mlv_manifest_ref *r;

	(void)state;
	assert_null(mlv_manifest_find(&m, "refs/heads/main"));
	assert_int_equal(parse_lit(&m, CANONICAL), 0);
	r = mlv_manifest_find(&m, "refs/heads/main");
	assert_non_null(r);
	assert_string_equal(r->name, "refs/heads/main");
	assert_string_equal(r->oid, OID64);
	r = mlv_manifest_find(&m, "refs/tags/v1.0");
	assert_non_null(r);
	assert_string_equal(r->oid, OID40B);
	/* exact names only: no prefixes, no extensions, no case folding */
	assert_null(mlv_manifest_find(&m, "refs/heads/mai"));
	assert_null(mlv_manifest_find(&m, "refs/heads/main/"));
	assert_null(mlv_manifest_find(&m, "refs/heads/mainx"));
	assert_null(mlv_manifest_find(&m, "refs/heads/MAIN"));
	assert_null(mlv_manifest_find(&m, "refs/heads/feature"));
	assert_null(mlv_manifest_find(&m, "main"));
	assert_null(mlv_manifest_find(&m, ""));
	/* head is not a ref */
	assert_null(mlv_manifest_find(&m, "head"));
	mlv_manifest_release(&m);
}

/* The last line may lack its newline; the result is the same manifest. */
static void test_manifest__last_line_without_newline(void **state)
{
	struct mlv_manifest m;

	(void)state;
	assert_int_equal(parse_lit(&m, MAGIC), 0);
	assert_formats_to(&m, MAGIC "\n");
	mlv_manifest_release(&m);

	assert_int_equal(parse_lit(&m, MAGIC "\nhead refs/heads/main"), 0);
	assert_string_equal(m.head, "refs/heads/main");
	mlv_manifest_release(&m);

	assert_int_equal(parse_lit(&m, MAGIC "\n" OID64 " refs/heads/main"), 0);
	assert_int_equal(m.nrefs, 1);
	assert_string_equal(m.refs[0].name, "refs/heads/main");
	assert_string_equal(m.refs[0].oid, OID64);
	mlv_manifest_release(&m);

	/* a truncated last line is still checked */
	assert_rejected_lit(MAGIC "\n" OID64 " refs/heads/", 2);
	assert_rejected_lit(MAGIC "\n" OID64 " refs/", 2);
	assert_rejected_lit(MAGIC "\n" OID64 " ref", 2);
	assert_rejected_lit(MAGIC "\n" OID64 " ", 2);
	assert_rejected_lit(MAGIC "\n" OID64, 2);
	assert_rejected_lit(MAGIC "\n4d7a21", 2);
	assert_rejected_lit(MAGIC "\nhead ", 2);
	assert_rejected_lit(MAGIC "\npack " PACK1 "\npack e3b0c442", 3);
	assert_rejected_lit("# mlv ref manifest", 1);
}

static void test_manifest__rejects_empty(void **state)
{
	(void)state;
	assert_rejected_at("", 0, 1);
	assert_rejected_lit("\n", 1);
	assert_rejected_lit("\n" MAGIC "\n", 1);
}

static void test_manifest__rejects_bad_magic(void **state)
{
	(void)state;
	/* no magic: a manifest that starts with its contents */
	assert_rejected_lit("head refs/heads/main\n", 1);
	assert_rejected_lit(OID40 " refs/heads/main\n", 1);
	/* near misses */
	assert_rejected_lit("# mlv ref manifest 2\n", 1);
	assert_rejected_lit("# mlv ref manifest 10\n", 1);
	assert_rejected_lit("# mlv ref manifest\n", 1);
	assert_rejected_lit("# mlv ref manifest 1 \n", 1);
	assert_rejected_lit(" # mlv ref manifest 1\n", 1);
	assert_rejected_lit("#  mlv ref manifest 1\n", 1);
	assert_rejected_lit("# MLV ref manifest 1\n", 1);
	assert_rejected_lit("# mlv ref manifest 1\t\n", 1);
	assert_rejected_lit("\xef\xbb\xbf" MAGIC "\n", 1);
	/* magic elsewhere than line 1 */
	assert_rejected_lit("head refs/heads/main\n" MAGIC "\n", 1);
	/* magic twice */
	assert_line_rejected(MAGIC "\n");
}

static void test_manifest__oid_lengths(void **state)
{
	static const char hex[] = OID64 OID64;
	static const size_t lengths[] = { 0, 1, 20, 39, 41, 63, 65, 128 };
	struct mlv_manifest m;
	char text[256];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		n = snprintf(text, sizeof(text), MAGIC "\n%.*s refs/heads/main\n",
			     (int)lengths[i], hex);
		assert_true(n > 0 && (size_t)n < sizeof(text));
		assert_rejected_at(text, (size_t)n, 2);
		n = snprintf(text, sizeof(text), MAGIC "\npack %.*s\n",
			     (int)lengths[i], hex);
		assert_rejected_at(text, (size_t)n, 2);
	}
	/* 40 and 64 are the two lengths there are */
	n = snprintf(text, sizeof(text), MAGIC "\n%.40s refs/heads/a\n%.64s refs/heads/b\n",
		     hex, hex);
	assert_int_equal(parse_exact(&m, text, (size_t)n), 0);
	assert_int_equal(strlen(m.refs[0].oid), 40);
	assert_int_equal(strlen(m.refs[1].oid), 64);
	mlv_manifest_release(&m);
}

static void test_manifest__rejects_non_lowercase_hex(void **state)
{
	(void)state;
	assert_line_rejected("0123456789ABCDEF0123456789abcdef01234567 refs/heads/main\n");
	assert_line_rejected("4D7A214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393 refs/heads/main\n");
	assert_line_rejected("0123456789abcdeg0123456789abcdef01234567 refs/heads/main\n");
	assert_line_rejected("0123456789abcdef0123456789abcdef0123456 refs/heads/main\n");
	assert_line_rejected("x123456789abcdef0123456789abcdef01234567 refs/heads/main\n");
	assert_line_rejected("-123456789abcdef0123456789abcdef01234567 refs/heads/main\n");
	assert_line_rejected("pack E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n");
	assert_line_rejected("pack e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85z\n");
}

static void test_manifest__rejects_duplicates(void **state)
{
	(void)state;
	assert_rejected_lit(MAGIC "\n" OID40 " refs/heads/main\n" OID40
				  " refs/heads/main\n", 3);
	/* the same name with another id is just as wrong */
	assert_rejected_lit(MAGIC "\n" OID40 " refs/heads/main\n" OID64
				  " refs/heads/a\n" OID40B " refs/heads/main\n", 4);
	assert_rejected_lit(MAGIC "\nhead refs/heads/main\nhead refs/heads/main\n", 3);
	assert_rejected_lit(MAGIC "\nhead refs/heads/main\nhead refs/heads/dev\n", 3);
}

static void test_manifest__rejects_bad_refnames(void **state)
{
	(void)state;
	assert_line_rejected(OID40 " heads/main\n");
	assert_line_rejected(OID40 " main\n");
	assert_line_rejected(OID40 " HEAD\n");
	assert_line_rejected(OID40 " refs\n");
	assert_line_rejected(OID40 " refs/\n");
	assert_line_rejected(OID40 " Refs/heads/main\n");
	assert_line_rejected(OID40 " /refs/heads/main\n");
	assert_line_rejected(OID40 " refs/heads/../main\n");
	assert_line_rejected(OID40 " refs/heads/a..b\n");
	assert_line_rejected(OID40 " refs/heads/main/\n");
	assert_line_rejected(OID40 " refs/heads//main\n");
	assert_line_rejected(OID40 " refs/heads/my branch\n");
	assert_line_rejected(OID40 " refs/heads/main \n");
	assert_line_rejected(OID40 "  refs/heads/main\n");
	assert_line_rejected(OID40 "\trefs/heads/main\n");
	assert_line_rejected(OID40 " refs/heads/a\tb\n");
	assert_line_rejected(OID40 " refs/heads/a\x01z\n");
	assert_line_rejected(OID40 " refs/heads/a\x1bz\n");
	assert_line_rejected(OID40 " refs/heads/a\x7fz\n");
	assert_line_rejected(OID40 " refs/heads/a:b\n");
	assert_line_rejected(OID40 " refs/heads/a~1\n");
	assert_line_rejected(OID40 " \n");
	assert_line_rejected(OID40 "\n");
	assert_line_rejected("head main\n");
	assert_line_rejected("head refs/heads/../x\n");
	assert_line_rejected("head refs/heads/my branch\n");
	assert_line_rejected("head \n");
	assert_line_rejected("head\n");
	assert_line_rejected("HEAD refs/heads/main\n");
}

static void test_manifest__rejects_crlf(void **state)
{
	(void)state;
	assert_rejected_lit(MAGIC "\r\n", 1);
	assert_rejected_lit(MAGIC "\r\nhead refs/heads/main\r\n", 1);
	assert_rejected_lit(MAGIC "\nhead refs/heads/main\r\n", 2);
	assert_rejected_lit(MAGIC "\npack " PACK1 "\r\n", 2);
	assert_rejected_lit(MAGIC "\n" OID40 " refs/heads/main\r\n", 2);
	assert_rejected_lit(MAGIC "\n" OID40 " refs/heads/a\n" OID40 " refs/heads/b\r\n", 3);
	/* a lone CR is not a line end either */
	assert_rejected_lit(MAGIC "\r" OID40 " refs/heads/main\n", 1);
	assert_rejected_lit(MAGIC "\n" OID40 " refs/heads/main\r", 2);
}

static void test_manifest__rejects_blank_and_unknown_lines(void **state)
{
	(void)state;
	assert_rejected_lit(MAGIC "\n\n", 2);
	assert_rejected_lit(MAGIC "\n" OID40 " refs/heads/main\n\n", 3);
	assert_line_rejected(" \n");
	assert_line_rejected("# a comment\n");
	assert_line_rejected("tip " OID40 "\n");
	assert_line_rejected("pack\n");
	assert_line_rejected("pack \n");
	assert_line_rejected("pack  " PACK1 "\n");
	assert_line_rejected("pack " PACK1 " \n");
	assert_line_rejected("pack " PACK1 " refs/heads/main\n");
	assert_line_rejected(" " OID40 " refs/heads/main\n");
}

/* The line number counts every line, whatever the kind of line before. */
static void test_manifest__error_names_where_and_line(void **state)
{
	struct mlv_manifest m;

	(void)state;
	assert_rejected_lit(MAGIC "\nhead refs/heads/main\npack " PACK1 "\n" OID40
				  " refs/heads/a\nbogus\n" OID40 " refs/heads/b\n", 5);
	mlv_error_clear();
	assert_int_equal(mlv_manifest_parse(&m, "nope\n", 5, "file:///srv/store/git/refs"),
			 MLV_EINVALID);
	assert_non_null(strstr(mlv_error_last(), "file:///srv/store/git/refs:1:"));
	/* the message is one line: it ends up in a git error */
	assert_null(strchr(mlv_error_last(), '\n'));
}

static void test_manifest__rejects_nul_bytes(void **state)
{
	static const char a[] = MAGIC "\0\n";
	static const char b[] = MAGIC "\n" OID40 " refs/heads/main\0x\n";
	static const char c[] = MAGIC "\n" OID40 " refs/heads/main\n\0";
	static const char d[] = MAGIC "\nhead refs/heads/main\0\n";
	static const char e[] = "\0" MAGIC "\n";

	(void)state;
	assert_rejected_at(a, sizeof(a) - 1, 1);
	assert_rejected_at(b, sizeof(b) - 1, 2);
	assert_rejected_at(c, sizeof(c) - 1, 3);
	assert_rejected_at(d, sizeof(d) - 1, 2);
	assert_rejected_at(e, sizeof(e) - 1, 1);
}

static void test_manifest__rejects_garbage(void **state)
{
	unsigned char buf[512];
	uint32_t seed = 0x6d6c76u;
	size_t round, i, len, off;

	(void)state;
	assert_rejected_lit("\x89PNG\r\n\x1a\n", 1);
	assert_rejected_lit("\xff\xfe\xfd", 1);
	assert_rejected_lit("PK\x03\x04", 1);
	for (round = 0; round < 2000; round++) {
		/* random bytes, half of the time after a valid magic line */
		off = 0;
		if (round & 1) {
			memcpy(buf, MAGIC "\n", sizeof(MAGIC));
			off = sizeof(MAGIC);
		}
		seed = seed * 1103515245u + 12345u;
		len = off + 1 + (seed >> 16) % (sizeof(buf) - off - 1);
		for (i = off; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (unsigned char)(seed >> 16);
		}
		/* a first byte that is neither a line end nor a hex digit */
		if (buf[off] == '\n' || strchr("0123456789abcdefhp", buf[off]))
			buf[off] = '\x80';
		assert_rejected_at(buf, len, off ? 2 : 1);
	}
}

/* Every prefix of a valid manifest is valid or cleanly rejected. */
static void test_manifest__truncations(void **state)
{
	static const char text[] = CANONICAL;
	struct mlv_manifest m;
	size_t len;

	(void)state;
	for (len = 0; len <= sizeof(text) - 1; len++) {
		int err = parse_exact(&m, text, len);

		if (err == 0) {
			/*
			 * a cut inside a ref name can leave a shorter valid
			 * name (which may sort elsewhere): every line was
			 * kept, and the result is stable under a round trip
			 */
			struct mlv_buf out = MLV_BUF_INIT;
			struct mlv_manifest again;
			size_t i, lines = 0;

			for (i = 0; i < len; i++)
				lines += text[i] == '\n';
			lines += text[len - 1] != '\n';
			assert_int_equal(1 + (m.head != NULL) + m.npacks + m.nrefs, lines);
			mlv_manifest_format(&out, &m);
			assert_int_equal(out.len, len + (text[len - 1] != '\n'));
			assert_int_equal(parse_exact(&again, out.ptr, out.len), 0);
			assert_formats_to(&again, out.ptr);
			mlv_manifest_release(&again);
			mlv_buf_release(&out);
			mlv_manifest_release(&m);
		} else {
			assert_int_equal(err, MLV_EINVALID);
		}
	}
}

static void test_manifest__refname_ok(void **state)
{
	static const char *const good[] = {
		"refs/a", "refs/heads/main", "refs/heads/feature/x", "refs/tags/v1.0",
		"refs/heads/a.b", "refs/heads/a-b_c+d", "refs/heads/a=b", "refs/heads/a,b",
		"refs/heads/\xc3\xbc", "refs/notes/commits", "refs/remotes/origin/HEAD",
	};
	static const char *const bad[] = {
		"", "r", "refs", "refs/", "refs//", "Refs/heads/main", "REFS/heads/main",
		"/refs/heads/main", "heads/main", "HEAD", "main", "refsheads/main",
		"refs/heads/", "refs//heads", "refs/heads//main", "refs/..",
		"refs/heads/..", "refs/../x", "refs/heads/a..b", "refs/heads/a b",
		"refs/heads/a\tb", "refs/heads/a\nb", "refs/heads/a\rb", "refs/heads/\x01",
		"refs/heads/\x1f", "refs/heads/\x7f", "refs/heads/a~1", "refs/heads/a^",
		"refs/heads/a:b", "refs/heads/a?", "refs/heads/a*", "refs/heads/a[b",
		"refs/heads/a\\b", " refs/heads/main", "refs/heads/main ",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (mlv_manifest_refname_ok(good[i]) != 1)
			fail_msg("'%s' should be a usable ref name", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mlv_manifest_refname_ok(bad[i]) != 0)
			fail_msg("'%s' should not be a usable ref name", bad[i]);
}

/* A long ref name is fine: ref names have no length limit here. */
static void test_manifest__long_refname(void **state)
{
	struct mlv_manifest m;
	struct mlv_buf text = MLV_BUF_INIT, name = MLV_BUF_INIT;
	size_t i;

	(void)state;
	mlv_buf_puts(&name, "refs/heads/");
	for (i = 0; i < 4096; i++)
		mlv_buf_putc(&name, (char)('a' + i % 26));
	assert_int_equal(mlv_manifest_refname_ok(name.ptr), 1);
	mlv_buf_printf(&text, MAGIC "\nhead %s\n" OID64 " %s\n", name.ptr, name.ptr);
	assert_int_equal(parse_exact(&m, text.ptr, text.len), 0);
	assert_string_equal(m.head, name.ptr);
	assert_string_equal(m.refs[0].name, name.ptr);
	assert_formats_to(&m, text.ptr);
	mlv_manifest_release(&m);
	mlv_buf_release(&text);
	mlv_buf_release(&name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest__parse_canonical),
		cmocka_unit_test(test_manifest__round_trip),
		cmocka_unit_test(test_manifest__format_empty),
		cmocka_unit_test(test_manifest__format_replaces_buffer),
		cmocka_unit_test(test_manifest__parse_unsorted_formats_canonical),
		cmocka_unit_test(test_manifest__set_keeps_sorted),
		cmocka_unit_test(test_manifest__set_updates_in_place),
		cmocka_unit_test(test_manifest__set_null_deletes),
		cmocka_unit_test(test_manifest__add_pack_dedupes),
		cmocka_unit_test(test_manifest__parse_duplicate_pack),
		cmocka_unit_test(test_manifest__add_many),
		cmocka_unit_test(test_manifest__find),
		cmocka_unit_test(test_manifest__last_line_without_newline),
		cmocka_unit_test(test_manifest__rejects_empty),
		cmocka_unit_test(test_manifest__rejects_bad_magic),
		cmocka_unit_test(test_manifest__oid_lengths),
		cmocka_unit_test(test_manifest__rejects_non_lowercase_hex),
		cmocka_unit_test(test_manifest__rejects_duplicates),
		cmocka_unit_test(test_manifest__rejects_bad_refnames),
		cmocka_unit_test(test_manifest__rejects_crlf),
		cmocka_unit_test(test_manifest__rejects_blank_and_unknown_lines),
		cmocka_unit_test(test_manifest__error_names_where_and_line),
		cmocka_unit_test(test_manifest__rejects_nul_bytes),
		cmocka_unit_test(test_manifest__rejects_garbage),
		cmocka_unit_test(test_manifest__truncations),
		cmocka_unit_test(test_manifest__refname_ok),
		cmocka_unit_test(test_manifest__long_refname),
	};

	git_libgit2_init(); /* ref names are checked by libgit2 */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
