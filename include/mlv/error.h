#ifndef MLV_ERROR_H
#define MLV_ERROR_H

/*
 * Error codes and the last error message.
 *
 * Core functions return 0 on success or one of the negative codes below, and
 * set one human-readable message with mlv_error_set() that says what failed
 * and names the file or object: "cannot open 'x': No such file or directory".
 * Messages are lowercase with no full stop. A caller that passes a
 * lower-level failure up returns the code unchanged and leaves the message.
 * The message is per thread.
 */

enum {
	MLV_OK = 0,
	MLV_ERROR = -1,     /* anything without a more specific code */
	MLV_ENOTFOUND = -3, /* the object, file or key does not exist */
	MLV_EEXISTS = -4,   /* it exists already */
	MLV_EINVALID = -5,  /* input is malformed */
	MLV_ECORRUPT = -6,  /* stored data does not match its oid */
	MLV_EPROTO = -7,    /* the peer broke the protocol */
	MLV_ECONFLICT = -8  /* a compare-and-swap lost: someone else wrote first */
};

/* Set the message for the current thread, printf-style. The arguments may
 * include mlv_error_last(), to wrap the last message in a new one. */
void mlv_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like mlv_error_set() and append ": strerror(errno)". */
void mlv_error_set_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The current thread's message, "" when none was set. Never NULL. */
const char *mlv_error_last(void);

void mlv_error_clear(void);

#endif
