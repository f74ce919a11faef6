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
	posix_spawn_file_actions_t actions;
	char **argv = NULL;
	int pipefd[2] = { -1, -1 };
	size_t n = 0, i;
	int status = 0, err = MLV_ERROR, spawned;
	pid_t pid;

	while (args[n])
		n++;
	argv = mlv_xmalloc((n + 2) * sizeof(*argv));
	argv[0] = "git";
	for (i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	argv[n + 1] = NULL;

	posix_spawn_file_actions_init(&actions);
	if (out) {
		if (pipe(pipefd) < 0) {
			mlv_error_set_errno("cannot create a pipe");
			goto done;
		}
		posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
		posix_spawn_file_actions_addclose(&actions, pipefd[0]);
		posix_spawn_file_actions_addclose(&actions, pipefd[1]);
	}
	if (flags & MLV_RUN_QUIET)
		posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
	spawned = posix_spawnp(&pid, "git", &actions, NULL, argv, environ);
	if (spawned) {
		errno = spawned;
		mlv_error_set_errno("cannot run git");
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
			mlv_error_set_errno("cannot wait for git");
			goto done;
		}
	}
	if (!WIFEXITED(status)) {
		mlv_error_set("git %s died of signal %d", args[0], WTERMSIG(status));
		goto done;
	}
	err = WEXITSTATUS(status);
done:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	posix_spawn_file_actions_destroy(&actions);
	free(argv);
	return err;
}
