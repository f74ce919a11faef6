#include <string.h>

#include "mlv/error.h"
#include "mlv/pointer.h"

static const char version_line[] = "version " MLV_POINTER_VERSION "\n";
static const char oid_prefix[] = "oid sha256:";
static const char size_prefix[] = "size ";
static const char empty_oid[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static int is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int hex_run_valid(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_lower_hex(p[i]))
			return 0;
	return 1;
}

int mlv_oid_is_valid(const char *hex)
{
	return strlen(hex) == MLV_OID_HEXSZ && hex_run_valid(hex, MLV_OID_HEXSZ);
}

int mlv_oid_parse(char oid[MLV_OID_HEXSZ + 1], const char *text)
{
	if (!strncmp(text, "sha256:", 7))
		text += 7;
	if (!mlv_oid_is_valid(text)) {
		mlv_error_set("'%s' is not a sha256 object id (64 lowercase hex digits)",
			      text);
		return MLV_EINVALID;
	}
	memcpy(oid, text, MLV_OID_HEXSZ + 1);
	return 0;
}

static int not_a_pointer(const char *why)
{
	mlv_error_set("not a pointer: %s", why);
	return MLV_EINVALID;
}

int mlv_pointer_parse(struct mlv_pointer *out, const void *data, size_t len)
{
	const char *p = data, *end = p + len;
	uint64_t size = 0;

	if (len == 0) {
		memcpy(out->oid, empty_oid, MLV_OID_HEXSZ + 1);
		out->size = 0;
		return 0;
	}
	if (len >= MLV_POINTER_MAX)
		return not_a_pointer("too long");
	if ((size_t)(end - p) < sizeof(version_line) - 1 ||
	    memcmp(p, version_line, sizeof(version_line) - 1))
		return not_a_pointer("bad version line");
	p += sizeof(version_line) - 1;

	if ((size_t)(end - p) < sizeof(oid_prefix) - 1 + MLV_OID_HEXSZ + 1 ||
	    memcmp(p, oid_prefix, sizeof(oid_prefix) - 1))
		return not_a_pointer("bad oid line");
	p += sizeof(oid_prefix) - 1;
	if (!hex_run_valid(p, MLV_OID_HEXSZ) || p[MLV_OID_HEXSZ] != '\n')
		return not_a_pointer("bad oid");
	memcpy(out->oid, p, MLV_OID_HEXSZ);
	out->oid[MLV_OID_HEXSZ] = '\0';
	p += MLV_OID_HEXSZ + 1;

	if ((size_t)(end - p) < sizeof(size_prefix) - 1 + 2 ||
	    memcmp(p, size_prefix, sizeof(size_prefix) - 1))
		return not_a_pointer("bad size line");
	p += sizeof(size_prefix) - 1;
	if (*p == '0' && p + 1 < end && p[1] != '\n')
		return not_a_pointer("leading zero in size");
	if (*p < '0' || *p > '9')
		return not_a_pointer("bad size");
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (size > (UINT64_MAX - d) / 10)
			return not_a_pointer("size overflows");
		size = size * 10 + d;
	}
	if (p + 1 != end || *p != '\n')
		return not_a_pointer("trailing data after size");
	if (size == 0 && strcmp(out->oid, empty_oid))
		return not_a_pointer("size 0 with the oid of non-empty content");
	out->size = size;
	return 0;
}

int mlv_pointer_format(struct mlv_buf *out, const struct mlv_pointer *p)
{
	if (p->size == 0)
		return 0;
	return mlv_buf_printf(out, "%soid sha256:%s\nsize %llu\n", version_line,
			      p->oid, (unsigned long long)p->size);
}
