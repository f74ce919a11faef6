/* git mlv env */
#include <stdio.h>

#include "builtin.h"
#include "mlv/env.h"
#include "mlv/repo.h"

int cmd_env(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_env env = MLV_ENV_INIT;
	size_t i;
	int rc;
	const struct option opts[] = { OPT_END() };

	if ((rc = parse_options(&argc, argv, opts, "env")))
		return rc;
	if (argc != 1)
		return usage_with_options("env", opts);
	/* lockfiles come from the work tree top when there is one */
	if (mlv_repo_open(&repo) < 0)
		repo.workdir = NULL;
	mlv_env_capture(&env, repo.workdir);
	printf("[environment]\n");
	for (i = 0; i < env.n; i++)
		printf("%s = %s\n", env.entries[i].key, env.entries[i].value);
	for (i = 0; i < env.skipped.n; i++)
		fprintf(stderr, "warning: %s\n", env.skipped.items[i]);
	mlv_env_release(&env);
	mlv_repo_release(&repo);
	return 0;
}
