/* git mlv install | uninstall */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/run.h"

static const char *const filter_keys[][2] = {
	{ "filter.mlv.process", "git-mlv filter-process" },
	{ "filter.mlv.clean", "git-mlv clean -- %f" },
	{ "filter.mlv.smudge", "git-mlv smudge -- %f" },
	{ "filter.mlv.required", "true" },
};

#define N_KEYS (sizeof(filter_keys) / sizeof(filter_keys[0]))

static const char *scope_option(int argc, char **argv, const char *usage,
				int *bad)
{
	*bad = 0;
	if (argc == 1)
		return "--global";
	if (argc == 2 && !strcmp(argv[1], "--local"))
		return "--local";
	if (argc == 2 && !strcmp(argv[1], "--global"))
		return "--global";
	*bad = usage_error(usage);
	return NULL;
}

int cmd_install(int argc, char **argv)
{
	const char *scope;
	size_t i;
	int bad;

	if (!(scope = scope_option(argc, argv, "install [--global | --local]", &bad)))
		return bad;
	for (i = 0; i < N_KEYS; i++) {
		const char *args[] = { "config", scope, "--replace-all",
				       filter_keys[i][0], filter_keys[i][1], NULL };

		if (mlv_run_git(NULL, args, 0) != 0) {
			fprintf(stderr, "fatal: cannot set %s in %s git config%s%s\n",
				filter_keys[i][0], scope + 2,
				*mlv_error_last() ? ": " : "", mlv_error_last());
			return 128;
		}
	}
	printf("mlv filter installed in %s git config\n", scope + 2);
	return 0;
}

int cmd_uninstall(int argc, char **argv)
{
	const char *scope;
	struct mlv_buf rest = MLV_BUF_INIT;
	size_t i;
	int bad;

	if (!(scope = scope_option(argc, argv, "uninstall [--global | --local]", &bad)))
		return bad;
	for (i = 0; i < N_KEYS; i++) {
		const char *args[] = { "config", scope, "--unset-all",
				       filter_keys[i][0], NULL };
		int rc = mlv_run_git(NULL, args, MLV_RUN_QUIET);

		/* 5: the key was not set, which is what we want */
		if (rc != 0 && rc != 5) {
			fprintf(stderr, "fatal: cannot unset %s in %s git config\n",
				filter_keys[i][0], scope + 2);
			return 128;
		}
	}
	{
		const char *list[] = { "config", scope, "--get-regexp",
				       "^filter\\.mlv\\.", NULL };
		const char *drop[] = { "config", scope, "--remove-section",
				       "filter.mlv", NULL };

		/* Drop the section header only when nothing of the user's is left. */
		if (mlv_run_git(&rest, list, MLV_RUN_QUIET) == 1 && rest.len == 0)
			mlv_run_git(NULL, drop, MLV_RUN_QUIET);
	}
	mlv_buf_release(&rest);
	printf("mlv filter removed from %s git config\n", scope + 2);
	return 0;
}
