#ifndef MLV_PAGER_H
#define MLV_PAGER_H

#include "mlv/repo.h"

/*
 * Long output the way git pages it: when stdout is a terminal, stdout
 * (and stderr, when it is the same terminal) go to the pager git would
 * start: GIT_PAGER, else core.pager, else PAGER, else "less", with LESS=FRX
 * and LV=-c unless they are set. An empty pager or "cat" means none.
 */

/* Start the pager unless `no_pager` or stdout is not a terminal. Fails
 * silently: without a pager the output goes to the terminal as it is. */
void mlv_pager_start(struct mlv_repo *r, int no_pager);

/* Flush stdout, close the pipe and wait for the pager to quit (registered
 * with atexit by mlv_pager_start, safe to call twice). */
void mlv_pager_finish(void);

/* 1 when text output should carry colour: `color.ui` (or the `-1` of
 * `choice` meaning "unset": --color/--no-color give 1/0) is "always", or
 * is "auto"/unset and stdout is a terminal or the pager's pipe. */
int mlv_pager_use_color(struct mlv_repo *r, int choice);

#endif
