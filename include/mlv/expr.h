#ifndef MLV_EXPR_H
#define MLV_EXPR_H

#include <stddef.h>

#include "mlv/buf.h"

/*
 * The filter language of `git mlv find` (docs/find.md): MLflow's search
 * filter grammar, and a little more, evaluated against one model version.
 *
 *   metrics.auc > 0.9 and params.`max depth` in (4, 6)
 *   model.version >= 1.2.0 and not model.name like 'fraud-%'
 *   data.train.oid = sha256:<64 hex> or env.cuda is null
 *
 * The module knows no field: a field is any `ident(.ident)*`, ident being
 * [A-Za-z_][A-Za-z0-9_-]* or any back-quoted text without a back quote
 * (metrics.`f1 score`), and its name is the segments joined with '.'
 * ("metrics.f1 score"). The caller maps names to values with a lookup
 * callback, and may check the names first with mlv_expr_fields().
 *
 * Comparisons are `field OP literal`, OP one of = == != <> < <= > >=,
 * [not] like, [not] ilike, [not] in (literal, ...), is [not] null. A
 * literal is a quoted string ('..' or "..": a doubled quote or a
 * backslash before it stands for the quote, `\\` for one backslash, any
 * other backslash is kept), a decimal number, a bare semantic version
 * (1.2.0-rc.1) or a bare oid (sha256: and 64 lowercase hex digits).
 * Precedence: not, then and, then or; parentheses group; keywords are
 * case-insensitive.
 *
 * Values are text. Comparing a value with a literal, whatever the
 * literal's spelling:
 *
 *  - both are decimal numbers (sign, digits, fraction, exponent; no hex,
 *    inf or nan; finite as a double): numerically, so '0.001' = 1e-3;
 *    two integers compare exactly at any length;
 *  - else both are valid semantic versions (model.version always is):
 *    by semver precedence (mlv_semver_compare(): 1.10.0 > 1.9.0,
 *    1.2.0-rc.1 < 1.2.0, build metadata ignored);
 *  - else byte by byte (strcmp).
 *
 * like and ilike always compare text: `%` matches any run, `_` one UTF-8
 * character, a backslash makes the next character literal; ilike folds
 * ASCII case only. `in` is true when one literal is equal, as by `=`.
 *
 * An absent field (lookup gives NULL) makes every comparison false,
 * `!=`, `not like` and `not in` included, except `is null`, as NULL in
 * SQL; `not (f = 1)` is true for an absent f, since `not` negates the
 * comparison's result.
 */

/* Parenthesized groups and `not`s may nest this deep, no deeper. */
#define MLV_EXPR_MAX_DEPTH 100

/* A parsed expression; read-only once parsed, so one may be matched from
 * several threads at once. */
struct mlv_expr;

/*
 * Parse the NUL-terminated `text` into a new expression in `*out`, to be
 * freed with mlv_expr_free(). 0, with `*column` 0. On error `*out` is
 * NULL and returns MLV_EINVALID, with a message "column N: what, near
 * 'text'" (or "..., at the end"; bytes outside printable ASCII shown as
 * \xNN) and `*column` N, the 1-based byte column of the problem (one past
 * the last byte when the text ended too early), so that a caller can print
 * the expression with a caret under it. `column` may be NULL. An empty
 * expression, trailing text and nesting deeper than MLV_EXPR_MAX_DEPTH are
 * errors. Any length is accepted.
 */
int mlv_expr_parse(struct mlv_expr **out, size_t *column, const char *text);

/* Free `e` and everything it holds; NULL is a no-op. */
void mlv_expr_free(struct mlv_expr *e);

/*
 * The value of `field` (a name as described above, owned by the
 * expression) for this model version, or NULL when it has none. The
 * string must stay valid until the callback is called again or
 * mlv_expr_match() returns.
 */
typedef const char *(*mlv_expr_lookup_fn)(const char *field, void *payload);

/*
 * 1 when the model version that `lookup` describes matches `e`, 0 when
 * not. `and` and `or` stop at the first operand that decides, so `lookup`
 * is called for some fields only, and may be called more than once for
 * the same one. Allocates nothing.
 */
int mlv_expr_match(const struct mlv_expr *e, mlv_expr_lookup_fn lookup,
		   void *payload);

/*
 * Call `fn` once for each distinct field name in `e`, in the order of
 * their first appearance, so that a caller can refuse unknown fields
 * before walking history. Stops at the first non-zero return of `fn` and
 * returns it; else 0.
 */
int mlv_expr_fields(const struct mlv_expr *e,
		    int (*fn)(const char *field, void *payload), void *payload);

/*
 * Append a canonical text of `e` to `out`: one space around operators,
 * lowercase keywords, every literal as a single-quoted string, only the
 * parentheses that precedence needs. It parses back to an expression that
 * matches exactly the same model versions (and formats the same). 0, or
 * the buffer's error when it reaches its cap.
 */
int mlv_expr_format(struct mlv_buf *out, const struct mlv_expr *e);

#endif
