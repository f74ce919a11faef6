#ifndef MLV_ENV_H
#define MLV_ENV_H

#include "mlv/buf.h"
#include "mlv/problems.h"
#include "mlv/sha256.h"

/*
 * What the machine a model was trained on looks like, as the key = value
 * lines of a sidecar's [environment] section: os, kernel, arch, cpu, cpus,
 * libc, python, cuda, nvidia-driver, gpu, container, image, and the
 * lockfiles found in the work tree top with their SHA-256. Only local
 * files and at most one quick `python3 --version`: no network, no slow
 * probes. Keys whose value cannot be found are left out.
 */

struct mlv_env_entry {
	char *key;
	char *value;
};

struct mlv_env {
	struct mlv_env_entry *entries;
	size_t n, alloc;
	/* lockfiles found but not recorded, and why (a symbolic link ...),
	 * for the command to warn about */
	struct mlv_problems skipped;
};

#define MLV_ENV_INIT { NULL, 0, 0, MLV_PROBLEMS_INIT }

/* Capture the machine; lockfiles are looked for in `worktree` (may be NULL). */
int mlv_env_capture(struct mlv_env *env, const char *worktree);
void mlv_env_release(struct mlv_env *env);

/* Set `key` (replacing an earlier value). */
void mlv_env_set(struct mlv_env *env, const char *key, const char *value);
const char *mlv_env_get(const struct mlv_env *env, const char *key);

/*
 * The mlv oid of a work tree file: the oid of its pointer when the file
 * holds a pointer (not materialized), else the SHA-256 of its bytes. A
 * symbolic link is never followed: MLV_EINVALID, as for anything that is
 * not a regular file.
 */
int mlv_file_oid(char hex[MLV_OID_HEXSZ + 1], const char *path);

#endif
