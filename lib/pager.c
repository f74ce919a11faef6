#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mlv/buf.h"
#include "mlv/pager.h"
#include "mlv/util.h"

static pid_t pager_pid = -1;

void mlv_pager_finish(void)
{
	int status;

	if (pager_pid < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
	while (waitpid(pager_pid, &status, 0) < 0 && errno == EINTR)
		;
	pager_pid = -1;
}

/* The pager command git would run, into `out`; 0 when there is none. */
static int pager_command(struct mlv_buf *out, struct mlv_repo *r)
{
	const char *env = getenv("GIT_PAGER");

	if (env)
		mlv_buf_sets(out, env);
	else if (!mlv_repo_config_string(out, r, "core.pager")) {
		env = getenv("PAGER");
		mlv_buf_sets(out, env ? env : "less");
	}
	return out->len && strcmp(out->ptr, "cat");
}

void mlv_pager_start(struct mlv_repo *r, int no_pager)
{
	struct mlv_buf cmd = MLV_BUF_INIT;
	int fds[2] = { -1, -1 };
	int stderr_too;
	pid_t pid;

	if (no_pager || pager_pid >= 0 || !isatty(STDOUT_FILENO) ||
	    !pager_command(&cmd, r) || pipe(fds) < 0)
		goto done;
	fflush(stdout);
	if ((pid = fork()) < 0)
		goto done;
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 1);
		setenv("LV", getenv("LV") ? getenv("LV") : "-c", 1);
		execl("/bin/sh", "sh", "-c", cmd.ptr, (char *)NULL);
		_exit(127);
	}
	stderr_too = isatty(STDERR_FILENO);
	dup2(fds[1], STDOUT_FILENO);
	if (stderr_too)
		dup2(fds[1], STDERR_FILENO);
	pager_pid = pid;
	setenv("GIT_PAGER_IN_USE", "true", 1);
	atexit(mlv_pager_finish);
done:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	mlv_buf_release(&cmd);
}

int mlv_pager_use_color(struct mlv_repo *r, int choice)
{
	struct mlv_buf ui = MLV_BUF_INIT;
	const char *in_use = getenv("GIT_PAGER_IN_USE");
	int color;

	if (choice >= 0)
		return choice;
	/* as git reads color.ui: always; never/false/no/off/0; anything
	 * else (auto, true, unset) means "when stdout is a terminal or the
	 * pager" */
	if (mlv_repo_config_string(&ui, r, "color.ui") && !strcmp(ui.ptr, "always"))
		color = 1;
	else if (ui.len && (!strcmp(ui.ptr, "never") || mlv_parse_bool(ui.ptr) == 0))
		color = 0;
	else
		color = isatty(STDOUT_FILENO) ||
			(pager_pid >= 0 && in_use && !strcmp(in_use, "true"));
	mlv_buf_release(&ui);
	return color && !getenv("NO_COLOR");
}
