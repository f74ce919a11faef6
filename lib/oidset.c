/* A set of git object ids: see mlv/oidset.h */
#include <stdlib.h>
#include <string.h>

#include "mlv/oidset.h"
#include "mlv/util.h"

static size_t slot_of(const git_oid *id, size_t cap)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h)); /* ids are uniform already */
	return h & (cap - 1);
}

static void grow(struct mlv_oidset *s)
{
	struct mlv_oidset bigger = { NULL, NULL, s->cap ? s->cap * 2 : 4096, s->n };
	size_t i, j;

	bigger.slots = mlv_xreallocarray(NULL, bigger.cap, sizeof(*bigger.slots));
	bigger.used = mlv_xmalloc(bigger.cap);
	memset(bigger.used, 0, bigger.cap);
	for (i = 0; i < s->cap; i++) {
		if (!s->used[i])
			continue;
		for (j = slot_of(&s->slots[i], bigger.cap); bigger.used[j];
		     j = (j + 1) & (bigger.cap - 1))
			;
		bigger.slots[j] = s->slots[i];
		bigger.used[j] = 1;
	}
	free(s->slots);
	free(s->used);
	*s = bigger;
}

int mlv_oidset_add(struct mlv_oidset *s, const git_oid *id)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap)
		grow(s);
	for (i = slot_of(id, s->cap); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (!git_oid_cmp(&s->slots[i], id))
			return 0;
	s->slots[i] = *id;
	s->used[i] = 1;
	s->n++;
	return 1;
}

int mlv_oidset_has(const struct mlv_oidset *s, const git_oid *id)
{
	size_t i;

	if (!s->cap)
		return 0;
	for (i = slot_of(id, s->cap); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (!git_oid_cmp(&s->slots[i], id))
			return 1;
	return 0;
}

void mlv_oidset_release(struct mlv_oidset *s)
{
	free(s->slots);
	free(s->used);
	memset(s, 0, sizeof(*s));
}
