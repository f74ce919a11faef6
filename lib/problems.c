#include <stdarg.h>
#include <stdlib.h>

#include "mlv/buf.h"
#include "mlv/problems.h"
#include "mlv/util.h"

void mlv_problems_add(struct mlv_problems *p, const char *fmt, ...)
{
	struct mlv_buf msg = MLV_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mlv_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	MLV_ALLOC_GROW(p->items, p->n, p->alloc);
	p->items[p->n++] = mlv_buf_detach(&msg);
}

void mlv_problems_release(struct mlv_problems *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->items[i]);
	free(p->items);
	p->items = NULL;
	p->n = p->alloc = 0;
}
