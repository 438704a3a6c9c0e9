/* libcjson is opened on first use (platform/cjson.c). */
#ifndef EX_PLATFORM_CJSON_H
#define EX_PLATFORM_CJSON_H

/* 1 when the library is loaded (loading it now if needed), 0 when it
 * cannot be: one line on stderr has said why, and every cJSON function
 * fails (NULL or false). */
int ex_cjson_available(void);

/* While the command runs its output owns explain's stderr: a failure to
 * load the library is said when the messages are released (after the
 * threads that may load it have been joined), not where it happens. */
void ex_cjson_hold_messages(void);
void ex_cjson_release_messages(void);

#endif
