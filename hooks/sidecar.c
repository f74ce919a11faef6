#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/ini.h"
#include "mlv/pointer.h"
#include "mlv/sidecar.h"
#include "mlv/util.h"

/* What the line check and inih's handler share. */
struct parse_state {
	const char *file;
	unsigned line;        /* the line last handed to inih */
	unsigned error_line;  /* the last line we reported a syntax problem on */
	struct mlv_sidecar *out;
	struct mlv_problems *problems;
	struct mlv_buf sections; /* "\n"-separated section headers seen */
	struct mlv_buf section;  /* the current header, uncut (inih keeps 49 bytes) */
	int in_entry;            /* the previous line was key = value */
	int bad_section;         /* entries of this section are not kept */
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void check_section_header(struct parse_state *st, const char *p,
				 size_t n)
{
	const char *close = memchr(p, ']', n);
	struct mlv_buf key = MLV_BUF_INIT;
	size_t i;

	if (!close) {
		mlv_problems_add(st->problems, "%s:%u: section header without ']'",
				 st->file, st->line);
		st->error_line = st->line;
		return;
	}
	mlv_buf_putc(&key, '\n');
	for (i = 1; p + i < close; i++)
		mlv_buf_putc(&key, p[i]);
	mlv_buf_putc(&key, '\n');
	mlv_buf_clear(&st->section);
	mlv_buf_put(&st->section, p + 1, (size_t)(close - p - 1));
	if (strstr(st->sections.ptr, key.ptr)) {
		mlv_problems_add(st->problems, "%s:%u: duplicate section [%.*s]",
				 st->file, st->line, (int)(close - p - 1), p + 1);
		st->bad_section = 1;
	} else {
		mlv_buf_put(&st->sections, key.ptr + 1, key.len - 1);
		st->bad_section = 0;
	}
	mlv_buf_release(&key);
}

/*
 * Each line before inih reads it (ini.h), so that we know the line
 * number, and for what inih does not report line by line: over-long
 * lines, duplicate sections, lines that are neither section, comment nor
 * key = value. Returns 1 to have inih read an empty line instead.
 */
static int check_line(void *ctx, unsigned line, const char *start, size_t full)
{
	struct parse_state *st = ctx;
	const char *p;
	size_t n;

	st->line = line;
	if (full > MLV_SIDECAR_MAX_LINE) {
		mlv_problems_add(st->problems, "%s:%u: line is %zu bytes long, "
				 "the limit is %d", st->file, st->line, full,
				 MLV_SIDECAR_MAX_LINE);
		st->error_line = st->line;
		st->in_entry = 0;
		return 1;
	}
	for (p = start, n = full; n && is_blank(*p); p++, n--)
		;
	if (!n || *p == ';' || *p == '#') {
		st->in_entry = st->in_entry && n == 0 ? 0 : st->in_entry;
		return 0;
	}
	if (p != start && st->in_entry)
		return 0; /* a continuation line */
	if (*p == '[') {
		check_section_header(st, p, n);
		st->in_entry = 0;
	} else if (*p == '=' || *p == ':' ||
		   (!memchr(p, '=', n) && !memchr(p, ':', n))) {
		/* "= value" has no key */
		mlv_problems_add(st->problems, "%s:%u: expected 'key = value' or "
				 "'[section]'", st->file, st->line);
		st->error_line = st->line;
		st->in_entry = 0;
	} else {
		st->in_entry = 1;
	}
	return 0;
}

static void split_section(const char *section, char **name_out, char **sec_out)
{
	const char *q = strchr(section, '"');
	size_t base = q ? (size_t)(q - section) : strlen(section);

	while (base && is_blank(section[base - 1]))
		base--;
	*sec_out = mlv_xstrndup(section, base);
	*name_out = NULL;
	if (q) {
		const char *end = strrchr(q + 1, '"');

		*name_out = end ? mlv_xstrndup(q + 1, (size_t)(end - q - 1)) : strdup(q + 1);
	}
	if (!*sec_out || (q && !*name_out))
		abort();
}

static int handle_entry(void *user, const char *section, const char *key,
			const char *value)
{
	struct parse_state *st = user;
	struct mlv_sidecar *sc = st->out;
	struct mlv_sidecar_entry *e;

	if (st->bad_section)
		return 1;
	MLV_ALLOC_GROW(sc->entries, sc->n, sc->alloc);
	e = &sc->entries[sc->n++];
	split_section(st->section.ptr, &e->name, &e->section);
	e->key = mlv_xstrdup(key);
	e->value = mlv_xstrdup(value);
	e->line = st->line;
	return 1;
}

/* The schema: which keys each known section may hold. */
struct section_rule {
	const char *section;
	int named;               /* needs [section "name"] */
	const char *const *keys; /* NULL: free keys */
};

static const char *const mlv_keys[] = { "version", NULL };
static const char *const model_keys[] = { "oid", "name", "version", "base", NULL };
static const char *const data_keys[] = { "path", "uri", "oid", "files", "size", NULL };
static const char *const config_keys[] = { "path", "oid", NULL };
static const char *const code_keys[] = { "commit", "dirty", NULL };

static const struct section_rule rules[] = {
	{ "mlv", 0, mlv_keys },
	{ "model", 0, model_keys },
	{ "data", 1, data_keys },
	{ "config", 0, config_keys },
	{ "params", 0, NULL },
	{ "environment", 0, NULL },
	{ "code", 0, code_keys },
	{ "metrics", 0, NULL },
};

static const struct section_rule *find_rule(const char *section)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(rules[i].section, section))
			return &rules[i];
	return NULL;
}

static int key_allowed(const struct section_rule *r, const char *key)
{
	const char *const *k;

	if (!r->keys)
		return 1;
	for (k = r->keys; *k; k++)
		if (!strcmp(*k, key))
			return 1;
	return 0;
}

static int same_place(const struct mlv_sidecar_entry *a,
		      const struct mlv_sidecar_entry *b)
{
	return !strcmp(a->section, b->section) &&
	       ((!a->name && !b->name) ||
		(a->name && b->name && !strcmp(a->name, b->name)));
}

static void check_oid(struct parse_state *st, const struct mlv_sidecar_entry *e)
{
	char oid[MLV_OID_HEXSZ + 1];

	if (strncmp(e->value, "sha256:", 7) || mlv_oid_parse(oid, e->value) < 0)
		mlv_problems_add(st->problems, "%s:%u: %s.%s '%s' is not "
				 "'sha256:' and 64 lowercase hex digits", st->file,
				 e->line, e->section, e->key, e->value);
}

static void check_path(struct parse_state *st, const struct mlv_sidecar_entry *e)
{
	/* only a data set may be a directory */
	const char *why = !strcmp(e->section, "data") ?
			  mlv_sidecar_data_path_problem(e->value) :
			  mlv_repo_path_problem(e->value);

	if (why)
		mlv_problems_add(st->problems, "%s:%u: %s.%s '%s' must be a path "
				 "inside the repository: it %s", st->file, e->line,
				 e->section, e->key, e->value, why);
}

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

/* A decimal count: digits, no leading zero, within 64 bits. */
static int is_decimal_u64(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && !s[n] && (n == 1 || s[0] != '0') &&
	       (n < 20 || (n == 20 && strcmp(s, "18446744073709551615") <= 0));
}

static void check_entry(struct parse_state *st, const struct section_rule *r,
			const struct mlv_sidecar_entry *e)
{
	const char *k = e->key;
	int env = !strcmp(e->section, "environment");

	/* free keys ([params], [metrics]) are not oids or paths */
	if ((r->keys && (!strcmp(k, "oid") || !strcmp(k, "base"))) ||
	    (env && !strcmp(k, "lockfile-oid")))
		check_oid(st, e);
	else if ((r->keys && !strcmp(k, "path")) || (env && !strcmp(k, "lockfile")))
		check_path(st, e);
	if (!strcmp(e->section, "mlv") && !strcmp(k, "version") &&
	    strcmp(e->value, "1"))
		mlv_problems_add(st->problems, "%s:%u: sidecar version '%s' is not "
				 "supported (this mlv reads version 1)", st->file,
				 e->line, e->value);
	if (!strcmp(e->section, "model") && !strcmp(k, "version") &&
	    !mlv_semver_is_valid(e->value))
		mlv_problems_add(st->problems, "%s:%u: model.version '%s' is not a "
				 "semantic version (MAJOR.MINOR.PATCH)", st->file,
				 e->line, e->value);
	if (!strcmp(e->section, "code") && !strcmp(k, "commit") &&
	    !is_hex(e->value, 40) && !is_hex(e->value, 64))
		mlv_problems_add(st->problems, "%s:%u: code.commit '%s' is not a "
				 "commit id", st->file, e->line, e->value);
	if (!strcmp(e->section, "data") && (!strcmp(k, "files") || !strcmp(k, "size")) &&
	    !is_decimal_u64(e->value))
		mlv_problems_add(st->problems, "%s:%u: data.%s '%s' is not a decimal "
				 "number", st->file, e->line, k, e->value);
	if (!strcmp(e->section, "code") && !strcmp(k, "dirty") &&
	    mlv_parse_bool(e->value) < 0)
		mlv_problems_add(st->problems, "%s:%u: code.dirty '%s' is not true "
				 "or false", st->file, e->line, e->value);
}

/* Key pairs that make sense only together, per section instance. */
static void check_section_keys(struct parse_state *st, size_t first)
{
	const struct mlv_sidecar *sc = st->out;
	const struct mlv_sidecar_entry *e = &sc->entries[first];
	const char *s = e->section;
	int has_path = 0, has_uri = 0, has_oid = 0, has_lock = 0, has_lock_oid = 0;
	int has_files = 0, has_size = 0, is_dir = 0;
	size_t i;

	for (i = first; i < sc->n; i++) {
		if (!same_place(&sc->entries[i], e))
			continue;
		if (!strcmp(sc->entries[i].key, "path"))
			is_dir = mlv_sidecar_path_is_dir(sc->entries[i].value);
		has_files |= !strcmp(sc->entries[i].key, "files");
		has_size |= !strcmp(sc->entries[i].key, "size");
		has_path |= !strcmp(sc->entries[i].key, "path");
		has_uri |= !strcmp(sc->entries[i].key, "uri");
		has_oid |= !strcmp(sc->entries[i].key, "oid");
		has_lock |= !strcmp(sc->entries[i].key, "lockfile");
		has_lock_oid |= !strcmp(sc->entries[i].key, "lockfile-oid");
	}
	if (!strcmp(s, "data")) {
		if (has_path == has_uri)
			mlv_problems_add(st->problems, "%s:%u: [data \"%s\"] needs "
					 "exactly one of 'path' and 'uri'", st->file,
					 e->line, e->name);
		if (!has_oid)
			mlv_problems_add(st->problems, "%s:%u: [data \"%s\"] has no "
					 "'oid'", st->file, e->line, e->name);
		/* a directory's record says how much it holds; a file's
		 * does not pretend to */
		if (is_dir && (!has_files || !has_size))
			mlv_problems_add(st->problems, "%s:%u: [data \"%s\"] records "
					 "a directory and needs 'files' and 'size'; "
					 "write them with 'git mlv sidecar update'",
					 st->file, e->line, e->name);
		else if (has_path && !is_dir && (has_files || has_size))
			mlv_problems_add(st->problems, "%s:%u: [data \"%s\"] "
					 "'files' and 'size' describe a directory, and "
					 "its path is a file (a directory's ends in '/')",
					 st->file, e->line, e->name);
	} else if (!strcmp(s, "config") || !strcmp(s, "model")) {
		if (!has_oid)
			mlv_problems_add(st->problems, "%s:%u: [%s] has no 'oid'",
					 st->file, e->line, s);
		if (!strcmp(s, "config") && !has_path)
			mlv_problems_add(st->problems, "%s:%u: [config] has no 'path'",
					 st->file, e->line);
	} else if (!strcmp(s, "environment") && has_lock != has_lock_oid) {
		mlv_problems_add(st->problems, "%s:%u: [environment] needs both "
				 "'lockfile' and 'lockfile-oid'", st->file, e->line);
	}
}

static void validate(struct parse_state *st)
{
	const struct mlv_sidecar *sc = st->out;
	size_t i, j;

	for (i = 0; i < sc->n; i++) {
		const struct mlv_sidecar_entry *e = &sc->entries[i];
		const struct section_rule *r = find_rule(e->section);
		int first_of_section = 1;

		for (j = 0; j < i; j++)
			if (same_place(&sc->entries[j], e)) {
				first_of_section = 0;
				if (!strcmp(sc->entries[j].key, e->key))
					mlv_problems_add(st->problems,
							 "%s:%u: duplicate key '%s' "
							 "(first on line %u)",
							 st->file, e->line, e->key,
							 sc->entries[j].line);
			}
		if (!r) {
			if (first_of_section)
				mlv_problems_add(st->problems, "%s:%u: unknown section "
						 "[%s]", st->file, e->line, e->section);
			continue;
		}
		if (r->named != (e->name != NULL)) {
			if (first_of_section)
				mlv_problems_add(st->problems, r->named ?
						 "%s:%u: [%s] needs a name: "
						 "[%s \"train\"]" :
						 "%s:%u: [%s] takes no name",
						 st->file, e->line, e->section,
						 e->section);
			continue;
		}
		if (!key_allowed(r, e->key))
			mlv_problems_add(st->problems, "%s:%u: unknown key '%s' in [%s]",
					 st->file, e->line, e->key, e->section);
		else
			check_entry(st, r, e);
		if (first_of_section)
			check_section_keys(st, i);
	}
	if (!mlv_sidecar_get(sc, "mlv", NULL, "version"))
		mlv_problems_add(st->problems, "%s: no [mlv] section with "
				 "'version = 1'", st->file);
}

int mlv_sidecar_parse(struct mlv_sidecar *out, struct mlv_problems *problems,
		      const char *file, const char *data, size_t len)
{
	struct parse_state st;
	size_t before = problems->n;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	st.file = file;
	st.out = out;
	st.problems = problems;
	mlv_buf_init(&st.sections, 0);
	mlv_buf_putc(&st.sections, '\n');
	mlv_buf_init(&st.section, 0);

	if (len > MLV_SIDECAR_MAX_SIZE) {
		mlv_problems_add(problems, "%s: %zu bytes is too large for a sidecar "
				 "(the limit is %d); keep data out of it", file, len,
				 MLV_SIDECAR_MAX_SIZE);
		goto done;
	}
	if (memchr(data, '\0', len)) {
		mlv_problems_add(problems, "%s: binary content, not an INI sidecar; "
				 "write it with 'git mlv sidecar init'", file);
		goto done;
	}
	rc = mlv_ini_parse(data, len, check_line, handle_entry, &st);
	if (rc > 0 && (unsigned)rc != st.error_line && problems->n == before)
		mlv_problems_add(problems, "%s:%d: syntax error", file, rc);
	validate(&st);
done:
	mlv_buf_release(&st.sections);
	mlv_buf_release(&st.section);
	return problems->n > before ? MLV_EINVALID : 0;
}

void mlv_sidecar_release(struct mlv_sidecar *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		free(sc->entries[i].section);
		free(sc->entries[i].name);
		free(sc->entries[i].key);
		free(sc->entries[i].value);
	}
	free(sc->entries);
	memset(sc, 0, sizeof(*sc));
}

const struct mlv_sidecar_entry *mlv_sidecar_find(const struct mlv_sidecar *sc,
						 const char *section,
						 const char *name,
						 const char *key)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		const struct mlv_sidecar_entry *e = &sc->entries[i];

		if (!strcmp(e->section, section) && !strcmp(e->key, key) &&
		    ((!name && !e->name) || (name && e->name && !strcmp(name, e->name))))
			return e;
	}
	return NULL;
}

const char *mlv_sidecar_get(const struct mlv_sidecar *sc, const char *section,
			    const char *name, const char *key)
{
	const struct mlv_sidecar_entry *e = mlv_sidecar_find(sc, section, name, key);

	return e ? e->value : NULL;
}

/* Why `path` cannot name a file of the repository (or, `allow_dir`, a
 * directory: one trailing '/'), or NULL. */
static const char *path_problem(const char *path, int allow_dir)
{
	const char *p = path, *why = NULL;
	size_t len = strlen(path);

	if (!len)
		why = "is empty";
	else if (*path == '/')
		why = "is an absolute path, outside the repository; give it "
		      "relative to the top of the work tree";
	else if (strchr(path, '\\'))
		why = "holds a backslash, which Windows reads as a directory "
		      "separator, so the record would name another file there; "
		      "rename the file";
	while (!why && *p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			why = "is outside the repository (a '..' part leaves it)";
		else if (n == 0 || (n == 1 && p[0] == '.'))
			why = "has an empty or '.' part; give it as git lists it";
		else if (n == 4 && !strncasecmp(p, ".git", 4))
			why = "is inside .git";
		p += n;
		if (*p == '/')
			p++;
	}
	if (!why && !allow_dir && path[len - 1] == '/')
		why = "ends in '/', which names a directory; only a [data] input "
		      "may be a directory";
	return why;
}

const char *mlv_repo_path_problem(const char *path)
{
	return path_problem(path, 0);
}

int mlv_repo_path_is_safe(const char *path)
{
	return !mlv_repo_path_problem(path);
}

int mlv_sidecar_path_is_dir(const char *path)
{
	size_t len = strlen(path);

	return len > 0 && path[len - 1] == '/';
}

static const char *value_path_problem(const char *path, int allow_dir)
{
	size_t len = strlen(path);
	const char *why = path_problem(path, allow_dir);

	if (strpbrk(path, "\n\r"))
		why = "holds a line break, which a sidecar line cannot hold; "
		      "rename the file";
	else if (len && (isspace((unsigned char)path[0]) ||
			 isspace((unsigned char)path[len - 1])))
		why = "starts or ends with white space, which a sidecar line "
		      "drops; rename the file";
	return why;
}

const char *mlv_sidecar_path_problem(const char *path)
{
	return value_path_problem(path, 0);
}

const char *mlv_sidecar_data_path_problem(const char *path)
{
	return value_path_problem(path, 1);
}

/* Parse a numeric identifier without leading zeros; advance *s. */
static int semver_number(const char **s, unsigned long *out)
{
	const char *p = *s;
	char *end;

	if (!isdigit((unsigned char)*p) || (p[0] == '0' && isdigit((unsigned char)p[1])))
		return 0;
	*out = strtoul(p, &end, 10);
	*s = end;
	return 1;
}

/* Dot-separated identifiers of [0-9A-Za-z-], none empty; in a pre-release
 * (`pre`) a numeric identifier has no leading zero. */
static int semver_ident_chars(const char *p, const char *end, int pre)
{
	while (p <= end) {
		const char *q = p;
		int digits = 1;

		for (; q < end && *q != '.'; q++) {
			if (!isalnum((unsigned char)*q) && *q != '-')
				return 0;
			digits &= isdigit((unsigned char)*q) != 0;
		}
		if (q == p || (pre && digits && q - p > 1 && *p == '0'))
			return 0;
		p = q + 1;
	}
	return 1;
}

int mlv_semver_is_valid(const char *v)
{
	unsigned long n;
	const char *p = v, *plus;
	int i;

	for (i = 0; i < 3; i++) {
		if (!semver_number(&p, &n))
			return 0;
		if (i < 2 && *p++ != '.')
			return 0;
	}
	if (*p == '-') {
		plus = strchr(p, '+');
		if (!semver_ident_chars(p + 1, plus ? plus : p + strlen(p), 1))
			return 0;
		p = plus ? plus : p + strlen(p);
	}
	if (*p == '+')
		return semver_ident_chars(p + 1, p + strlen(p), 0);
	return *p == '\0';
}

static int all_digits(const char *p, size_t n)
{
	while (n--)
		if (!isdigit((unsigned char)*p++))
			return 0;
	return 1;
}

/*
 * semver.org precedence of two pre-releases (after the '-'): identifier by
 * identifier, numbers numerically and below words, words in ASCII order;
 * when all shared ones are equal, the one with fewer identifiers is lower.
 */
static int prerelease_compare(const char *a, const char *b)
{
	for (;;) {
		size_t la = strcspn(a, ".+"), lb = strcspn(b, ".+");
		int na = all_digits(a, la), nb = all_digits(b, lb), c;

		if (na && nb) /* no leading zeros: the longer number is larger */
			c = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la);
		else if (na != nb)
			c = na ? -1 : 1;
		else if (!(c = memcmp(a, b, la < lb ? la : lb)))
			c = (la > lb) - (la < lb);
		if (c)
			return c < 0 ? -1 : 1;
		a += la;
		b += lb;
		if (*a != '.' || *b != '.')
			return (*a == '.') - (*b == '.');
		a++;
		b++;
	}
}

int mlv_semver_compare(const char *a, const char *b)
{
	unsigned long x, y;
	const char *pa = a, *pb = b;
	int i;

	for (i = 0; i < 3; i++) {
		semver_number(&pa, &x);
		semver_number(&pb, &y);
		if (x != y)
			return x < y ? -1 : 1;
		if (i < 2) {
			pa++;
			pb++;
		}
	}
	/* a pre-release sorts before its release */
	if (*pa == '-' && *pb != '-')
		return -1;
	if (*pa != '-' && *pb == '-')
		return 1;
	return *pa == '-' ? prerelease_compare(pa + 1, pb + 1) : 0;
}

static int entry_in(const struct mlv_sidecar_entry *e, const char *section,
		    const char *name)
{
	return !strcmp(e->section, section) &&
	       ((!name && !e->name) || (name && e->name && !strcmp(name, e->name)));
}

void mlv_sidecar_set(struct mlv_sidecar *sc, const char *section,
		     const char *name, const char *key, const char *value)
{
	struct mlv_sidecar_entry *e;
	size_t i, at = sc->n;

	for (i = 0; i < sc->n; i++) {
		if (!entry_in(&sc->entries[i], section, name))
			continue;
		if (!strcmp(sc->entries[i].key, key)) {
			free(sc->entries[i].value);
			sc->entries[i].value = mlv_xstrdup(value);
			return;
		}
		at = i + 1;
	}
	MLV_ALLOC_GROW(sc->entries, sc->n, sc->alloc);
	memmove(&sc->entries[at + 1], &sc->entries[at],
		(sc->n - at) * sizeof(*sc->entries));
	sc->n++;
	e = &sc->entries[at];
	e->section = mlv_xstrdup(section);
	e->name = name ? mlv_xstrdup(name) : NULL;
	e->key = mlv_xstrdup(key);
	e->value = mlv_xstrdup(value);
	e->line = 0;
}

void mlv_sidecar_remove_section(struct mlv_sidecar *sc, const char *section,
				const char *name)
{
	size_t i, kept = 0;

	for (i = 0; i < sc->n; i++) {
		struct mlv_sidecar_entry *e = &sc->entries[i];

		if (entry_in(e, section, name)) {
			free(e->section);
			free(e->name);
			free(e->key);
			free(e->value);
			continue;
		}
		sc->entries[kept++] = *e;
	}
	sc->n = kept;
}

void mlv_sidecar_format(struct mlv_buf *out, const struct mlv_sidecar *sc)
{
	size_t i, j;
	char *done = calloc(sc->n ? sc->n : 1, 1);

	if (!done)
		abort();
	for (i = 0; i < sc->n; i++) {
		const struct mlv_sidecar_entry *first = &sc->entries[i];

		if (done[i])
			continue;
		if (out->len)
			mlv_buf_putc(out, '\n');
		if (first->name)
			mlv_buf_printf(out, "[%s \"%s\"]\n", first->section, first->name);
		else
			mlv_buf_printf(out, "[%s]\n", first->section);
		for (j = i; j < sc->n; j++) {
			if (done[j] || !entry_in(&sc->entries[j], first->section, first->name))
				continue;
			done[j] = 1;
			/* after a blank, a ';' starts a comment: "k =;v" keeps it */
			mlv_buf_printf(out, "%s =%s%s\n", sc->entries[j].key,
				       sc->entries[j].value[0] == ';' ? "" : " ",
				       sc->entries[j].value);
		}
	}
	free(done);
}
