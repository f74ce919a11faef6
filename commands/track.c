/* git mlv track | untrack */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "mlv/attributes.h"
#include "mlv/error.h"
#include "mlv/hooks.h"
#include "mlv/repo.h"
#include "mlv/util.h"

static int open_attributes(struct mlv_repo *repo, struct mlv_attr_file *f)
{
	char *path;
	int err;

	if (mlv_repo_open(repo) < 0)
		return die_with_error("not in a git repository");
	if (!repo->workdir) {
		mlv_error_set("'%s' is a bare repository: track in a work tree",
			      repo->common_dir);
		return die_with_error("");
	}
	path = mlv_path_join(repo->workdir, ".gitattributes");
	err = mlv_attr_file_load(f, path);
	free(path);
	return err < 0 ? die_with_error("") : 0;
}

static int print_pattern(const struct mlv_attr_pattern *p, void *payload)
{
	(void)payload;
	printf("    %s%s\n", p->pattern, p->flags & MLV_ATTR_MODEL ? " (model)" : "");
	return 0;
}

#define TRACK_USAGE "track [--model] [--] [<pattern>...]"
#define UNTRACK_USAGE "untrack [--] <pattern>..."

int cmd_track(int argc, char **argv)
{
	struct mlv_attr_file f = MLV_ATTR_FILE_INIT;
	struct mlv_repo repo = MLV_REPO_INIT;
	unsigned flags = 0;
	int i, first = 1, changed = 0, model = 0, rc;
	const struct option opts[] = {
		OPT_FLAG(0, "model", &model, "track them as models: commits need a sidecar"),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, TRACK_USAGE)))
		return rc;
	if (model)
		flags |= MLV_ATTR_MODEL;
	if ((rc = open_attributes(&repo, &f)) != 0)
		goto done;
	if (first == argc) {
		if (flags)
			rc = usage_with_options(TRACK_USAGE, opts);
		else {
			printf("Listing tracked patterns\n");
			mlv_attr_file_foreach(&f, print_pattern, NULL);
		}
		goto done;
	}
	for (i = first; i < argc; i++) {
		char *pattern = mlv_attr_escape_pattern(argv[i]);

		if (mlv_attr_file_track(&f, pattern, flags)) {
			printf("Tracking \"%s\"%s\n", argv[i],
			       flags & MLV_ATTR_MODEL ? " as a model" : "");
			changed = 1;
		} else {
			printf("\"%s\" already tracked\n", argv[i]);
		}
		free(pattern);
	}
	if (changed && mlv_attr_file_save(&f) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (!mlv_hooks_installed(&repo)) {
		struct mlv_buf report = MLV_BUF_INIT;

		if (mlv_hooks_install(&repo, 0, &report) < 0)
			fprintf(stderr, "warning: hooks not installed: %s\n",
				mlv_error_last());
		fputs(report.ptr, stdout);
		mlv_buf_release(&report);
	}
done:
	mlv_attr_file_release(&f);
	mlv_repo_release(&repo);
	return rc;
}

int cmd_untrack(int argc, char **argv)
{
	struct mlv_attr_file f = MLV_ATTR_FILE_INIT;
	struct mlv_repo repo = MLV_REPO_INIT;
	int i, changed = 0, rc;
	const struct option opts[] = { OPT_END() };

	if ((rc = parse_options(&argc, argv, opts, UNTRACK_USAGE)))
		return rc;
	if (argc < 2)
		return usage_with_options(UNTRACK_USAGE, opts);
	if ((rc = open_attributes(&repo, &f)) != 0)
		goto done;
	for (i = 1; i < argc; i++) {
		char *pattern = mlv_attr_escape_pattern(argv[i]);

		if (mlv_attr_file_untrack(&f, pattern)) {
			printf("Untracking \"%s\"\n", argv[i]);
			changed = 1;
		} else {
			fprintf(stderr, "warning: \"%s\" is not tracked\n", argv[i]);
		}
		free(pattern);
	}
	if (changed && mlv_attr_file_save(&f) < 0)
		rc = die_with_error("");
done:
	mlv_attr_file_release(&f);
	mlv_repo_release(&repo);
	return rc;
}
