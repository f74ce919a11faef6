/*
 * The registry's writers, each one new annotated tag, never a moved one:
 *
 *   git mlv register <model> [<rev>] [--version X.Y.Z | --bump-major |
 *                    --bump-minor | --bump-patch] [-m <msg>] [-s]
 *   git mlv assign <model> <version> --stage <stage> [-m <msg>] [-s] [--push[=<remote>]]
 *   git mlv unassign <model> --stage <stage> [-m <msg>] [-s] [--push[=<remote>]]
 *   git mlv deprecate <model> [-m <msg>] [-s] [--push[=<remote>]]
 *
 * Two people can take the same counter at once (NAME#prod#7 made in two
 * clones): the remote keeps the first tag pushed and refuses the second,
 * as it refuses any existing tag. With --push a stage command pushes its
 * tag itself, and when the remote already has that name it deletes its
 * own tag (made a moment ago, never shared), fetches the name's tags,
 * checks the rules again on what it now knows and tags with the next
 * counter, until its tag lands. Both assignments then stand in the
 * remote's history, in the order they landed: a tag is never dated before
 * the latest event of its name, so the time order and the counter order
 * agree even when the clocks do not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtin.h"
#include "mlv/error.h"
#include "mlv/policy.h"
#include "mlv/promote.h"
#include "mlv/quote.h"
#include "mlv/registry.h"
#include "mlv/run.h"
#include "mlv/sidecar.h"
#include "mlv/sync.h"
#include "mlv/util.h"

#define REGISTER_USAGE \
	"register <model> [<rev>] [--version X.Y.Z | --bump-major | --bump-minor | " \
	"--bump-patch] [-m <message>] [-s]"
#define ASSIGN_USAGE \
	"assign <model> <version> --stage <stage> [-m <message>] [-s] [--push[=<remote>]]"
#define UNASSIGN_USAGE \
	"unassign <model> --stage <stage> [-m <message>] [-s] [--push[=<remote>]]"
#define DEPRECATE_USAGE "deprecate <model> [-m <message>] [-s] [--push[=<remote>]]"

/* How often a stage command tries to push its tag, taking the next counter
 * after each time someone else's took it on the remote, before it gives up. */
#define PUSH_TRIES 8

/* What every writer parses. */
struct writer {
	struct mlv_repo repo;
	struct mlv_registry reg;
	struct mlv_registry_state state;
	struct mlv_buf name;     /* the registry name */
	char *model;             /* the model path, when one was given */
	const char *message;
	int sign;
	int push;                /* --push */
	const char *remote;      /* --push=<remote>; NULL: the default one */
	struct mlv_buf made;     /* the tag created */
	int64_t now;             /* tagger_time(), once asked; INT64_MIN before */
};

#define WRITER_INIT { MLV_REPO_INIT, MLV_REGISTRY_INIT, MLV_REGISTRY_STATE_INIT, \
		      MLV_BUF_INIT, NULL, NULL, 0, 0, NULL, MLV_BUF_INIT, INT64_MIN }

static void writer_release(struct writer *w)
{
	mlv_registry_state_release(&w->state);
	mlv_registry_release(&w->reg);
	mlv_buf_release(&w->name);
	mlv_buf_release(&w->made);
	free(w->model);
	mlv_repo_release(&w->repo);
}

/* Forget what was read, keep the options: for another try. */
static void writer_reset(struct writer *w)
{
	struct writer fresh = WRITER_INIT;

	fresh.message = w->message;
	fresh.sign = w->sign;
	fresh.push = w->push;
	fresh.remote = w->remote;
	writer_release(w);
	*w = fresh;
}

/* Open the repository, read the registry and name the model `arg` (a
 * path, or a registry name). 0, or the exit code after a message. */
static int writer_open(struct writer *w, const char *arg)
{
	const char *configured;

	if (mlv_repo_open(&w->repo) < 0 ||
	    mlv_registry_load_names(&w->reg, w->repo.git) < 0)
		return die_with_error("");
	w->model = model_path(&w->repo, arg);
	if ((configured = mlv_registry_configured_path(&w->reg, arg))) {
		/* a name that .mlvconfig gives a model */
		mlv_buf_sets(&w->name, arg);
		free(w->model);
		w->model = mlv_xstrdup(configured);
	} else if (strchr(w->model, '.') || mlv_registry_name_is_valid(w->model)) {
		mlv_registry_name_for(&w->name, &w->reg, w->model);
	} else {
		mlv_buf_sets(&w->name, w->model);
	}
	if (!mlv_registry_name_is_valid(w->name.ptr)) {
		fprintf(stderr, "fatal: '%s' cannot be a registry name: use letters, "
				"digits, '/', '_' and '-' (not first: '-' or '/')\n",
			w->name.ptr);
		return 128;
	}
	/* the counters, versions and stages are the name's own */
	if (mlv_registry_load_name(&w->reg, w->repo.git, w->name.ptr) < 0)
		return die_with_error("");
	mlv_registry_state(&w->state, &w->reg, w->name.ptr, INT64_MAX);
	return 0;
}

/* When a tag made now will say it was made: git's committer ident, which
 * GIT_COMMITTER_DATE can set (the tagger is the committer); else now.
 * Asked of git once per try: the rules and the tag see the same time. */
static int64_t tagger_time(struct writer *w)
{
	const char *args[] = { "var", "GIT_COMMITTER_IDENT", NULL };
	struct mlv_buf out = MLV_BUF_INIT;
	const char *close;
	long long t;

	if (w->now != INT64_MIN)
		return w->now;
	w->now = (int64_t)time(NULL);
	if (mlv_run_git(&out, args, MLV_RUN_QUIET | MLV_RUN_NO_STDIN) == 0 &&
	    (close = strrchr(out.ptr, '>')) && sscanf(close + 1, "%lld", &t) == 1)
		w->now = (int64_t)t;
	mlv_buf_release(&out);
	return w->now;
}

/* Create the annotated tag `tag` on `commit` with git itself, so that
 * tag.gpgSign, user.signingKey and gpg.format apply as to any git tag. */
static int create_tag(struct writer *w, const char *tag, const git_oid *commit,
		      const char *message)
{
	char hex[GIT_OID_HEXSZ + 1];
	const char *args[] = { "tag", w->sign ? "-s" : "-a", "-m", message, "--", tag,
			       git_oid_tostr(hex, sizeof(hex), commit), NULL };
	struct mlv_buf out = MLV_BUF_INIT, date = MLV_BUF_INIT;
	char *was = NULL;
	int64_t latest = INT64_MIN;
	size_t i;
	int rc;

	/* never dated before the event it follows, whatever this clock says */
	for (i = 0; i < w->reg.n; i++)
		if (!strcmp(w->reg.events[i].name, w->name.ptr) && w->reg.events[i].time > latest)
			latest = w->reg.events[i].time;
	if (latest != INT64_MIN && latest > tagger_time(w)) {
		/* for this git tag only: the date the user set stays theirs */
		if ((was = getenv("GIT_COMMITTER_DATE")))
			was = mlv_xstrdup(was);
		mlv_buf_printf(&date, "%lld +0000", (long long)latest);
		setenv("GIT_COMMITTER_DATE", date.ptr, 1);
	}
	rc = mlv_run_git(&out, args, MLV_RUN_STDERR_TO_OUT | MLV_RUN_NO_STDIN);
	if (date.len) {
		if (was)
			setenv("GIT_COMMITTER_DATE", was, 1);
		else
			unsetenv("GIT_COMMITTER_DATE");
		free(was);
	}
	if (rc != 0) {
		fprintf(stderr, "fatal: git tag %s failed: %s", tag,
			out.len ? out.ptr : "(no message)\n");
		rc = 128;
	} else {
		struct mlv_buf q = MLV_BUF_INIT;

		mlv_buf_sets(&w->made, tag);
		mlv_quote_shell(&q, tag);
		printf("Created tag '%s' on %.12s\n", tag, hex);
		if (!w->push)
			printf("To share it: git push origin %s\n", q.ptr);
		mlv_buf_release(&q);
	}
	mlv_buf_release(&date);
	mlv_buf_release(&out);
	return rc;
}

/* The options every writer takes. */
#define OPT_WRITER(w) \
	OPT_STRING('m', "message", &(w)->message, "<message>", \
		   "the tag's message (default: what it does)"), \
	OPT_FLAG('s', "sign", &(w)->sign, "sign the tag (gpg.format, user.signingKey)")

/* The next version after `latest` (NULL: none yet) for --bump-KIND. */
static void bump(struct mlv_buf *out, const char *latest, char kind)
{
	unsigned long v[3] = { 0, 0, 0 };

	if (latest)
		sscanf(latest, "%lu.%lu.%lu", &v[0], &v[1], &v[2]);
	if (kind == 'M')
		v[0]++, v[1] = 0, v[2] = 0;
	else if (kind == 'm')
		v[1]++, v[2] = 0;
	else
		v[2]++;
	mlv_buf_printf(out, "%lu.%lu.%lu", v[0], v[1], v[2]);
}

/* The model at `commit` must have a valid sidecar there: the commit
 * check, for that model alone. 0, or the exit code after the problems. */
static int check_lineage(struct writer *w, const git_oid *commit, const char *rev)
{
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_snapshot snap = { NULL, NULL, commit, NULL, 1, w->model, NULL };
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	size_t i;
	int rc = 0;

	if (git_commit_lookup(&c, w->repo.git, commit) < 0 || git_commit_tree(&tree, c) < 0) {
		mlv_error_from_git(-1, "cannot read the commit");
		rc = die_with_error("");
		goto done;
	}
	if (git_tree_entry_bypath(&e, tree, w->model) < 0) {
		fprintf(stderr, "fatal: cannot register '%s': %s holds no such model\n",
			w->model, rev);
		rc = 1;
		goto done;
	}
	snap.tree = tree;
	if (mlv_policy_check(&problems, &w->repo, &snap) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (problems.n) {
		fprintf(stderr, "fatal: cannot register '%s' at %s: its lineage does not "
				"hold there:\n", w->model, rev);
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "  %s\n", problems.items[i]);
		rc = 1;
	}
done:
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	mlv_problems_release(&problems);
	return rc;
}

/* [model] version of the sidecar at `commit`, into `out`: 1, or 0. */
static int sidecar_version(struct mlv_buf *out, struct writer *w, const git_oid *commit)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT;
	const char *v;
	int found = 0;

	if (committed_sidecar(&sc, &w->repo, commit, w->model) &&
	    (v = mlv_sidecar_get(&sc, "model", NULL, "version"))) {
		mlv_buf_sets(out, v);
		found = 1;
	}
	mlv_sidecar_release(&sc);
	return found;
}

/* The highest version `m` ever registered (deregistered ones count: a
 * version number is never reused). */
static const char *highest_ever(const struct mlv_registry_model *m)
{
	return m && m->nversions ? m->versions[m->nversions - 1].registered->version
				 : NULL;
}

int cmd_register(int argc, char **argv)
{
	struct writer w = WRITER_INIT;
	struct mlv_buf version = MLV_BUF_INIT, recorded = MLV_BUF_INIT;
	struct mlv_buf tag = MLV_BUF_INIT, msg = MLV_BUF_INIT;
	const char *model = NULL, *rev = NULL, *asked = NULL, *top;
	const struct mlv_registry_model *m;
	git_object *obj = NULL, *commit = NULL;
	char kind = 0;
	int rc = 0, major = 0, minor = 0, patch = 0;
	const struct option opts[] = {
		OPT_STRING(0, "version", &asked, "<X.Y.Z>", "the version (the sidecar's by default)"),
		OPT_FLAG(0, "bump-major", &major, "the highest registered version, next major"),
		OPT_FLAG(0, "bump-minor", &minor, "the highest registered version, next minor"),
		OPT_FLAG(0, "bump-patch", &patch, "the highest registered version, next patch"),
		OPT_WRITER(&w),
		OPT_END(),
	};

	if ((rc = parse_options(&argc, argv, opts, REGISTER_USAGE)))
		goto done;
	kind = major ? 'M' : minor ? 'm' : patch ? 'p' : 0;
	model = argc > 1 ? argv[1] : NULL;
	rev = argc > 2 ? argv[2] : NULL;
	if (!model || argc > 3 || major + minor + patch > 1 || (asked && kind)) {
		rc = usage_with_options(REGISTER_USAGE, opts);
		goto done;
	}
	if (asked && asked[0] == 'v')
		asked++;
	if (asked && !mlv_semver_is_valid(asked)) {
		fprintf(stderr, "fatal: '%s' is not a semantic version (X.Y.Z)\n", asked);
		rc = 129;
		goto done;
	}
	if ((rc = writer_open(&w, model)))
		goto done;
	if (!rev)
		rev = "HEAD";
	if (git_revparse_single(&obj, w.repo.git, rev) < 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		fprintf(stderr, "fatal: '%s' is not a commit in this repository\n", rev);
		rc = 128;
		goto done;
	}
	if ((rc = check_lineage(&w, git_object_id(commit), rev)))
		goto done;
	m = mlv_registry_find_model(&w.state, w.name.ptr);
	top = highest_ever(m);
	sidecar_version(&recorded, &w, git_object_id(commit));
	if (asked)
		mlv_buf_sets(&version, asked);
	else if (kind)
		bump(&version, top, kind);
	else if (recorded.len)
		mlv_buf_sets(&version, recorded.ptr);
	if (!version.len) {
		fprintf(stderr, "fatal: the sidecar of '%s' records no [model] version: "
				"give --version X.Y.Z or --bump-patch (or -minor, -major)\n",
			w.model);
		rc = 1;
		goto done;
	}
	if (recorded.len && strcmp(recorded.ptr, version.ptr)) {
		fprintf(stderr, "fatal: the sidecar of '%s' at %s records version %s, not "
				"%s: register %s, or record %s with git mlv sidecar update "
				"--version %s\n", w.model, rev, recorded.ptr, version.ptr,
			recorded.ptr, version.ptr, version.ptr);
		rc = 1;
		goto done;
	}
	if (top && mlv_semver_compare(version.ptr, top) <= 0) {
		fprintf(stderr, "fatal: version %s of '%s' is not higher than %s, the "
				"highest registered one\n", version.ptr, w.name.ptr, top);
		rc = 1;
		goto done;
	}
	mlv_buf_printf(&tag, "%s@v%s", w.name.ptr, version.ptr);
	mlv_buf_printf(&msg, "%s", w.message ? w.message : "");
	if (!w.message)
		mlv_buf_printf(&msg, "Registering artifact %s version v%s\n\nmodel: %s\n",
			       w.name.ptr, version.ptr, w.model);
	rc = create_tag(&w, tag.ptr, git_object_id(commit), msg.ptr);
done:
	git_object_free(commit);
	git_object_free(obj);
	mlv_buf_release(&version);
	mlv_buf_release(&recorded);
	mlv_buf_release(&tag);
	mlv_buf_release(&msg);
	writer_release(&w);
	return rc;
}

/* The model of a stage command, which must be in the registry. */
static const struct mlv_registry_model *registered_model(const struct writer *w)
{
	const struct mlv_registry_model *m = mlv_registry_find_model(&w->state, w->name.ptr);

	if (!m)
		fprintf(stderr, "fatal: '%s' is not in the registry: git mlv register "
				"it first (git mlv models lists what is)\n", w->name.ptr);
	return m;
}

/* Assign, unassign or deprecate: the tag NAME<suffix>#N at `commit`. */
static int stage_tag(struct writer *w, const char *suffix, const git_oid *commit,
		     const char *default_message)
{
	struct mlv_buf tag = MLV_BUF_INIT;
	int rc;

	mlv_buf_printf(&tag, "%s%s#%lu", w->name.ptr, suffix,
		       mlv_registry_last_counter(&w->reg, w->name.ptr) + 1);
	rc = create_tag(w, tag.ptr, commit, w->message ? w->message : default_message);
	mlv_buf_release(&tag);
	return rc;
}

/* Parse a stage command's arguments: the model, an optional version,
 * --stage, and the writer's options. */
static int stage_args(struct writer *w, const char **model, const char **version,
		      const char **stage, int argc, char **argv, const char *usage)
{
	const struct option all[] = {
		OPT_STRING(0, "stage", stage, "<stage>", "the stage"),
		OPT_OPTARG(0, "push", &w->remote, "<remote>", "",
			   "push the tag (to the branch's remote, else origin), "
			   "taking the next counter if someone took this one"),
		OPT_WRITER(w),
		OPT_END(),
	};
	const struct option *opts = stage ? all : all + 1; /* deprecate: no stage */
	int rc, want = 2 + (version != NULL);

	if ((rc = parse_options(&argc, argv, opts, usage)))
		return rc;
	if (argc != want || (stage && !*stage))
		return usage_with_options(usage, opts);
	*model = argv[1];
	if (version)
		*version = argv[2];
	w->push = w->remote != NULL;
	if (w->remote && !*w->remote)
		w->remote = NULL; /* the default remote */
	if (stage && !mlv_registry_stage_is_valid(*stage)) {
		fprintf(stderr, "fatal: '%s' is not a stage name: use letters, digits, "
				"'_' and '-'\n", *stage);
		return 129;
	}
	return 0;
}

/*
 * The promotion rules of HEAD's .mlvconfig for assigning the version at
 * `commit` to `stage`, before the tag exists: 0, or the exit code after
 * the problems. A stage that requires signing gets a signed tag (git's
 * own error shows when signing fails).
 */
static int check_rules(struct writer *w, const char *stage, const git_oid *commit)
{
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_promote_assign a;
	struct mlv_policy policy;
	struct mlv_buf tag = MLV_BUF_INIT;
	const struct mlv_stage_rule *r;
	size_t i;
	int rc = 0;

	memset(&a, 0, sizeof(a));
	a.counter = mlv_registry_last_counter(&w->reg, w->name.ptr) + 1;
	mlv_buf_printf(&tag, "%s#%s#%lu", w->name.ptr, stage, a.counter);
	a.tag = tag.ptr;
	a.name = w->name.ptr;
	a.stage = stage;
	a.commit = *commit;
	a.time = tagger_time(w);
	if (mlv_promote_load_policy(&policy, &problems, w->repo.git) < 0 ||
	    mlv_promote_check(&problems, w->repo.git, &w->reg, &policy, &a, NULL, 0) < 0) {
		rc = die_with_error("");
		goto done;
	}
	if (problems.n) {
		fprintf(stderr, "fatal: cannot assign %s to stage '%s': the promotion "
				"rules of %s at HEAD say no:\n", w->name.ptr, stage,
			MLV_POLICY_FILE);
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "  %s\n", problems.items[i]);
		rc = 1;
		goto done;
	}
	if ((r = mlv_policy_stage_rule(&policy, stage)) && r->require_signed)
		w->sign = 1;
done:
	mlv_policy_release(&policy);
	mlv_problems_release(&problems);
	mlv_buf_release(&tag);
	return rc;
}

/* What a stage command was asked. */
struct stage_cmd {
	const char *model, *version, *stage;
};

static int assign(struct writer *w, const struct stage_cmd *c)
{
	struct mlv_buf msg = MLV_BUF_INIT, suffix = MLV_BUF_INIT;
	const char *version = c->version, *stage = c->stage;
	const struct mlv_registry_model *m;
	const struct mlv_registry_version_state *v;
	const struct mlv_registry_event *now;
	int rc;

	if ((rc = writer_open(w, c->model)))
		goto done;
	if (!(m = registered_model(w))) {
		rc = 1;
		goto done;
	}
	if (!(v = mlv_registry_find_version(m, version))) {
		fprintf(stderr, "fatal: '%s' has no registered version %s (git mlv models "
				"%s lists them)\n", w->name.ptr, version, w->name.ptr);
		rc = 1;
		goto done;
	}
	if ((now = mlv_registry_in_stage(m, stage)) && now->version &&
	    !strcmp(now->version, v->registered->version)) {
		fprintf(stderr, "fatal: %s v%s is in stage '%s' already (tag '%s')\n",
			w->name.ptr, now->version, stage, now->tag);
		rc = 1;
		goto done;
	}
	if ((rc = check_rules(w, stage, &v->registered->commit)))
		goto done;
	mlv_buf_printf(&msg, "Assigning stage %s to artifact %s version v%s\n", stage,
		       w->name.ptr, v->registered->version);
	mlv_buf_printf(&suffix, "#%s", stage);
	rc = stage_tag(w, suffix.ptr, &v->registered->commit, msg.ptr);
done:
	mlv_buf_release(&msg);
	mlv_buf_release(&suffix);
	return rc;
}

static int unassign(struct writer *w, const struct stage_cmd *c)
{
	struct mlv_buf msg = MLV_BUF_INIT, suffix = MLV_BUF_INIT;
	const struct mlv_registry_model *m;
	const struct mlv_registry_event *now;
	int rc;

	if ((rc = writer_open(w, c->model)))
		goto done;
	if (!(m = registered_model(w))) {
		rc = 1;
		goto done;
	}
	if (!(now = mlv_registry_in_stage(m, c->stage))) {
		fprintf(stderr, "fatal: no version of '%s' is in stage '%s'\n", w->name.ptr,
			c->stage);
		rc = 1;
		goto done;
	}
	mlv_buf_printf(&msg, "Unassigning stage %s from artifact %s version v%s\n",
		       c->stage, w->name.ptr, now->version ? now->version : "?");
	mlv_buf_printf(&suffix, "#%s!", c->stage);
	rc = stage_tag(w, suffix.ptr, &now->commit, msg.ptr);
done:
	mlv_buf_release(&msg);
	mlv_buf_release(&suffix);
	return rc;
}

static int deprecate(struct writer *w, const struct stage_cmd *c)
{
	struct mlv_buf msg = MLV_BUF_INIT;
	const struct mlv_registry_model *m;
	const struct mlv_registry_version_state *latest;
	int rc;

	if ((rc = writer_open(w, c->model)))
		goto done;
	if (!(m = registered_model(w))) {
		rc = 1;
		goto done;
	}
	if (m->deprecated) {
		fprintf(stderr, "fatal: '%s' is deprecated already (tag '%s')\n", w->name.ptr,
			m->deprecated->tag);
		rc = 1;
		goto done;
	}
	latest = m->nversions ? &m->versions[m->nversions - 1] : NULL;
	mlv_buf_printf(&msg, "Deprecating artifact %s\n", w->name.ptr);
	rc = latest ? stage_tag(w, "@deprecated", &latest->registered->commit, msg.ptr) : 1;
done:
	mlv_buf_release(&msg);
	return rc;
}

#define LANDED 0
#define TAKEN (-2)

/* Push the tag just made to `remote`: LANDED; TAKEN when the remote holds
 * another tag of that name; else the exit code after a message. */
static int push_tag(struct writer *w, const char *remote)
{
	struct mlv_buf ref = MLV_BUF_INIT, spec = MLV_BUF_INIT, out = MLV_BUF_INIT;
	struct mlv_buf there = MLV_BUF_INIT, q = MLV_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	const char *push[] = { "push", "--porcelain", "--", remote, NULL, NULL };
	const char *ls[] = { "ls-remote", "--", remote, NULL, NULL };
	git_oid mine;
	int rc;

	mlv_buf_printf(&ref, "refs/tags/%s", w->made.ptr);
	mlv_buf_printf(&spec, "%s:%s", ref.ptr, ref.ptr);
	push[4] = spec.ptr;
	ls[3] = ref.ptr;
	if ((rc = git_reference_name_to_id(&mine, w->repo.git, ref.ptr)) < 0) {
		mlv_error_from_git(rc, "cannot read the tag just made");
		rc = die_with_error("");
		goto done;
	}
	git_oid_tostr(hex, sizeof(hex), &mine);
	if (mlv_run_git(&out, push, MLV_RUN_STDERR_TO_OUT | MLV_RUN_NO_STDIN) == 0) {
		printf("Pushed it to %s\n", remote);
		rc = LANDED;
		goto done;
	}
	/* refused: because the name is taken there, or for a reason to show */
	if (mlv_run_git(&there, ls, MLV_RUN_QUIET | MLV_RUN_NO_STDIN) == 0 && there.len &&
	    strncmp(there.ptr, hex, GIT_OID_HEXSZ)) {
		rc = TAKEN;
		goto done;
	}
	mlv_quote_shell(&q, w->made.ptr);
	fprintf(stderr, "%sfatal: tag '%s' is made here, but %s did not take it (git push "
			"says why, above); once that is fixed: git push %s %s\n",
		out.ptr, w->made.ptr, remote, remote, q.ptr);
	rc = 1;
done:
	mlv_buf_release(&ref);
	mlv_buf_release(&spec);
	mlv_buf_release(&out);
	mlv_buf_release(&there);
	mlv_buf_release(&q);
	return rc;
}

/* Make way for another try: delete the tag made here (never shared: the
 * remote holds another of its name) and fetch the name's tags. */
static int fetch_name(struct writer *w, const char *remote)
{
	struct mlv_buf stages = MLV_BUF_INIT, versions = MLV_BUF_INIT, out = MLV_BUF_INIT;
	const char *del[] = { "tag", "-d", "--", w->made.ptr, NULL };
	const char *fetch[] = { "fetch", "-q", "--no-tags", "--", remote, NULL, NULL, NULL };
	int rc = 0;

	mlv_buf_printf(&stages, "refs/tags/%s#*:refs/tags/%s#*", w->name.ptr, w->name.ptr);
	mlv_buf_printf(&versions, "refs/tags/%s@*:refs/tags/%s@*", w->name.ptr, w->name.ptr);
	fetch[5] = stages.ptr;
	fetch[6] = versions.ptr;
	if (mlv_run_git(&out, del, MLV_RUN_STDERR_TO_OUT | MLV_RUN_NO_STDIN) != 0 ||
	    mlv_run_git(&out, fetch, MLV_RUN_STDERR_TO_OUT | MLV_RUN_NO_STDIN) != 0) {
		fprintf(stderr, "%sfatal: %s holds another '%s', so it is deleted here, but "
				"the tags of %s cannot be fetched from %s to try again; run "
				"the command again once they can\n",
			out.ptr, remote, w->made.ptr, w->name.ptr, remote);
		rc = 128;
	}
	mlv_buf_release(&stages);
	mlv_buf_release(&versions);
	mlv_buf_release(&out);
	return rc;
}

/* The remote --push names, or the default one; before any tag is made. 0,
 * or the exit code after a message. */
static int push_remote(struct mlv_buf *out, const char *asked)
{
	struct mlv_repo repo = MLV_REPO_INIT;
	int rc = 0;

	if (mlv_repo_open(&repo) < 0) {
		rc = die_with_error("");
	} else if (!asked) {
		if (mlv_sync_default_remote(out, &repo) < 0)
			rc = die_with_error("no remote to push to: give --push=<remote>");
	} else if (!mlv_sync_is_remote(&repo, asked) && !strpbrk(asked, ":/")) {
		/* not a remote, nor a URL, scp-like address or path git takes */
		fprintf(stderr, "fatal: no such remote '%s' (git remote -v lists them)\n",
			asked);
		rc = 128;
	} else {
		mlv_buf_sets(out, asked);
	}
	mlv_repo_release(&repo);
	return rc;
}

/* Run a stage command; with --push, until its tag lands on the remote. */
static int run_stage(int argc, char **argv, int (*make)(struct writer *, const struct stage_cmd *),
		     int with_version, int with_stage, const char *usage)
{
	struct writer w = WRITER_INIT;
	struct stage_cmd c = { NULL, NULL, NULL };
	struct mlv_buf remote = MLV_BUF_INIT;
	int rc, tries;

	if ((rc = stage_args(&w, &c.model, with_version ? &c.version : NULL,
			     with_stage ? &c.stage : NULL, argc, argv, usage)) ||
	    (w.push && (rc = push_remote(&remote, w.remote))))
		goto done;
	for (tries = 1;; tries++) {
		if ((rc = make(&w, &c)) || !w.push)
			break;
		if ((rc = push_tag(&w, remote.ptr)) != TAKEN)
			break;
		if (tries == PUSH_TRIES) {
			fprintf(stderr, "fatal: %s took every counter tried, %d times; the tag "
					"'%s' stays here only: fetch the tags and run the command "
					"again, or push it as it is with git push\n",
				remote.ptr, PUSH_TRIES, w.made.ptr);
			rc = 1;
			break;
		}
		printf("%s holds another '%s': someone else's tag took that name a "
		       "moment ago; trying again after theirs\n", remote.ptr, w.made.ptr);
		if ((rc = fetch_name(&w, remote.ptr)))
			break;
		writer_reset(&w);
	}
done:
	mlv_buf_release(&remote);
	writer_release(&w);
	return rc;
}

int cmd_assign(int argc, char **argv)
{
	return run_stage(argc, argv, assign, 1, 1, ASSIGN_USAGE);
}

int cmd_unassign(int argc, char **argv)
{
	return run_stage(argc, argv, unassign, 0, 1, UNASSIGN_USAGE);
}

int cmd_deprecate(int argc, char **argv)
{
	return run_stage(argc, argv, deprecate, 0, 0, DEPRECATE_USAGE);
}
