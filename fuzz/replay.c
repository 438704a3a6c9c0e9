/* Replays inputs through a fuzz target in a normal build (no libFuzzer):
 * every file named, and every file of every directory named, once. The
 * crashes the fuzzers found (tests/regress/<target>/) and the seed corpora
 * run this way in ctest, so a fixed crash stays fixed. Exits 0 when every
 * input ran; a crash or an abort() of the target ends the run. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  size_t cap = 0;
  size_t len = 0;
  size_t n;

  if (f == NULL) {
    perror(path);
    return -1;
  }
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 65536;
      buf = realloc(buf, cap);
      if (buf == NULL)
        abort();
    }
    n = fread(buf + len, 1, cap - len, f);
    if (n == 0)
      break;
    len += n;
  }
  fclose(f);
  (void)LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 0;
}

static int run_path(const char *path, unsigned long *count) {
  struct stat st;
  struct dirent *e;
  char sub[4096];
  DIR *d;
  int rc = 0;

  if (stat(path, &st) != 0) {
    perror(path);
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    (*count)++;
    return run_file(path);
  }
  d = opendir(path);
  if (d == NULL) {
    perror(path);
    return -1;
  }
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
    if (run_path(sub, count) != 0)
      rc = -1;
  }
  closedir(d);
  return rc;
}

int main(int argc, char **argv) {
  unsigned long count = 0;
  int rc = 0;
  int i;

  for (i = 1; i < argc; i++) {
    if (run_path(argv[i], &count) != 0)
      rc = 1;
  }
  printf("replayed %lu inputs\n", count);
  return rc;
}
