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

#include "helpers.h"

#define MAGIC "# mlv ref manifest 1"
#define OID40 "0123456789abcdef0123456789abcdef01234567"
#define OID40B "89abcdef0123456789abcdef0123456789abcdef"
#define OID64 "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
#define PACK1 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define PACK2 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define WHERE "s3://bucket/repo/git/refs"

/*
 * The body of a manifest as mlv_manifest_format() writes it: head, packs,
 * sorted refs; format seals it with an end line (line 8), see seal().
 * On its own it is a manifest as mlv wrote them before it sealed them.
 */
#define CANONICAL                         \
	MAGIC "\n"                        \
	"head refs/heads/main\n"          \
	"pack " PACK1 "\n"                \
	"pack " PACK2 "\n"                \
	OID40 " refs/heads/feature/x\n"   \
	OID64 " refs/heads/main\n"        \
	OID40B " refs/tags/v1.0\n"

/* The line number of the end line of a sealed CANONICAL. */
#define CANONICAL_END_LINE 8

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
 * `len` bytes of `body` sealed as mlv_manifest_format() seals them, into
 * `out`: the body, then "end <sha256 of the body>\n".
 */
static void seal(struct mlv_buf *out, const void *body, size_t len)
{
	char hex[MLV_OID_HEXSZ + 1];

	test_hash_hex(hex, body, len); /* not mlv's own SHA-256 */
	mlv_buf_clear(out);
	assert_int_equal(mlv_buf_put(out, body, len), 0);
	assert_int_equal(mlv_buf_printf(out, "end %s\n", hex), 0);
}

#define seal_lit(out, s) seal((out), (s), sizeof(s) - 1)

/* Parse `len` bytes of `body` once sealed. */
static int parse_sealed(struct mlv_manifest *m, const void *body, size_t len)
{
	struct mlv_buf text = MLV_BUF_INIT;
	int err;

	seal(&text, body, len);
	err = parse_exact(m, text.ptr, text.len);
	mlv_buf_release(&text);
	return err;
}

/* What a failed parse must leave: nothing, as MLV_MANIFEST_INIT. */
static void assert_empty(const struct mlv_manifest *m)
{
	assert_null(m->head);
	assert_int_equal(m->nrefs, 0);
	assert_int_equal(m->npacks, 0);
	assert_null(m->refs);
	assert_null(m->packs);
	assert_int_equal(m->unsealed, 0);
}

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
	assert_empty(&m);
}

#define assert_rejected_lit(s, lineno) assert_rejected_at((s), sizeof(s) - 1, (lineno))

/* The same once `body` is sealed with its own, correct, end line. */
static void assert_rejected_sealed(const void *body, size_t len, unsigned lineno)
{
	struct mlv_buf text = MLV_BUF_INIT;

	seal(&text, body, len);
	assert_rejected_at(text.ptr, text.len, lineno);
	mlv_buf_release(&text);
}

#define assert_rejected_sealed_lit(s, lineno) \
	assert_rejected_sealed((s), sizeof(s) - 1, (lineno))

/* A magic line and `line` (which is line 2). */
#define assert_line_rejected(line) assert_rejected_lit(MAGIC "\n" line, 2)

/* The line number the last error names after WHERE, or 0 when it names none. */
static unsigned error_lineno(void)
{
	const char *msg = mlv_error_last();
	size_t n = strlen(WHERE ":");

	if (strncmp(msg, WHERE ":", n) || msg[n] < '0' || msg[n] > '9')
		return 0;
	return (unsigned)strtoul(msg + n, NULL, 10);
}

/* Format writes exactly these `len` bytes. */
static void assert_formats_exactly(const struct mlv_manifest *m, const void *expect,
				   size_t len)
{
	struct mlv_buf out = MLV_BUF_INIT;

	mlv_manifest_format(&out, m);
	if (out.len != len || memcmp(out.ptr, expect, len))
		fail_msg("format wrote %zu bytes '%s', not %zu bytes '%.*s'", out.len,
			 out.ptr, len, (int)len, (const char *)expect);
	mlv_buf_release(&out);
}

/* Format writes `len` bytes of `body`, sealed. */
static void assert_formats_to_n(const struct mlv_manifest *m, const void *body,
				size_t len)
{
	struct mlv_buf sealed = MLV_BUF_INIT;

	seal(&sealed, body, len);
	assert_formats_exactly(m, sealed.ptr, sealed.len);
	mlv_buf_release(&sealed);
}

#define assert_formats_to(m, body) assert_formats_to_n((m), (body), strlen(body))

/* What parsing CANONICAL, sealed or not, must give. */
static void assert_canonical(const struct mlv_manifest *m)
{
	assert_string_equal(m->head, "refs/heads/main");
	assert_int_equal(m->npacks, 2);
	assert_string_equal(m->packs[0], PACK1);
	assert_string_equal(m->packs[1], PACK2);
	assert_int_equal(m->nrefs, 3);
	assert_string_equal(m->refs[0].name, "refs/heads/feature/x");
	assert_string_equal(m->refs[0].oid, OID40);
	assert_string_equal(m->refs[1].name, "refs/heads/main");
	assert_string_equal(m->refs[1].oid, OID64);
	assert_string_equal(m->refs[2].name, "refs/tags/v1.0");
	assert_string_equal(m->refs[2].oid, OID40B);
}

static void test_manifest__parse_canonical(void **state)
{
	struct mlv_manifest m;

	(void)state;
	/* sealed, as mlv writes it now */
	assert_int_equal(parse_sealed(&m, CANONICAL, sizeof(CANONICAL) - 1), 0);
	assert_canonical(&m);
	assert_int_equal(m.unsealed, 0);
	mlv_manifest_release(&m);
	assert_null(m.refs);
	assert_int_equal(m.nrefs, 0);

	/* without an end line, as older mlv wrote it: the same refs */
	assert_int_equal(parse_lit(&m, CANONICAL), 0);
	assert_canonical(&m);
	assert_int_equal(m.unsealed, 1);
	mlv_manifest_release(&m);
	assert_null(m.refs);
	assert_int_equal(m.unsealed, 0);
}

/*
 * A sealed manifest formats back to the same bytes; the same manifest
 * without its end line reads as unsealed and formats to the sealed form.
 */
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
	struct mlv_buf sealed = MLV_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct mlv_manifest m;

		seal(&sealed, texts[i], strlen(texts[i]));
		assert_int_equal(parse_exact(&m, sealed.ptr, sealed.len), 0);
		assert_int_equal(m.unsealed, 0);
		assert_formats_exactly(&m, sealed.ptr, sealed.len);
		mlv_manifest_release(&m);

		assert_int_equal(parse_exact(&m, texts[i], strlen(texts[i])), 0);
		assert_int_equal(m.unsealed, 1);
		assert_formats_exactly(&m, sealed.ptr, sealed.len);
		mlv_manifest_release(&m);
	}
	mlv_buf_release(&sealed);
}

static void test_manifest__format_empty(void **state)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;

	(void)state;
	assert_formats_to(&m, MAGIC "\n");
	/* the end line is there even with nothing else: the hash of the magic
	 * line (`printf '# mlv ref manifest 1\n' | sha256sum`) */
	assert_formats_exactly(&m, MAGIC "\nend "
			       "ebdb7bf60ab7abafb698cc8bb0a98fd132aa25d4d037edb3e85ae186419e0722\n",
			       sizeof(MAGIC "\nend ") - 1 + 64 + 1);
}

static void test_manifest__format_replaces_buffer(void **state)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT;
	struct mlv_buf out = MLV_BUF_INIT, expect = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(mlv_buf_puts(&out, "old contents\n"), 0);
	mlv_manifest_set(&m, "refs/heads/main", OID40);
	mlv_manifest_format(&out, &m);
	seal_lit(&expect, MAGIC "\n" OID40 " refs/heads/main\n");
	assert_int_equal(out.len, expect.len);
	assert_memory_equal(out.ptr, expect.ptr, expect.len);
	/* still a C string */
	assert_int_equal(strlen(out.ptr), out.len);
	mlv_buf_release(&expect);
	mlv_buf_release(&out);
	mlv_manifest_release(&m);
}

/*
 * Lines in any order are accepted; format puts them in canonical order.
 * The end line seals the bytes as they are, not their canonical form.
 */
static void test_manifest__parse_unsorted_formats_canonical(void **state)
{
	static const char unsorted[] = MAGIC "\n"
				       OID40B " refs/tags/v1.0\n"
				       "pack " PACK1 "\n"
				       OID64 " refs/heads/main\n"
				       "head refs/heads/main\n"
				       OID40 " refs/heads/feature/x\n"
				       "pack " PACK2 "\n";
	struct mlv_manifest m;

	(void)state;
	assert_int_equal(parse_lit(&m, unsorted), 0);
	assert_int_equal(m.unsealed, 1);
	assert_formats_to(&m, CANONICAL);
	mlv_manifest_release(&m);

	assert_int_equal(parse_sealed(&m, unsorted, sizeof(unsorted) - 1), 0);
	assert_int_equal(m.unsealed, 0);
	assert_canonical(&m);
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

/*
 * A pack listed twice is a manifest something else wrote, or a damaged
 * one: rejected at the second listing, sealed or not.
 */
static void test_manifest__rejects_duplicate_pack(void **state)
{
	(void)state;
	assert_rejected_lit(MAGIC "\npack " PACK1 "\npack " PACK1 "\n", 3);
	assert_rejected_sealed_lit(MAGIC "\npack " PACK1 "\npack " PACK1 "\n", 3);
	/* not next to each other */
	assert_rejected_lit(MAGIC "\npack " PACK1 "\npack " PACK2 "\n" OID40
			    " refs/heads/main\npack " PACK1 "\n", 5);
	assert_rejected_lit(MAGIC "\npack " PACK2 "\npack " PACK1 "\npack " PACK2 "\n", 4);
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

/*
 * A last line without its newline is a manifest cut short: rejected at
 * that line, however valid what is left of it looks.
 */
static void test_manifest__rejects_last_line_without_newline(void **state)
{
	struct mlv_buf text = MLV_BUF_INIT;
	struct mlv_manifest m;

	(void)state;
	assert_rejected_lit(MAGIC, 1);
	assert_rejected_lit(MAGIC "\nhead refs/heads/main", 2);
	assert_rejected_lit(MAGIC "\npack " PACK1, 2);
	assert_rejected_lit(MAGIC "\n" OID64 " refs/heads/main", 2);
	assert_rejected_lit(MAGIC "\n" OID40 " refs/heads/a\n" OID40 " refs/heads/b", 3);
	assert_rejected_lit(MAGIC "\n" OID64 " refs/heads/", 2);
	assert_rejected_lit(MAGIC "\n" OID64 " refs/", 2);
	assert_rejected_lit(MAGIC "\n" OID64 " ref", 2);
	assert_rejected_lit(MAGIC "\n" OID64 " ", 2);
	assert_rejected_lit(MAGIC "\n" OID64, 2);
	assert_rejected_lit(MAGIC "\n4d7a21", 2);
	assert_rejected_lit(MAGIC "\nhead ", 2);
	assert_rejected_lit(MAGIC "\npack " PACK1 "\npack e3b0c442", 3);
	assert_rejected_lit("# mlv ref manifest", 1);
	assert_rejected_lit("#", 1);

	/* a sealed manifest whose end line lost its newline, hash and all */
	seal_lit(&text, CANONICAL);
	assert_rejected_at(text.ptr, text.len - 1, CANONICAL_END_LINE);
	seal_lit(&text, MAGIC "\n");
	assert_rejected_at(text.ptr, text.len - 1, 2);
	mlv_buf_release(&text);

	/* with their newlines the same lines are fine */
	assert_int_equal(parse_lit(&m, MAGIC "\n"), 0);
	assert_int_equal(m.unsealed, 1);
	mlv_manifest_release(&m);
	assert_int_equal(parse_lit(&m, MAGIC "\nhead refs/heads/main\n"), 0);
	assert_string_equal(m.head, "refs/heads/main");
	mlv_manifest_release(&m);
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

/*
 * `data` must be rejected because ref `name` is listed twice: the message
 * names WHERE (refs are sorted once read, so it names no line) and the ref.
 */
static void assert_rejected_duplicate_ref(const void *data, size_t len,
					  const char *name)
{
	struct mlv_manifest m;
	char prefix[256];

	mlv_error_clear();
	memset(&m, 'x', sizeof(m));
	assert_int_equal(parse_exact(&m, data, len), MLV_EINVALID);
	snprintf(prefix, sizeof(prefix), WHERE ": ref '%s' is listed twice", name);
	if (strncmp(mlv_error_last(), prefix, strlen(prefix)))
		fail_msg("message '%s' does not start with '%s'", mlv_error_last(),
			 prefix);
	assert_null(strchr(mlv_error_last(), '\n'));
	assert_empty(&m);
}

#define assert_duplicate_ref_lit(s, name) \
	assert_rejected_duplicate_ref((s), sizeof(s) - 1, (name))

static void test_manifest__rejects_duplicates(void **state)
{
	struct mlv_buf text = MLV_BUF_INIT;
	struct mlv_manifest m;

	(void)state;
	assert_duplicate_ref_lit(MAGIC "\n" OID40 " refs/heads/main\n" OID40
				 " refs/heads/main\n", "refs/heads/main");
	/* the same name with another id is just as wrong */
	assert_duplicate_ref_lit(MAGIC "\n" OID40 " refs/heads/main\n" OID64
				 " refs/heads/a\n" OID40B " refs/heads/main\n",
				 "refs/heads/main");
	/* first and last, with others between, and three times */
	assert_duplicate_ref_lit(MAGIC "\n" OID40 " refs/heads/a\n" OID40
				 " refs/heads/b\n" OID40 " refs/heads/c\n" OID40
				 " refs/heads/a\n", "refs/heads/a");
	assert_duplicate_ref_lit(MAGIC "\n" OID40 " refs/tags/t\n" OID40
				 " refs/tags/t\n" OID40 " refs/tags/t\n", "refs/tags/t");
	/* a correct end line does not make it right */
	seal_lit(&text, MAGIC "\n" OID40 " refs/heads/main\n" OID64
		 " refs/heads/main\n");
	assert_rejected_duplicate_ref(text.ptr, text.len, "refs/heads/main");
	mlv_buf_release(&text);
	/* names that differ only in case, or by a suffix, are two refs */
	assert_int_equal(parse_lit(&m, MAGIC "\n" OID40 " refs/heads/main\n" OID40
				   " refs/heads/Main\n" OID40 " refs/heads/main2\n"),
			 0);
	assert_int_equal(m.nrefs, 3);
	mlv_manifest_release(&m);

	assert_rejected_lit(MAGIC "\nhead refs/heads/main\nhead refs/heads/main\n", 3);
	assert_rejected_lit(MAGIC "\nhead refs/heads/main\nhead refs/heads/dev\n", 3);
	assert_rejected_sealed_lit(MAGIC "\nhead refs/heads/main\nhead refs/heads/dev\n", 3);
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

/*
 * Every strict prefix of a sealed manifest is rejected at the line it cuts
 * short, except one that ends at a line end before the end line: that one
 * reads as an old unsealed manifest (the caller warns), with every complete
 * line kept. A cut inside the end line is always rejected.
 */
static void test_manifest__truncations(void **state)
{
	static const size_t body = sizeof(CANONICAL) - 1;
	struct mlv_buf text = MLV_BUF_INIT;
	struct mlv_manifest m;
	size_t len, i, lines;

	(void)state;
	seal_lit(&text, CANONICAL);
	for (len = 0; len < text.len; len++) {
		for (i = 0, lines = 0; i < len; i++)
			lines += text.ptr[i] == '\n';
		if (len > 0 && len <= body && text.ptr[len - 1] == '\n') {
			assert_int_equal(parse_exact(&m, text.ptr, len), 0);
			assert_int_equal(m.unsealed, 1);
			assert_int_equal(1 + (m.head != NULL) + m.npacks + m.nrefs, lines);
			/* a prefix of a canonical body is canonical */
			assert_formats_to_n(&m, text.ptr, len);
			mlv_manifest_release(&m);
		} else {
			assert_rejected_at(text.ptr, len, (unsigned)lines + 1);
		}
	}
	assert_int_equal(parse_exact(&m, text.ptr, text.len), 0);
	assert_int_equal(m.unsealed, 0);
	assert_canonical(&m);
	assert_formats_exactly(&m, text.ptr, text.len);
	mlv_manifest_release(&m);
	mlv_buf_release(&text);
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

/* `name` becomes a valid ref name of `len` bytes under refs/heads/. */
static void make_long_refname(struct mlv_buf *name, size_t len)
{
	size_t i;

	mlv_buf_clear(name);
	assert_int_equal(mlv_buf_puts(name, "refs/heads/"), 0);
	for (i = name->len; i < len; i++)
		assert_int_equal(mlv_buf_putc(name, (char)('a' + i % 26)), 0);
	assert_int_equal(name->len, len);
	assert_int_equal(mlv_manifest_refname_ok(name->ptr), 1);
}

/*
 * A line is at most MLV_MANIFEST_LINE_MAX bytes, its newline not counted:
 * a head or ref line of exactly that many is read and written back, one
 * byte more is rejected at its line, whatever kind of line it is.
 */
static void test_manifest__long_refname(void **state)
{
	/* "head " and "<64 hex> " before the name */
	static const size_t head_max = MLV_MANIFEST_LINE_MAX - 5;
	static const size_t ref_max = MLV_MANIFEST_LINE_MAX - 65;
	struct mlv_manifest m;
	struct mlv_buf text = MLV_BUF_INIT, head = MLV_BUF_INIT, ref = MLV_BUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(MLV_MANIFEST_LINE_MAX, 4096);
	make_long_refname(&head, head_max);
	make_long_refname(&ref, ref_max);
	mlv_buf_printf(&text, MAGIC "\nhead %s\n" OID64 " %s\n", head.ptr, ref.ptr);
	assert_int_equal(text.len, sizeof(MAGIC) + 2 * (MLV_MANIFEST_LINE_MAX + 1));
	assert_int_equal(parse_exact(&m, text.ptr, text.len), 0);
	assert_string_equal(m.head, head.ptr);
	assert_string_equal(m.refs[0].name, ref.ptr);
	assert_formats_to_n(&m, text.ptr, text.len);
	mlv_manifest_release(&m);
	assert_int_equal(parse_sealed(&m, text.ptr, text.len), 0);
	assert_int_equal(m.unsealed, 0);
	assert_string_equal(m.refs[0].name, ref.ptr);
	mlv_manifest_release(&m);

	/* one byte more: the head line, then a ref line after a short head */
	make_long_refname(&head, head_max + 1);
	mlv_buf_clear(&text);
	mlv_buf_printf(&text, MAGIC "\nhead %s\n", head.ptr);
	assert_rejected_at(text.ptr, text.len, 2);
	assert_rejected_sealed(text.ptr, text.len, 2);
	make_long_refname(&ref, ref_max + 1);
	mlv_buf_clear(&text);
	mlv_buf_printf(&text, MAGIC "\nhead refs/heads/main\n" OID64 " %s\n", ref.ptr);
	assert_rejected_at(text.ptr, text.len, 3);
	assert_rejected_sealed(text.ptr, text.len, 3);
	/* and without its newline, at the same line */
	assert_rejected_at(text.ptr, text.len - 1, 3);

	/* a long line of anything, with or without its newline */
	mlv_buf_clear(&text);
	mlv_buf_puts(&text, MAGIC "\n");
	for (i = 0; i < 100000; i++)
		mlv_buf_putc(&text, 'x');
	assert_rejected_at(text.ptr, text.len, 2);
	mlv_buf_putc(&text, '\n');
	assert_rejected_at(text.ptr, text.len, 2);

	mlv_buf_release(&text);
	mlv_buf_release(&head);
	mlv_buf_release(&ref);
}

/*
 * What format writes parses as sealed and to the same manifest, whether
 * it was built in memory or read from an unsealed manifest.
 */
static void test_manifest__sealed_parse(void **state)
{
	struct mlv_manifest m = MLV_MANIFEST_INIT, again;
	struct mlv_buf out = MLV_BUF_INIT;

	(void)state;
	assert_int_equal(m.unsealed, 0);
	mlv_manifest_format(&out, &m);
	assert_int_equal(parse_exact(&again, out.ptr, out.len), 0);
	assert_int_equal(again.unsealed, 0);
	assert_null(again.head);
	assert_int_equal(again.nrefs, 0);
	assert_int_equal(again.npacks, 0);
	mlv_manifest_release(&again);

	mlv_manifest_set(&m, "refs/tags/v1.0", OID40B);
	mlv_manifest_set(&m, "refs/heads/main", OID64);
	mlv_manifest_set(&m, "refs/heads/feature/x", OID40);
	mlv_manifest_add_pack(&m, PACK1);
	mlv_manifest_add_pack(&m, PACK2);
	mlv_manifest_format(&out, &m);
	assert_int_equal(parse_exact(&again, out.ptr, out.len), 0);
	assert_int_equal(again.unsealed, 0);
	assert_null(again.head);
	assert_int_equal(again.nrefs, 3);
	assert_int_equal(again.npacks, 2);
	assert_formats_exactly(&again, out.ptr, out.len);
	mlv_manifest_release(&again);
	mlv_manifest_release(&m);

	/* read unsealed, written back sealed: the next read is sealed */
	assert_int_equal(parse_lit(&m, CANONICAL), 0);
	assert_int_equal(m.unsealed, 1);
	mlv_manifest_format(&out, &m);
	assert_int_equal(parse_exact(&again, out.ptr, out.len), 0);
	assert_int_equal(again.unsealed, 0);
	assert_canonical(&again);
	mlv_manifest_release(&again);
	mlv_manifest_release(&m);
	mlv_buf_release(&out);
}

/*
 * Any change to the bytes an end line seals is caught. A damaged line that
 * is still a valid line (another id, another ref name) is caught only by
 * the end line, and the message names it; one that is not is rejected at
 * its own line, as in an unsealed manifest.
 */
static void test_manifest__end_mismatch(void **state)
{
	static const unsigned char masks[] = { 0x01, 0x20, 0x80 };
	static const size_t body = sizeof(CANONICAL) - 1;
	struct mlv_buf sealed = MLV_BUF_INIT, text = MLV_BUF_INIT;
	struct mlv_manifest m;
	size_t i, k, lines, by_end = 0;
	char hex[MLV_OID_HEXSZ + 1];

	(void)state;
	seal_lit(&sealed, CANONICAL);
	for (k = 0; k < sizeof(masks); k++) {
		for (i = 0; i < body; i++) {
			size_t j;
			unsigned at;
			int err;

			mlv_buf_clear(&text);
			mlv_buf_put(&text, sealed.ptr, sealed.len);
			text.ptr[i] = (char)(text.ptr[i] ^ masks[k]);
			/* what the damaged body alone says, as an unsealed manifest */
			mlv_error_clear();
			err = parse_exact(&m, text.ptr, body);
			if (err == 0) {
				mlv_manifest_release(&m);
				for (j = 0, lines = 0; j < body; j++)
					lines += text.ptr[j] == '\n';
				assert_rejected_at(text.ptr, text.len, (unsigned)lines + 1);
				by_end++;
				continue;
			}
			assert_int_equal(err, MLV_EINVALID);
			at = error_lineno();
			if (at) {
				assert_rejected_at(text.ptr, text.len, at);
			} else {
				/* a ref listed twice: rejected all the same */
				assert_int_equal(parse_exact(&m, text.ptr, text.len),
						 MLV_EINVALID);
				assert_empty(&m);
			}
		}
	}
	/* some damage only the end line sees (refs/heads/Main, another id) */
	assert_true(by_end > 0);

	/* a damaged end line: each of its digits changed to another digit */
	for (i = 0; i < MLV_OID_HEXSZ; i++) {
		mlv_buf_clear(&text);
		mlv_buf_put(&text, sealed.ptr, sealed.len);
		text.ptr[body + 4 + i] = text.ptr[body + 4 + i] == '0' ? '1' : '0';
		assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE);
	}

	/* valid lines in another order: the same manifest, but not these bytes */
	mlv_buf_clear(&text);
	mlv_buf_puts(&text, MAGIC "\nhead refs/heads/main\npack " PACK2 "\npack "
		     PACK1 "\n" OID40 " refs/heads/feature/x\n" OID64
		     " refs/heads/main\n" OID40B " refs/tags/v1.0\n");
	assert_int_equal(text.len, body);
	mlv_buf_put(&text, sealed.ptr + body, sealed.len - body);
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE);

	/* a torn write: a line lost, the end line of the whole */
	mlv_buf_clear(&text);
	mlv_buf_puts(&text, MAGIC "\nhead refs/heads/main\npack " PACK1 "\npack "
		     PACK2 "\n" OID40 " refs/heads/feature/x\n" OID40B
		     " refs/tags/v1.0\n");
	mlv_buf_put(&text, sealed.ptr + body, sealed.len - body);
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE - 1);
	/* or a line more */
	mlv_buf_clear(&text);
	mlv_buf_put(&text, CANONICAL, body);
	mlv_buf_puts(&text, OID40 " refs/tags/v2.0\n");
	mlv_buf_put(&text, sealed.ptr + body, sealed.len - body);
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE + 1);

	/* the hash must cover every byte before the end line, and only those */
	test_hash_hex(hex, CANONICAL, body - 1);
	mlv_buf_clear(&text);
	mlv_buf_printf(&text, "%send %s\n", CANONICAL, hex);
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE);
	test_hash_hex(hex, CANONICAL + sizeof(MAGIC), body - sizeof(MAGIC));
	mlv_buf_clear(&text);
	mlv_buf_printf(&text, "%send %s\n", CANONICAL, hex);
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE);
	mlv_buf_clear(&text);
	mlv_buf_printf(&text, "%send ", CANONICAL);
	test_hash_hex(hex, text.ptr, text.len);
	mlv_buf_printf(&text, "%s\n", hex);
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE);

	mlv_buf_release(&text);
	mlv_buf_release(&sealed);
}

/* The end line is the last line: anything after it is rejected at its line. */
static void test_manifest__line_after_end(void **state)
{
	static const char *const tails[] = {
		OID40 " refs/heads/zzz\n",
		"head refs/heads/main\n",
		"pack " PACK1 "\n",
		"\n",
		"x",
		MAGIC "\n",
	};
	struct mlv_buf sealed = MLV_BUF_INIT, text = MLV_BUF_INIT;
	size_t i;

	(void)state;
	seal_lit(&sealed, CANONICAL);
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		mlv_buf_clear(&text);
		mlv_buf_put(&text, sealed.ptr, sealed.len);
		mlv_buf_puts(&text, tails[i]);
		assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE + 1);
	}
	/* the same end line twice */
	mlv_buf_clear(&text);
	mlv_buf_put(&text, sealed.ptr, sealed.len);
	mlv_buf_put(&text, sealed.ptr + sizeof(CANONICAL) - 1,
		    sealed.len - (sizeof(CANONICAL) - 1));
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE + 1);
	/* a sealed manifest sealed again: its second end line is right, but
	 * after the first */
	seal(&text, sealed.ptr, sealed.len);
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE + 1);
	/* a NUL after the end line */
	mlv_buf_clear(&text);
	mlv_buf_put(&text, sealed.ptr, sealed.len);
	mlv_buf_putc(&text, '\0');
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE + 1);
	/* right after the magic line too */
	seal_lit(&sealed, MAGIC "\n");
	mlv_buf_clear(&text);
	mlv_buf_put(&text, sealed.ptr, sealed.len);
	mlv_buf_puts(&text, "head refs/heads/main\n");
	assert_rejected_at(text.ptr, text.len, 3);

	mlv_buf_release(&text);
	mlv_buf_release(&sealed);
}

/* An end line is "end ", 64 lowercase hex digits, '\n'; nothing else is. */
static void test_manifest__bad_end_line(void **state)
{
	/* `before`, the first `digits` digits of the right hash, `after` */
	static const struct {
		const char *before;
		size_t digits;
		const char *after;
	} lines[] = {
		{ "end ", 63, "\n" },    /* a digit short */
		{ "end ", 64, "0\n" },   /* a digit more */
		{ "end ", 40, "\n" },    /* the length of a SHA-1 */
		{ "end ", 10, "\n" },
		{ "end ", 0, "\n" },     /* no hash */
		{ "end", 0, "\n" },
		{ "end ", 0, "" },
		{ "end ", 64, "" },      /* no newline */
		{ "end  ", 64, "\n" },
		{ "end ", 64, " \n" },
		{ "end\t", 64, "\n" },
		{ " end ", 64, "\n" },
		{ "END ", 64, "\n" },
		{ "end ", 64, "\r\n" },
		{ "end=", 64, "\n" },
	};
	struct mlv_buf text = MLV_BUF_INIT;
	char hex[MLV_OID_HEXSZ + 1], upper[MLV_OID_HEXSZ + 1];
	size_t i;

	(void)state;
	test_hash_hex(hex, CANONICAL, sizeof(CANONICAL) - 1);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		mlv_buf_clear(&text);
		mlv_buf_puts(&text, CANONICAL);
		mlv_buf_puts(&text, lines[i].before);
		mlv_buf_put(&text, hex, lines[i].digits);
		mlv_buf_puts(&text, lines[i].after);
		assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE);
	}
	/* a NUL in it */
	mlv_buf_clear(&text);
	mlv_buf_printf(&text, "%send %s", CANONICAL, hex);
	mlv_buf_put(&text, "\0\n", 2);
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE);

	/* the right hash in uppercase */
	for (i = 0; i < MLV_OID_HEXSZ; i++)
		upper[i] = (char)(hex[i] >= 'a' ? hex[i] - 'a' + 'A' : hex[i]);
	upper[MLV_OID_HEXSZ] = '\0';
	assert_string_not_equal(upper, hex);
	mlv_buf_clear(&text);
	mlv_buf_printf(&text, "%send %s\n", CANONICAL, upper);
	assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE);

	/* a digit that is not one */
	for (i = 0; i < MLV_OID_HEXSZ; i += 7) {
		mlv_buf_clear(&text);
		mlv_buf_printf(&text, "%send %s\n", CANONICAL, hex);
		text.ptr[sizeof(CANONICAL) - 1 + 4 + i] = 'g';
		assert_rejected_at(text.ptr, text.len, CANONICAL_END_LINE);
	}

	/* the hash of nothing, sha256("") */
	assert_rejected_lit(CANONICAL "end " PACK1 "\n", CANONICAL_END_LINE);
	/* an end line is no magic line */
	assert_rejected_lit("end " PACK1 "\n", 1);
	mlv_buf_release(&text);
}

/*
 * Many refs in reverse order come out sorted, can be found, and stay
 * sorted as they are changed. No timing: this is about the result.
 */
static void test_manifest__many_refs(void **state)
{
	enum { N = 20000 };
	struct mlv_buf text = MLV_BUF_INIT, out = MLV_BUF_INIT;
	struct mlv_manifest m, again;
	const struct mlv_manifest_ref *r;
	char name[64], oid[41];
	size_t i;

	(void)state;
	mlv_buf_puts(&text, MAGIC "\n");
	for (i = N; i-- > 0;)
		mlv_buf_printf(&text, "%040zx refs/heads/r%05zu\n", i, i);
	assert_int_equal(parse_exact(&m, text.ptr, text.len), 0);
	assert_int_equal(m.unsealed, 1);
	assert_int_equal(m.nrefs, N);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "refs/heads/r%05zu", i);
		snprintf(oid, sizeof(oid), "%040zx", i);
		assert_string_equal(m.refs[i].name, name);
		assert_string_equal(m.refs[i].oid, oid);
		assert_ptr_equal(mlv_manifest_find(&m, name), &m.refs[i]);
	}
	/* first, middle, last */
	r = mlv_manifest_find(&m, "refs/heads/r00000");
	assert_ptr_equal(r, &m.refs[0]);
	r = mlv_manifest_find(&m, "refs/heads/r10000");
	assert_ptr_equal(r, &m.refs[10000]);
	assert_string_equal(r->oid, "0000000000000000000000000000000000002710");
	r = mlv_manifest_find(&m, "refs/heads/r19999");
	assert_ptr_equal(r, &m.refs[N - 1]);
	/* before, after, between and around them */
	assert_null(mlv_manifest_find(&m, "refs/heads/a"));
	assert_null(mlv_manifest_find(&m, "refs/tags/z"));
	assert_null(mlv_manifest_find(&m, "refs/heads/r"));
	assert_null(mlv_manifest_find(&m, "refs/heads/r0000"));
	assert_null(mlv_manifest_find(&m, "refs/heads/r000000"));
	assert_null(mlv_manifest_find(&m, "refs/heads/r10000a"));
	assert_null(mlv_manifest_find(&m, "refs/heads/r20000"));

	/* add first, last and between; delete first, middle and last; update */
	mlv_manifest_set(&m, "refs/heads/r10000a", OID64);
	mlv_manifest_set(&m, "refs/heads/a", OID40);
	mlv_manifest_set(&m, "refs/tags/z", OID40B);
	mlv_manifest_set(&m, "refs/heads/r00000", NULL);
	mlv_manifest_set(&m, "refs/heads/r10000", NULL);
	mlv_manifest_set(&m, "refs/heads/r19999", NULL);
	mlv_manifest_set(&m, "refs/heads/r05000", OID64);
	assert_int_equal(m.nrefs, N + 3 - 3);
	for (i = 1; i < m.nrefs; i++)
		assert_true(strcmp(m.refs[i - 1].name, m.refs[i].name) < 0);
	assert_string_equal(m.refs[0].name, "refs/heads/a");
	assert_string_equal(m.refs[1].name, "refs/heads/r00001");
	assert_string_equal(m.refs[m.nrefs - 2].name, "refs/heads/r19998");
	assert_string_equal(m.refs[m.nrefs - 1].name, "refs/tags/z");
	/* refs/heads/a, then r00001 .. r09999 */
	assert_string_equal(m.refs[10000].name, "refs/heads/r10000a");
	assert_string_equal(m.refs[10001].name, "refs/heads/r10001");
	assert_null(mlv_manifest_find(&m, "refs/heads/r00000"));
	assert_null(mlv_manifest_find(&m, "refs/heads/r10000"));
	assert_null(mlv_manifest_find(&m, "refs/heads/r19999"));
	assert_ptr_equal(mlv_manifest_find(&m, "refs/heads/r10000a"), &m.refs[10000]);
	assert_ptr_equal(mlv_manifest_find(&m, "refs/tags/z"), &m.refs[m.nrefs - 1]);
	assert_string_equal(mlv_manifest_find(&m, "refs/heads/r05000")->oid, OID64);
	assert_string_equal(mlv_manifest_find(&m, "refs/heads/r05001")->oid,
			    "0000000000000000000000000000000000001389");

	/* and it all survives a round trip, sealed */
	mlv_manifest_format(&out, &m);
	assert_int_equal(parse_exact(&again, out.ptr, out.len), 0);
	assert_int_equal(again.unsealed, 0);
	assert_int_equal(again.nrefs, m.nrefs);
	assert_formats_exactly(&again, out.ptr, out.len);
	mlv_manifest_release(&again);

	mlv_manifest_release(&m);
	mlv_buf_release(&out);
	mlv_buf_release(&text);
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
		cmocka_unit_test(test_manifest__rejects_duplicate_pack),
		cmocka_unit_test(test_manifest__add_many),
		cmocka_unit_test(test_manifest__find),
		cmocka_unit_test(test_manifest__rejects_last_line_without_newline),
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
		cmocka_unit_test(test_manifest__sealed_parse),
		cmocka_unit_test(test_manifest__end_mismatch),
		cmocka_unit_test(test_manifest__line_after_end),
		cmocka_unit_test(test_manifest__bad_end_line),
		cmocka_unit_test(test_manifest__many_refs),
	};

	git_libgit2_init(); /* ref names are checked by libgit2 */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
