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
/* Make mlv the filter driver `driver` (filter.<driver>.process and the
 * rest: "mlv", or "lfs" in a repository taken over from git-lfs) in
 * `scope` ("--global", "--local") git config. 0, or -1 with a message. */
int install_filter_driver(const char *driver, const char *scope);
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
int cmd_prune(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
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

/* The remote `name`, which must be one: else the message says which
 * remote comes closest. 0, or the exit code (128). */
int check_remote(struct mlv_repo *repo, const char *name);

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

/* Check every commit `walk` yields against the policy; print failures,
 * or with `json` record them there ({"checked", "failed", "failures"}).
 * Returns the exit code: 0, 1 when a commit fails, 128 on error. */
int verify_revwalk(struct mlv_repo *repo, git_revwalk *walk, int quiet, json_t *json);

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

/* The output options of a reader: --format F (`formats` says which),
 * --no-pager, --color and --no-color. */
#define OPT_OUTPUT(o, formats) \
	OPT_STRING(0, "format", &(o)->format, "<format>", (formats)), \
	OPT_FLAG(0, "color", &(o)->color, "colour even off a terminal (--no-color: never)"), \
	OPT_FLAG_NONEG(0, "no-pager", &(o)->no_pager, "print, do not page")

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

/*
 * The option parser of every command. A table of options, ended by
 * OPT_END(), gives the parsing and the usage text at once:
 *
 *   OPT_FLAG('q', "quiet", &quiet, "say less")          -q, --quiet, --no-quiet
 *   OPT_STRING(0, "stage", &stage, "<stage>", "...")    --stage X, --stage=X
 *   OPT_OPTARG(0, "push", &remote, "<remote>", "", "...")  --push, --push=X
 *   OPT_CALLBACK('p', "param", fn, "<k=v>", "...")      each time it is given
 *
 * Options and arguments come in any order; "--" ends the options; short
 * flags bundle ("-qs"); a short option's value may follow it ("-mtext").
 * An unknown option or a missing value names the option, suggests the
 * nearest one and prints the usage to stderr; -h prints it to stdout.
 */
enum option_type { OPTION_END, OPTION_FLAG, OPTION_STRING, OPTION_CALLBACK };

#define OPTION_NONEG 1  /* a flag without --no-<flag> */
#define OPTION_OPTARG 2 /* a string whose value is optional: only "--opt=value" */

struct option {
	enum option_type type;
	char short_name;
	const char *long_name;
	void *value;      /* OPTION_FLAG: int *; OPTION_STRING: const char ** */
	const char *argh; /* the value's name in the usage: "<stage>" */
	const char *help;
	unsigned flags;
	const char *defval; /* OPTION_OPTARG: the value of a bare --opt */
	/* OPTION_CALLBACK: called with the value; 0, or -1 after a message */
	int (*callback)(const struct option *o, const char *arg);
};

#define OPT_FLAG(s, l, v, h) { OPTION_FLAG, (s), (l), (v), NULL, (h), 0, NULL, NULL }
#define OPT_STRING(s, l, v, a, h) { OPTION_STRING, (s), (l), (v), (a), (h), 0, NULL, NULL }
#define OPT_OPTARG(s, l, v, a, d, h) \
	{ OPTION_STRING, (s), (l), (v), (a), (h), OPTION_OPTARG, (d), NULL }
#define OPT_CALLBACK(s, l, v, f, a, h) \
	{ OPTION_CALLBACK, (s), (l), (v), (a), (h), 0, NULL, (f) }
#define OPT_FLAG_NONEG(s, l, v, h) \
	{ OPTION_FLAG, (s), (l), (v), NULL, (h), OPTION_NONEG, NULL, NULL }
#define OPT_END() { OPTION_END, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL }

/*
 * Parse the options of argv[1..*argc-1] (argv[0] is the verb), leaving
 * the other arguments, in order, in argv[1..*argc-1]. 0; or 129 after the
 * message and the usage (`usage`: the line after "git mlv", several
 * separated by newlines).
 */
int parse_options(int *argc, char **argv, const struct option *opts, const char *usage);

/* The same; with PARSE_KEEP_DASHDASH the "--" that ends the options stays
 * among the arguments, for a command to which its place matters
 * (revisions before it, paths after, as git log reads them). */
#define PARSE_KEEP_DASHDASH 1
int parse_options_flags(int *argc, char **argv, const struct option *opts,
			const char *usage, unsigned flags);

/* --format text|json with --json as its alias, for a command that
 * prints for people and for scripts. */
#define OPT_FORMAT_JSON(format, json) \
	OPT_STRING(0, "format", (format), "<format>", "text (the default) or json"), \
	OPT_FLAG(0, "json", (json), "the same as --format json")

/* After OPT_FORMAT_JSON: *json set when JSON was asked for. 0, or 129
 * after naming a format that is neither. */
int text_or_json(int *json, const char *format);

/* Print the usage with the options to stderr; return 129. */
int usage_with_options(const char *usage, const struct option *opts);

/* The items of `problems` as a JSON array of strings. */
struct mlv_problems;
json_t *problems_json(const struct mlv_problems *problems);

/* A file stored as a pointer, as ls-files and status write it in JSON:
 * path, oid, size, state and whether the local store has it. */
struct mlv_pointer;
json_t *pointer_file_json(struct mlv_repo *repo, const char *path,
			  const struct mlv_pointer *p, int state);

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

/*
 * The paths of a command line (`git mlv checkout PATH...`), each from the
 * current directory: a path names the file or every file under the
 * directory; a pattern (with `glob`, or written ":(glob)PATTERN") matches
 * as in .gitattributes. No paths match everything.
 */
struct path_arg;
struct path_args {
	char *const *args; /* as typed, for messages */
	struct path_arg *items;
	size_t n;
};

/* 0, or MLV_EINVALID (message set) for a path outside the work tree or a
 * bad pattern; path_args_release() frees what was made either way. */
int path_args_init(struct path_args *a, const char *workdir, char *const *args,
		   size_t n, int glob);

/* 1 when the repository path `path` is one of them, or under one; marks
 * which matched. */
int path_args_match(struct path_args *a, const char *path);

/* As git does for a pathspec that names nothing: an error on stderr for
 * each argument that matched no path, shell-quoted. 1 when one did not. */
int path_args_report_unmatched(const struct path_args *a);

void path_args_release(struct path_args *a);

/* The current directory from the top of `workdir`: "" or "dir/", to free. */
char *path_cwd_prefix(const char *workdir);

/*
 * Replace `q` with the repository path `path` quoted for a `git add` or
 * `git rm` the user pastes in the directory `prefix` (path_cwd_prefix()):
 * as it is at the work tree top, as `:(top,literal)PATH` below it (git
 * reads pathspecs from the current directory). Returns `q->ptr`.
 */
const char *path_pathspec_here(struct mlv_buf *q, const char *prefix, const char *path);

/*
 * Replace `q` with the repository path `path` quoted as a literal path
 * argument of a git mlv command (path_args_init()) pasted in the directory
 * `prefix`: relative to it, "../" as needed, and "./" in front of a name
 * that would read as an option or as a ":(glob)" pattern. Returns `q->ptr`.
 */
const char *path_arg_here(struct mlv_buf *q, const char *prefix, const char *path);

#endif
