/* Built into explain only with EXPLAIN_SANITIZE: the sanitizers'
 * defaults for every run of the sanitized binary, including the end-to-end
 * tests that give the command an environment of their own (and so no
 * ASAN_OPTIONS). verify_asan_link_order=0: a test that sets LD_PRELOAD for
 * the command also preloads into explain, which ASan would refuse;
 * abort_on_error=0 keeps ASan's own exit code (1) rather than a SIGABRT
 * that looks like a forwarded signal. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void) {
  return "verify_asan_link_order=0:detect_leaks=1:abort_on_error=0";
}

const char *__ubsan_default_options(void) {
  return "halt_on_error=1:print_stacktrace=1";
}
