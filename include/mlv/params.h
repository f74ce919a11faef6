#ifndef MLV_PARAMS_H
#define MLV_PARAMS_H

#include <stddef.h>

#include "mlv/buf.h"

/*
 * Params and metrics from the files training already writes: a DVC
 * `params.yaml`, a dvclive or MLflow-style `metrics.json`, the last entry
 * of a Hugging Face `trainer_state.json`'s "log_history". The file is read
 * with libyaml or jansson and flattened into sidecar keys and values:
 *
 *   train:                         train.optimizer.lr = 0.001
 *     optimizer: {lr: 0.001}   ->  train.layers = [64,32]
 *     layers: [64, 32]             train.name = "32"   (a string "32")
 *
 * Nested mappings join their keys with '.'. Values keep the type the file
 * gave them, in the text a sidecar reader already reads that way:
 *
 *   number         written in its shortest exact form (1e-3 as 0.001; a
 *                  float that is whole keeps ".0"); YAML's .inf, .nan and
 *                  JSON's (Python's) Infinity, NaN as inf, -inf, nan
 *   true, false    as written; null (YAML's ~ and empty value too) as null
 *   string         bare, unless bare text would read back as something
 *                  else: a number, true/false/null, text that starts with
 *                  '"', '[' or '{', white space at either end, a control
 *                  character or " ;" (a sidecar comment). Those are
 *                  written as a JSON string, "32", with ';' as \u003b
 *   list           compact JSON text, [1,2] or [{"a":1}]; an empty
 *                  mapping {}
 *
 * YAML follows the 1.2 core schema (as DVC's ruamel.yaml does: `yes` is a
 * string, 1e-3 a number). Anchors and aliases are resolved, and `<<`
 * merge keys merged; aliases may repeat MLV_PARAMS_MAX_ALIASED values in
 * all (a "billion laughs" file is refused, not expanded). One document,
 * nesting up to MLV_PARAMS_MAX_DEPTH, a mapping at the top, no duplicate
 * keys, files up to MLV_PARAMS_MAX_SIZE.
 *
 * Every error names the file, and the line and column where there is
 * one, in mlv_error_last(); functions return 0 or MLV_EINVALID (bad
 * content), MLV_ENOTFOUND, MLV_ERROR (cannot read).
 */

#define MLV_PARAMS_MAX_SIZE (16 * 1024 * 1024)
#define MLV_PARAMS_MAX_ALIASED 100000
#define MLV_PARAMS_MAX_DEPTH 64
#define MLV_PARAMS_LAST_SUFFIX "#last"

struct mlv_params_entry {
	char *key;
	char *value; /* the sidecar text, see above */
};

/* Keys in the order the files gave them. */
struct mlv_params {
	struct mlv_params_entry *entries;
	size_t n, alloc;
};

#define MLV_PARAMS_INIT { NULL, 0, 0 }

enum mlv_params_format {
	MLV_PARAMS_AUTO, /* .yaml/.yml or .json, else by the first byte */
	MLV_PARAMS_YAML,
	MLV_PARAMS_JSON,
};

/* What a file's text is: by the extension of `name`, else '{' or '['
 * first (after blanks) is JSON and anything else YAML. */
enum mlv_params_format mlv_params_sniff(const char *name, const char *data,
					size_t len);

/*
 * Parse `len` bytes named `name` (in messages) and add each flattened key
 * to `out`, replacing the value of a key `out` already holds (so a later
 * file overrides an earlier one). With `last`, take the last entry of the
 * top-level "log_history" list instead of the whole file. A key that comes
 * twice in the file, once flattened (`a.b` and `a: {b}`), or that cannot
 * be a sidecar key, is an error; on any error `out` is left as it was.
 */
int mlv_params_parse(struct mlv_params *out, const char *name, const char *data,
		     size_t len, enum mlv_params_format format, int last);

/*
 * Read the file `arg` names and parse it as above. A trailing "#last"
 * (MLV_PARAMS_LAST_SUFFIX) is never part of the path: it selects the last
 * "log_history" entry; any other '#' is. A file whose name really ends in
 * "#last" cannot be named, and the message says so when it is there.
 */
int mlv_params_read_file(struct mlv_params *out, const char *arg);

void mlv_params_release(struct mlv_params *p);

/* NULL when `key` can be a sidecar key, else why not, as the rest of a
 * sentence ("holds '='"). Shared with --param/--metric. */
const char *mlv_params_key_problem(const char *key);

/* Append the sidecar text of the string `s` (bare or JSON-quoted). */
void mlv_params_format_string(struct mlv_buf *out, const char *s, size_t len);

#endif
