#ifndef MLV_REPO_H
#define MLV_REPO_H

#include <git2.h>

#include "mlv/store.h"

/*
 * The repository mlv works in: found the way git finds it (GIT_DIR and
 * friends, else upwards from the current directory), its common directory
 * (shared by all worktrees) and the local store inside it.
 */
struct mlv_repo {
	git_repository *git;
	git_config *config;  /* a snapshot, read once */
	const char *workdir; /* NULL in a bare repository; ends in '/' */
	char *common_dir;
	struct mlv_store store;
};

#define MLV_REPO_INIT { NULL, NULL, NULL, NULL, MLV_STORE_INIT }

/* Open the repository around the current directory. MLV_ENOTFOUND outside one. */
int mlv_repo_open(struct mlv_repo *r);
void mlv_repo_release(struct mlv_repo *r);

/* A boolean from git config, `dflt` when unset or unreadable. */
int mlv_repo_config_bool(struct mlv_repo *r, const char *key, int dflt);

/* A string from git config (`git -c` included) into `out`: 1 when set,
 * 0 when not. */
int mlv_repo_config_string(struct mlv_buf *out, struct mlv_repo *r,
			   const char *key);

/* An integer from git config, `dflt` when unset or not a number. */
long mlv_repo_config_int(struct mlv_repo *r, const char *key, long dflt);

/* 1 when checkouts should leave pointers: MLV_SKIP_SMUDGE set to anything
 * but a false value, else mlv.skipsmudge. */
int mlv_repo_skip_smudge(struct mlv_repo *r);

/*
 * A path from the command line, relative to the work tree top: relative to
 * the current directory or absolute, with "." and ".." taken as the shell
 * takes them, and a trailing '/' kept. A path that leaves the work tree (or
 * any path in a bare repository) comes back as given, for
 * mlv_repo_path_problem() to refuse. Never NULL; the caller frees it.
 */
char *mlv_repo_relative(const struct mlv_repo *r, const char *arg);

/*
 * For commands that read many objects to show or index them: libgit2
 * stops rehashing every object it reads (git does not either; what is
 * checked, the commit check and fsck, hashes what it reads itself) and
 * keeps trees of up to 4 MiB in its cache, within 64 MiB in all.
 * Process-wide; once is enough.
 */
void mlv_repo_fast_reads(void);

/* Turn libgit2's last error into the mlv message, prefixed by `what`. */
int mlv_error_from_git(int code, const char *what);

/* The same, with `what` formatted as printf() does. */
int mlv_error_from_gitf(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
