/* A set of git object ids: see mlv/oidset.h */
#include <stdlib.h>
#include <string.h>

#include "mlv/oidset.h"
#include "mlv/repo.h"
#include "mlv/util.h"

static size_t slot_of(const git_oid *id, size_t cap)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h)); /* ids are uniform already */
	return h & (cap - 1);
}

static void grow(struct mlv_oidset *s, int with_values)
{
	struct mlv_oidset bigger = { NULL, NULL, s->cap ? s->cap * 2 : 4096, s->n, NULL };
	size_t i, j;

	bigger.slots = mlv_xreallocarray(NULL, bigger.cap, sizeof(*bigger.slots));
	bigger.used = mlv_xmalloc(bigger.cap);
	memset(bigger.used, 0, bigger.cap);
	if (with_values)
		bigger.values = mlv_xreallocarray(NULL, bigger.cap, sizeof(*bigger.values));
	for (i = 0; i < s->cap; i++) {
		if (!s->used[i])
			continue;
		for (j = slot_of(&s->slots[i], bigger.cap); bigger.used[j];
		     j = (j + 1) & (bigger.cap - 1))
			;
		bigger.slots[j] = s->slots[i];
		bigger.used[j] = 1;
		if (with_values)
			bigger.values[j] = s->values[i];
	}
	free(s->slots);
	free(s->used);
	free(s->values);
	*s = bigger;
}

/* The slot of `id`: where it is, or the free one where it would go. */
static size_t find_slot(const struct mlv_oidset *s, const git_oid *id)
{
	size_t i;

	for (i = slot_of(id, s->cap); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (!git_oid_cmp(&s->slots[i], id))
			break;
	return i;
}

static size_t insert(struct mlv_oidset *s, const git_oid *id, int *added, int with_values)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap)
		grow(s, with_values);
	i = find_slot(s, id);
	*added = !s->used[i];
	if (*added) {
		s->slots[i] = *id;
		s->used[i] = 1;
		s->n++;
	}
	return i;
}

int mlv_oidset_add(struct mlv_oidset *s, const git_oid *id)
{
	int added;

	insert(s, id, &added, 0);
	return added;
}

int mlv_oidset_has(const struct mlv_oidset *s, const git_oid *id)
{
	return s->cap && s->used[find_slot(s, id)];
}

void mlv_oidset_put(struct mlv_oidset *s, const git_oid *key, const git_oid *value)
{
	int added;
	size_t i = insert(s, key, &added, 1); /* may move s->values */

	s->values[i] = *value;
}

const git_oid *mlv_oidset_get(const struct mlv_oidset *s, const git_oid *key)
{
	size_t i;

	if (!s->cap || !s->values)
		return NULL;
	i = find_slot(s, key);
	return s->used[i] ? &s->values[i] : NULL;
}

void mlv_oidset_release(struct mlv_oidset *s)
{
	free(s->slots);
	free(s->used);
	free(s->values);
	memset(s, 0, sizeof(*s));
}

int mlv_oidset_walk_tree(struct mlv_oidset *seen, git_repository *repo,
			 const git_tree *tree, struct mlv_buf *path,
			 mlv_oidset_blob_fn blob, void *payload)
{
	size_t i, n = git_tree_entrycount(tree), len = path->len;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		git_filemode_t mode = git_tree_entry_filemode(e);
		const git_oid *id = git_tree_entry_id(e);
		git_tree *sub = NULL;

		mlv_buf_puts(path, git_tree_entry_name(e));
		if (mode == GIT_FILEMODE_TREE && mlv_oidset_add(seen, id)) {
			if ((err = git_tree_lookup(&sub, repo, id)) < 0) {
				err = mlv_error_from_gitf(err, "cannot read tree '%s'", path->ptr);
			} else {
				mlv_buf_puts(path, "/");
				err = mlv_oidset_walk_tree(seen, repo, sub, path, blob, payload);
			}
			git_tree_free(sub);
		} else if ((mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) &&
			   mlv_oidset_add(seen, id)) {
			err = blob(id, path->ptr, payload);
		}
		mlv_buf_truncate(path, len);
	}
	return err;
}
