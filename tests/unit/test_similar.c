/* Unit tests for include/mlv/similar.h: the distance behind "did you mean". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mlv/similar.h"

static void test_similar__equal_words_are_zero(void **state)
{
	assert_int_equal(mlv_similar_distance("", ""), 0);
	assert_int_equal(mlv_similar_distance("sidecar", "sidecar"), 0);
}

static void test_similar__each_edit_has_its_weight(void **state)
{
	/* a letter left out, one replaced, one too many */
	assert_int_equal(mlv_similar_distance("sidcar", "sidecar"), MLV_SIMILAR_INSERT);
	assert_int_equal(mlv_similar_distance("fetsh", "fetch"), MLV_SIMILAR_REPLACE);
	assert_int_equal(mlv_similar_distance("pushh", "push"), MLV_SIMILAR_DELETE);
	/* two neighbours swapped, at the start, inside and at the end */
	assert_int_equal(mlv_similar_distance("tsatus", "status"), MLV_SIMILAR_SWAP);
	assert_int_equal(mlv_similar_distance("stauts", "status"), MLV_SIMILAR_SWAP);
	assert_int_equal(mlv_similar_distance("sidecra", "sidecar"), MLV_SIMILAR_SWAP);
}

static void test_similar__from_and_to_nothing(void **state)
{
	assert_int_equal(mlv_similar_distance("", "env"), 3 * MLV_SIMILAR_INSERT);
	assert_int_equal(mlv_similar_distance("env", ""), 3 * MLV_SIMILAR_DELETE);
}

static void test_similar__edits_add_up(void **state)
{
	/* a letter missing and two swapped */
	assert_int_equal(mlv_similar_distance("rgeister", "register"),
			 MLV_SIMILAR_SWAP);
	assert_int_equal(mlv_similar_distance("rgister", "register"), MLV_SIMILAR_INSERT);
	assert_int_equal(mlv_similar_distance("rgistre", "register"),
			 MLV_SIMILAR_INSERT + MLV_SIMILAR_SWAP);
	/* nothing alike: replacing every letter is the cheapest way */
	assert_int_equal(mlv_similar_distance("xyz", "abc"), 3 * MLV_SIMILAR_REPLACE);
	/* the weights make it one-way */
	assert_int_not_equal(mlv_similar_distance("ab", "abc"),
			     mlv_similar_distance("abc", "ab"));
}

static void test_similar__a_swap_is_one_edit_only(void **state)
{
	/* "ca" -> "abc" is not a swap followed by an insert into the pair
	 * (that would cost one insert): two replaces and an insert */
	assert_int_equal(mlv_similar_distance("ca", "abc"),
			 2 * MLV_SIMILAR_REPLACE + MLV_SIMILAR_INSERT);
}

static void test_similar__nearest_only_when_near(void **state)
{
	const char *remotes[] = { "backup", "origin", "upstream" };

	(void)state;
	assert_string_equal(mlv_similar_nearest("orign", remotes, 3), "origin");
	assert_string_equal(mlv_similar_nearest("orgiin", remotes, 3), "origin");
	assert_null(mlv_similar_nearest("no-such-remote", remotes, 3));
	/* a distance as long as the word itself is no slip */
	assert_null(mlv_similar_nearest("b", (const char *const[]){ "ab" }, 1));
	assert_null(mlv_similar_nearest("origin", remotes, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_similar__equal_words_are_zero),
		cmocka_unit_test(test_similar__each_edit_has_its_weight),
		cmocka_unit_test(test_similar__from_and_to_nothing),
		cmocka_unit_test(test_similar__edits_add_up),
		cmocka_unit_test(test_similar__a_swap_is_one_edit_only),
		cmocka_unit_test(test_similar__nearest_only_when_near),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
