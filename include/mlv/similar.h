#ifndef MLV_SIMILAR_H
#define MLV_SIMILAR_H

#include <stddef.h>

/*
 * How far a mistyped word is from a known one, for "did you mean"
 * suggestions (`git mlv sidcar` -> sidecar), weighted as git's own
 * suggestions are: the cost of turning `typed` into `known` when
 *
 *   swapping two adjacent characters costs MLV_SIMILAR_SWAP,
 *   replacing one costs MLV_SIMILAR_REPLACE,
 *   inserting one that `typed` lacks costs MLV_SIMILAR_INSERT,
 *   deleting one that `typed` has too many costs MLV_SIMILAR_DELETE.
 *
 * A dropped letter is the commonest slip, so inserting is cheap; an extra
 * word typed after a verb is no typo of it, so deleting is dear. This is
 * the restricted Damerau-Levenshtein distance (a swapped pair is one edit,
 * and no character is edited twice). 0 means equal.
 */
#define MLV_SIMILAR_SWAP 0
#define MLV_SIMILAR_REPLACE 2
#define MLV_SIMILAR_INSERT 1
#define MLV_SIMILAR_DELETE 3

size_t mlv_similar_distance(const char *typed, const char *known);

/* Of the `n` words `known`, the nearest to `typed` when it is near enough
 * to be a slip of the hand (a distance of at most 2, and less than the
 * length of `typed`); NULL when none is. The first of equals wins. */
const char *mlv_similar_nearest(const char *typed, const char *const *known, size_t n);

#endif
