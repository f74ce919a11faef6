/* git mlv filter-process | clean | smudge | pointer */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "mlv/convert.h"
#include "mlv/error.h"
#include "mlv/hooks.h"
#include "mlv/lazy.h"
#include "mlv/filter.h"
#include "mlv/quote.h"
#include "mlv/run.h"
#include "mlv/util.h"

#define PIPE_BUFFER_SIZE (1024 * 1024)

static void report_file_error(const char *path, const char *message)
{
	(void)path; /* the message names it */
	fprintf(stderr, "mlv: %s\n", message);
}

static void show_notice(const char *message)
{
	fprintf(stderr, "mlv: %s\n", message);
}

/*
 * In a repository nobody ran `git mlv install` in (a clone on a machine
 * where only `git mlv install --skip-repo` set up the filter), the commit
 * check would only bite at push: install the hooks, once per filter
 * process, and say so. Failing to is worth a warning, never a failed
 * checkout.
 */
static void install_hooks(struct mlv_repo *repo)
{
	struct mlv_buf installed = MLV_BUF_INIT, kept = MLV_BUF_INIT, dir = MLV_BUF_INIT;
	const char *shown;
	size_t top = repo->workdir ? strlen(repo->workdir) : 0;
	int err = mlv_hooks_autoinstall(&installed, &kept, &dir, repo);

	shown = top && !strncmp(dir.ptr, repo->workdir, top) ? dir.ptr + top : dir.ptr;
	if (err < 0)
		fprintf(stderr, "mlv: warning: cannot install mlv's hooks: %s "
			"(mlv.autohooks=false turns this off)\n", mlv_error_last());
	else if (err > 0 && !mlv_run_git_is_quiet()) /* git -q: installed all the same */
		fprintf(stderr, "mlv: installed hooks %s in %s%s%s%s "
			"(mlv.autohooks=false turns this off)\n", installed.ptr,
			mlv_quote_display(shown), kept.len ? "; kept yours: " : "",
			kept.ptr, kept.len ? " ('git mlv install' chains them)" : "");
	mlv_error_clear();
	mlv_buf_release(&installed);
	mlv_buf_release(&kept);
	mlv_buf_release(&dir);
}

int cmd_filter_process(int argc, char **argv)
{
	struct mlv_filter_options opt = { 0, report_file_error, show_notice,
					  show_notice };
	struct mlv_repo repo = MLV_REPO_INIT;
	int err;

	(void)argv;
	if (argc != 1)
		return usage_error("filter-process");
	signal(SIGPIPE, SIG_IGN);
	/* Larger pipes let git move a whole 64 KiB packet per read() and
	 * halve the system calls on both sides; a failure costs only speed. */
	fcntl(0, F_SETPIPE_SZ, PIPE_BUFFER_SIZE);
	fcntl(1, F_SETPIPE_SZ, PIPE_BUFFER_SIZE);
	if ((err = mlv_repo_open(&repo)) < 0)
		return die_with_error("cannot open the repository");
	opt.skip_smudge = mlv_repo_skip_smudge(&repo);
	install_hooks(&repo);
	err = mlv_filter_process_run(&repo, &opt, 0, 1);
	mlv_repo_release(&repo);
	if (err < 0)
		return die_with_error("filter-process failed");
	return 0;
}

int cmd_clean(int argc, char **argv)
{
	struct mlv_buf pointer = MLV_BUF_INIT;
	struct mlv_repo repo = MLV_REPO_INIT;
	struct mlv_clean clean;
	char *chunk = NULL;
	ssize_t n;
	int err, rc = 128;

	(void)argv;
	if (argc > 3)
		return usage_error("clean [-- <path>]");
	if ((err = mlv_repo_open(&repo)) < 0)
		return die_with_error("cannot open the repository");
	chunk = mlv_xmalloc(MLV_IO_CHUNK);
	mlv_clean_start(&clean, &repo.store);
	while ((n = mlv_read_retry(0, chunk, MLV_IO_CHUNK)) > 0)
		if ((err = mlv_clean_write(&clean, chunk, (size_t)n)) < 0)
			break;
	if (n < 0) {
		mlv_error_set_errno("cannot read standard input");
		err = MLV_ERROR;
	}
	if (err < 0) {
		mlv_clean_abort(&clean);
		rc = die_with_error("clean failed");
		goto done;
	}
	if ((err = mlv_clean_finish(&pointer, &clean)) < 0) {
		rc = die_with_error("clean failed");
		goto done;
	}
	if (mlv_write_all(1, pointer.ptr, pointer.len) < 0) {
		mlv_error_set_errno("cannot write standard output");
		rc = die_with_error("clean failed");
		goto done;
	}
	rc = 0;
done:
	free(chunk);
	mlv_buf_release(&pointer);
	mlv_repo_release(&repo);
	return rc;
}

static int write_stdout(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	if (mlv_write_all(1, data, len) < 0) {
		mlv_error_set_errno("cannot write standard output");
		return MLV_ERROR;
	}
	return 0;
}

int cmd_smudge(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	const char *path = argc == 3 ? argv[2] : "<stdin>";
	char head[MLV_POINTER_MAX];
	struct mlv_pointer p;
	char *chunk = NULL;
	ssize_t n, head_len;
	int err = 0, rc = 128;

	if (argc > 3)
		return usage_error("smudge [-- <path>]");
	if ((err = mlv_repo_open(&repo)) < 0)
		return die_with_error("cannot open the repository");
	if ((head_len = mlv_read_full(0, head, sizeof(head))) < 0) {
		mlv_error_set_errno("cannot read standard input");
		rc = die_with_error("smudge failed");
		goto done;
	}
	if ((size_t)head_len < sizeof(head) && !mlv_repo_skip_smudge(&repo) &&
	    mlv_pointer_parse(&p, head, (size_t)head_len) == 0) {
		struct mlv_lazy lazy;

		/* a missing object comes from the remote's store, if wanted */
		mlv_lazy_init(&lazy, &repo, 1);
		lazy.notice = show_notice;
		mlv_error_clear();
		if (p.size && !mlv_store_has(&repo.store, p.oid) &&
		    mlv_lazy_wanted(&lazy, path) &&
		    mlv_lazy_fetch(&lazy, &p, path) < 0 && !lazy.skip_errors) {
			mlv_lazy_release(&lazy);
			rc = die_with_error("smudge failed");
			goto done;
		}
		mlv_lazy_release(&lazy);
		if (p.size && !mlv_store_has(&repo.store, p.oid)) {
			/* left out by the fetch filter, or forgiven: the pointer */
			if (*mlv_error_last())
				fprintf(stderr, "warning: %s\n", mlv_error_last());
			rc = write_stdout(NULL, head, (size_t)head_len) < 0 ?
				     die_with_error("smudge failed") : 0;
			goto done;
		}
		/* Unlike the filter protocol, stdout cannot take bytes back:
		 * verify the whole object before the first byte goes out. */
		if (p.size && mlv_store_verify(&repo.store, p.oid) == MLV_ECORRUPT) {
			mlv_error_set("'%s': object %s in the local store is corrupt; "
				      "run 'git mlv fsck' to move it aside", path, p.oid);
			rc = die_with_error("smudge failed");
			goto done;
		}
		err = mlv_smudge_object(&repo.store, &p, path, write_stdout, NULL);
		rc = err < 0 ? die_with_error("smudge failed") : 0;
		goto done;
	}
	/* Not a pointer: pass it through unchanged. */
	if ((err = write_stdout(NULL, head, (size_t)head_len)) < 0) {
		rc = die_with_error("smudge failed");
		goto done;
	}
	chunk = mlv_xmalloc(MLV_IO_CHUNK);
	while ((n = mlv_read_retry(0, chunk, MLV_IO_CHUNK)) > 0)
		if ((err = write_stdout(NULL, chunk, (size_t)n)) < 0)
			break;
	if (n < 0) {
		mlv_error_set_errno("cannot read standard input");
		err = MLV_ERROR;
	}
	rc = err < 0 ? die_with_error("smudge failed") : 0;
done:
	free(chunk);
	mlv_repo_release(&repo);
	return rc;
}

int cmd_pointer(int argc, char **argv)
{
	struct mlv_buf text = MLV_BUF_INIT;
	struct mlv_pointer p;
	unsigned long long size;
	const char *file = NULL;
	int rc;
	const struct option opts[] = {
		OPT_STRING(0, "file", &file, "<path>", "the file to print the pointer of"),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, "pointer --file <path>")))
		return rc;
	if (!file || argc != 1)
		return usage_with_options("pointer --file <path>", opts);
	if (mlv_sha256_file(p.oid, &size, file) < 0)
		return die_with_error("cannot hash the file");
	p.size = size;
	mlv_pointer_format(&text, &p);
	rc = mlv_write_all(1, text.ptr, text.len) < 0 ? 1 : 0;
	mlv_buf_release(&text);
	return rc;
}
