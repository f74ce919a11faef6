#include <stdlib.h>
#include <string.h>

#include "mlv/error.h"
#include "mlv/repo.h"
#include "mlv/util.h"

int mlv_error_from_git(int code, const char *what)
{
	const git_error *e = git_error_last();

	mlv_error_set("%s: %s", what, e && e->message ? e->message : "unknown error");
	if (code == GIT_ENOTFOUND)
		return MLV_ENOTFOUND;
	if (code == GIT_EEXISTS)
		return MLV_EEXISTS;
	return MLV_ERROR;
}

int mlv_repo_open(struct mlv_repo *r)
{
	const char *common;
	int err;

	memset(r, 0, sizeof(*r));
	err = git_repository_open_ext(&r->git, NULL, GIT_REPOSITORY_OPEN_FROM_ENV,
				      NULL);
	if (err == GIT_ENOTFOUND) {
		mlv_error_set("not in a git repository");
		return MLV_ENOTFOUND;
	}
	if (err < 0)
		return mlv_error_from_git(err, "cannot open the git repository");
	if ((err = git_repository_config_snapshot(&r->config, r->git)) < 0) {
		err = mlv_error_from_git(err, "cannot read git config");
		mlv_repo_release(r);
		return err;
	}
	common = git_repository_commondir(r->git);
	r->common_dir = mlv_xstrdup(common);
	r->workdir = git_repository_workdir(r->git);
	mlv_store_init(&r->store, r->common_dir);
	r->store.fsync = mlv_repo_config_bool(r, "mlv.fsyncobjects", 0);
	return 0;
}

void mlv_repo_release(struct mlv_repo *r)
{
	mlv_store_release(&r->store);
	git_config_free(r->config);
	git_repository_free(r->git);
	free(r->common_dir);
	memset(r, 0, sizeof(*r));
}

int mlv_repo_config_bool(struct mlv_repo *r, const char *key, int dflt)
{
	int value;

	if (!r->config || git_config_get_bool(&value, r->config, key) < 0) {
		git_error_clear();
		return dflt;
	}
	return value;
}
