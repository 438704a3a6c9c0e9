/* Internal to the Windows platform code: text conversions and error codes.
 *
 * explain's strings are UTF-8 everywhere; the Win32 calls made here are
 * the wide (UTF-16) ones, so that a path outside the ANSI code page is not
 * lost on its way to the system. */
#ifndef EX_PLATFORM_WINDOWS_WIN_INT_H
#define EX_PLATFORM_WINDOWS_WIN_INT_H

#include <stddef.h>
#include <windows.h>

/* A new UTF-16 copy of the UTF-8 string s, or NULL (out of memory, or s
 * is not valid UTF-8). The caller frees it with free(). */
wchar_t *ex__win_wide(const char *s);

/* Writes w as UTF-8 into buf (size bytes, NUL-terminated). Returns 0, or
 * -ENAMETOOLONG when it does not fit (buf is then ""), -EINVAL when w is
 * not valid UTF-16. */
int ex__win_utf8(const wchar_t *w, char *buf, size_t size);

/* A new UTF-8 copy of w, or NULL (out of memory). Unpaired surrogates
 * become U+FFFD. The caller frees it with free(). */
char *ex__win_utf8_dup(const wchar_t *w);

/* The negative errno closest to a Win32 error code (ERROR_ACCESS_DENIED
 * is -EACCES, ERROR_SHARING_VIOLATION -EBUSY, ...); -EIO for the rest. */
int ex__win_errno(DWORD err);

/* Strips the \\?\ (and \\?\UNC\) prefix that GetFinalPathNameByHandleW
 * puts before a path, in place. */
void ex__win_strip_verbatim(wchar_t *w);

/* The last component of a path written with either separator. */
const char *ex__win_basename(const char *path);

#endif
