#ifndef MLV_COMMANDS_BUILTIN_H
#define MLV_COMMANDS_BUILTIN_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/*
 * One function per `git mlv <verb>`. Each gets the arguments after the
 * verb (argv[0] is the verb), prints its own output and messages, and
 * returns the process exit code.
 */

int cmd_install(int argc, char **argv);
int cmd_uninstall(int argc, char **argv);
int cmd_track(int argc, char **argv);
int cmd_untrack(int argc, char **argv);
int cmd_filter_process(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_smudge(int argc, char **argv);
int cmd_pointer(int argc, char **argv);
int cmd_checkout(int argc, char **argv);
int cmd_ls_files(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_fsck(int argc, char **argv);
int cmd_env(int argc, char **argv);
int cmd_sidecar(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_lineage(int argc, char **argv);
int cmd_uses(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_find(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_assign(int argc, char **argv);
int cmd_unassign(int argc, char **argv);
int cmd_deprecate(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_registry(int argc, char **argv);
int cmd_hook(int argc, char **argv);
struct mlv_repo;
int cmd_push(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_pull(int argc, char **argv);
/*
 * Upload the mlv objects of `git rev-list --objects TIPS --not HIDES` to
 * the store of `remote` (the pre-push hook, `git mlv push`). 0, or an
 * error with its message set.
 */
int push_objects(struct mlv_repo *repo, const char *remote,
		 const char *const *tips, size_t ntips, const char *const *hides,
		 size_t nhides, int quiet);

struct mlv_backend;
/* Open the store of `remote`, first saying where a store named by a
 * committed file came from. 0, or an error with its message set. */
int open_remote_store(struct mlv_backend **b, struct mlv_repo *repo,
		      const char *remote);

/* Where git mlv fsck --remote lists the objects it found bad in the store
 * of a remote, one oid a line, for git mlv push --repair (malloc'd). */
char *remote_bad_path(struct mlv_repo *repo, const char *remote);

struct mlv_repo;
typedef struct git_revwalk git_revwalk;

/* Check every commit `walk` yields against the policy; print failures.
 * Returns the exit code: 0, 1 when a commit fails, 128 on error. */
int verify_revwalk(struct mlv_repo *repo, git_revwalk *walk, int quiet);

/* The model a command-line path names, repository-relative (the path of
 * its sidecar names the model too); malloc'd. */
char *model_path(struct mlv_repo *r, const char *arg);

/* One model version (mlv_lineage_describe()'s object) as git log would
 * show a commit; colour escapes when `color`. */
void print_version_text(FILE *out, const json_t *v, int color);

/* A JSON scalar as text: a string as it is, a number in the fewest digits
 * that read back as it (0.93, not 0.93000000000000005), null as
 * "(none)". */
void print_value(FILE *out, const json_t *v);

/* The options every query command shares. */
struct output_opts {
	const char *format; /* "text" unless --format says otherwise */
	int no_pager;
	int color; /* -1: as color.ui says */
};

#define OUTPUT_OPTS_INIT { "text", 0, -1 }

/* When argv[*i] is --format[=]F, --no-pager, --color or --no-color, take
 * it (and its value, advancing *i) and return 1; else 0. */
int output_option(struct output_opts *o, int argc, char **argv, int *i);

struct mlv_buf;
typedef struct git_oid git_oid;

/*
 * The commit a command-line revision names, a model reference first
 * (models/fraud@1.2.0, models/fraud#prod: mlv_registry_resolve()). 1 when
 * `arg` is a model reference, with the model's path at that commit into
 * `model` (may be NULL); 0 when it is an ordinary git revision; else a
 * negative error with its message set: MLV_EINVALID for a reference that
 * names nothing, MLV_ENOTFOUND when `arg` names no commit at all.
 */
int resolve_rev(git_oid *commit, struct mlv_buf *model, struct mlv_repo *r,
		const char *arg);

typedef struct git_tree git_tree;
/* The file `path` as commit `id` (named `rev` in messages) holds it, into
 * `text`, and the commit's tree into `*tree` (the caller frees it). 0,
 * MLV_ENOTFOUND (message set) when the commit has no such file, or another
 * negative error. */
int read_committed(struct mlv_buf *text, git_tree **tree, struct mlv_repo *repo,
		   const git_oid *id, const char *path, const char *rev);

/* The sidecar of `model` as commit `id` holds it, parsed into `sc` (what
 * could be read; its problems are not the caller's question). 1 when the
 * commit has one, else 0. */
struct mlv_sidecar;
int committed_sidecar(struct mlv_sidecar *sc, struct mlv_repo *repo, const git_oid *id,
		      const char *model);

/* Print "fatal: <last mlv error>" (or `what` when it is empty); return 128. */
int die_with_error(const char *what);

/*
 * Run man(1) on `page` (git-mlv-sidecar, mlvconfig, ...) in place of this
 * process, as `git help` does; from the build tree the pages `make doc`
 * built come first. Returns only when man cannot be run: 128, with a
 * message.
 */
int show_man_page(const char *page);

/*
 * "git mlv: 'sidcar' is not a git mlv command", and the most similar of
 * `names` when one is close enough, as git says it; on stderr. Returns 1,
 * git's exit code for it.
 */
int unknown_command(const char *typed, const char *const *names, size_t n);

/* Print "usage: git mlv <usage>" to stderr; return 129 as git does. */
int usage_error(const char *usage);

#endif
