#ifndef MLV_PROBLEMS_H
#define MLV_PROBLEMS_H

#include <stddef.h>

/*
 * A list of problems found by a check, so that a check reports everything
 * wrong at once instead of stopping at the first. Each problem is one
 * complete sentence-like message: what is wrong, where (file and line, or
 * path and oid) and the command that fixes it.
 */
struct mlv_problems {
	char **items;
	size_t n, alloc;
};

#define MLV_PROBLEMS_INIT { NULL, 0, 0 }

void mlv_problems_add(struct mlv_problems *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mlv_problems_release(struct mlv_problems *p);

#endif
