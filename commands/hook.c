/* git mlv hook <name> [<args>...]: what the hook shims run */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/policy.h"
#include "mlv/promote.h"
#include "mlv/registry.h"
#include "mlv/run.h"
#include "mlv/util.h"

/* pre-commit and pre-merge-commit: the index against HEAD. */
static int hook_pre_commit(struct mlv_repo *repo)
{
	struct mlv_problems problems = MLV_PROBLEMS_INIT, stale = MLV_PROBLEMS_INIT;
	struct mlv_snapshot snap = { NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL };
	git_object *head = NULL;
	size_t i;
	int err, rc = 0;

	if ((err = git_repository_index(&snap.index, repo->git)) < 0) {
		mlv_error_from_git(err, "cannot read the index");
		return die_with_error("");
	}
	if (git_revparse_single(&head, repo->git, "HEAD^{tree}") == 0)
		snap.parent = (git_tree *)head;
	git_error_clear();
	snap.stale = &stale;
	if (mlv_policy_check(&problems, repo, &snap) < 0) {
		rc = die_with_error("");
	} else if (problems.n) {
		fprintf(stderr, "mlv: commit refused: %zu problem%s with model "
			"lineage\n", problems.n, problems.n == 1 ? "" : "s");
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "  %s\n", problems.items[i]);
		rc = 1;
	}
	/* a notice, as dvc status reports changed dependencies */
	for (i = 0; rc != 128 && i < stale.n; i++)
		fprintf(stderr, "mlv: notice: %s\n", stale.items[i]);
	mlv_problems_release(&problems);
	mlv_problems_release(&stale);
	git_object_free(head);
	git_index_free(snap.index);
	return rc;
}

/* One "<old> <new> <ref>" line of pre-receive's input. */
struct ref_update {
	char old_hex[65], new_hex[65], ref[900];
};

static const char zero_oid[] = "0000000000000000000000000000000000000000";

/*
 * The registry tags a push brings: none may move or delete an existing
 * one, and each assign must follow the promotion rules of the
 * repository's HEAD. Problems go to `problems`; 0, or a negative error.
 */
static int check_pushed_tags(struct mlv_problems *problems, struct mlv_repo *repo,
			     const struct ref_update *updates, size_t n)
{
	struct mlv_registry_tag t = MLV_REGISTRY_TAG_INIT;
	struct mlv_registry reg = MLV_REGISTRY_INIT;
	struct mlv_promote_pushed *pushed = NULL, fresh = MLV_PROMOTE_PUSHED_INIT;
	struct mlv_policy policy;
	size_t i, npushed = 0, alloc = 0;
	git_oid id;
	int err = 0;

	mlv_policy_init(&policy);
	for (i = 0; i < n; i++) {
		const char *tag = updates[i].ref + strlen("refs/tags/");

		if (strncmp(updates[i].ref, "refs/tags/", 10) ||
		    mlv_registry_parse_tag(&t, tag) < 0) {
			mlv_error_clear(); /* not a registry tag: not ours to judge */
			continue;
		}
		if (strncmp(updates[i].old_hex, zero_oid, 40)) {
			mlv_problems_add(problems, "tag '%s': registry tags are never moved "
					 "or deleted; record a change with a new one (git mlv "
					 "assign, unassign or deprecate)", tag);
			continue;
		}
		if ((err = git_oid_fromstr(&id, updates[i].new_hex)) < 0) {
			err = mlv_error_from_git(err, updates[i].new_hex);
			goto done;
		}
		MLV_ALLOC_GROW(pushed, npushed, alloc);
		pushed[npushed] = fresh;
		err = mlv_promote_read_pushed(&pushed[npushed], repo->git, tag, &id);
		if (err == 0)
			npushed++;
		else if (err == MLV_ENOTFOUND)
			mlv_promote_pushed_release(&pushed[npushed]);
		else
			goto done;
		err = 0;
	}
	if (!npushed)
		goto done;
	mlv_policy_release(&policy);
	if ((err = mlv_promote_load_policy(&policy, problems, repo->git)) < 0 ||
	    !mlv_policy_has_registry_rules(&policy) ||
	    (err = mlv_registry_load(&reg, repo->git)) < 0)
		goto done;
	for (i = 0; i < npushed && err == 0; i++)
		err = mlv_promote_check(problems, repo->git, &reg, &policy,
					&pushed[i].assign, pushed, npushed);
done:
	for (i = 0; i < npushed; i++)
		mlv_promote_pushed_release(&pushed[i]);
	free(pushed);
	mlv_registry_release(&reg);
	mlv_registry_tag_release(&t);
	mlv_policy_release(&policy);
	return err;
}

/*
 * pre-receive on a server: every commit the push brings that the
 * repository does not have yet, and the registry tags it brings. Lines
 * are "<old> <new> <ref>".
 */
static int hook_pre_receive(struct mlv_repo *repo)
{
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct ref_update *updates = NULL;
	size_t i, n = 0, alloc = 0;
	git_revwalk *walk = NULL;
	char line[1024];
	int err, rc;

	if ((err = git_revwalk_new(&walk, repo->git)) < 0 ||
	    (err = git_revwalk_hide_glob(walk, "refs/*")) < 0) {
		mlv_error_from_git(err, "cannot walk the history");
		rc = die_with_error("");
		goto done;
	}
	git_error_clear();
	while (fgets(line, sizeof(line), stdin)) {
		struct ref_update *u;
		git_oid id;

		MLV_ALLOC_GROW(updates, n, alloc);
		u = &updates[n];
		if (sscanf(line, "%64s %64s %899s", u->old_hex, u->new_hex, u->ref) != 3)
			continue;
		n++;
		if (!strncmp(u->new_hex, zero_oid, 40))
			continue;
		if (git_oid_fromstr(&id, u->new_hex) < 0 || git_revwalk_push(walk, &id) < 0) {
			mlv_error_from_git(-1, u->new_hex);
			rc = die_with_error("");
			goto done;
		}
	}
	rc = verify_revwalk(repo, walk, 1, NULL);
	/* git sends the hook's stdout and stderr down one channel: the
	 * commits must come out before the line that refers to them */
	fflush(stdout);
	if (rc == 1)
		fprintf(stderr, "mlv: push refused: the commits above break the "
			"model lineage policy\n");
	if (rc == 128)
		goto done;
	if (check_pushed_tags(&problems, repo, updates, n) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (problems.n) {
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "  %s\n", problems.items[i]);
		fprintf(stderr, "mlv: push refused: the registry tags above break the "
			"registry's rules\n");
		rc = 1;
	}
done:
	mlv_problems_release(&problems);
	free(updates);
	git_revwalk_free(walk);
	return rc;
}

/*
 * post-checkout and post-merge: say when files were left as pointers
 * because their content is not in the local store, so nobody trains on a
 * 130-byte pointer by mistake. Cheap: only index entries whose work tree
 * size says they can be pointers are looked at.
 */
static int hook_report_pointers(struct mlv_repo *repo)
{
	git_index *index = NULL;
	size_t i, n, pointers = 0, missing = 0;
	if (mlv_repo_skip_smudge(repo) || !repo->workdir ||
	    git_repository_index(&index, repo->git) < 0) {
		git_error_clear();
		return 0;
	}
	n = git_index_entrycount(index);
	for (i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		char head[MLV_POINTER_MAX], *full;
		struct mlv_pointer p;
		ssize_t got;
		int fd;

		if (e->file_size == 0 || e->file_size >= MLV_POINTER_MAX ||
		    GIT_INDEX_ENTRY_STAGE(e) != 0)
			continue;
		full = mlv_path_join(repo->workdir, e->path);
		fd = open(full, O_RDONLY | O_CLOEXEC);
		free(full);
		if (fd < 0)
			continue;
		got = mlv_read_full(fd, head, sizeof(head));
		close(fd);
		if (got <= 0 || mlv_pointer_parse(&p, head, (size_t)got) < 0)
			continue;
		pointers++;
		missing += !mlv_store_has(&repo->store, p.oid);
	}
	git_index_free(index);
	if (missing)
		fprintf(stderr, "mlv: %zu file%s left as pointers: their content is "
			"not in the local store; 'git mlv checkout' downloads and "
			"materializes them\n",
			missing, missing == 1 ? " is" : "s are");
	else if (pointers)
		fprintf(stderr, "mlv: %zu file%s left as pointers; 'git mlv checkout' "
			"materializes them\n", pointers, pointers == 1 ? " is" : "s are");
	return 0;
}

/*
 * pre-push: upload the mlv objects of exactly the commits being pushed
 * (stdin: "<local ref> <local oid> <remote ref> <remote oid>" lines) to
 * the remote's store before git sends the refs. An mlv:: remote's helper
 * does this itself.
 */
static int is_null_oid(const char *hex)
{
	return strspn(hex, "0") == strlen(hex);
}

static int is_hex_oid(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return !s[n] && (n == 40 || n == 64);
}

static int hook_pre_push(struct mlv_repo *repo, int argc, char **argv)
{
	const char *remote = argc > 2 ? argv[2] : "origin";
	const char *url = argc > 3 ? argv[3] : "";
	char **tips = NULL, **hides = NULL, *line = NULL;
	size_t ntips = 0, nhides = 0, i, line_alloc = 0;
	int rc = 0;

	if (!strncmp(url, "mlv::", 5))
		return 0;
	while (getline(&line, &line_alloc, stdin) > 0) {
		/* "<local ref> <local oid> <remote ref> <remote oid>": ref names
		 * hold no spaces, so four fields split on ' ' */
		char *field[4], *p = line;
		size_t n;

		line[strcspn(line, "\n")] = '\0';
		for (n = 0; n < 4 && p; n++) {
			field[n] = p;
			if ((p = strchr(p, ' ')))
				*p++ = '\0';
		}
		if (n < 4 || p || !is_hex_oid(field[1]) || !is_hex_oid(field[3]))
			continue;
		if (!is_null_oid(field[1])) {
			tips = mlv_xreallocarray(tips, ntips + 1, sizeof(*tips));
			tips[ntips++] = mlv_xstrdup(field[1]);
		}
		if (!is_null_oid(field[3])) {
			hides = mlv_xreallocarray(hides, nhides + 2, sizeof(*hides));
			hides[nhides++] = mlv_xstrdup(field[3]);
		}
	}
	/* and what the remote is known to have already */
	if (strcmp(remote, url)) {
		struct mlv_buf arg = MLV_BUF_INIT;

		mlv_buf_printf(&arg, "--remotes=%s", remote);
		hides = mlv_xreallocarray(hides, nhides + 1, sizeof(*hides));
		hides[nhides++] = mlv_buf_detach(&arg);
	}
	if (ntips && push_objects(repo, remote, (const char *const *)tips, ntips,
				  (const char *const *)hides, nhides,
				  mlv_run_git_is_quiet()) < 0)
		rc = die_with_error("");
	for (i = 0; i < ntips; i++)
		free(tips[i]);
	for (i = 0; i < nhides; i++)
		free(hides[i]);
	free(tips);
	free(hides);
	free(line);
	return rc ? 1 : 0;
}

int cmd_hook(int argc, char **argv)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	const char *name;
	int rc = 0;

	if (argc < 2)
		return usage_error("hook <name> [<args>...]");
	name = argv[1];
	if (mlv_repo_open(&repo) < 0)
		return die_with_error("");
	if (!strcmp(name, "pre-commit") || !strcmp(name, "pre-merge-commit"))
		rc = hook_pre_commit(&repo);
	else if (!strcmp(name, "pre-receive"))
		rc = hook_pre_receive(&repo);
	else if (!strcmp(name, "post-checkout") || !strcmp(name, "post-merge"))
		rc = hook_report_pointers(&repo);
	else if (!strcmp(name, "pre-push"))
		rc = hook_pre_push(&repo, argc, argv);
	else
		rc = usage_error("hook (pre-commit | pre-merge-commit | pre-push | "
				 "post-checkout | post-merge | pre-receive) [<args>...]");
	mlv_repo_release(&repo);
	return rc;
}
