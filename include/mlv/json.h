#ifndef MLV_JSON_H
#define MLV_JSON_H

#include <stdio.h>

#include <jansson.h>

/*
 * JSON output through jansson. Every JSON text mlv prints is built as a
 * jansson value and written by mlv_json_write(), so quoting and escaping
 * have one home.
 *
 * JSON strings must be UTF-8, but a path in Git is any bytes. A string
 * made by mlv_json_string() keeps valid UTF-8 as it is and turns each byte
 * that is not part of a valid sequence into U+FFFD; such a value is lossy,
 * and a program that needs the exact bytes of a path reads them from
 * `git ls-files -z` or the like.
 */

/* A new JSON string for `s` (NUL-terminated; NULL gives JSON null). Never
 * fails short of memory exhaustion, which aborts. */
json_t *mlv_json_string(const char *s);

/* `obj[key] = value`, stealing the reference to `value`. A key that is not
 * UTF-8 is cleaned as mlv_json_string() cleans values; a NULL `value`
 * (what jansson gives for an infinite number) is stored as null. */
void mlv_json_set(json_t *obj, const char *key, json_t *value);

/* Set `obj[key]` to the string `s` (NULL: JSON null). */
void mlv_json_set_string(json_t *obj, const char *key, const char *s);

/* Write `v` to `out`, keys in insertion order, numbers with 15
 * significant digits (a decimal of up to 15 digits comes back as written),
 * with no newline after it.
 * `indent` 0 writes it on one line ("key": value, ...), else with that
 * many spaces per level. 0, or -1 when the write failed. */
int mlv_json_write(FILE *out, const json_t *v, int indent);

#endif
