/* libcjson, loaded the first time a JSON function is called.
 *
 * explain sits in front of every command, and most runs never touch JSON:
 * rules are read only when the command prints something, reports only
 * after a failure. Linking libcjson would make the loader map and relocate
 * it at every start-up; instead these forwarders open it by its soname
 * (RTLD_LOCAL) on first use, from whichever thread comes first. The
 * project's code calls the cJSON API as documented and links this file in
 * place of the library.
 *
 * When the library cannot be loaded (a broken installation), one line says
 * so on stderr and every function fails as it does without memory: NULL
 * or false. The command still runs and keeps its output and status. While
 * the command runs (ex_cjson_hold_messages) that line waits for the end, so
 * that it never lands in the middle of one of the command's lines.
 */
#include "platform/cjson.h"

#include "config.h"

#include <cjson/cJSON.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#ifndef EX_CJSON_SONAME
#define EX_CJSON_SONAME "libcjson.so.1"
#endif

/* Every function explain uses, by name without the cJSON_ prefix. */
#define EX_CJSON_FUNCS(X)                                                    \
  X(InitHooks) X(ParseWithLength) X(ParseWithLengthOpts) X(PrintUnformatted) \
  X(Delete) X(GetArraySize) X(GetArrayItem) X(GetObjectItemCaseSensitive)    \
  X(IsTrue) X(IsBool) X(IsNull) X(IsNumber) X(IsString) X(IsArray)           \
  X(IsObject) X(CreateNull) X(CreateString) X(CreateArray) X(CreateObject)   \
  X(CreateNumber)                                                            \
  X(AddItemToArray) X(AddItemToObject) X(ReplaceItemInObject)                \
  X(AddNullToObject) X(AddBoolToObject) X(AddNumberToObject)                 \
  X(AddStringToObject) X(AddObjectToObject) X(AddArrayToObject)

#define EX_CJSON_INDEX(name) EX_CJ_##name,
enum { EX_CJSON_FUNCS(EX_CJSON_INDEX) EX_CJ_COUNT };

#define EX_CJSON_NAME(name) "cJSON_" #name,
static const char *const names[EX_CJ_COUNT] = {EX_CJSON_FUNCS(EX_CJSON_NAME)};

static struct {
  void *fn[EX_CJ_COUNT];
  int ok;
} lib;
static pthread_once_t once = PTHREAD_ONCE_INIT;
/* The command runs: messages wait. In .data, whose page is written anyway
 * (a .bss page of its own would cost a page fault at every start). */
static int holding __attribute__((section(".data")));
static char pending[512];  /* the message that waits, or "" */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  if (holding)
    (void)vsnprintf(pending, sizeof(pending), fmt, ap);
  else
    (void)vfprintf(stderr, fmt, ap);
  va_end(ap);
}

EX_HOT void ex_cjson_hold_messages(void) { holding = 1; }

EX_HOT void ex_cjson_release_messages(void) {
  holding = 0;
  if (pending[0] != '\0') {
    fputs(pending, stderr);
    pending[0] = '\0';
  }
}

static void load(void) {
  void *h;
  size_t i;

  h = dlopen(EX_CJSON_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    say("explain: cannot load %s (%s): rules and JSON reports are "
        "unavailable; install libcjson1\n",
        EX_CJSON_SONAME, dlerror());
    return;
  }
  for (i = 0; i < EX_CJ_COUNT; i++) {
    lib.fn[i] = dlsym(h, names[i]);
    if (lib.fn[i] == NULL) {
      say("explain: %s has no %s: rules and JSON reports are unavailable\n",
          EX_CJSON_SONAME, names[i]);
      return; /* the handle stays open: harmless, and never retried */
    }
  }
  lib.ok = 1;
}

/* The function at index i, or NULL when the library is unavailable. The
 * pointer goes through a void * as POSIX's dlsym specifies. */
static void *fn(int i) {
  (void)pthread_once(&once, load);
  return lib.ok ? lib.fn[i] : NULL;
}

int ex_cjson_available(void) {
  (void)pthread_once(&once, load);
  return lib.ok;
}

#define EX_CJSON_CALL(name, type, fail, args)                                \
  do {                                                                       \
    type f;  /* a typedef of the function's pointer type */                  \
    void *p = fn(EX_CJ_##name);                                              \
    if (p == NULL)                                                           \
      return fail;                                                           \
    *(void **)(&f) = p;                                                      \
    return f args;                                                           \
  } while (0)

typedef cJSON *(*ex_make_fn)(void);
typedef cJSON *(*ex_parse_fn)(const char *, size_t);
typedef cJSON *(*ex_parse_opts_fn)(const char *, size_t, const char **,
                                   cJSON_bool);
typedef char *(*ex_print_fn)(const cJSON *);
typedef int (*ex_size_fn)(const cJSON *);
typedef cJSON *(*ex_item_fn)(const cJSON *, int);
typedef cJSON *(*ex_get_fn)(const cJSON *const, const char *const);
typedef cJSON *(*ex_string_fn)(const char *);
typedef cJSON *(*ex_number_fn)(double);
typedef cJSON_bool (*ex_append_fn)(cJSON *, cJSON *);
typedef cJSON_bool (*ex_put_fn)(cJSON *, const char *, cJSON *);
typedef cJSON *(*ex_add_bool_fn)(cJSON *const, const char *const,
                                 const cJSON_bool);
typedef cJSON *(*ex_add_number_fn)(cJSON *const, const char *const,
                                   const double);
typedef cJSON *(*ex_add_string_fn)(cJSON *const, const char *const,
                                   const char *const);
typedef cJSON_bool (*ex_is_fn)(const cJSON *const);
typedef cJSON *(*ex_add_fn)(cJSON *const, const char *const);

CJSON_PUBLIC(void) cJSON_InitHooks(cJSON_Hooks *hooks) {
  void (*f)(cJSON_Hooks *);
  void *p = fn(EX_CJ_InitHooks);

  if (p == NULL)
    return;
  *(void **)(&f) = p;
  f(hooks);
}

CJSON_PUBLIC(cJSON *) cJSON_ParseWithLength(const char *value, size_t len) {
  EX_CJSON_CALL(ParseWithLength, ex_parse_fn, NULL,
                (value, len));
}

CJSON_PUBLIC(cJSON *)
cJSON_ParseWithLengthOpts(const char *value, size_t len, const char **end,
                          cJSON_bool require_null_terminated) {
  EX_CJSON_CALL(ParseWithLengthOpts,
                ex_parse_opts_fn,
                NULL, (value, len, end, require_null_terminated));
}

CJSON_PUBLIC(char *) cJSON_PrintUnformatted(const cJSON *item) {
  EX_CJSON_CALL(PrintUnformatted, ex_print_fn, NULL, (item));
}

CJSON_PUBLIC(void) cJSON_Delete(cJSON *item) {
  void (*f)(cJSON *);
  void *p;

  if (item == NULL)
    return;
  p = fn(EX_CJ_Delete);
  if (p == NULL)
    return;
  *(void **)(&f) = p;
  f(item);
}

CJSON_PUBLIC(int) cJSON_GetArraySize(const cJSON *array) {
  EX_CJSON_CALL(GetArraySize, ex_size_fn, 0, (array));
}

CJSON_PUBLIC(cJSON *) cJSON_GetArrayItem(const cJSON *array, int index) {
  EX_CJSON_CALL(GetArrayItem, ex_item_fn, NULL,
                (array, index));
}

CJSON_PUBLIC(cJSON *)
cJSON_GetObjectItemCaseSensitive(const cJSON *const object,
                                 const char *const string) {
  EX_CJSON_CALL(GetObjectItemCaseSensitive,
                ex_get_fn, NULL,
                (object, string));
}

#define EX_CJSON_IS(name)                                                    \
  CJSON_PUBLIC(cJSON_bool) cJSON_##name(const cJSON *const item) {          \
    EX_CJSON_CALL(name, ex_is_fn, 0, (item));                                \
  }
EX_CJSON_IS(IsTrue)
EX_CJSON_IS(IsBool)
EX_CJSON_IS(IsNull)
EX_CJSON_IS(IsNumber)
EX_CJSON_IS(IsString)
EX_CJSON_IS(IsArray)
EX_CJSON_IS(IsObject)

#define EX_CJSON_MAKE(name)                                                  \
  CJSON_PUBLIC(cJSON *) cJSON_##name(void) {                                 \
    EX_CJSON_CALL(name, ex_make_fn, NULL, ());                               \
  }
EX_CJSON_MAKE(CreateNull)
EX_CJSON_MAKE(CreateArray)
EX_CJSON_MAKE(CreateObject)

CJSON_PUBLIC(cJSON *) cJSON_CreateString(const char *string) {
  EX_CJSON_CALL(CreateString, ex_string_fn, NULL, (string));
}

CJSON_PUBLIC(cJSON *) cJSON_CreateNumber(double num) {
  EX_CJSON_CALL(CreateNumber, ex_number_fn, NULL, (num));
}

CJSON_PUBLIC(cJSON_bool) cJSON_AddItemToArray(cJSON *array, cJSON *item) {
  EX_CJSON_CALL(AddItemToArray, ex_append_fn, 0,
                (array, item));
}

CJSON_PUBLIC(cJSON_bool)
cJSON_AddItemToObject(cJSON *object, const char *string, cJSON *item) {
  EX_CJSON_CALL(AddItemToObject,
                ex_put_fn, 0,
                (object, string, item));
}

CJSON_PUBLIC(cJSON_bool)
cJSON_ReplaceItemInObject(cJSON *object, const char *string,
                          cJSON *newitem) {
  EX_CJSON_CALL(ReplaceItemInObject,
                ex_put_fn, 0,
                (object, string, newitem));
}

#define EX_CJSON_ADD(name)                                                   \
  CJSON_PUBLIC(cJSON *)                                                      \
  cJSON_##name(cJSON *const object, const char *const key) {                 \
    EX_CJSON_CALL(name, ex_add_fn, NULL, (object, key));                     \
  }
EX_CJSON_ADD(AddNullToObject)
EX_CJSON_ADD(AddObjectToObject)
EX_CJSON_ADD(AddArrayToObject)

CJSON_PUBLIC(cJSON *)
cJSON_AddBoolToObject(cJSON *const object, const char *const name,
                      const cJSON_bool boolean) {
  EX_CJSON_CALL(AddBoolToObject,
                ex_add_bool_fn,
                NULL, (object, name, boolean));
}

CJSON_PUBLIC(cJSON *)
cJSON_AddNumberToObject(cJSON *const object, const char *const name,
                        const double number) {
  EX_CJSON_CALL(AddNumberToObject,
                ex_add_number_fn,
                NULL, (object, name, number));
}

CJSON_PUBLIC(cJSON *)
cJSON_AddStringToObject(cJSON *const object, const char *const name,
                        const char *const string) {
  EX_CJSON_CALL(AddStringToObject,
                ex_add_string_fn,
                NULL, (object, name, string));
}
