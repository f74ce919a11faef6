#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "mlv/backend.h"
#include "mlv/error.h"
#include "mlv/manifest.h"
#include "mlv/sha256.h"
#include "mlv/util.h"

#define MANIFEST_MAGIC "# mlv ref manifest 1"

static int is_hex_id(const char *s, size_t len)
{
	size_t i;

	if (len != 40 && len != 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int mlv_manifest_refname_ok(const char *name)
{
	const char *p;
	int valid = 0;

	if (strncmp(name, "refs/", 5) || strstr(name, "..") || strstr(name, "//") ||
	    name[strlen(name) - 1] == '/')
		return 0;
	for (p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '~' ||
		    *p == '^' || *p == ':' || *p == '?' || *p == '*' ||
		    *p == '[' || *p == '\\')
			return 0;
	/* and the rest of git's rules (check-ref-format): ".lock", "@{", ... */
	if (git_reference_name_is_valid(&valid, name) < 0) {
		git_error_clear();
		return 0;
	}
	return valid;
}

static int cmp_ref(const void *a, const void *b)
{
	return strcmp(((const struct mlv_manifest_ref *)a)->name,
		      ((const struct mlv_manifest_ref *)b)->name);
}

/* One line of a manifest (not the first, not the end line) into `m`; refs
 * are appended and sorted by the caller. 0 or MLV_EINVALID. */
static int parse_line(struct mlv_manifest *m, char *line, size_t n)
{
	char *sp;

	if (!strncmp(line, "head ", 5) && !m->head &&
	    mlv_manifest_refname_ok(line + 5)) {
		m->head = mlv_xstrdup(line + 5);
		return 0;
	}
	if (!strncmp(line, "pack ", 5) && n - 5 == 64 && is_hex_id(line + 5, n - 5))
		return mlv_manifest_add_pack(m, line + 5) ? 0 : MLV_EINVALID;
	if ((sp = strchr(line, ' ')) && is_hex_id(line, (size_t)(sp - line)) &&
	    mlv_manifest_refname_ok(sp + 1)) {
		MLV_ALLOC_GROW(m->refs, m->nrefs, m->refs_alloc);
		m->refs[m->nrefs].name = mlv_xstrdup(sp + 1);
		memcpy(m->refs[m->nrefs].oid, line, (size_t)(sp - line));
		m->refs[m->nrefs].oid[sp - line] = '\0';
		m->nrefs++;
		return 0;
	}
	return MLV_EINVALID;
}

int mlv_manifest_parse(struct mlv_manifest *m, const char *text, size_t len,
		       const char *where)
{
	const char *p = text, *end = text + len;
	char hex[MLV_OID_HEXSZ + 1];
	unsigned lineno = 0;
	const char *why = "not a line of an mlv ref manifest";
	char *line = NULL;
	int err = 0, sealed = 0;
	size_t i;

	memset(m, 0, sizeof(*m));
	while (p < end && !err) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *start = p;

		lineno++;
		p += n + (nl ? 1 : 0);
		if (sealed) {
			why = "a line after the end line";
			err = MLV_EINVALID;
		} else if (n > MLV_MANIFEST_LINE_MAX) {
			why = "a line longer than 4 KiB";
			err = MLV_EINVALID;
		} else if (!nl) {
			why = "the last line is cut short (no newline): the manifest "
			      "is truncated";
			err = MLV_EINVALID;
		} else if (memchr(start, '\0', n)) {
			err = MLV_EINVALID;
		} else {
			free(line);
			line = mlv_xstrndup(start, n);
			if (lineno == 1) {
				if (strcmp(line, MANIFEST_MAGIC))
					err = MLV_EINVALID;
			} else if (!strncmp(line, "end ", 4)) {
				if (n != 4 + MLV_OID_HEXSZ || !is_hex_id(line + 4, n - 4) ||
				    (err = mlv_sha256_buf(hex, text, (size_t)(start - text))) < 0 ||
				    strcmp(hex, line + 4)) {
					why = "its end line does not match what comes before "
					      "it: the manifest is torn or damaged";
					err = MLV_EINVALID;
				}
				sealed = 1;
			} else {
				err = parse_line(m, line, n);
			}
		}
	}
	if (!err && lineno == 0)
		err = MLV_EINVALID;
	if (!err) {
		if (m->nrefs)
			qsort(m->refs, m->nrefs, sizeof(*m->refs), cmp_ref);
		for (i = 1; i < m->nrefs && !err; i++)
			if (!strcmp(m->refs[i - 1].name, m->refs[i].name)) {
				mlv_error_set("%s: ref '%s' is listed twice; the store was "
					      "written by something else or is damaged",
					      where, m->refs[i].name);
				err = MLV_EINVALID;
			}
		m->unsealed = !sealed;
	} else {
		mlv_error_set("%s:%u: %s; the store was written by something else "
			      "or is damaged", where, lineno ? lineno : 1, why);
	}
	free(line);
	if (err)
		mlv_manifest_release(m);
	return err;
}

void mlv_manifest_format(struct mlv_buf *out, const struct mlv_manifest *m)
{
	char hex[MLV_OID_HEXSZ + 1];
	size_t i;

	mlv_buf_clear(out);
	mlv_buf_puts(out, MANIFEST_MAGIC "\n");
	if (m->head)
		mlv_buf_printf(out, "head %s\n", m->head);
	for (i = 0; i < m->npacks; i++)
		mlv_buf_printf(out, "pack %s\n", m->packs[i]);
	for (i = 0; i < m->nrefs; i++)
		mlv_buf_printf(out, "%s %s\n", m->refs[i].oid, m->refs[i].name);
	if (mlv_sha256_buf(hex, out->ptr, out->len) < 0)
		abort(); /* no SHA-256: nothing else works either */
	mlv_buf_printf(out, "end %s\n", hex);
}

void mlv_manifest_release(struct mlv_manifest *m)
{
	size_t i;

	free(m->head);
	for (i = 0; i < m->npacks; i++)
		free(m->packs[i]);
	free(m->packs);
	for (i = 0; i < m->nrefs; i++)
		free(m->refs[i].name);
	free(m->refs);
	memset(m, 0, sizeof(*m));
}

/* Where `name` is, or would be inserted, in the sorted refs of `m`. */
static size_t ref_position(const struct mlv_manifest *m, const char *name,
			   int *found)
{
	size_t lo = 0, hi = m->nrefs;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->refs[mid].name, name);

		if (!c) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct mlv_manifest_ref *mlv_manifest_find(const struct mlv_manifest *m,
						 const char *name)
{
	int found;
	size_t i = ref_position(m, name, &found);

	return found ? &m->refs[i] : NULL;
}

void mlv_manifest_set(struct mlv_manifest *m, const char *name, const char *oid)
{
	int found;
	size_t i = ref_position(m, name, &found);
	struct mlv_manifest_ref *r;

	if (!oid) {
		if (found) {
			free(m->refs[i].name);
			memmove(&m->refs[i], &m->refs[i + 1],
				(m->nrefs - i - 1) * sizeof(*m->refs));
			m->nrefs--;
		}
		return;
	}
	if (!found) {
		MLV_ALLOC_GROW(m->refs, m->nrefs, m->refs_alloc);
		memmove(&m->refs[i + 1], &m->refs[i], (m->nrefs - i) * sizeof(*m->refs));
		m->nrefs++;
		m->refs[i].name = mlv_xstrdup(name);
	}
	r = &m->refs[i];
	snprintf(r->oid, sizeof(r->oid), "%s", oid);
}

int mlv_manifest_add_pack(struct mlv_manifest *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->npacks; i++)
		if (!strcmp(m->packs[i], name))
			return 0;
	MLV_ALLOC_GROW(m->packs, m->npacks, m->packs_alloc);
	m->packs[m->npacks++] = mlv_xstrdup(name);
	return 1;
}

int mlv_manifest_read(struct mlv_manifest *m, struct mlv_buf *etag,
		      struct mlv_conn *c)
{
	struct mlv_buf text = MLV_BUF_INIT, where = MLV_BUF_INIT;
	int err;

	memset(m, 0, sizeof(*m));
	mlv_buf_init(&text, MLV_MANIFEST_MAX);
	if (etag)
		mlv_buf_clear(etag);
	if ((err = mlv_conn_get_buf(c, MLV_MANIFEST_KEY, &text, etag)) < 0) {
		if (etag)
			mlv_buf_clear(etag);
		goto done;
	}
	mlv_buf_printf(&where, "%s/%s", mlv_backend_url(c->backend), MLV_MANIFEST_KEY);
	err = mlv_manifest_parse(m, text.ptr, text.len, where.ptr);
done:
	mlv_buf_release(&text);
	mlv_buf_release(&where);
	return err;
}
