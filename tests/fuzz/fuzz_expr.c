/*
 * libFuzzer target for the `git mlv find` expression parser: any bytes
 * (up to the first NUL) must give either an expression or an error with a
 * column inside the text and a printable message, never a crash, a leak or
 * undefined behaviour. What parses must match without trouble, and its
 * canonical text must parse again to an expression that formats the same
 * and matches the same model versions.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/expr.h"

/* Values that reach every comparison rule: numbers, integers, versions,
 * text, like metacharacters, UTF-8, an oid. */
static const char *const values[] = {
	"0.91", "1e-3", "12", "-0", "007", "1.10.0", "1.2.0-rc.1", "1.2.0+b",
	"Adam", "", "50%", "a_b", "caf\xc3\xa9", "C:\\temp", "it's",
	"12345678901234567890",
	"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
};
#define N_VALUES (sizeof(values) / sizeof(values[0]))

/* A model version made up from the field name: one of the values, the
 * name itself, or absent; `payload` picks among several versions. */
static const char *fuzz_lookup(const char *field, void *payload)
{
	uint32_t h = 2166136261u + (uint32_t)(uintptr_t)payload;
	const char *p;

	for (p = field; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h %= N_VALUES + 2;
	return h < N_VALUES ? values[h] : h == N_VALUES ? field : NULL;
}

static int count_field(const char *field, void *payload)
{
	if (!*field)
		abort(); /* no empty names */
	(*(size_t *)payload)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlv_expr *e = NULL, *again = NULL;
	struct mlv_buf text = MLV_BUF_INIT, one = MLV_BUF_INIT, two = MLV_BUF_INIT;
	char prefix[40];
	const char *msg;
	size_t column = 0, n = 0, i;
	uintptr_t v;

	mlv_buf_put(&text, data, size);
	mlv_buf_truncate(&text, strlen(text.ptr));
	if (mlv_expr_parse(&e, &column, text.ptr)) {
		msg = mlv_error_last();
		snprintf(prefix, sizeof(prefix), "column %zu: ", column);
		if (e || column < 1 || column > text.len + 1 ||
		    strncmp(msg, prefix, strlen(prefix)))
			abort();
		for (i = 0; msg[i]; i++)
			if (msg[i] < 0x20 || msg[i] > 0x7e)
				abort();
		goto done;
	}
	if (!e || column || mlv_expr_fields(e, count_field, &n) || !n)
		abort();
	if (mlv_expr_format(&one, e) || mlv_expr_parse(&again, &column, one.ptr) ||
	    mlv_expr_format(&two, again) || strcmp(one.ptr, two.ptr))
		abort();
	for (v = 0; v < 8; v++) {
		int r = mlv_expr_match(e, fuzz_lookup, (void *)v);

		if ((r != 0 && r != 1) || r != mlv_expr_match(again, fuzz_lookup, (void *)v))
			abort();
	}
done:
	mlv_expr_free(e);
	mlv_expr_free(again);
	mlv_buf_release(&text);
	mlv_buf_release(&one);
	mlv_buf_release(&two);
	return 0;
}
