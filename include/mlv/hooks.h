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

/*
 * What the filter does in a repository nobody ran `git mlv install` in:
 * when none of mlv's shims is installed, write each shim whose name is
 * free. A hook that is there stays as it is, neither replaced nor chained
 * (that takes `git mlv install`). Nothing happens with mlv.autohooks set
 * to false, with core.hooksPath set (hooks that are shared or managed by
 * another tool) or without a work tree. Each shim appears whole
 * (mlv_write_file_new()), so filters that race each other write every
 * hook once and never a hook of the user's. The names written go to
 * `installed` and the names left alone to `kept`, comma-separated, the
 * hooks directory to `dir`. 1 when any was written, 0 when none,
 * negative on error. In a repository with mlv's hooks this costs one open.
 */
int mlv_hooks_autoinstall(struct mlv_buf *installed, struct mlv_buf *kept,
			  struct mlv_buf *dir, struct mlv_repo *r);

#endif
