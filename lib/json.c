#include <stdlib.h>
#include <string.h>

#include "mlv/buf.h"
#include "mlv/json.h"

/* The length of the valid UTF-8 sequence at `s`, or 0 when there is none
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
static size_t utf8_sequence(const unsigned char *s)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* `s` as valid UTF-8: each stray byte becomes U+FFFD. */
static void clean_utf8(struct mlv_buf *clean, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if ((n = utf8_sequence(p))) {
			mlv_buf_put(clean, p, n);
			p += n;
		} else {
			mlv_buf_puts(clean, "\xef\xbf\xbd");
			p++;
		}
	}
}

json_t *mlv_json_string(const char *s)
{
	struct mlv_buf clean = MLV_BUF_INIT;
	json_t *v;

	if (!s)
		return json_null();
	clean_utf8(&clean, s);
	v = json_stringn(clean.ptr, clean.len);
	mlv_buf_release(&clean);
	if (!v)
		abort();
	return v;
}

void mlv_json_set(json_t *obj, const char *key, json_t *value)
{
	struct mlv_buf clean = MLV_BUF_INIT;

	if (!value)
		value = json_null(); /* json_real(inf) and the like: no number */
	clean_utf8(&clean, key);
	if (json_object_setn_new(obj, clean.ptr, clean.len, value) < 0)
		abort();
	mlv_buf_release(&clean);
}

void mlv_json_set_string(json_t *obj, const char *key, const char *s)
{
	mlv_json_set(obj, key, mlv_json_string(s));
}

int mlv_json_write(FILE *out, const json_t *v, int indent)
{
	/* 15 significant digits: every decimal of up to 15 digits (what
	 * sidecars record) comes back as written, 0.9 and not
	 * 0.90000000000000002 */
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15);

	if (indent > 0)
		flags |= JSON_INDENT(indent < 31 ? indent : 31);
	if (json_dumpf(v, out, flags) < 0)
		return -1;
	return 0;
}
