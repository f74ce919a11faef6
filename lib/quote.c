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
