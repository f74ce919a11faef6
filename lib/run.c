#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mlv/error.h"
#include "mlv/run.h"
#include "mlv/util.h"

extern char **environ;

int mlv_run_git(struct mlv_buf *out, const char *const *args, unsigned flags)
{
	const char **argv;
	size_t n = 0, i;
	int err;

	while (args[n])
		n++;
	argv = mlv_xmalloc((n + 2) * sizeof(*argv));
	argv[0] = "git";
	for (i = 0; i < n; i++)
		argv[i + 1] = args[i];
	argv[n + 1] = NULL;
	err = mlv_run(out, argv, flags);
	free(argv);
	return err;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int mlv_child_start(struct mlv_child *c, const char *const *argv, unsigned flags)
{
	posix_spawn_file_actions_t actions;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, spawned, err = MLV_ERROR;

	c->pid = -1;
	c->in = c->out = -1;
	c->name = argv[0];
	c->verb = argv[1] ? argv[1] : "";
	posix_spawn_file_actions_init(&actions);
	if (((flags & MLV_RUN_PIPE_IN) && pipe(in) < 0) ||
	    ((flags & MLV_RUN_PIPE_OUT) && pipe(out) < 0)) {
		mlv_error_set_errno("cannot create a pipe");
		goto done;
	}
	if (flags & MLV_RUN_PIPE_IN) {
		posix_spawn_file_actions_adddup2(&actions, in[0], 0);
		posix_spawn_file_actions_addclose(&actions, in[0]);
		posix_spawn_file_actions_addclose(&actions, in[1]);
	} else if (flags & MLV_RUN_NO_STDIN) {
		posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	}
	if (flags & MLV_RUN_PIPE_OUT) {
		posix_spawn_file_actions_adddup2(&actions, out[1], 1);
		if (flags & MLV_RUN_STDERR_TO_OUT)
			posix_spawn_file_actions_adddup2(&actions, out[1], 2);
		posix_spawn_file_actions_addclose(&actions, out[0]);
		posix_spawn_file_actions_addclose(&actions, out[1]);
	}
	if (flags & MLV_RUN_QUIET)
		posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
	spawned = posix_spawnp(&c->pid, argv[0], &actions, NULL, (char *const *)argv,
			       environ);
	if (spawned) {
		errno = spawned;
		mlv_error_set_errno("cannot run %s", argv[0]);
		c->pid = -1;
		goto done;
	}
	c->in = in[1];
	c->out = out[0];
	in[1] = out[0] = -1;
	err = 0;
done:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	posix_spawn_file_actions_destroy(&actions);
	return err;
}

int mlv_child_wait(struct mlv_child *c)
{
	int status = 0;

	close_fd(&c->in);
	close_fd(&c->out);
	if (c->pid < 0)
		return MLV_ERROR;
	while (waitpid(c->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			mlv_error_set_errno("cannot wait for %s", c->name);
			return MLV_ERROR;
		}
	}
	c->pid = -1;
	if (!WIFEXITED(status)) {
		mlv_error_set("%s %s died of signal %d", c->name, c->verb, WTERMSIG(status));
		return MLV_ERROR;
	}
	return WEXITSTATUS(status);
}

int mlv_run(struct mlv_buf *out, const char *const *argv, unsigned flags)
{
	struct mlv_child c;
	char chunk[4096];
	ssize_t got;
	int err;

	if (out)
		flags |= MLV_RUN_PIPE_OUT;
	if ((err = mlv_child_start(&c, argv, flags)) < 0)
		return err;
	if (out)
		while ((got = mlv_read_retry(c.out, chunk, sizeof(chunk))) > 0)
			mlv_buf_put(out, chunk, (size_t)got);
	return mlv_child_wait(&c);
}

/* /proc/<pid>/<what> into `buf`, NUL-terminated: its length, or -1. */
static ssize_t read_proc(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = mlv_read_full(fd, buf, size - 1);
		close(fd);
	}
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The parent of process `pid`, or 0. */
static pid_t parent_of(pid_t pid)
{
	char stat[512], *end;
	int ppid = 0;

	/* "pid (comm) state ppid ...": comm may hold anything */
	if (read_proc(pid, "stat", stat, sizeof(stat)) > 0 &&
	    (end = strrchr(stat, ')')) && sscanf(end + 1, " %*c %d", &ppid) != 1)
		ppid = 0;
	return (pid_t)ppid;
}

/*
 * The filter protocol and hooks are not told about -q: the command line
 * of the nearest git process above this one that is not "git mlv" (git
 * starts filters and hooks through a shell and "git mlv") is read;
 * anything unreadable counts as not quiet.
 */
int mlv_run_git_is_quiet(void)
{
	char args[8192];
	pid_t pid = getppid();
	int depth, quiet = 0;

	for (depth = 0; depth < 6 && pid > 1; depth++, pid = parent_of(pid)) {
		ssize_t n = read_proc(pid, "cmdline", args, sizeof(args));
		const char *base = n > 0 ? strrchr(args, '/') : NULL;
		size_t i;

		base = base ? base + 1 : args;
		if (n <= 0 || strcmp(base, "git") || (size_t)n <= strlen(args) + 1 ||
		    !strcmp(args + strlen(args) + 1, "mlv"))
			continue;
		for (i = 0; i < (size_t)n; i += strlen(args + i) + 1) {
			if (!strcmp(args + i, "--"))
				break;
			if (!strcmp(args + i, "-q") || !strcmp(args + i, "--quiet"))
				quiet = 1;
		}
		break; /* the command the user ran */
	}
	return quiet;
}
