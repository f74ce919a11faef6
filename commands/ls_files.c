/* git mlv ls-files [--long] [--format text|json] [--glob] [--] [<path>...] */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/json.h"
#include "mlv/quote.h"
#include "mlv/scan.h"
#include "mlv/worktree.h"

#define LS_FILES_USAGE "ls-files [--long] [--format text|json] [--glob] [--] [<path>...]"

struct listing {
	struct mlv_repo *repo;
	struct path_args paths;
	int long_oids, json, count;
};

json_t *pointer_file_json(struct mlv_repo *repo, const char *path,
			  const struct mlv_pointer *p, int state)
{
	json_t *o = json_object();

	mlv_json_set_string(o, "path", path);
	mlv_json_set(o, "oid", json_sprintf("sha256:%s", p->oid));
	mlv_json_set(o, "size", json_integer((json_int_t)p->size));
	mlv_json_set_string(o, "state",
			    mlv_worktree_state_name((enum mlv_worktree_state)state));
	mlv_json_set(o, "in_store", json_boolean(mlv_store_has(&repo->store, p->oid)));
	return o;
}

static int list_one(const char *path, const struct mlv_pointer *p,
		    const git_index_entry *e, void *payload)
{
	struct listing *l = payload;
	enum mlv_worktree_state state = MLV_WT_MISSING;
	int err;

	if (!path_args_match(&l->paths, path))
		return 0;
	if (l->repo->workdir &&
	    (err = mlv_worktree_state(&state, l->repo, path, p, e, 0)) < 0)
		return err;
	if (l->json) {
		json_t *o = pointer_file_json(l->repo, path, p, state);

		printf("%s\n  ", l->count ? "," : "");
		err = mlv_json_write(stdout, o, 0) < 0 ? -1 : 0;
		json_decref(o);
		if (err < 0) {
			mlv_error_set_errno("cannot write the listing to stdout");
			return -1;
		}
	} else {
		printf("%.*s %c %s", l->long_oids ? MLV_OID_HEXSZ : 10, p->oid,
		       state == MLV_WT_POINTER ? '-' : '*', mlv_quote_display(path));
		if (l->long_oids)
			printf(" (%llu bytes, %s)", (unsigned long long)p->size,
			       mlv_worktree_state_name(state));
		putchar('\n');
	}
	l->count++;
	return 0;
}

int cmd_ls_files(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	struct listing l = { &repo, { NULL, NULL, 0 }, 0, 0, 0 };
	git_index *index = NULL;
	const char *format = NULL;
	int glob = 0, err, rc = 0;
	const struct option opts[] = {
		OPT_FLAG('l', "long", &l.long_oids, "whole oids, sizes and states"),
		OPT_FLAG(0, "glob", &glob, "the paths are patterns, as in .gitattributes"),
		OPT_FORMAT_JSON(&format, &l.json),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, LS_FILES_USAGE)) ||
	    (rc = text_or_json(&l.json, format)))
		return rc;
	if (mlv_repo_open(&repo) < 0)
		return die_with_error("");
	if (argc > 1 && !repo.workdir) {
		mlv_error_set("ls-files PATH... needs a work tree");
		rc = die_with_error("");
		goto done;
	}
	if (path_args_init(&l.paths, repo.workdir, argv + 1, (size_t)(argc - 1), glob) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if ((err = git_repository_index(&index, repo.git)) < 0) {
		mlv_error_from_git(err, "cannot read the index");
		rc = die_with_error("");
		goto done;
	}
	if (l.json)
		printf("[");
	if ((err = mlv_scan_index(&repo, index, list_one, &l)) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (l.json)
		printf("%s]\n", l.count ? "\n" : "");
done:
	path_args_release(&l.paths);
	git_index_free(index);
	mlv_repo_release(&repo);
	return rc;
}
