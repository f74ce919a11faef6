/* Unit tests for include/mlv/json.h: any path becomes valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlv/json.h"

/* The string value `in` becomes, as its bytes. */
static void assert_json_string(const char *in, const char *want)
{
	json_t *v = mlv_json_string(in);

	assert_non_null(v);
	assert_true(json_is_string(v));
	assert_int_equal(json_string_length(v), strlen(want));
	assert_memory_equal(json_string_value(v), want, strlen(want));
	json_decref(v);
}

static void test_json__valid_utf8_is_kept(void **state)
{
	(void)state;
	assert_json_string("", "");
	assert_json_string("models/fraud.onnx", "models/fraud.onnx");
	assert_json_string("caf\xc3\xa9/\xe6\x97\xa5\xf0\x9f\x98\x80",
			   "caf\xc3\xa9/\xe6\x97\xa5\xf0\x9f\x98\x80");
	assert_json_string("nl\ninside\t\"q\"\\", "nl\ninside\t\"q\"\\");
}

static void test_json__invalid_bytes_become_replacement(void **state)
{
	(void)state;
	/* a lone continuation byte, a byte that never occurs, a cut sequence */
	assert_json_string("a\x80z", "a\xef\xbf\xbdz");
	assert_json_string("\xff", "\xef\xbf\xbd");
	assert_json_string("\xe6\x97", "\xef\xbf\xbd\xef\xbf\xbd");
	/* overlong '/', a UTF-16 surrogate, past U+10FFFF */
	assert_json_string("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
	assert_json_string("\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_json_string("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_json_string("\xf4\x90\x80\x80",
			   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void test_json__null_is_json_null(void **state)
{
	json_t *v = mlv_json_string(NULL);

	(void)state;
	assert_true(json_is_null(v));
	json_decref(v);
}

static void test_json__write_keeps_key_order_and_escapes(void **state)
{
	json_t *o = json_object();
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	mlv_json_set_string(o, "z", "x\"\n\x01");
	mlv_json_set(o, "a", json_integer(3));
	mlv_json_set_string(o, "n", NULL);
	mlv_json_set(o, "r", json_real(0.93));
	assert_int_equal(mlv_json_write(out, o, 0), 0);
	fclose(out);
	assert_string_equal(text, "{\"z\": \"x\\\"\\n\\u0001\", \"a\": 3, \"n\": null, "
				  "\"r\": 0.93}");
	free(text);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json__valid_utf8_is_kept),
		cmocka_unit_test(test_json__invalid_bytes_become_replacement),
		cmocka_unit_test(test_json__null_is_json_null),
		cmocka_unit_test(test_json__write_keeps_key_order_and_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
