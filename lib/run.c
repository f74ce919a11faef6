#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
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

int mlv_run(struct mlv_buf *out, const char *const *argv, unsigned flags)
{
	posix_spawn_file_actions_t actions;
	int pipefd[2] = { -1, -1 };
	int status = 0, err = MLV_ERROR, spawned;
	pid_t pid;

	posix_spawn_file_actions_init(&actions);
	if (flags & MLV_RUN_NO_STDIN)
		posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	if (out) {
		if (pipe(pipefd) < 0) {
			mlv_error_set_errno("cannot create a pipe");
			goto done;
		}
		posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
		if (flags & MLV_RUN_STDERR_TO_OUT)
			posix_spawn_file_actions_adddup2(&actions, pipefd[1], 2);
		posix_spawn_file_actions_addclose(&actions, pipefd[0]);
		posix_spawn_file_actions_addclose(&actions, pipefd[1]);
	}
	if (flags & MLV_RUN_QUIET)
		posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
	spawned = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv,
			       environ);
	if (spawned) {
		errno = spawned;
		mlv_error_set_errno("cannot run %s", argv[0]);
		goto done;
	}
	if (out) {
		char chunk[4096];
		ssize_t got;

		close(pipefd[1]);
		pipefd[1] = -1;
		while ((got = mlv_read_retry(pipefd[0], chunk, sizeof(chunk))) > 0)
			mlv_buf_put(out, chunk, (size_t)got);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			mlv_error_set_errno("cannot wait for %s", argv[0]);
			goto done;
		}
	}
	if (!WIFEXITED(status)) {
		mlv_error_set("%s %s died of signal %d", argv[0], argv[1] ? argv[1] : "",
			      WTERMSIG(status));
		goto done;
	}
	err = WEXITSTATUS(status);
done:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	posix_spawn_file_actions_destroy(&actions);
	return err;
}
