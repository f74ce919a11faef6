/* What the history holds by kind of file: see mlv/sizes.h */
#include <stdlib.h>
#include <string.h>

#include "mlv/error.h"
#include "mlv/oidset.h"
#include "mlv/pointer.h"
#include "mlv/scan.h"
#include "mlv/sizes.h"
#include "mlv/util.h"

struct sizing {
	struct mlv_sizes *s;
	struct mlv_repo *r;
	git_odb *odb;
	struct mlv_oidset seen;
};

/* "*.ext" for a name with an extension, else the name itself. */
static void pattern_of(struct mlv_buf *out, const char *name)
{
	const char *dot = strrchr(name, '.');

	mlv_buf_clear(out);
	if (dot && dot != name && dot[1])
		mlv_buf_printf(out, "*%s", dot);
	else
		mlv_buf_puts(out, name);
}

static struct mlv_size_group *group(struct mlv_sizes *s, const char *pattern)
{
	size_t i;

	/* a repository has a few dozen kinds of file: a scan is enough */
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->groups[i].pattern, pattern))
			return &s->groups[i];
	MLV_ALLOC_GROW(s->groups, s->n, s->alloc);
	memset(&s->groups[s->n], 0, sizeof(s->groups[0]));
	s->groups[s->n].pattern = mlv_xstrdup(pattern);
	return &s->groups[s->n++];
}

static int add_blob(const git_oid *id, const char *path, void *payload)
{
	struct sizing *z = payload;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct mlv_buf pattern = MLV_BUF_INIT;
	struct mlv_size_group *g;
	struct mlv_pointer p;
	git_object_t type;
	size_t size;
	int err, pointer = 0;

	if ((err = git_odb_read_header(&size, &type, z->odb, id)) < 0)
		return mlv_error_from_git(err, "cannot read a blob");
	if (size < MLV_POINTER_MAX) {
		err = mlv_scan_read_pointer(&p, z->r, id);
		if (err < 0 && err != MLV_EINVALID)
			return err;
		pointer = err == 0;
	}
	pattern_of(&pattern, name);
	g = group(z->s, pattern.ptr);
	g->files++;
	if (pointer) {
		g->pointers++;
		g->bytes += p.size;
		g->pointer_bytes += p.size;
	} else {
		g->bytes += size;
	}
	mlv_buf_release(&pattern);
	return 0;
}

static int by_bytes(const void *a, const void *b)
{
	const struct mlv_size_group *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->pattern, y->pattern);
}

int mlv_sizes_walk(struct mlv_sizes *s, struct mlv_repo *r, git_revwalk *walk)
{
	struct sizing z = { s, r, NULL, MLV_OIDSET_INIT };
	struct mlv_buf path = MLV_BUF_INIT;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_oid id;
	int err;

	if ((err = git_repository_odb(&z.odb, r->git)) < 0)
		return mlv_error_from_git(err, "cannot open the object database");
	for (;;) {
		if ((err = git_revwalk_next(&id, walk)) == GIT_ITEROVER) {
			err = 0;
			break;
		}
		if (err < 0 || (err = git_commit_lookup(&c, r->git, &id)) < 0 ||
		    (err = git_commit_tree(&tree, c)) < 0) {
			err = mlv_error_from_git(err, "cannot read the history");
			break;
		}
		s->commits++;
		if (mlv_oidset_add(&z.seen, git_tree_id(tree)))
			err = mlv_oidset_walk_tree(&z.seen, r->git, tree, &path, add_blob, &z);
		git_tree_free(tree);
		git_commit_free(c);
		tree = NULL;
		c = NULL;
		if (err)
			break;
	}
	git_commit_free(c);
	if (!err)
		qsort(s->groups, s->n, sizeof(s->groups[0]), by_bytes);
	mlv_oidset_release(&z.seen);
	mlv_buf_release(&path);
	git_odb_free(z.odb);
	return err;
}

void mlv_sizes_release(struct mlv_sizes *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->groups[i].pattern);
	free(s->groups);
	memset(s, 0, sizeof(*s));
}
