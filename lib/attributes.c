#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlv/attributes.h"
#include "mlv/error.h"
#include "mlv/util.h"

int mlv_attr_file_load(struct mlv_attr_file *f, const char *path)
{
	int err;

	f->path = mlv_xstrdup(path);
	mlv_buf_init(&f->text, 0);
	err = mlv_buf_read_file(&f->text, path);
	return err == MLV_ENOTFOUND ? 0 : err;
}

void mlv_attr_file_release(struct mlv_attr_file *f)
{
	free(f->path);
	f->path = NULL;
	mlv_buf_release(&f->text);
}

char *mlv_attr_escape_pattern(const char *pattern)
{
	struct mlv_buf out = MLV_BUF_INIT;

	for (; *pattern; pattern++) {
		if (*pattern == ' ')
			mlv_buf_puts(&out, "[[:space:]]");
		else
			mlv_buf_putc(&out, *pattern);
	}
	return mlv_buf_detach(&out);
}

/* One line split into its pattern and whether it sets filter=mlv. */
struct line {
	const char *start;
	size_t len;      /* without the LF */
	size_t next;     /* offset of the next line */
	char pattern[4096];
	int is_mlv;
	unsigned flags;
};

static int has_word(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word), i = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && s[j] != ' ' && s[j] != '\t')
			j++;
		if (j - i == wl && !memcmp(s + i, word, wl))
			return 1;
		i = j + 1;
	}
	return 0;
}

static void split_line(struct line *l, const struct mlv_buf *text, size_t off)
{
	const char *eol = memchr(text->ptr + off, '\n', text->len - off);
	size_t lead = 0, plen = 0;

	l->start = text->ptr + off;
	l->len = eol ? (size_t)(eol - l->start) : text->len - off;
	l->next = off + l->len + (eol ? 1 : 0);
	l->is_mlv = 0;
	l->flags = 0;
	l->pattern[0] = '\0';
	/* git ignores leading whitespace before the pattern */
	while (lead < l->len && (l->start[lead] == ' ' || l->start[lead] == '\t'))
		lead++;
	while (lead + plen < l->len && l->start[lead + plen] != ' ' &&
	       l->start[lead + plen] != '\t')
		plen++;
	if (lead == l->len || l->start[lead] == '#' || plen >= sizeof(l->pattern))
		return;
	memcpy(l->pattern, l->start + lead, plen);
	l->pattern[plen] = '\0';
	l->is_mlv = has_word(l->start + lead + plen, l->len - lead - plen, "filter=mlv");
	if (has_word(l->start + lead + plen, l->len - lead - plen, "mlv-model"))
		l->flags |= MLV_ATTR_MODEL;
}

int mlv_attr_file_foreach(const struct mlv_attr_file *f,
			  int (*fn)(const struct mlv_attr_pattern *p, void *payload),
			  void *payload)
{
	struct line l;
	size_t off;
	int err;

	for (off = 0; off < f->text.len; off = l.next) {
		struct mlv_attr_pattern p;

		split_line(&l, &f->text, off);
		if (!l.is_mlv)
			continue;
		p.pattern = l.pattern;
		p.flags = l.flags;
		if ((err = fn(&p, payload)) != 0)
			return err;
	}
	return 0;
}

static void format_line(struct mlv_buf *out, const char *pattern, unsigned flags)
{
	mlv_buf_printf(out, "%s filter=mlv diff=mlv merge=mlv -text%s\n", pattern,
		       flags & MLV_ATTR_MODEL ? " mlv-model" : "");
}

int mlv_attr_file_track(struct mlv_attr_file *f, const char *pattern,
			unsigned flags)
{
	struct mlv_buf out = MLV_BUF_INIT, want = MLV_BUF_INIT;
	struct line l;
	size_t off;
	int found = 0, changed = 0;

	format_line(&want, pattern, flags);
	for (off = 0; off < f->text.len; off = l.next) {
		split_line(&l, &f->text, off);
		if (l.is_mlv && !strcmp(l.pattern, pattern)) {
			if (found)
				continue; /* a duplicate goes */
			found = 1;
			if (l.len + 1 != want.len || memcmp(l.start, want.ptr, l.len))
				changed = 1;
			mlv_buf_put(&out, want.ptr, want.len);
			continue;
		}
		mlv_buf_put(&out, l.start, l.len);
		mlv_buf_putc(&out, '\n');
	}
	if (!found) {
		mlv_buf_put(&out, want.ptr, want.len);
		changed = 1;
	}
	if (out.len != f->text.len)
		changed = 1;
	mlv_buf_release(&f->text);
	f->text = out;
	mlv_buf_release(&want);
	return changed;
}

int mlv_attr_file_untrack(struct mlv_attr_file *f, const char *pattern)
{
	struct mlv_buf out = MLV_BUF_INIT;
	struct line l;
	size_t off;
	int removed = 0;

	for (off = 0; off < f->text.len; off = l.next) {
		split_line(&l, &f->text, off);
		if (l.is_mlv && !strcmp(l.pattern, pattern)) {
			removed = 1;
			continue;
		}
		mlv_buf_put(&out, l.start, l.len);
		if (l.next > off + l.len)
			mlv_buf_putc(&out, '\n');
	}
	mlv_buf_release(&f->text);
	f->text = out;
	return removed;
}

/* `line` (without LF) with each word `kind=lfs` made `kind=mlv`, onto
 * `out`; 1 when one was. */
static int line_from_lfs(struct mlv_buf *out, const char *line, size_t len)
{
	static const char *const words[] = { "filter=lfs", "diff=lfs", "merge=lfs" };
	size_t i = 0, w, nwords = 0;
	int changed = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && line[j] != ' ' && line[j] != '\t')
			j++;
		nwords += j > i;
		for (w = 0; w < sizeof(words) / sizeof(words[0]); w++)
			if (j - i == strlen(words[w]) && !memcmp(line + i, words[w], j - i))
				break;
		/* the first word is the pattern */
		if (nwords > 1 && w < sizeof(words) / sizeof(words[0])) {
			mlv_buf_put(out, line + i, j - i - 3);
			mlv_buf_puts(out, "mlv");
			changed = 1;
		} else {
			mlv_buf_put(out, line + i, j - i);
		}
		if (j < len)
			mlv_buf_putc(out, line[j]);
		i = j + 1;
	}
	return changed;
}

size_t mlv_attr_file_from_lfs(struct mlv_attr_file *f)
{
	struct mlv_buf out = MLV_BUF_INIT;
	struct line l;
	size_t off, changed = 0;

	for (off = 0; off < f->text.len; off = l.next) {
		split_line(&l, &f->text, off);
		if (l.pattern[0])
			changed += (size_t)line_from_lfs(&out, l.start, l.len);
		else
			mlv_buf_put(&out, l.start, l.len);
		if (l.next > off + l.len)
			mlv_buf_putc(&out, '\n');
	}
	mlv_buf_release(&f->text);
	f->text = out;
	return changed;
}

int mlv_attr_file_save(const struct mlv_attr_file *f)
{
	return mlv_write_file_atomic(f->path, f->text.ptr, f->text.len, 0666);
}
