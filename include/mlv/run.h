#ifndef MLV_RUN_H
#define MLV_RUN_H

#include <sys/types.h>

#include "mlv/buf.h"

/*
 * Running git itself, for what only git does right (writing config with
 * its own locking and file choice, refreshing the index).
 */

/* Flags for mlv_run() and mlv_run_git(). */
#define MLV_RUN_QUIET 1         /* send the program's stderr to /dev/null */
#define MLV_RUN_STDERR_TO_OUT 2 /* capture stderr with stdout into `out` */
#define MLV_RUN_NO_STDIN 4      /* stdin from /dev/null */

/*
 * Run `git` with the NULL-terminated `args` (without "git"). Its stdout
 * goes to `out` when non-NULL, else to ours; stderr is inherited unless
 * MLV_RUN_QUIET. Returns the exit status (0..255), or MLV_ERROR when git
 * cannot be started.
 */
int mlv_run_git(struct mlv_buf *out, const char *const *args, unsigned flags);

/* The same for any program on PATH: `argv[0]` is the program. */
int mlv_run(struct mlv_buf *out, const char *const *argv, unsigned flags);

/*
 * A program that runs beside us, for streaming through it: with
 * MLV_RUN_PIPE_IN we write its stdin at `in`, with MLV_RUN_PIPE_OUT we
 * read its stdout at `out` (else -1: inherited, or /dev/null with
 * MLV_RUN_NO_STDIN). The other flags as for mlv_run().
 */
#define MLV_RUN_PIPE_IN 8
#define MLV_RUN_PIPE_OUT 16

struct mlv_child {
	pid_t pid;
	int in, out;
	const char *name; /* argv[0] and argv[1], for messages */
	const char *verb;
};

int mlv_child_start(struct mlv_child *c, const char *const *argv, unsigned flags);

/* Close what is still open of the pipes and wait: the exit status
 * (0..255), or MLV_ERROR after a message (a signal, a failed wait). */
int mlv_child_wait(struct mlv_child *c);

/*
 * 1 when the git command that runs us (as a filter, a hook) was given -q
 * or --quiet, as git's own meters and summaries then stay quiet: git
 * does not pass that on, so it is read from the command line of the
 * nearest git process above us (Linux's /proc).
 */
int mlv_run_git_is_quiet(void);

#endif
