#include <stdio.h>
#include <string.h>

#include <git2.h>

#include "builtin.h"
#include "mlv/buf.h"
#include "mlv/error.h"

#ifndef MLV_VERSION
#define MLV_VERSION "0.0.0-dev"
#endif

#define TOP_USAGE "[--version] [--help] <command> [<args>]"

/* The groups `git mlv help` lists the verbs in, in this order. */
enum group { WORKTREE, LINEAGE, REGISTRY, REMOTES, PLUMBING };

static const char *const group_titles[] = {
	[WORKTREE] = "start a working area and look at it",
	[LINEAGE] = "record and query lineage",
	[REGISTRY] = "the model registry: versions and stages",
	[REMOTES] = "move files to and from a remote's store",
	[PLUMBING] = "plumbing: what git and the hooks run",
};

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	enum group group;
	const char *help;
};

/* Each verb has a manual page git-mlv-<name>(1) (docs/man/). */
static const struct command commands[] = {
	{ "install", cmd_install, WORKTREE, "configure the mlv filter in git config" },
	{ "uninstall", cmd_uninstall, WORKTREE, "remove the mlv filter from git config" },
	{ "track", cmd_track, WORKTREE, "store files matching a pattern with mlv" },
	{ "untrack", cmd_untrack, WORKTREE, "stop storing a pattern with mlv" },
	{ "status", cmd_status, WORKTREE, "show tracked files: materialized, pointer, modified" },
	{ "ls-files", cmd_ls_files, WORKTREE, "list files stored as pointers" },
	{ "checkout", cmd_checkout, WORKTREE, "replace pointers in the work tree with content" },
	{ "fsck", cmd_fsck, WORKTREE, "verify the local store against HEAD and the index" },
	{ "prune", cmd_prune, WORKTREE, "delete local objects that nothing needs and the remote has" },
	{ "migrate", cmd_migrate, WORKTREE, "adopt a git-lfs repository without rewriting it; sizes by file kind" },
	{ "pointer", cmd_pointer, WORKTREE, "print the pointer for a file" },
	{ "env", cmd_env, LINEAGE, "print this machine's [environment] section" },
	{ "sidecar", cmd_sidecar, LINEAGE, "write, update, check or show a model's lineage record" },
	{ "verify", cmd_verify, LINEAGE, "check commits against the lineage policy" },
	{ "lineage", cmd_lineage, LINEAGE, "show which data, config and environment made each model version" },
	{ "uses", cmd_uses, LINEAGE, "list the model versions whose sidecars record a data version" },
	{ "diff", cmd_diff, LINEAGE, "show what differs between two versions of a model" },
	{ "find", cmd_find, LINEAGE, "list the model versions whose lineage matches an expression" },
	{ "register", cmd_register, REGISTRY, "register a model version: a tag NAME@vX.Y.Z" },
	{ "assign", cmd_assign, REGISTRY, "put a registered version in a stage: a tag NAME#STAGE#N" },
	{ "unassign", cmd_unassign, REGISTRY, "take the version out of a stage" },
	{ "deprecate", cmd_deprecate, REGISTRY, "mark a registered model deprecated" },
	{ "models", cmd_models, REGISTRY, "list registered models: latest version and stages" },
	{ "registry", cmd_registry, REGISTRY, "registry log: every registry event, or the state at a date" },
	{ "push", cmd_push, REMOTES, "upload mlv objects to a remote's store" },
	{ "fetch", cmd_fetch, REMOTES, "download mlv objects from a remote's store" },
	{ "pull", cmd_pull, REMOTES, "fetch mlv objects and check them out" },
	{ "gc", cmd_gc, REMOTES, "move what no ref of an mlv:: store reaches to its trash, safely" },
	{ "hook", cmd_hook, PLUMBING, "run an mlv git hook" },
	{ "filter-process", cmd_filter_process, PLUMBING, "git's long-running filter" },
	{ "clean", cmd_clean, PLUMBING, "clean stdin to a pointer on stdout" },
	{ "smudge", cmd_smudge, PLUMBING, "smudge a pointer on stdin to content" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The pages that are no verb's, which `git mlv help NAME` opens too. */
static const char *const other_pages[] = {
	"git-mlv", "git-remote-mlv", "mlv-sidecar", "mlvconfig", "mlv-store",
};

int die_with_error(const char *what)
{
	const char *msg = mlv_error_last();

	fprintf(stderr, "fatal: %s\n", *msg ? msg : what);
	return 128;
}

int usage_error(const char *usage)
{
	fprintf(stderr, "usage: git mlv %s\n", usage);
	return 129;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* The verbs by group, as `git help` lists git's. */
static void print_help(FILE *out)
{
	size_t g, i;

	fprintf(out, "usage: git mlv %s\n\nThese are the git mlv commands:\n", TOP_USAGE);
	for (g = 0; g < sizeof(group_titles) / sizeof(group_titles[0]); g++) {
		fprintf(out, "\n%s\n", group_titles[g]);
		for (i = 0; i < NCOMMANDS; i++)
			if (commands[i].group == g)
				fprintf(out, "   %-16s %s\n", commands[i].name, commands[i].help);
	}
	fprintf(out, "\nSee 'git mlv help <command>' or 'git mlv <command> --help' to read "
		     "about a command,\nand 'git mlv help mlv-sidecar', 'mlvconfig' or "
		     "'mlv-store' for the files mlv reads and writes.\n");
}

static int unknown(const char *typed)
{
	const char *names[NCOMMANDS];
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	return unknown_command(typed, names, NCOMMANDS);
}

/* git mlv help [<verb> | <page>]: the list, or the page as man shows it. */
static int help(const char *topic)
{
	struct mlv_buf page = MLV_BUF_INIT;
	size_t i;
	int rc;

	if (!topic) {
		print_help(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(other_pages) / sizeof(other_pages[0]); i++)
		if (!strcmp(topic, other_pages[i]))
			return show_man_page(topic);
	if (!find_command(topic))
		return unknown(topic);
	mlv_buf_printf(&page, "git-mlv-%s", topic);
	rc = show_man_page(page.ptr);
	mlv_buf_release(&page);
	return rc;
}

/* `git mlv --list-cmds`: every verb, one a line, for shell completion
 * (contrib/completion/git-mlv.bash). */
static void print_cmd_list(void)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("%s\n", commands[i].name);
	printf("help\nversion\n");
}

int main(int argc, char **argv)
{
	const struct command *c;
	int rc;

	/* as git: no verb lists them and fails, -h and help list them */
	if (argc < 2) {
		print_help(stdout);
		return 1;
	}
	if (!strcmp(argv[1], "--list-cmds") && argc == 2) {
		print_cmd_list();
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("git-mlv %s\n", MLV_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "-h"))
		return help(NULL);
	if (!strcmp(argv[1], "help"))
		return help(argc > 2 ? argv[2] : NULL);
	if (!strcmp(argv[1], "--help"))
		return argc > 2 ? help(argv[2]) : show_man_page("git-mlv");
	if (argv[1][0] == '-') {
		fprintf(stderr, "unknown option: %s\n", argv[1]);
		return usage_error(TOP_USAGE);
	}
	if (!(c = find_command(argv[1])))
		return unknown(argv[1]);
	/* as git: `git mlv <verb> --help` is `git mlv help <verb>` */
	if (argc > 2 && !strcmp(argv[2], "--help"))
		return help(c->name);
	git_libgit2_init();
	rc = c->run(argc - 1, argv + 1);
	git_libgit2_shutdown();
	return rc;
}
