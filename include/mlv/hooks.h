#ifndef MLV_HOOKS_H
#define MLV_HOOKS_H

#include "mlv/buf.h"
#include "mlv/repo.h"

/*
 * Git hook shims: small shell scripts in the hooks directory (core.hooksPath
 * when set, else <common dir>/hooks) that run `git mlv hook <name> "$@"`.
 * A hook the user already had is kept as `<name>.pre-mlv` and run by the
 * shim after mlv's check; uninstall puts it back.
 */

/* The hooks mlv installs, NULL-terminated. */
extern const char *const mlv_hook_names[];

/* The hooks directory of `r` into `out`. */
int mlv_hooks_dir(struct mlv_buf *out, struct mlv_repo *r);

/*
 * Install every shim. A user hook is moved to `<name>.pre-mlv` and chained;
 * when that name is taken too, installation refuses (MLV_EEXISTS, message
 * says what to do) unless `force`, which then replaces the older
 * `.pre-mlv`. What was done is appended to `report`, a line per hook.
 */
int mlv_hooks_install(struct mlv_repo *r, int force, struct mlv_buf *report);

/* Remove mlv's shims and put chained hooks back. */
int mlv_hooks_uninstall(struct mlv_repo *r, struct mlv_buf *report);

/* 1 when at least one of mlv's shims is installed. */
int mlv_hooks_installed(struct mlv_repo *r);

#endif
