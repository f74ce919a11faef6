/* git mlv install | uninstall */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/hooks.h"
#include "mlv/repo.h"
#include "mlv/run.h"

/* The keys of filter.<driver>. that make mlv a filter driver. */
static const char *const filter_keys[][2] = {
	{ "process", "git-mlv filter-process" },
	{ "clean", "git-mlv clean -- %f" },
	{ "smudge", "git-mlv smudge -- %f" },
	{ "required", "true" },
};

#define N_KEYS (sizeof(filter_keys) / sizeof(filter_keys[0]))

int install_filter_driver(const char *driver, const char *scope)
{
	struct mlv_buf key = MLV_BUF_INIT;
	size_t i;
	int err = 0;

	for (i = 0; i < N_KEYS && !err; i++) {
		const char *args[] = { "config", scope, "--replace-all", NULL,
				       filter_keys[i][1], NULL };

		mlv_buf_clear(&key);
		mlv_buf_printf(&key, "filter.%s.%s", driver, filter_keys[i][0]);
		args[3] = key.ptr;
		mlv_error_clear(); /* set only when git cannot be run */
		if (mlv_run_git(NULL, args, 0) != 0) {
			struct mlv_buf why = MLV_BUF_INIT;

			mlv_buf_puts(&why, mlv_error_last());
			mlv_error_set("cannot set %s in %s git config%s%s", key.ptr, scope + 2,
				      why.len ? ": " : "", why.ptr);
			mlv_buf_release(&why);
			err = -1;
		}
	}
	mlv_buf_release(&key);
	return err;
}

struct install_options {
	const char *scope; /* "--global" or "--local" */
	int force;
	int skip_repo;
};

static int install_args(struct install_options *o, int argc, char **argv,
			const char *usage, int with_force)
{
	int local = 0, global = 0, rc;
	const struct option opts[] = {
		OPT_FLAG(0, "global", &global, "in ~/.gitconfig (the default)"),
		OPT_FLAG(0, "local", &local, "in this repository's .git/config"),
		OPT_FLAG(0, "skip-repo", &o->skip_repo, "leave this repository's hooks alone"),
		OPT_FLAG(0, "force", &o->force, "replace hooks that are not mlv's"),
		OPT_END(),
	};
	struct option shown[sizeof(opts) / sizeof(opts[0])];

	o->force = o->skip_repo = 0;
	/* uninstall takes no --force */
	memcpy(shown, opts, sizeof(opts));
	if (!with_force)
		shown[3] = shown[4];
	if ((rc = parse_options(&argc, argv, shown, usage)))
		return rc;
	if (argc > 1 || (local && global))
		return usage_with_options(usage, shown);
	o->scope = local ? "--local" : "--global";
	return 0;
}

/* Open the repository around us for hooks; 0 when there is none to use. */
static int open_repo_for_hooks(struct mlv_repo *repo, const struct install_options *o)
{
	if (o->skip_repo || mlv_repo_open(repo) < 0 || !repo->workdir) {
		mlv_error_clear();
		return 0;
	}
	return 1;
}

int cmd_install(int argc, char **argv)
{
	static const char usage[] = "install [--global | --local] [--force] [--skip-repo]";
	struct install_options o;
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_buf report = MLV_BUF_INIT;
	int rc;

	if ((rc = install_args(&o, argc, argv, usage, 1)) != 0)
		return rc;
	if (install_filter_driver("mlv", o.scope) < 0)
		return die_with_error("");
	printf("mlv filter installed in %s git config\n", o.scope + 2);
	if (open_repo_for_hooks(&repo, &o)) {
		if (mlv_hooks_install(&repo, o.force, &report) < 0)
			rc = die_with_error("");
		fputs(report.ptr, stdout);
	}
	mlv_buf_release(&report);
	mlv_repo_release(&repo);
	return rc;
}

int cmd_uninstall(int argc, char **argv)
{
	static const char usage[] = "uninstall [--global | --local] [--skip-repo]";
	struct install_options o;
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_buf rest = MLV_BUF_INIT, report = MLV_BUF_INIT, key = MLV_BUF_INIT;
	const char *list[] = { "config", NULL, "--get-regexp", "^filter\\.mlv\\.", NULL };
	const char *drop[] = { "config", NULL, "--remove-section", "filter.mlv", NULL };
	size_t i;
	int rc;

	if ((rc = install_args(&o, argc, argv, usage, 0)) != 0)
		return rc;
	for (i = 0; i < N_KEYS; i++) {
		const char *args[] = { "config", o.scope, "--unset-all", NULL, NULL };
		int status;

		mlv_buf_clear(&key);
		mlv_buf_printf(&key, "filter.mlv.%s", filter_keys[i][0]);
		args[3] = key.ptr;
		status = mlv_run_git(NULL, args, MLV_RUN_QUIET);
		/* 5: the key was not set, which is what we want */
		if (status != 0 && status != 5) {
			fprintf(stderr, "fatal: cannot unset %s in %s git config\n",
				key.ptr, o.scope + 2);
			mlv_buf_release(&key);
			return 128;
		}
	}
	mlv_buf_release(&key);
	/* Drop the section header only when nothing of the user's is left. */
	list[1] = drop[1] = o.scope;
	if (mlv_run_git(&rest, list, MLV_RUN_QUIET) == 1 && rest.len == 0)
		mlv_run_git(NULL, drop, MLV_RUN_QUIET);
	printf("mlv filter removed from %s git config\n", o.scope + 2);
	if (open_repo_for_hooks(&repo, &o)) {
		if (mlv_hooks_uninstall(&repo, &report) < 0)
			rc = die_with_error("");
		fputs(report.ptr, stdout);
	}
	mlv_buf_release(&rest);
	mlv_buf_release(&report);
	mlv_repo_release(&repo);
	return rc;
}
