/* Unit tests for include/mlv/registry.h: GTO's tag names and the state
 * that a list of events adds up to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlv/error.h"
#include "mlv/registry.h"

static void assert_tag(const char *tag, enum mlv_registry_kind kind, const char *name,
		       const char *version, const char *stage, unsigned long counter)
{
	struct mlv_registry_tag t = MLV_REGISTRY_TAG_INIT;

	assert_int_equal(mlv_registry_parse_tag(&t, tag), 0);
	assert_int_equal(t.kind, kind);
	assert_string_equal(t.name, name);
	if (version)
		assert_string_equal(t.version, version);
	else
		assert_null(t.version);
	if (stage)
		assert_string_equal(t.stage, stage);
	else
		assert_null(t.stage);
	assert_int_equal(t.counter, counter);
	mlv_registry_tag_release(&t);
}

static void test_registry__every_gto_form(void **state)
{
	(void)state;
	assert_tag("awesome-model@v0.0.1", MLV_REGISTRY_REGISTER, "awesome-model", "0.0.1",
		   NULL, 0);
	assert_tag("models/fraud@v1.2.0-rc.1+b5", MLV_REGISTRY_REGISTER, "models/fraud",
		   "1.2.0-rc.1+b5", NULL, 0);
	assert_tag("awesome-model@v0.0.1!#3", MLV_REGISTRY_DEREGISTER, "awesome-model",
		   "0.0.1", NULL, 3);
	assert_tag("awesome-model#prod#1", MLV_REGISTRY_ASSIGN, "awesome-model", NULL,
		   "prod", 1);
	assert_tag("awesome-model#prod!#2", MLV_REGISTRY_UNASSIGN, "awesome-model", NULL,
		   "prod", 2);
	assert_tag("awesome-model#prod", MLV_REGISTRY_ASSIGN, "awesome-model", NULL, "prod",
		   0);
	assert_tag("awesome-model@deprecated#4", MLV_REGISTRY_DEPRECATE, "awesome-model",
		   NULL, NULL, 4);
	assert_tag("awesome-model@deprecated", MLV_REGISTRY_DEPRECATE, "awesome-model",
		   NULL, NULL, 0);
	assert_tag("a/B_c-9/d#Stage_2-x#12345", MLV_REGISTRY_ASSIGN, "a/B_c-9/d", NULL,
		   "Stage_2-x", 12345);
}

static void test_registry__other_tags_are_not_ours(void **state)
{
	static const char *const others[] = { "v1.0.0", "release-3", "latest",
					      "x@latest", "x@1.0.0", "" };
	struct mlv_registry_tag t = MLV_REGISTRY_TAG_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_int_equal(mlv_registry_parse_tag(&t, others[i]), MLV_ENOTFOUND);
	mlv_registry_tag_release(&t);
}

static void test_registry__broken_forms_are_named(void **state)
{
	static const char *const broken[] = {
		"x@vnot-semver", "x@v1.0", "x#prod#abc", "x#prod#", "x#prod!#",
		"x@v1.0.0!#", "x@v1.0.0!#1a", "x@deprecated#z", "bad name#prod#1",
		"-x@v1.0.0", "/x@v1.0.0", "x/@v1.0.0", "a//b@v1.0.0", "x#pr/od#1",
		"x#-prod#1", "x#prod#99999999999999999999999", "x.y@v1.0.0", "x#@v1",
	};
	struct mlv_registry_tag t = MLV_REGISTRY_TAG_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		mlv_error_clear();
		assert_int_equal(mlv_registry_parse_tag(&t, broken[i]), MLV_EINVALID);
		assert_non_null(strstr(mlv_error_last(), "tag '"));
	}
	mlv_registry_tag_release(&t);
}

static void test_registry__names(void **state)
{
	struct mlv_buf b = MLV_BUF_INIT;

	(void)state;
	assert_true(mlv_registry_name_is_valid("models/fraud"));
	assert_true(mlv_registry_name_is_valid("A_b-9"));
	assert_false(mlv_registry_name_is_valid(""));
	assert_false(mlv_registry_name_is_valid("models/fraud.onnx"));
	assert_false(mlv_registry_name_is_valid("has space"));
	assert_false(mlv_registry_stage_is_valid("a/b"));
	mlv_registry_name_of(&b, "models/fraud.onnx");
	assert_string_equal(b.ptr, "models/fraud");
	mlv_registry_name_of(&b, "models.d/x");
	assert_string_equal(b.ptr, "models.d/x");
	mlv_registry_name_of(&b, "models/.hidden");
	assert_string_equal(b.ptr, "models/.hidden");
	mlv_buf_release(&b);
}

/* An event for a hand-made registry: commit ids are 0x11.., 0x22.. */
static void add_event(struct mlv_registry *reg, enum mlv_registry_kind kind,
		      const char *version, const char *stage, unsigned long counter,
		      int64_t time, unsigned char commit)
{
	struct mlv_registry_event *e;
	char *buf, *p;
	size_t len;

	reg->events = realloc(reg->events, (reg->n + 1) * sizeof(*reg->events));
	assert_non_null(reg->events);
	e = &reg->events[reg->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	/* as the loader does: name, version and stage in one buffer that
	 * name starts; an assignment's version on its own */
	len = 2 + (version ? strlen(version) + 1 : 0) + (stage ? strlen(stage) + 1 : 0);
	assert_non_null(buf = malloc(len));
	memcpy(buf, "m", 2);
	p = buf + 2;
	if (stage) {
		e->stage = strcpy(p, stage);
		p += strlen(stage) + 1;
	}
	if (version && (kind == MLV_REGISTRY_ASSIGN || kind == MLV_REGISTRY_UNASSIGN))
		e->version = strdup(version);
	else if (version)
		e->version = strcpy(p, version);
	e->tag = strdup("t");
	e->name = buf;
	e->counter = counter;
	e->time = time;
	memset(e->commit.id, commit, sizeof(e->commit.id));
}

static void test_registry__state_at_each_moment(void **state)
{
	struct mlv_registry reg = MLV_REGISTRY_INIT;
	struct mlv_registry_state s = MLV_REGISTRY_STATE_INIT;
	const struct mlv_registry_model *m;
	const struct mlv_registry_event *e;
	git_oid commit;
	struct mlv_buf name = MLV_BUF_INIT;

	(void)state;
	add_event(&reg, MLV_REGISTRY_REGISTER, "1.0.0", NULL, 0, 10, 0x11);
	add_event(&reg, MLV_REGISTRY_REGISTER, "1.10.0", NULL, 0, 20, 0x22);
	add_event(&reg, MLV_REGISTRY_REGISTER, "1.9.0", NULL, 0, 25, 0x33);
	add_event(&reg, MLV_REGISTRY_ASSIGN, "1.0.0", "prod", 1, 30, 0x11);
	add_event(&reg, MLV_REGISTRY_ASSIGN, "1.10.0", "prod", 2, 40, 0x22);
	add_event(&reg, MLV_REGISTRY_UNASSIGN, "1.0.0", "prod", 3, 50, 0x11);
	add_event(&reg, MLV_REGISTRY_DEREGISTER, "1.10.0", NULL, 4, 60, 0x22);
	add_event(&reg, MLV_REGISTRY_UNASSIGN, "1.10.0", "prod", 5, 70, 0x22);

	mlv_registry_state(&s, &reg, NULL, 29);
	m = mlv_registry_find_model(&s, "m");
	assert_non_null(m);
	assert_string_equal(mlv_registry_latest(m)->registered->version, "1.10.0");
	assert_null(mlv_registry_in_stage(m, "prod"));

	mlv_registry_state(&s, &reg, NULL, 30);
	e = mlv_registry_in_stage(mlv_registry_find_model(&s, "m"), "prod");
	assert_non_null(e);
	assert_string_equal(e->version, "1.0.0");

	/* the latest assignment wins; unassigning another version changes nothing */
	mlv_registry_state(&s, &reg, NULL, 40);
	e = mlv_registry_in_stage(mlv_registry_find_model(&s, "m"), "prod");
	assert_string_equal(e->version, "1.10.0");
	mlv_registry_state(&s, &reg, NULL, 50);
	e = mlv_registry_in_stage(mlv_registry_find_model(&s, "m"), "prod");
	assert_string_equal(e->version, "1.10.0");

	/* deregistered: no longer the latest, no longer a version */
	mlv_registry_state(&s, &reg, NULL, 60);
	m = mlv_registry_find_model(&s, "m");
	assert_string_equal(mlv_registry_latest(m)->registered->version, "1.9.0");
	assert_null(mlv_registry_find_version(m, "1.10.0"));
	assert_non_null(mlv_registry_find_version(m, "v1.9.0"));
	assert_null(mlv_registry_in_stage(m, "prod")); /* 1.0.0 was unassigned */

	mlv_registry_state(&s, &reg, NULL, INT64_MAX);
	m = mlv_registry_find_model(&s, "m");
	assert_null(mlv_registry_in_stage(m, "prod"));
	assert_int_equal(m->nstages, 0);
	assert_int_equal(mlv_registry_last_counter(&reg, "m"), 5);
	assert_int_equal(mlv_registry_last_counter(&reg, "other"), 0);

	/* references: a version, latest, an empty stage, and git's own forms */
	assert_int_equal(mlv_registry_resolve(&commit, &name, &reg, "m@1.9.0"), 0);
	assert_int_equal(commit.id[0], 0x33);
	assert_string_equal(name.ptr, "m");
	assert_int_equal(mlv_registry_resolve(&commit, &name, &reg, "m.onnx@latest"), 0);
	assert_int_equal(commit.id[0], 0x33);
	assert_int_equal(mlv_registry_resolve(&commit, &name, &reg, "m#prod"), MLV_EINVALID);
	assert_int_equal(mlv_registry_resolve(&commit, &name, &reg, "m@2.0.0"), MLV_EINVALID);
	assert_int_equal(mlv_registry_resolve(&commit, &name, &reg, "x@1.0.0"), MLV_EINVALID);
	assert_int_equal(mlv_registry_resolve(&commit, &name, &reg, "HEAD@{1}"), MLV_ENOTFOUND);
	assert_int_equal(mlv_registry_resolve(&commit, &name, &reg, "main"), MLV_ENOTFOUND);
	assert_int_equal(mlv_registry_resolve(&commit, &name, &reg, "@1.0.0"), MLV_ENOTFOUND);

	mlv_buf_release(&name);
	mlv_registry_state_release(&s);
	mlv_registry_release(&reg);
}

/* GTO's reading: an unassign or a deregistration hands the stage back. */
static void test_registry__stage_falls_back(void **state)
{
	struct mlv_registry reg = MLV_REGISTRY_INIT;
	struct mlv_registry_state s = MLV_REGISTRY_STATE_INIT;
	const struct mlv_registry_event *e;

	(void)state;
	add_event(&reg, MLV_REGISTRY_REGISTER, "1.0.0", NULL, 0, 10, 0x11);
	add_event(&reg, MLV_REGISTRY_REGISTER, "2.0.0", NULL, 0, 11, 0x22);
	add_event(&reg, MLV_REGISTRY_ASSIGN, "1.0.0", "prod", 1, 20, 0x11);
	add_event(&reg, MLV_REGISTRY_ASSIGN, "2.0.0", "prod", 2, 30, 0x22);
	add_event(&reg, MLV_REGISTRY_UNASSIGN, "2.0.0", "prod", 3, 40, 0x22);
	add_event(&reg, MLV_REGISTRY_ASSIGN, "2.0.0", "prod", 4, 50, 0x22);
	add_event(&reg, MLV_REGISTRY_DEREGISTER, "2.0.0", NULL, 5, 60, 0x22);

	mlv_registry_state(&s, &reg, NULL, 30);
	e = mlv_registry_in_stage(mlv_registry_find_model(&s, "m"), "prod");
	assert_string_equal(e->version, "2.0.0");
	mlv_registry_state(&s, &reg, NULL, 40);
	e = mlv_registry_in_stage(mlv_registry_find_model(&s, "m"), "prod");
	assert_string_equal(e->version, "1.0.0");
	mlv_registry_state(&s, &reg, NULL, 50);
	e = mlv_registry_in_stage(mlv_registry_find_model(&s, "m"), "prod");
	assert_string_equal(e->version, "2.0.0");
	mlv_registry_state(&s, &reg, NULL, 60);
	e = mlv_registry_in_stage(mlv_registry_find_model(&s, "m"), "prod");
	assert_string_equal(e->version, "1.0.0");
	mlv_registry_state_release(&s);
	mlv_registry_release(&reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry__every_gto_form),
		cmocka_unit_test(test_registry__other_tags_are_not_ours),
		cmocka_unit_test(test_registry__broken_forms_are_named),
		cmocka_unit_test(test_registry__names),
		cmocka_unit_test(test_registry__state_at_each_moment),
		cmocka_unit_test(test_registry__stage_falls_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
