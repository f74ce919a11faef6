#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "mlv/error.h"
#include "mlv/manifest.h"
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

int mlv_manifest_parse(struct mlv_manifest *m, const char *text, size_t len,
		       const char *where)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	char *line = NULL;
	int err = 0;

	memset(m, 0, sizeof(*m));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *sp;

		lineno++;
		free(line);
		line = mlv_xstrndup(p, n);
		p += n + (nl ? 1 : 0);
		if (!line || strlen(line) != n) {
			err = MLV_EINVALID;
			break;
		}
		if (lineno == 1) {
			if (strcmp(line, MANIFEST_MAGIC)) {
				err = MLV_EINVALID;
				break;
			}
			continue;
		}
		if (!strncmp(line, "head ", 5) && !m->head &&
		    mlv_manifest_refname_ok(line + 5)) {
			m->head = mlv_xstrdup(line + 5);
		} else if (!strncmp(line, "pack ", 5) && n - 5 == 64 &&
			   is_hex_id(line + 5, n - 5)) {
			mlv_manifest_add_pack(m, line + 5);
		} else if ((sp = strchr(line, ' ')) &&
			   is_hex_id(line, (size_t)(sp - line)) &&
			   mlv_manifest_refname_ok(sp + 1) &&
			   !mlv_manifest_find(m, sp + 1)) {
			*sp = '\0';
			mlv_manifest_set(m, sp + 1, line);
		} else {
			err = MLV_EINVALID;
			break;
		}
	}
	if (!err && lineno == 0)
		err = MLV_EINVALID;
	if (err)
		mlv_error_set("%s:%u: not a line of an mlv ref manifest; the store "
			      "was written by something else or is damaged",
			      where, lineno ? lineno : 1);
	free(line);
	if (err)
		mlv_manifest_release(m);
	return err;
}

void mlv_manifest_format(struct mlv_buf *out, const struct mlv_manifest *m)
{
	size_t i;

	mlv_buf_clear(out);
	mlv_buf_puts(out, MANIFEST_MAGIC "\n");
	if (m->head)
		mlv_buf_printf(out, "head %s\n", m->head);
	for (i = 0; i < m->npacks; i++)
		mlv_buf_printf(out, "pack %s\n", m->packs[i]);
	for (i = 0; i < m->nrefs; i++)
		mlv_buf_printf(out, "%s %s\n", m->refs[i].oid, m->refs[i].name);
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

const struct mlv_manifest_ref *mlv_manifest_find(const struct mlv_manifest *m,
						 const char *name)
{
	size_t i;

	for (i = 0; i < m->nrefs; i++)
		if (!strcmp(m->refs[i].name, name))
			return &m->refs[i];
	return NULL;
}

void mlv_manifest_set(struct mlv_manifest *m, const char *name, const char *oid)
{
	struct mlv_manifest_ref *r = (struct mlv_manifest_ref *)mlv_manifest_find(m, name);

	if (!oid) {
		if (r) {
			free(r->name);
			memmove(r, r + 1, (size_t)(m->refs + m->nrefs - r - 1) * sizeof(*r));
			m->nrefs--;
		}
		return;
	}
	if (!r) {
		MLV_ALLOC_GROW(m->refs, m->nrefs, m->refs_alloc);
		r = &m->refs[m->nrefs++];
		r->name = mlv_xstrdup(name);
	}
	snprintf(r->oid, sizeof(r->oid), "%s", oid);
	qsort(m->refs, m->nrefs, sizeof(*m->refs), cmp_ref);
}

void mlv_manifest_add_pack(struct mlv_manifest *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->npacks; i++)
		if (!strcmp(m->packs[i], name))
			return;
	MLV_ALLOC_GROW(m->packs, m->npacks, m->packs_alloc);
	m->packs[m->npacks++] = mlv_xstrdup(name);
}
