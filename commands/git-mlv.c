#include <stdio.h>
#include <string.h>

#include <git2.h>

#include "builtin.h"
#include "mlv/error.h"

#ifndef MLV_VERSION
#define MLV_VERSION "0.0.0-dev"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "install", cmd_install, "configure the mlv filter in git config" },
	{ "uninstall", cmd_uninstall, "remove the mlv filter from git config" },
	{ "track", cmd_track, "store files matching a pattern with mlv" },
	{ "untrack", cmd_untrack, "stop storing a pattern with mlv" },
	{ "status", cmd_status, "show tracked files: materialized, pointer, modified" },
	{ "ls-files", cmd_ls_files, "list files stored as pointers" },
	{ "push", cmd_push, "upload mlv objects to a remote's store" },
	{ "fetch", cmd_fetch, "download mlv objects from a remote's store" },
	{ "pull", cmd_pull, "fetch mlv objects and check them out" },
	{ "checkout", cmd_checkout, "replace pointers in the work tree with content" },
	{ "fsck", cmd_fsck, "verify the local store against HEAD and the index" },
	{ "pointer", cmd_pointer, "print the pointer for a file" },
	{ "env", cmd_env, "print this machine's [environment] section" },
	{ "sidecar", cmd_sidecar, "write, update, check or show a model's lineage record" },
	{ "verify", cmd_verify, "check commits against the lineage policy" },
	{ "diff", cmd_diff, "show what differs between two versions of a model" },
	{ "find", cmd_find, "list the model versions whose lineage matches an expression" },
	{ "uses", cmd_uses, "list the model versions whose sidecars record a data version" },
	{ "register", cmd_register, "register a model version: a tag NAME@vX.Y.Z" },
	{ "assign", cmd_assign, "put a registered version in a stage: a tag NAME#STAGE#N" },
	{ "unassign", cmd_unassign, "take the version out of a stage" },
	{ "deprecate", cmd_deprecate, "mark a registered model deprecated" },
	{ "models", cmd_models, "list registered models: latest version and stages" },
	{ "registry", cmd_registry, "registry log: every registry event, or the state at a date" },
	{ "lineage", cmd_lineage, "show which data, config and environment made each model version" },
	{ "hook", cmd_hook, "run an mlv git hook (plumbing)" },
	{ "filter-process", cmd_filter_process, "git's long-running filter (plumbing)" },
	{ "clean", cmd_clean, "clean stdin to a pointer on stdout (plumbing)" },
	{ "smudge", cmd_smudge, "smudge a pointer on stdin to content (plumbing)" },
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

static void print_help(FILE *out)
{
	size_t i;

	fprintf(out, "usage: git mlv <command> [<args>]\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "   %-16s %s\n", commands[i].name, commands[i].help);
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
	size_t i;
	int rc;

	if (argc < 2) {
		print_help(stderr);
		return 129;
	}
	if (!strcmp(argv[1], "--list-cmds") && argc == 2) {
		print_cmd_list();
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("git-mlv %s\n", MLV_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		print_help(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		git_libgit2_init();
		rc = commands[i].run(argc - 1, argv + 1);
		git_libgit2_shutdown();
		return rc;
	}
	fprintf(stderr, "git mlv: '%s' is not a git mlv command. See 'git mlv help'.\n",
		argv[1]);
	return 129;
}
