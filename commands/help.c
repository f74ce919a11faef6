/*
 * git mlv help <verb>, git mlv <verb> --help and "did you mean": the manual
 * pages are opened as `git help` opens git's, by running man(1).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "mlv/buf.h"
#include "mlv/similar.h"
#include "mlv/util.h"

/* Suggestions no closer than this are no suggestion (git's floor too). */
#define SIMILAR_ENOUGH(d) ((d) < 6)

/*
 * When this git-mlv is the one the build left in its bin/ (MLV_BUILD_BIN,
 * given by the Makefile), the pages `make doc` built beside it
 * (MLV_BUILD_MAN) go first on MANPATH, so a build tree shows its own
 * pages rather than an installed copy's. The trailing ':' keeps man's own
 * search path after them, as git does for its pages.
 */
static void use_build_pages(void)
{
#if defined(MLV_BUILD_BIN) && defined(MLV_BUILD_MAN)
	struct mlv_buf path = MLV_BUF_INIT;
	char self[PATH_MAX], *bin = realpath(MLV_BUILD_BIN, NULL), *slash;
	const char *old = getenv("MANPATH");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct stat st;

	if (n <= 0 || !bin)
		goto done;
	self[n] = '\0';
	if (!(slash = strrchr(self, '/')))
		goto done;
	*slash = '\0';
	if (strcmp(self, bin) || stat(MLV_BUILD_MAN, &st) < 0 || !S_ISDIR(st.st_mode))
		goto done;
	if (mlv_buf_printf(&path, "%s:%s", MLV_BUILD_MAN, old ? old : "") == 0)
		setenv("MANPATH", path.ptr, 1);
done:
	mlv_buf_release(&path);
	free(bin);
#endif
}

int show_man_page(const char *page)
{
	use_build_pages();
	fflush(NULL);
	execlp("man", "man", page, (char *)NULL);
	fprintf(stderr, "fatal: cannot run 'man' to show %s: %s; install man-db "
			"(apt-get install man-db)\n", page, strerror(errno));
	return 128;
}

int unknown_command(const char *typed, const char *const *names, size_t n)
{
	size_t *dist = mlv_xreallocarray(NULL, n ? n : 1, sizeof(*dist));
	size_t i, best = (size_t)-1, nbest = 0;

	for (i = 0; i < n; i++) {
		/* a verb begun but not finished is as close as can be */
		if (*typed && !strncmp(names[i], typed, strlen(typed)))
			dist[i] = 0;
		else
			dist[i] = mlv_similar_distance(typed, names[i]);
		if (dist[i] < best)
			best = dist[i], nbest = 0;
		nbest += dist[i] == best;
	}
	fprintf(stderr, "git mlv: '%s' is not a git mlv command. See 'git mlv help'.\n",
		typed);
	if (n && SIMILAR_ENOUGH(best)) {
		fprintf(stderr, "\n%s\n", nbest == 1 ? "The most similar command is" :
			"The most similar commands are");
		for (i = 0; i < n; i++)
			if (dist[i] == best)
				fprintf(stderr, "\t%s\n", names[i]);
	}
	free(dist);
	return 1;
}
