/*
 * Unit tests for include/mlv/error.h: one message per thread, which a
 * caller may wrap in a new one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mlv/error.h"

static void test_error__wrap_the_last_message(void **state)
{
	(void)state;
	mlv_error_set("object %s is corrupt", "abc");
	mlv_error_set("cannot check out '%s': %s; try again", "model.bin",
		      mlv_error_last());
	assert_string_equal(mlv_error_last(),
			    "cannot check out 'model.bin': object abc is corrupt; "
			    "try again");
}

static void test_error__errno_appended(void **state)
{
	(void)state;
	errno = ENOENT;
	mlv_error_set_errno("cannot open '%s'", "x");
	assert_string_equal(mlv_error_last(),
			    "cannot open 'x': No such file or directory");
	errno = EACCES;
	mlv_error_set_errno("%s (wrapped)", mlv_error_last());
	assert_string_equal(mlv_error_last(),
			    "cannot open 'x': No such file or directory (wrapped): "
			    "Permission denied");
}

static void test_error__long_message_truncated(void **state)
{
	char big[5000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mlv_error_set("%s", big);
	assert_true(strlen(mlv_error_last()) > 1000);
	assert_true(strlen(mlv_error_last()) < sizeof(big));
	mlv_error_clear();
	assert_string_equal(mlv_error_last(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error__wrap_the_last_message),
		cmocka_unit_test(test_error__errno_appended),
		cmocka_unit_test(test_error__long_message_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
