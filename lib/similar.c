#include <stdlib.h>
#include <string.h>

#include "mlv/similar.h"
#include "mlv/util.h"

static size_t min2(size_t a, size_t b)
{
	return a < b ? a : b;
}

size_t mlv_similar_distance(const char *typed, const char *known)
{
	size_t m = strlen(typed), n = strlen(known), i, j, result;
	/* rows i-2, i-1 and i of the table: cost of typed[0..i) -> known[0..j) */
	size_t *before = mlv_xreallocarray(NULL, n + 1, sizeof(*before));
	size_t *prev = mlv_xreallocarray(NULL, n + 1, sizeof(*prev));
	size_t *cur = mlv_xreallocarray(NULL, n + 1, sizeof(*cur));

	for (j = 0; j <= n; j++)
		prev[j] = j * MLV_SIMILAR_INSERT;
	for (i = 1; i <= m; i++) {
		size_t *spare = before;

		cur[0] = i * MLV_SIMILAR_DELETE;
		for (j = 1; j <= n; j++) {
			size_t best = prev[j - 1] +
				      (typed[i - 1] == known[j - 1] ? 0 : MLV_SIMILAR_REPLACE);

			best = min2(best, prev[j] + MLV_SIMILAR_DELETE);
			best = min2(best, cur[j - 1] + MLV_SIMILAR_INSERT);
			if (i > 1 && j > 1 && typed[i - 1] == known[j - 2] &&
			    typed[i - 2] == known[j - 1] && typed[i - 1] != typed[i - 2])
				best = min2(best, before[j - 2] + MLV_SIMILAR_SWAP);
			cur[j] = best;
		}
		before = prev;
		prev = cur;
		cur = spare;
	}
	result = prev[n];
	free(before);
	free(prev);
	free(cur);
	return result;
}

const char *mlv_similar_nearest(const char *typed, const char *const *known, size_t n)
{
	const char *best = NULL;
	size_t i, d, best_d = (size_t)-1;

	for (i = 0; i < n; i++) {
		if ((d = mlv_similar_distance(typed, known[i])) < best_d) {
			best_d = d;
			best = known[i];
		}
	}
	return best && best_d <= 2 && best_d < strlen(typed) ? best : NULL;
}
