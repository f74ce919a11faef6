#include <pthread.h>
#include <string.h>

#include "mlv/ini.h"

/* Where the reader is: the next line, and what is left of the current one. */
struct ini_stream {
	const char *data;
	size_t len, pos;   /* pos: the start of the next line */
	const char *rest;  /* the current line's bytes not handed over yet */
	size_t nrest;
	int in_line;       /* the current line still needs its LF */
	unsigned line;
	mlv_ini_line_fn check;
	void *ctx;
};

static pthread_once_t options_once = PTHREAD_ONCE_INIT;

/* Debian's libinih's run-time options (ini.h says why). */
static void set_options(void)
{
	ini_use_stack = 0;
	ini_allow_realloc = 1;
	ini_max_line = MLV_INI_MAX_LINE + 3;
}

static char *read_line(char *buf, int size, void *stream)
{
	struct ini_stream *s = stream;
	size_t room = size > 1 ? (size_t)size - 1 : 0, n;

	if (!s->in_line) {
		const char *start = s->data + s->pos, *eol;
		size_t len;

		if (s->pos >= s->len)
			return NULL;
		eol = memchr(start, '\n', s->len - s->pos);
		len = eol ? (size_t)(eol - start) : s->len - s->pos;
		s->pos += len + (eol ? 1 : 0);
		s->line++;
		if ((s->check && s->check(s->ctx, s->line, start, len)) ||
		    len > MLV_INI_MAX_LINE || memchr(start, '\0', len))
			len = 0;
		s->rest = start;
		s->nrest = len;
		s->in_line = 1;
	}
	/* as fgets: at most size - 1 bytes, then the LF when it fits; inih
	 * grows its buffer and asks again while a line has no LF */
	n = s->nrest < room ? s->nrest : room;
	memcpy(buf, s->rest, n);
	s->rest += n;
	s->nrest -= n;
	if (!s->nrest && n < room) {
		buf[n++] = '\n';
		s->in_line = 0;
	}
	buf[n] = '\0';
	return buf;
}

int mlv_ini_parse(const char *data, size_t len, mlv_ini_line_fn check,
		  ini_handler handler, void *ctx)
{
	struct ini_stream s = { data, len, 0, NULL, 0, 0, 0, check, ctx };

	pthread_once(&options_once, set_options);
	return ini_parse_stream(read_line, &s, handler, ctx);
}
