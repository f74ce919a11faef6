#include <string.h>

#include "mlv/quote.h"

int mlv_quote_shell(struct mlv_buf *b, const char *s)
{
	size_t n;
	int err;

	if ((err = mlv_buf_putc(b, '\'')) < 0)
		return err;
	while (*s) {
		n = strcspn(s, "'");
		if ((err = mlv_buf_put(b, s, n)) < 0)
			return err;
		s += n;
		if (*s == '\'') {
			if ((err = mlv_buf_puts(b, "'\\''")) < 0)
				return err;
			s++;
		}
	}
	return mlv_buf_putc(b, '\'');
}

int mlv_quote_shell_path(struct mlv_buf *b, const char *path)
{
	int err;

	/* ./'-x': sh joins the two into the one word ./-x */
	if (path[0] == '-' && (err = mlv_buf_puts(b, "./")) < 0)
		return err;
	return mlv_quote_shell(b, path);
}

int mlv_quote_shell_pathspec(struct mlv_buf *b, const char *path)
{
	struct mlv_buf literal = MLV_BUF_INIT;
	int err;

	if (path[0] != ':' && !path[strcspn(path, "*?[\\")])
		return mlv_quote_shell_path(b, path);
	mlv_buf_printf(&literal, ":(literal)%s", path);
	err = mlv_quote_shell(b, literal.ptr);
	mlv_buf_release(&literal);
	return err;
}

const char *mlv_quote_path(struct mlv_buf *b, const char *path)
{
	mlv_buf_clear(b);
	mlv_quote_shell_path(b, path);
	return b->ptr;
}

const char *mlv_quote_pathspec(struct mlv_buf *b, const char *path)
{
	mlv_buf_clear(b);
	mlv_quote_shell_pathspec(b, path);
	return b->ptr;
}

/* Buffers of mlv_quote_display(): each result stays valid for the next
 * DISPLAY_RING - 1 calls. */
#define DISPLAY_RING 16

const char *mlv_quote_display(const char *s)
{
	static struct mlv_buf ring[DISPLAY_RING];
	static unsigned next;
	const unsigned char *p = (const unsigned char *)s;
	struct mlv_buf *b;
	size_t i;

	if (!s)
		return "(none)";
	for (i = 0; p[i] && p[i] >= 0x20 && p[i] != 0x7f &&
		    !(p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f);
	     i++)
		;
	if (!p[i])
		return s; /* nothing to escape: the common case costs no copy */
	b = &ring[next++ % DISPLAY_RING];
	if (!b->ptr)
		mlv_buf_init(b, 0);
	mlv_buf_clear(b);
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			mlv_buf_printf(b, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			mlv_buf_printf(b, "\\u%04x", *++p);
		else
			mlv_buf_putc(b, (char)*p);
	}
	return b->ptr;
}
