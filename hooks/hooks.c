#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlv/error.h"
#include "mlv/hooks.h"
#include "mlv/util.h"

#define SHIM_MARKER "# mlv-hook-shim"
#define CHAINED_SUFFIX ".pre-mlv"

const char *const mlv_hook_names[] = {
	"pre-commit", "pre-merge-commit", "pre-push", "post-checkout",
	"post-merge", NULL
};

int mlv_hooks_dir(struct mlv_buf *out, struct mlv_repo *r)
{
	git_buf path = GIT_BUF_INIT;
	const char *base;

	mlv_buf_clear(out);
	if (r->config && git_config_get_path(&path, r->config, "core.hooksPath") == 0) {
		base = r->workdir ? r->workdir : r->common_dir;
		if (path.ptr[0] == '/')
			mlv_buf_puts(out, path.ptr);
		else
			mlv_buf_printf(out, "%s%s%s", base,
				       base[strlen(base) - 1] == '/' ? "" : "/", path.ptr);
		git_buf_dispose(&path);
		return 0;
	}
	git_error_clear();
	mlv_buf_printf(out, "%s%shooks", r->common_dir,
		       r->common_dir[strlen(r->common_dir) - 1] == '/' ? "" : "/");
	return 0;
}

static void shim_text(struct mlv_buf *out, const char *name)
{
	mlv_buf_printf(out,
		"#!/bin/sh\n"
		SHIM_MARKER ": installed by 'git mlv install', removed by "
		"'git mlv uninstall'.\n"
		"# Runs mlv's %s check, then the hook that was here before "
		"(%s" CHAINED_SUFFIX ").\n"
		"if ! command -v git-mlv >/dev/null 2>&1; then\n"
		"\techo >&2 \"mlv: git-mlv is not on PATH: install mlv, or remove "
		"this hook ($0)\"\n"
		"\texit 2\n"
		"fi\n", name, name);
	if (!strcmp(name, "pre-push"))
		mlv_buf_printf(out,
			"input=$(cat)\n"
			"printf '%%s\\n' \"$input\" | git mlv hook %s \"$@\" || exit $?\n"
			"if [ -x \"$0" CHAINED_SUFFIX "\" ]; then\n"
			"\tprintf '%%s\\n' \"$input\" | \"$0" CHAINED_SUFFIX "\" \"$@\" "
			"|| exit $?\n"
			"fi\n", name);
	else
		mlv_buf_printf(out,
			"git mlv hook %s \"$@\" || exit $?\n"
			"if [ -x \"$0" CHAINED_SUFFIX "\" ]; then\n"
			"\texec \"$0" CHAINED_SUFFIX "\" \"$@\"\n"
			"fi\n", name);
}

/* 1 when the file at `path` is one of our shims, 0 when not, -1 absent. */
static int is_shim(const char *path)
{
	char head[256];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = mlv_read_full(fd, head, sizeof(head) - 1);
	close(fd);
	if (n < 0)
		return 0;
	head[n] = '\0';
	return strstr(head, SHIM_MARKER) != NULL;
}

static int write_shim(const char *path, const char *name)
{
	struct mlv_buf text = MLV_BUF_INIT;
	int err;

	shim_text(&text, name);
	err = mlv_write_file_atomic(path, text.ptr, text.len, 0777);
	mlv_buf_release(&text);
	return err;
}

int mlv_hooks_install(struct mlv_repo *r, int force, struct mlv_buf *report)
{
	struct mlv_buf dir = MLV_BUF_INIT, path = MLV_BUF_INIT, chained = MLV_BUF_INIT;
	size_t i;
	int err = 0;

	mlv_hooks_dir(&dir, r);
	mlv_buf_printf(&path, "%s/x", dir.ptr);
	if ((err = mlv_mkdir_parents(path.ptr)) < 0)
		goto done;
	/* Refuse before changing anything. */
	for (i = 0; mlv_hook_names[i] && !force; i++) {
		mlv_buf_clear(&path);
		mlv_buf_printf(&path, "%s/%s", dir.ptr, mlv_hook_names[i]);
		mlv_buf_clear(&chained);
		mlv_buf_printf(&chained, "%s" CHAINED_SUFFIX, path.ptr);
		if (is_shim(path.ptr) == 0 && access(chained.ptr, F_OK) == 0) {
			mlv_error_set("hook '%s' exists and so does '%s', where mlv "
				      "would keep it; merge them by hand, or run "
				      "'git mlv install --force' to replace the old "
				      "'%s'", path.ptr, chained.ptr, chained.ptr);
			err = MLV_EEXISTS;
			goto done;
		}
	}
	for (i = 0; mlv_hook_names[i]; i++) {
		int state;

		mlv_buf_clear(&path);
		mlv_buf_printf(&path, "%s/%s", dir.ptr, mlv_hook_names[i]);
		mlv_buf_clear(&chained);
		mlv_buf_printf(&chained, "%s" CHAINED_SUFFIX, path.ptr);
		state = is_shim(path.ptr);
		if (state == 0) {
			if (rename(path.ptr, chained.ptr) < 0) {
				mlv_error_set_errno("cannot move '%s' aside", path.ptr);
				err = MLV_ERROR;
				goto done;
			}
			mlv_buf_printf(report, "kept your %s hook as %s; mlv's hook "
				       "runs it\n", mlv_hook_names[i], chained.ptr);
		}
		if ((err = write_shim(path.ptr, mlv_hook_names[i])) < 0)
			goto done;
		if (state < 0)
			mlv_buf_printf(report, "installed %s hook\n", mlv_hook_names[i]);
	}
done:
	mlv_buf_release(&dir);
	mlv_buf_release(&path);
	mlv_buf_release(&chained);
	return err;
}

int mlv_hooks_uninstall(struct mlv_repo *r, struct mlv_buf *report)
{
	struct mlv_buf dir = MLV_BUF_INIT, path = MLV_BUF_INIT, chained = MLV_BUF_INIT;
	size_t i;
	int err = 0;

	mlv_hooks_dir(&dir, r);
	for (i = 0; mlv_hook_names[i]; i++) {
		mlv_buf_clear(&path);
		mlv_buf_printf(&path, "%s/%s", dir.ptr, mlv_hook_names[i]);
		mlv_buf_clear(&chained);
		mlv_buf_printf(&chained, "%s" CHAINED_SUFFIX, path.ptr);
		if (is_shim(path.ptr) != 1)
			continue;
		if (access(chained.ptr, F_OK) == 0) {
			if (rename(chained.ptr, path.ptr) < 0) {
				mlv_error_set_errno("cannot restore '%s'", chained.ptr);
				err = MLV_ERROR;
				break;
			}
			mlv_buf_printf(report, "restored your %s hook\n",
				       mlv_hook_names[i]);
		} else if (unlink(path.ptr) < 0) {
			mlv_error_set_errno("cannot remove '%s'", path.ptr);
			err = MLV_ERROR;
			break;
		} else {
			mlv_buf_printf(report, "removed %s hook\n", mlv_hook_names[i]);
		}
	}
	mlv_buf_release(&dir);
	mlv_buf_release(&path);
	mlv_buf_release(&chained);
	return err;
}

int mlv_hooks_installed(struct mlv_repo *r)
{
	struct mlv_buf dir = MLV_BUF_INIT, path = MLV_BUF_INIT;
	size_t i;
	int found = 0;

	mlv_hooks_dir(&dir, r);
	for (i = 0; mlv_hook_names[i] && !found; i++) {
		mlv_buf_clear(&path);
		mlv_buf_printf(&path, "%s/%s", dir.ptr, mlv_hook_names[i]);
		found = is_shim(path.ptr) == 1;
	}
	mlv_buf_release(&dir);
	mlv_buf_release(&path);
	return found;
}

int mlv_hooks_autoinstall(struct mlv_buf *installed, struct mlv_buf *kept,
			  struct mlv_buf *dir, struct mlv_repo *r)
{
	struct mlv_buf path = MLV_BUF_INIT, text = MLV_BUF_INIT;
	size_t i;
	int err = 0, wrote = 0;

	mlv_buf_clear(installed);
	mlv_buf_clear(kept);
	mlv_buf_clear(dir);
	if (!r->workdir || !mlv_repo_config_bool(r, "mlv.autohooks", 1) ||
	    mlv_repo_config_string(&path, r, "core.hooksPath") ||
	    mlv_hooks_installed(r))
		goto done;
	mlv_hooks_dir(dir, r);
	mlv_buf_clear(&path);
	mlv_buf_printf(&path, "%s/x", dir->ptr);
	if ((err = mlv_mkdir_parents(path.ptr)) < 0)
		goto done;
	for (i = 0; mlv_hook_names[i]; i++) {
		const char *name = mlv_hook_names[i];

		mlv_buf_clear(&path);
		mlv_buf_printf(&path, "%s/%s", dir->ptr, name);
		mlv_buf_clear(&text);
		shim_text(&text, name);
		err = mlv_write_file_new(path.ptr, text.ptr, text.len, 0777);
		if (err == MLV_EEXISTS && is_shim(path.ptr) == 0) {
			mlv_buf_printf(kept, "%s%s", kept->len ? ", " : "", name);
		} else if (err == 0) {
			mlv_buf_printf(installed, "%s%s", installed->len ? ", " : "",
				       name);
			wrote = 1;
		} else if (err != MLV_EEXISTS) {
			goto done;
		}
		err = 0;
	}
done:
	mlv_buf_release(&path);
	mlv_buf_release(&text);
	return err < 0 ? err : wrote;
}
