/* git mlv migrate --from-lfs [--keep-attributes] [--dry-run] | --info */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "mlv/attributes.h"
#include "mlv/error.h"
#include "mlv/hooks.h"
#include "mlv/import.h"
#include "mlv/lfs.h"
#include "mlv/progress.h"
#include "mlv/quote.h"
#include "mlv/repo.h"
#include "mlv/run.h"
#include "mlv/scan.h"
#include "mlv/sizes.h"
#include "mlv/util.h"

#define MIGRATE_USAGE \
	"migrate --from-lfs [--keep-attributes] [--dry-run] [--quiet]\n" \
	"migrate --info [--everything | --include-ref <ref>...] [--top <n>]\n" \
	"migrate --import [--everything | --include-ref <ref>...] [--quiet] [--] <pattern>..."

#define COMMIT_MESSAGE "Store large files with mlv instead of git-lfs"

/* The hooks `git lfs install` writes; they would push to the LFS server. */
static const char *const lfs_hook_names[] = {
	"pre-push", "post-checkout", "post-commit", "post-merge", NULL
};

/* One tracked .gitattributes file and what it becomes. */
struct attr_change {
	char *path; /* from the top of the work tree */
	struct mlv_attr_file file;
	size_t lines;
};

struct from_lfs {
	struct mlv_repo *repo;
	struct attr_change *files;
	size_t n, alloc;
	size_t lines; /* in all of them */
	int dry_run, quiet, keep_attributes;
};

static void release_changes(struct from_lfs *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->files[i].path);
		mlv_attr_file_release(&m->files[i].file);
	}
	free(m->files);
}

/* 0 in a repository with a work tree, else -1 with the message. */
static int need_work_tree(const struct mlv_repo *repo)
{
	if (repo->workdir)
		return 0;
	mlv_error_set("'%s' is a bare repository: migrate in a work tree", repo->common_dir);
	return -1;
}

/* 0 when the index holds what HEAD does: the migration's commit must
 * carry nothing the user staged. */
static int index_matches_head(struct mlv_repo *repo)
{
	git_object *head = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	git_diff *diff = NULL;
	int err;

	if ((err = git_revparse_single(&head, repo->git, "HEAD^{tree}")) < 0) {
		mlv_error_set("the repository has no commits yet: there is nothing to migrate");
		return MLV_ENOTFOUND;
	}
	tree = (git_tree *)head;
	if ((err = git_repository_index(&index, repo->git)) < 0 ||
	    (err = git_diff_tree_to_index(&diff, repo->git, tree, index, NULL)) < 0) {
		err = mlv_error_from_git(err, "cannot compare the index with HEAD");
	} else if (git_diff_num_deltas(diff)) {
		mlv_error_set("the index has staged changes: commit or stash them first, since "
			      "the migration makes a commit of its own");
		err = MLV_EINVALID;
	}
	git_diff_free(diff);
	git_index_free(index);
	git_object_free(head);
	return err;
}

/* 1 when `path` ends in the file name .gitattributes */
static int is_attributes(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strcmp(base ? base + 1 : path, ".gitattributes");
}

/*
 * Read every .gitattributes file the index tracks and what its lines
 * become. A file whose work tree copy differs from the index is refused
 * (named): it would be committed half-migrated.
 */
static int plan_attributes(struct from_lfs *m)
{
	struct mlv_repo *repo = m->repo;
	git_index *index = NULL;
	git_odb *odb = NULL;
	size_t i, n;
	int err;

	if ((err = git_repository_index(&index, repo->git)) < 0 ||
	    (err = git_repository_odb(&odb, repo->git)) < 0) {
		err = mlv_error_from_git(err, "cannot read the index");
		goto done;
	}
	n = git_index_entrycount(index);
	for (i = 0; i < n && !err; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		struct attr_change *c;
		git_odb_object *blob = NULL;
		char *full;

		if (!is_attributes(e->path) || git_index_entry_stage(e) != 0)
			continue;
		MLV_ALLOC_GROW(m->files, m->n, m->alloc);
		c = &m->files[m->n++];
		memset(c, 0, sizeof(*c));
		c->path = mlv_xstrdup(e->path);
		full = mlv_path_join(repo->workdir, e->path);
		err = mlv_attr_file_load(&c->file, full);
		free(full);
		if (err < 0)
			break;
		if ((err = git_odb_read(&blob, odb, &e->id)) < 0) {
			err = mlv_error_from_git(err, "cannot read the staged .gitattributes");
			break;
		}
		if (git_odb_object_size(blob) != c->file.text.len ||
		    memcmp(git_odb_object_data(blob), c->file.text.ptr, c->file.text.len)) {
			mlv_error_set("'%s' has changes that are not committed: commit or "
				      "stash them first",
				      mlv_quote_display(e->path));
			err = MLV_EINVALID;
		}
		git_odb_object_free(blob);
		if (!err && !m->keep_attributes) {
			c->lines = mlv_attr_file_from_lfs(&c->file);
			m->lines += c->lines;
		}
	}
done:
	git_odb_free(odb);
	git_index_free(index);
	return err;
}

/* Commit the changed attribute files, and nothing else. */
static int commit_attributes(struct from_lfs *m, struct mlv_buf *commit)
{
	const char **args = mlv_xreallocarray(NULL, m->n + 10, sizeof(*args));
	size_t i, n = 0, first;
	int rc, err = 0;

	args[n++] = "--literal-pathspecs";
	args[n++] = "add";
	args[n++] = "--";
	first = n;
	for (i = 0; i < m->n; i++) {
		if (!m->files[i].lines)
			continue;
		if ((err = mlv_attr_file_save(&m->files[i].file)) < 0)
			goto done;
		args[n++] = m->files[i].path;
	}
	args[n] = NULL;
	if ((rc = mlv_run_git(NULL, args, MLV_RUN_NO_STDIN)) != 0) {
		mlv_error_set("'git add' of the changed .gitattributes failed (exit %d)", rc);
		err = MLV_ERROR;
		goto done;
	}
	/* the same paths, as "commit -q -m MESSAGE -- PATH..." */
	memmove(args + first + 3, args + first, (n - first + 1) * sizeof(*args));
	args[1] = "commit";
	args[2] = "-q";
	args[3] = "-m";
	args[4] = COMMIT_MESSAGE;
	args[5] = "--";
	if ((rc = mlv_run_git(NULL, args, MLV_RUN_NO_STDIN)) != 0) {
		mlv_error_set("'git commit' of the changed .gitattributes failed (exit %d); "
			      "they are staged: commit them yourself",
			      rc);
		err = MLV_ERROR;
		goto done;
	}
	{
		const char *const rev[] = { "rev-parse", "--short", "HEAD", NULL };

		if (mlv_run_git(commit, rev, MLV_RUN_NO_STDIN) == 0)
			while (commit->len && commit->ptr[commit->len - 1] == '\n')
				mlv_buf_truncate(commit, commit->len - 1);
	}
done:
	free(args);
	return err;
}

/* 1 when the file at `path` is the hook `git lfs install` writes. */
static int is_lfs_hook(const char *path, const char *name)
{
	struct mlv_buf text = MLV_BUF_INIT, line = MLV_BUF_INIT;
	int yes;

	if (mlv_buf_read_file(&text, path) < 0) {
		mlv_error_clear();
		return 0;
	}
	mlv_buf_printf(&line, "git lfs %s \"$@\"", name);
	yes = text.len < 4096 && strstr(text.ptr, line.ptr) &&
	      strstr(text.ptr, "command -v git-lfs");
	mlv_buf_release(&text);
	mlv_buf_release(&line);
	return yes;
}

/*
 * Remove git-lfs's own hooks (as they are, or chained behind mlv's shim),
 * which would upload to the LFS server at every push; install mlv's.
 * What was done goes to `report`.
 */
static int switch_hooks(struct from_lfs *m, struct mlv_buf *report)
{
	struct mlv_buf dir = MLV_BUF_INIT, path = MLV_BUF_INIT, removed = MLV_BUF_INIT;
	size_t i, s;
	int err = 0;

	mlv_hooks_dir(&dir, m->repo);
	for (i = 0; lfs_hook_names[i]; i++) {
		static const char *const suffixes[] = { "", ".pre-mlv" };

		for (s = 0; s < 2; s++) {
			mlv_buf_clear(&path);
			mlv_buf_printf(&path, "%s/%s%s", dir.ptr, lfs_hook_names[i], suffixes[s]);
			if (!is_lfs_hook(path.ptr, lfs_hook_names[i]))
				continue;
			if (!m->dry_run && unlink(path.ptr) < 0) {
				mlv_error_set_errno("cannot remove '%s'", path.ptr);
				err = MLV_ERROR;
				goto done;
			}
			mlv_buf_printf(&removed, "%s%s", removed.len ? ", " : "",
				       lfs_hook_names[i]);
		}
	}
	if (removed.len)
		mlv_buf_printf(report, "%s git-lfs's hooks %s ('git lfs install' puts them "
			       "back)\n", m->dry_run ? "would remove" : "removed", removed.ptr);
	if (!m->dry_run && (err = mlv_hooks_install(m->repo, 0, report)) < 0)
		goto done;
done:
	mlv_buf_release(&dir);
	mlv_buf_release(&path);
	mlv_buf_release(&removed);
	return err;
}

static void print_bad(const char *path, const char *why, void *payload)
{
	(void)payload;
	fprintf(stderr, "warning: left out '%s': %s\n", mlv_quote_display(path), why);
}

struct missing {
	struct mlv_repo *repo;
	const char *lfs_dir; /* counts as here in a dry run */
	size_t n;
	char *first_copy;
};

static int count_missing(const char *path, const struct mlv_pointer *p,
			 const git_index_entry *entry, void *payload)
{
	struct missing *ms = payload;

	(void)entry;
	if (mlv_store_has(&ms->repo->store, p->oid))
		return 0;
	if (ms->lfs_dir && mlv_lfs_has(ms->lfs_dir, p->oid))
		return 0;
	if (!ms->n++)
		ms->first_copy = mlv_xstrdup(path);
	return 0;
}

static int from_lfs(struct mlv_repo *repo, int dry_run, int quiet, int keep_attributes)
{
	struct from_lfs m = { repo, NULL, 0, 0, 0, dry_run, quiet, keep_attributes };
	struct mlv_lfs_import im;
	struct mlv_buf dir = MLV_BUF_INIT, hooks = MLV_BUF_INIT, commit = MLV_BUF_INIT;
	struct missing ms = { repo, NULL, 0, NULL };
	char bytes[32];
	const char *would = dry_run ? "would " : "";
	int rc = 0;

	if (need_work_tree(repo) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (index_matches_head(repo) < 0 || plan_attributes(&m) < 0) {
		rc = die_with_error("");
		goto done;
	}
	/* objects first: a migration stopped after this is simply run again */
	mlv_lfs_objects_dir(&dir, repo);
	if (mlv_lfs_import(&im, repo, dir.ptr, dry_run, quiet, print_bad, NULL) < 0) {
		rc = die_with_error("");
		goto done;
	}
	mlv_progress_human_bytes(bytes, sizeof(bytes), (double)im.bytes);
	printf("migrate: %stake %zu objects (%s) from %s: %zu hard-linked, %zu copied, "
	       "%zu already in the store\n",
	       would, im.linked + im.copied, bytes, mlv_quote_display(dir.ptr), im.linked,
	       im.copied, im.present);
	if (im.corrupt || im.foreign)
		printf("migrate: %zu files of %s left out (named above)\n",
		       im.corrupt + im.foreign, mlv_quote_display(dir.ptr));
	if (switch_hooks(&m, &hooks) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (hooks.len)
		printf("%s", hooks.ptr);
	/* commits made before the migration still say filter=lfs */
	if (!dry_run && install_filter_driver("lfs", "--local") < 0) {
		rc = die_with_error("");
		goto done;
	}
	printf("migrate: %smake mlv the lfs filter driver of this repository "
	       "(filter.lfs.process), for commits that still say filter=lfs\n", would);
	if (keep_attributes) {
		printf("migrate: keep filter=lfs in .gitattributes\n");
	} else if (!m.lines) {
		printf("migrate: .gitattributes has no filter=lfs line to change\n");
	} else {
		if (!dry_run && commit_attributes(&m, &commit) < 0) {
			rc = die_with_error("");
			goto done;
		}
		printf("migrate: %schange %zu line%s of %s to filter=mlv", would, m.lines,
		       m.lines == 1 ? "" : "s", ".gitattributes");
		if (commit.len)
			printf(" (commit %s \"%s\")", commit.ptr, COMMIT_MESSAGE);
		printf("\n");
	}
	if (dry_run)
		ms.lfs_dir = dir.ptr;
	if (mlv_scan_tree(repo, "HEAD", count_missing, &ms) == 0 && ms.n) {
		fflush(stdout);
		fprintf(stderr, "warning: %zu file%s of HEAD (%s%s) %s no object here: git-lfs "
			"never fetched %s\n", ms.n, ms.n == 1 ? "" : "s",
			mlv_quote_display(ms.first_copy), ms.n > 1 ? ", ..." : "",
			ms.n == 1 ? "has" : "have", ms.n == 1 ? "it" : "them");
		fprintf(stderr, "hint: 'git lfs fetch --all' before the migration brings them; "
			"run 'git mlv migrate --from-lfs' again after it\n");
	}
	mlv_error_clear();
done:
	free(ms.first_copy);
	release_changes(&m);
	mlv_buf_release(&dir);
	mlv_buf_release(&hooks);
	mlv_buf_release(&commit);
	return rc;
}

struct refs_option {
	const char **refs;
	size_t n, alloc;
};

static struct refs_option include_refs;

static int add_include_ref(const struct option *o, const char *arg)
{
	(void)o;
	MLV_ALLOC_GROW(include_refs.refs, include_refs.n, include_refs.alloc);
	include_refs.refs[include_refs.n++] = arg;
	return 0;
}

static int info(struct mlv_repo *repo, int everything, const char *top_text)
{
	struct mlv_sizes sizes = MLV_SIZES_INIT;
	git_revwalk *walk = NULL;
	unsigned long top = 10;
	char *end, bytes[32];
	size_t i, plain = 0;
	int err, rc = 0;

	if (top_text) {
		top = strtoul(top_text, &end, 10);
		if (end == top_text || *end || top_text[0] == '-') {
			mlv_error_set("--top '%s' is not a number", mlv_quote_display(top_text));
			return die_with_error("");
		}
	}
	if ((err = git_revwalk_new(&walk, repo->git)) < 0) {
		err = mlv_error_from_git(err, "cannot walk the history");
	} else if (everything) {
		if ((err = git_revwalk_push_glob(walk, "refs/*")) < 0)
			err = mlv_error_from_git(err, "cannot read the refs");
	} else if (!include_refs.n) {
		if ((err = git_revwalk_push_head(walk)) < 0) {
			mlv_error_set("HEAD has no commits: nothing to look at");
			err = MLV_ENOTFOUND;
		}
	}
	for (i = 0; i < include_refs.n && !err; i++) {
		git_object *obj = NULL;

		if ((err = git_revparse_single(&obj, repo->git, include_refs.refs[i])) < 0 ||
		    (err = git_revwalk_push(walk, git_object_id(obj))) < 0) {
			mlv_error_set("--include-ref '%s' names no commit",
				      mlv_quote_display(include_refs.refs[i]));
			err = MLV_ENOTFOUND;
		}
		git_object_free(obj);
	}
	if (err < 0 || (err = mlv_sizes_walk(&sizes, repo, walk)) < 0) {
		rc = die_with_error("");
		goto done;
	}
	for (i = 0; i < sizes.n && i < top; i++) {
		const struct mlv_size_group *g = &sizes.groups[i];

		mlv_progress_human_bytes(bytes, sizeof(bytes), (double)g->bytes);
		printf("%-20s %12s %8zu file%s %8zu stored by mlv or git-lfs%s\n",
		       mlv_quote_display(g->pattern), bytes, g->files,
		       g->files == 1 ? " " : "s", g->pointers,
		       g->pointers < g->files ? "" : " (all)");
		if (g->pointers < g->files)
			plain++;
	}
	if (sizes.n > top)
		printf("(%zu more kinds of file: --top %zu shows all)\n", sizes.n - top, sizes.n);
	printf("migrate: %zu commit%s, %zu kind%s of file\n", sizes.commits,
	       sizes.commits == 1 ? "" : "s", sizes.n, sizes.n == 1 ? "" : "s");
done:
	mlv_sizes_release(&sizes);
	git_revwalk_free(walk);
	return rc;
}

/* The refs an import rewrites, with their values before it. */
struct ref_list {
	char **names;
	git_oid *old;
	size_t n, alloc;
};

static void ref_list_add(struct ref_list *l, const char *name, const git_oid *id)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 8;
		l->names = mlv_xreallocarray(l->names, l->alloc, sizeof(*l->names));
		l->old = mlv_xreallocarray(l->old, l->alloc, sizeof(*l->old));
	}
	l->names[l->n] = mlv_xstrdup(name);
	l->old[l->n++] = *id;
}

static void ref_list_release(struct ref_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->old);
}

struct listing {
	struct mlv_repo *repo;
	struct ref_list *refs;
};

static int add_ref(const char *name, void *payload)
{
	struct listing *ls = payload;
	git_oid id;

	if (git_reference_name_to_id(&id, ls->repo->git, name) == 0)
		ref_list_add(ls->refs, name, &id);
	git_error_clear();
	return 0;
}

/* The refs to rewrite: HEAD's branch, each --include-ref, or with
 * --everything every branch and tag. */
static int refs_to_rewrite(struct ref_list *l, struct mlv_repo *repo, int everything)
{
	struct listing ls = { repo, l };
	git_reference *ref = NULL, *head = NULL;
	size_t i;
	int err = 0;

	if (everything) {
		git_reference_foreach_glob(repo->git, "refs/heads/*", add_ref, &ls);
		git_reference_foreach_glob(repo->git, "refs/tags/*", add_ref, &ls);
		return 0;
	}
	for (i = 0; i < include_refs.n && !err; i++) {
		const char *name = include_refs.refs[i];

		if (git_reference_dwim(&ref, repo->git, name) < 0 ||
		    (strncmp(git_reference_name(ref), "refs/heads/", 11) &&
		     strncmp(git_reference_name(ref), "refs/tags/", 10)) ||
		    !git_reference_target(ref)) {
			mlv_error_set("--include-ref '%s' names no branch or tag",
				      mlv_quote_display(name));
			err = MLV_ENOTFOUND;
		} else {
			ref_list_add(l, git_reference_name(ref), git_reference_target(ref));
		}
		git_reference_free(ref);
		ref = NULL;
	}
	if (include_refs.n || err)
		return err;
	if (git_repository_head(&head, repo->git) < 0 || !git_reference_is_branch(head)) {
		mlv_error_set("HEAD is no branch with commits: name what to rewrite with "
			      "--include-ref or --everything");
		err = MLV_EINVALID;
	} else {
		ref_list_add(l, git_reference_name(head), git_reference_target(head));
	}
	git_reference_free(head);
	return err;
}

/* Undo: every ref back to its value before, the backups dropped. */
static void restore_refs(struct mlv_repo *repo, const struct ref_list *l,
			 const char *backup)
{
	struct mlv_buf name = MLV_BUF_INIT;
	git_reference *ref = NULL;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (git_reference_create(&ref, repo->git, l->names[i], &l->old[i], 1,
					 "mlv migrate --import: nothing to import") == 0)
			git_reference_free(ref);
		mlv_buf_clear(&name);
		mlv_buf_printf(&name, "%s%s", backup, l->names[i] + 5);
		if (git_reference_lookup(&ref, repo->git, name.ptr) == 0) {
			git_reference_delete(ref);
			git_reference_free(ref);
		}
		ref = NULL;
	}
	git_error_clear();
	mlv_buf_release(&name);
}

static int import(struct mlv_repo *repo, int everything, int quiet, char **patterns,
		  size_t npatterns)
{
	struct mlv_import_options o = { (const char *const *)patterns, npatterns, NULL, 0, quiet };
	struct mlv_import_result res = MLV_IMPORT_RESULT_INIT;
	struct ref_list refs = { NULL, NULL, 0, 0 };
	struct mlv_buf out = MLV_BUF_INIT, backup = MLV_BUF_INIT, name = MLV_BUF_INIT;
	const char **revs = NULL;
	git_reference *ref = NULL;
	char bytes[32];
	size_t i;
	int rc = 0, head_rewritten = 0;

	if (need_work_tree(repo) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (!mlv_repo_config_string(&out, repo, "filter.mlv.process")) {
		mlv_error_set("mlv's filter is not configured: run 'git mlv install' first, so "
			      "that the files check out after the rewrite");
		rc = die_with_error("");
		goto done;
	}
	{
		const char *const status[] = { "status", "--porcelain", "--untracked-files=no",
					       NULL };

		mlv_buf_clear(&out);
		if (mlv_run_git(&out, status, MLV_RUN_NO_STDIN) != 0 || out.len) {
			mlv_error_set("the work tree or the index has changes: commit or stash "
				      "them first (the rewrite moves the branch under them)");
			rc = die_with_error("");
			goto done;
		}
	}
	if (refs_to_rewrite(&refs, repo, everything) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (!refs.n) {
		fprintf(stderr, "mlv: no branch or tag to rewrite\n");
		goto done;
	}
	/* backups first: refs/mlv/backup/<time>/heads/main */
	for (i = 0;; i++) {
		git_reference *taken = NULL;

		mlv_buf_clear(&backup);
		mlv_buf_printf(&backup, "refs/mlv/backup/%lld", (long long)time(NULL));
		if (i)
			mlv_buf_printf(&backup, "-%zu", i);
		mlv_buf_clear(&name);
		mlv_buf_printf(&name, "%s/%s", backup.ptr, refs.names[0] + 5);
		if (git_reference_lookup(&taken, repo->git, name.ptr) < 0)
			break; /* a second import within the second gets its own */
		git_reference_free(taken);
	}
	git_error_clear();
	mlv_buf_putc(&backup, '/');
	revs = mlv_xreallocarray(NULL, refs.n, sizeof(*revs));
	for (i = 0; i < refs.n; i++) {
		mlv_buf_clear(&name);
		mlv_buf_printf(&name, "%s%s", backup.ptr, refs.names[i] + 5);
		if (git_reference_create(&ref, repo->git, name.ptr, &refs.old[i], 0,
					 "mlv migrate --import: backup") < 0) {
			mlv_error_from_git(-1, "cannot write the backup ref");
			restore_refs(repo, &refs, backup.ptr);
			rc = die_with_error("");
			goto done;
		}
		git_reference_free(ref);
		ref = NULL;
		revs[i] = refs.names[i];
	}
	o.revs = revs;
	o.nrevs = refs.n;
	if (mlv_import(&res, repo, &o) < 0) {
		fprintf(stderr, "fatal: %s\n", mlv_error_last());
		fprintf(stderr, "hint: the refs as they were are under %s\n", backup.ptr);
		rc = 128;
		goto done;
	}
	if (!res.files) {
		restore_refs(repo, &refs, backup.ptr);
		fprintf(stderr, "mlv: no file of that history matches; nothing was rewritten\n");
		goto done;
	}
	if (git_repository_head(&ref, repo->git) == 0)
		for (i = 0; i < refs.n && !head_rewritten; i++)
			head_rewritten = !strcmp(git_reference_name(ref), refs.names[i]);
	git_reference_free(ref);
	ref = NULL;
	git_error_clear();
	if (head_rewritten) {
		const char *const reset[] = { "reset", "-q", NULL };
		const char *const attrs[] = { "checkout", "HEAD", "--", ":(top,literal).gitattributes",
					      NULL };
		const char *const refresh[] = { "update-index", "-q", "--refresh", NULL };

		/* the index to the new HEAD, and its .gitattributes into the
		 * work tree; every other file has the same bytes as before */
		if (mlv_run_git(NULL, reset, MLV_RUN_NO_STDIN) != 0 ||
		    mlv_run_git(NULL, attrs, MLV_RUN_NO_STDIN) != 0)
			fprintf(stderr, "warning: updating the work tree after the rewrite "
				"failed: run 'git reset --hard'\n");
		mlv_run_git(NULL, refresh, MLV_RUN_NO_STDIN | MLV_RUN_QUIET);
	}
	fwrite(res.map.ptr, 1, res.map.len, stdout);
	fflush(stdout);
	mlv_progress_human_bytes(bytes, sizeof(bytes), (double)res.bytes);
	fprintf(stderr, "migrate: rewrote %zu commit%s of %zu ref%s: %zu file%s (%s) are now "
		"pointers, their content in the store\n", res.commits,
		res.commits == 1 ? "" : "s", refs.n, refs.n == 1 ? "" : "s", res.files,
		res.files == 1 ? "" : "s", bytes);
	fprintf(stderr, "migrate: the refs as they were are under %s; publish the new "
		"history with 'git push --force'\n", backup.ptr);
done:
	free(revs);
	ref_list_release(&refs);
	mlv_import_result_release(&res);
	mlv_buf_release(&out);
	mlv_buf_release(&backup);
	mlv_buf_release(&name);
	return rc;
}

int cmd_migrate(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	int rc, from = 0, show = 0, keep = 0, dry_run = 0, quiet = 0, everything = 0, rewrite = 0;
	const char *top = NULL;
	const struct option opts[] = {
		OPT_FLAG_NONEG(0, "from-lfs", &from,
			       "make this git-lfs repository an mlv one, rewriting no commit"),
		OPT_FLAG(0, "keep-attributes", &keep,
			 "with --from-lfs: leave filter=lfs, make mlv the lfs filter driver"),
		OPT_FLAG('n', "dry-run", &dry_run, "with --from-lfs: say what would be done"),
		OPT_FLAG('q', "quiet", &quiet, "no progress"),
		OPT_FLAG_NONEG(0, "info", &show, "the bytes history holds, by kind of file"),
		OPT_FLAG_NONEG(0, "import", &rewrite,
			       "rewrite history: files matching the patterns become pointers"),
		OPT_FLAG(0, "everything", &everything,
			 "with --info or --import: every branch and tag"),
		OPT_CALLBACK(0, "include-ref", NULL, add_include_ref, "<ref>",
			     "with --info or --import: this ref (again for more)"),
		OPT_STRING(0, "top", &top, "<n>", "with --info: the n largest kinds (10)"),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, MIGRATE_USAGE)))
		goto done;
	if ((argc > 1) != rewrite || from + show + rewrite != 1 ||
	    ((show || rewrite) && (keep || dry_run)) || (rewrite && top) ||
	    (from && (everything || include_refs.n || top)) ||
	    (everything && include_refs.n)) {
		rc = usage_with_options(MIGRATE_USAGE, opts);
		goto done;
	}
	if (mlv_repo_open(&repo) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (from)
		rc = from_lfs(&repo, dry_run, quiet, keep);
	else if (show)
		rc = info(&repo, everything, top);
	else
		rc = import(&repo, everything, quiet, argv + 1, (size_t)argc - 1);
done:
	free(include_refs.refs);
	mlv_repo_release(&repo);
	return rc;
}
