/* git mlv env */
#include <stdio.h>

#include "builtin.h"
#include "mlv/env.h"
#include "mlv/json.h"
#include "mlv/repo.h"

#define ENV_USAGE "env [--format text|json]"

int cmd_env(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_env env = MLV_ENV_INIT;
	const char *format = NULL;
	json_t *o = NULL, *vars = NULL, *skipped = NULL;
	size_t i;
	int rc, json = 0;
	const struct option opts[] = {
		OPT_FORMAT_JSON(&format, &json),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, ENV_USAGE)) ||
	    (rc = text_or_json(&json, format)))
		return rc;
	if (argc != 1)
		return usage_with_options(ENV_USAGE, opts);
	/* lockfiles come from the work tree top when there is one */
	if (mlv_repo_open(&repo) < 0)
		repo.workdir = NULL;
	mlv_env_capture(&env, repo.workdir);
	if (json) {
		o = json_object();
		vars = json_object();
		skipped = json_array();
		for (i = 0; i < env.n; i++)
			mlv_json_set_string(vars, env.entries[i].key, env.entries[i].value);
		for (i = 0; i < env.skipped.n; i++)
			json_array_append_new(skipped, mlv_json_string(env.skipped.items[i]));
		mlv_json_set(o, "schema", json_integer(1));
		mlv_json_set(o, "environment", vars);
		mlv_json_set(o, "skipped", skipped);
		mlv_json_write(stdout, o, 2);
		putchar('\n');
		json_decref(o);
	} else {
		printf("[environment]\n");
		for (i = 0; i < env.n; i++)
			printf("%s = %s\n", env.entries[i].key, env.entries[i].value);
		for (i = 0; i < env.skipped.n; i++)
			fprintf(stderr, "warning: %s\n", env.skipped.items[i]);
	}
	mlv_env_release(&env);
	mlv_repo_release(&repo);
	return 0;
}
