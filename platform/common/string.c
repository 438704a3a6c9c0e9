/* Strings, the same on every platform. */
#include "platform/platform.h"

#include "config.h"

#include <string.h>

EX_HOT size_t ex_strlcpy(char *dst, const char *src, size_t size) {
  size_t n;

  n = strlen(src);
  if (size > 0) {
    size_t k = n < size - 1 ? n : size - 1;
    memcpy(dst, src, k);
    dst[k] = '\0';
  }
  return n;
}
