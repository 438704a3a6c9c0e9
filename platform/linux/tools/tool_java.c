/* Java: a class built for a newer Java than the runtime that ran it
 * (UnsupportedClassVersionError, javac's "release N not supported"), and
 * a class that is not on the class path.
 *
 * Which Java ran, and which are installed, is read from each JDK's
 * `release` file (JAVA_VERSION="17.0.15"), never by running java: the
 * runtime is the process's own executable, else JAVA_HOME's, else the java
 * on PATH. Class files are read for their version and their own name (the
 * constant pool), bounded; jar files are not opened. */
#include "platform/linux/tools/tool_util.h"

#include "platform/linux/proc/project.h"
#include "platform/linux/proc/sys.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PATH_CAP EX_PROC_PATH_MAX
#define JDKS_MAX 16
/* Entries read per directory that may hold JDKs. */
#define JDK_ENTRIES_MAX 256
/* A class file's constant pool is read up to this many bytes. */
#define CLASS_BYTES (256 * 1024)
/* class file major version = Java feature version + 44 (Java 8: 52). */
#define CLASS_VERSION_OFFSET 44

typedef struct jdk {
  char home[PATH_CAP]; /* the directory with bin/java and release */
  char version[32];    /* JAVA_VERSION, "17.0.15" */
  int feature;         /* 17; 8 for "1.8.0_392" */
} jdk_t;

typedef struct jdks {
  jdk_t items[JDKS_MAX];
  size_t count;
  char searched[2048]; /* the directories looked in, joined with ':' */
} jdks_t;

/* "17.0.15" -> 17, "1.8.0_392" -> 8, "25" -> 25; 0 when unknown. */
static int feature_of(const char *v) {
  int a;
  int b;

  if (sscanf(v, "%d.%d", &a, &b) == 2 && a == 1)
    return b;
  if (sscanf(v, "%d", &a) == 1)
    return a;
  return 0;
}

/* Reads JAVA_VERSION from home/release into j. Returns 0 or -ENOENT. */
static int read_release(const char *home, jdk_t *j) {
  char path[PATH_CAP];
  char *text;
  char *p;
  size_t n;

  if (ex__tool_join(path, sizeof(path), home, "release") == NULL)
    return -ENOENT;
  text = ex__tool_slurp(path);
  if (text == NULL)
    return -ENOENT;
  p = strstr(text, "JAVA_VERSION=");
  while (p != NULL && p != text && p[-1] != '\n')
    p = strstr(p + 1, "JAVA_VERSION=");
  if (p == NULL) {
    free(text);
    return -ENOENT;
  }
  p += strlen("JAVA_VERSION=");
  if (*p == '"')
    p++;
  n = strcspn(p, "\"\r\n");
  if (n >= sizeof(j->version))
    n = sizeof(j->version) - 1;
  memcpy(j->version, p, n);
  j->version[n] = '\0';
  free(text);
  ex_strlcpy(j->home, home, sizeof(j->home));
  j->feature = feature_of(j->version);
  return 0;
}

/* The JDK home of a java executable: /usr/lib/jvm/x/bin/java -> x (a JRE
 * inside an old JDK, x/jre/bin/java, gives x/jre, which has no release
 * file: then x). */
static int home_of_java(const char *java, char *out, size_t size) {
  char real[PATH_MAX];
  char up[PATH_CAP];
  jdk_t j;

  if (realpath(java, real) == NULL)
    return -errno;
  ex__tool_dirname(real);
  if (strcmp(ex__tool_basename(real), "bin") != 0)
    return -ENOENT;
  ex__tool_dirname(real);
  ex_strlcpy(out, real, size);
  if (read_release(out, &j) != 0 &&
      strcmp(ex__tool_basename(out), "jre") == 0) {
    ex_strlcpy(up, out, sizeof(up));
    ex__tool_dirname(up);
    ex_strlcpy(out, up, size);
  }
  return 0;
}

static void jdk_add(jdks_t *l, const char *home) {
  char real[PATH_MAX];
  char java[PATH_CAP];
  size_t i;

  if (l->count >= JDKS_MAX || realpath(home, real) == NULL)
    return;
  for (i = 0; i < l->count; i++) {
    if (strcmp(l->items[i].home, real) == 0)
      return;
  }
  if (ex__tool_join(java, sizeof(java), real, "bin/java") == NULL ||
      !ex__tool_is_file(java) || read_release(real, &l->items[l->count]) != 0)
    return;
  l->count++;
}

static void searched_add(jdks_t *l, const char *dir) {
  size_t n;

  n = strlen(l->searched);
  snprintf(l->searched + n, sizeof(l->searched) - n, "%s%s", n > 0 ? ":" : "",
           dir);
}

/* Every JDK under dir (one level: dir/<jdk>/release). */
static void jdks_in(jdks_t *l, const char *dir) {
  char home[PATH_CAP];
  struct dirent *e;
  DIR *d;
  int n;

  d = opendir(dir);
  if (d == NULL)
    return;
  searched_add(l, dir);
  for (n = 0; n < JDK_ENTRIES_MAX && (e = readdir(d)) != NULL; n++) {
    if (e->d_name[0] == '.' ||
        ex__tool_join(home, sizeof(home), dir, e->d_name) == NULL)
      continue;
    jdk_add(l, home);
  }
  closedir(d);
}

/* The installed JDKs: the usual directories, JAVA_HOME, and the target of
 * the alternatives link. */
static void jdks_find(const ex_proc_t *proc, jdks_t *l) {
  static const char *const dirs[] = {"/usr/lib/jvm", "/usr/java",
                                     "/usr/local/lib/jvm", "/opt/java", "/opt"};
  static const char *const user_dirs[] = {".sdkman/candidates/java", ".jdks",
                                          ".local/share/jdks"};
  char home[PATH_CAP];
  char dir[PATH_CAP];
  const char *jh;
  size_t i;

  memset(l, 0, sizeof(*l));
  jh = getenv("JAVA_HOME");
  if (jh != NULL && jh[0] == '/') {
    jdk_add(l, jh);
    searched_add(l, jh);
  }
  if (home_of_java("/etc/alternatives/java", dir, sizeof(dir)) == 0) {
    jdk_add(l, dir);
    searched_add(l, "/etc/alternatives/java");
  }
  for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
    jdks_in(l, dirs[i]);
  if (ex__tool_home(proc, home, sizeof(home))[0] == '/') {
    for (i = 0; i < sizeof(user_dirs) / sizeof(user_dirs[0]); i++) {
      if (ex__tool_join(dir, sizeof(dir), home, user_dirs[i]) != NULL)
        jdks_in(l, dir);
    }
  }
}

/* The java that ran: the process's executable when it is a java, else
 * JAVA_HOME's, else the one on PATH. *how says which. */
static int runtime_find(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        jdk_t *j, const char **how) {
  char java[PATH_CAP];
  char home[PATH_CAP];
  const char *jh;

  memset(j, 0, sizeof(*j));
  java[0] = '\0';
  if (proc->valid && !proc->from_self &&
      strcmp(ex__tool_basename(proc->exe), "java") == 0) {
    ex_strlcpy(java, proc->exe, sizeof(java));
    *how = "the process's own executable";
  } else if (ev->command != NULL && ev->command[0] != NULL &&
             strcmp(ex__tool_basename(ev->command[0]), "java") == 0 &&
             ex__tool_which(proc, ev->command[0], java, sizeof(java)) == 0) {
    *how = "the java the command named";
  } else if ((jh = getenv("JAVA_HOME")) != NULL && jh[0] == '/' &&
             ex__tool_join(java, sizeof(java), jh, "bin/java") != NULL &&
             ex__tool_is_file(java)) {
    *how = "JAVA_HOME";
  } else if (ex__tool_which(proc, "java", java, sizeof(java)) == 0) {
    *how = "the java on PATH";
  } else {
    return -ENOENT;
  }
  if (home_of_java(java, home, sizeof(home)) != 0 || read_release(home, j) != 0)
    return -ENOENT;
  return 0;
}

/* 1 when /var/lib/dpkg/alternatives/java lists java as a choice. */
static int alternative_registered(const char *java) {
  return ex__tool_file_has_line("/var/lib/dpkg/alternatives/java", java);
}

/* ---------------------------------------------------------------------- */
/* Class files                                                             */

typedef struct class_info {
  unsigned major;
  char name[512]; /* this_class, "com/example/Main" */
} class_info_t;

static unsigned be16(const unsigned char *p) {
  return (unsigned)p[0] << 8 | p[1];
}

/* Reads the version and the class's own name from a class file. Every
 * offset is checked against what was read. Returns 0 or -ENOEXEC. */
static int class_read(const char *path, class_info_t *ci) {
  unsigned char *buf;
  size_t *utf8_at;
  unsigned *class_name;
  ssize_t len;
  size_t pos;
  unsigned count;
  unsigned i;
  unsigned this_class;
  int rc;

  memset(ci, 0, sizeof(*ci));
  buf = malloc(CLASS_BYTES);
  if (buf == NULL)
    return -ENOMEM;
  utf8_at = NULL;
  class_name = NULL;
  rc = -ENOEXEC;
  len = ex_read_small(path, (char *)buf, CLASS_BYTES);
  if (len < 10 || memcmp(buf, "\xca\xfe\xba\xbe", 4) != 0)
    goto cleanup;
  ci->major = be16(buf + 6);
  rc = 0;
  count = be16(buf + 8);
  utf8_at = calloc(count + 1, sizeof(*utf8_at));
  class_name = calloc(count + 1, sizeof(*class_name));
  if (utf8_at == NULL || class_name == NULL)
    goto cleanup;
  pos = 10;
  for (i = 1; i < count; i++) {
    unsigned tag;
    size_t size;

    if (pos >= (size_t)len)
      goto cleanup;
    tag = buf[pos];
    switch (tag) {
    case 1:
      if (pos + 3 > (size_t)len)
        goto cleanup;
      utf8_at[i] = pos;
      size = 3 + be16(buf + pos + 1);
      break;
    case 7:
      if (pos + 3 > (size_t)len)
        goto cleanup;
      class_name[i] = be16(buf + pos + 1);
      size = 3;
      break;
    case 8:
    case 16:
    case 19:
    case 20:
      size = 3;
      break;
    case 15:
      size = 4;
      break;
    case 3:
    case 4:
    case 9:
    case 10:
    case 11:
    case 12:
    case 17:
    case 18:
      size = 5;
      break;
    case 5:
    case 6:
      size = 9;
      i++; /* a long or a double takes two entries */
      break;
    default:
      goto cleanup;
    }
    pos += size;
  }
  if (pos + 4 > (size_t)len)
    goto cleanup;
  this_class = be16(buf + pos + 2);
  if (this_class > 0 && this_class < count && class_name[this_class] > 0 &&
      class_name[this_class] < count && utf8_at[class_name[this_class]] > 0) {
    size_t at = utf8_at[class_name[this_class]];
    size_t n = be16(buf + at + 1);

    if (at + 3 + n <= (size_t)len && n < sizeof(ci->name)) {
      memcpy(ci->name, buf + at + 3, n);
      ci->name[n] = '\0';
    }
  }

cleanup:
  free(buf);
  free(utf8_at);
  free(class_name);
  return rc;
}

/* "com.example.Main" -> "com/example/Main.class". */
static void class_file_name(const char *cls, char *out, size_t size) {
  size_t i;
  size_t n;

  n = strlen(cls);
  if (n > 6 && strcmp(cls + n - 6, ".class") == 0)
    n -= 6;
  if (n + 7 > size)
    n = size - 7;
  for (i = 0; i < n; i++)
    out[i] = cls[i] == '.' ? '/' : cls[i];
  memcpy(out + n, ".class", 7);
}

/* The class path of a java command line: -cp/-classpath/--class-path,
 * else CLASSPATH, else NULL (the working directory). */
static const char *java_classpath(char *const *argv) {
  size_t i;

  for (i = 1; argv != NULL && argv[i] != NULL; i++) {
    if ((strcmp(argv[i], "-cp") == 0 || strcmp(argv[i], "-classpath") == 0 ||
         strcmp(argv[i], "--class-path") == 0) &&
        argv[i + 1] != NULL)
      return argv[i + 1];
    if (strncmp(argv[i], "--class-path=", 13) == 0)
      return argv[i] + 13;
    if (argv[i][0] != '-')
      break;
  }
  return getenv("CLASSPATH");
}

/* Finds file (com/x/Main.class) in the directories of the class path
 * (the cwd when there is none); jars are not opened. */
static int in_classpath(const ex_proc_t *proc, const char *cp, const char *file,
                        char *out, size_t size) {
  char dir[PATH_CAP];
  const char *p;
  const char *end;
  char *abs;
  int found;

  if (cp == NULL || cp[0] == '\0')
    cp = ".";
  found = 0;
  for (p = cp; !found; p = end + 1) {
    end = strchr(p, ':');
    if (end == NULL)
      end = p + strlen(p);
    snprintf(dir, sizeof(dir), "%.*s", (int)(end - p), p);
    if (dir[0] == '\0')
      ex_strlcpy(dir, ".", sizeof(dir));
    abs = ex__path_absolute(proc, dir);
    if (abs != NULL && ex__tool_is_dir(abs) &&
        ex__tool_join(out, size, abs, file) != NULL && ex__tool_is_file(out))
      found = 1;
    free(abs);
    if (*end == '\0')
      break;
  }
  return found;
}

/* The class file of cls: on the class path, else in the project. Returns
 * 1 when found (path in out). */
static int class_find(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      const char *cls, ex_project_search_t *ps, char *out,
                      size_t size) {
  char file[600];
  char home[PATH_CAP];
  const char *starts[1];

  class_file_name(cls, file, sizeof(file));
  if (in_classpath(proc, java_classpath(ev->command), file, out, size))
    return 1;
  starts[0] = proc->cwd;
  if (ex__project_search(starts, 1, ex__tool_home(proc, home, sizeof(home)),
                         EX_PROJECT_CLASS, file, ps) > 0) {
    ex_strlcpy(out, ps->found, size);
    return 1;
  }
  return 0;
}

/* ---------------------------------------------------------------------- */
/* A runtime older than the class                                          */

int ex__tool_java_version_applies(const ex_probe_event_t *ev) {
  return ev->rule_id != NULL && strncmp(ev->rule_id, "java.", 5) == 0 &&
         ev->condition != NULL && strcmp(ev->condition, "runtime-too-old") == 0;
}

/* The fixes: run it with a JDK that can, and make that one the default. */
static void version_fixes(const ex_probe_event_t *ev, const jdk_t *best,
                          ex_explanation_t *out) {
  char java[PATH_CAP];
  char *qh;
  char *rest;
  char *cmd;
  size_t i;
  size_t len;

  qh = ex_shell_quote(best->home);
  rest = NULL;
  len = 0;
  if (ex__tool_join(java, sizeof(java), best->home, "bin/java") == NULL)
    java[0] = '\0';
  for (i = 0; ev->command != NULL && ev->command[i] != NULL; i++) {
    /* A java named by its path would not follow PATH: name the new one. */
    char *q = ex_shell_quote(
        i == 0 && strchr(ev->command[0], '/') != NULL &&
                strcmp(ex__tool_basename(ev->command[0]), "java") == 0 &&
                java[0] != '\0'
            ? java
            : ev->command[i]);
    char *grown = q != NULL ? realloc(rest, len + strlen(q) + 2) : NULL;

    if (grown == NULL) {
      free(q);
      free(rest);
      rest = NULL;
      break;
    }
    rest = grown;
    len += (size_t)sprintf(rest + len, " %s", q);
    free(q);
  }
  cmd = NULL;
  if (qh != NULL && asprintf(&cmd, "JAVA_HOME=%s PATH=%s/bin:\"$PATH\"%s", qh,
                             qh, rest != NULL ? rest : "") >= 0)
    ex_fix_add_raw(out, 0, cmd, "run it with Java %d (%s)", best->feature,
                   best->home);
  free(cmd);
  free(rest);
  free(qh);
  if (java[0] != '\0' && alternative_registered(java)) {
    const char *argv[] = {"update-alternatives", "--set", "java", java, NULL};

    ex_fix_add_cmd(out, 1, argv, "or make Java %d the default java",
                   best->feature);
  }
}

int ex__tool_java_version_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                              const ex_host_t *host, ex_explanation_t *out) {
  jdks_t *l;
  jdk_t ran;
  ex_project_search_t *ps;
  class_info_t ci;
  char classfile[PATH_CAP];
  char list[JDKS_MAX * 48];
  const char *how;
  const char *need_s;
  const char *have_s;
  const char *cls;
  const jdk_t *best;
  const jdk_t *newest;
  ex_cause_t *c;
  size_t n;
  size_t i;
  int need; /* the Java feature version the class needs */
  int have; /* the one the message says ran, 0 unknown */
  int compile;
  int ran_ok;

  (void)host;
  l = malloc(sizeof(*l));
  ps = malloc(sizeof(*ps));
  if (l == NULL || ps == NULL) {
    free(l);
    free(ps);
    return -ENOMEM;
  }
  compile = ev->operation != NULL && strcmp(ev->operation, "compile") == 0;
  need = 0;
  have = 0;
  if (compile) {
    /* javac: "release 21 not supported": the JDK itself is older. */
    need = ev->subject_value != NULL ? feature_of(ev->subject_value) : 0;
  } else {
    need_s = ex_probe_capture(ev, "need");
    have_s = ex_probe_capture(ev, "have");
    if (need_s != NULL && atoi(need_s) > CLASS_VERSION_OFFSET)
      need = atoi(need_s) - CLASS_VERSION_OFFSET;
    if (have_s != NULL && atoi(have_s) > CLASS_VERSION_OFFSET)
      have = atoi(have_s) - CLASS_VERSION_OFFSET;
    ex_facts_int(&out->facts, "class_version",
                 need > 0 ? need + CLASS_VERSION_OFFSET : 0);
  }
  ex_facts_int(&out->facts, "needs_java", need);
  /* The class the message names: its capture (the subject is the class
   * file version the runtime refused). */
  cls = ex_probe_capture(ev, "class");
  if (cls == NULL || cls[0] == '\0')
    cls = ev->subject_kind != NULL && strcmp(ev->subject_kind, "class") == 0
              ? ev->subject_value
              : NULL;

  /* The class file itself, when it can be found: its version byte. */
  if (!compile && cls != NULL && cls[0] != '\0' &&
      class_find(ev, proc, cls, ps, classfile, sizeof(classfile)) &&
      class_read(classfile, &ci) == 0) {
    ex_facts_str(&out->facts, "class_file", classfile);
    ex_facts_int(&out->facts, "class_file_major", ci.major);
    if (need == 0 && ci.major > CLASS_VERSION_OFFSET)
      need = (int)ci.major - CLASS_VERSION_OFFSET;
  }

  /* The runtime that ran. */
  ran_ok = runtime_find(ev, proc, &ran, &how) == 0;
  if (ran_ok) {
    ex_facts_str(&out->facts, "runtime_home", ran.home);
    ex_facts_str(&out->facts, "runtime_version", ran.version);
    ex_facts_str(&out->facts, "runtime_seen_by", how);
  }
  if (ran_ok && need > 0) {
    c = ex_cause_add(
        out, "old-default-java",
        ran.feature < need ? EX_VERDICT_CONFIRMED : EX_VERDICT_UNKNOWN,
        ran.feature < need ? "the %s that ran is Java %d (%s, JAVA_VERSION=%s "
                             "in its release file, found as %s); %s needs "
                             "Java %d or later"
                           : "%s is Java %d (%s, JAVA_VERSION=%s, found as "
                             "%s), new enough for %s (Java %d): another Java "
                             "ran (a build tool's own JAVA_HOME?)",
        compile ? "javac" : "java", ran.feature, ran.home, ran.version, how,
        compile ? "the release asked for" : cls != NULL ? cls : "the class",
        need);
    if (c != NULL) {
      ex_facts_str(&c->facts, "runtime_home", ran.home);
      ex_facts_int(&c->facts, "runtime_java", ran.feature);
    }
  } else if (need > 0) {
    ex_cause_add(out, "old-default-java", EX_VERDICT_UNKNOWN,
                 "which Java ran could not be found (no java process, "
                 "JAVA_HOME or java on PATH with a release file); the "
                 "message says it reads classes up to Java %d",
                 have);
  }

  /* Every installed JDK, and which of them can run it. */
  jdks_find(proc, l);
  list[0] = '\0';
  n = 0;
  best = NULL;
  for (i = 0; i < l->count; i++) {
    const jdk_t *j = &l->items[i];

    n += (size_t)snprintf(list + n, sizeof(list) > n ? sizeof(list) - n : 0,
                          "%s%s=%s", n > 0 ? ":" : "", j->home, j->version);
    if (need > 0 && j->feature >= need &&
        (!ran_ok || strcmp(j->home, ran.home) != 0) &&
        (best == NULL || j->feature < best->feature))
      best = j;
  }
  ex_facts_str(&out->facts, "jdks", list);
  ex_facts_int(&out->facts, "jdks_found", (long long)l->count);
  ex_facts_str(&out->facts, "searched", l->searched);
  if (need == 0) {
    ex_cause_add(out, "several-jdks", EX_VERDICT_UNKNOWN,
                 "the Java version needed is not in the message, and the "
                 "class file was not found");
  } else if (best != NULL) {
    c = ex_cause_add(out, "several-jdks", EX_VERDICT_CONFIRMED,
                     "Java %d is installed at %s (JAVA_VERSION=%s) and can "
                     "run it, but it is not the one that ran",
                     best->feature, best->home, best->version);
    if (c != NULL) {
      ex_facts_str(&c->facts, "jdk_home", best->home);
      ex_facts_int(&c->facts, "jdk_java", best->feature);
    }
    ex_explanation_summary(out,
                           "%s needs Java %d; Java %d ran, and Java %d "
                           "at %s would run it",
                           compile ? "the build" : "the class", need,
                           ran_ok ? ran.feature : have, best->feature,
                           best->home);
    version_fixes(ev, best, out);
  } else {
    c = ex_cause_add(out, "several-jdks", EX_VERDICT_RULED_OUT,
                     "none of the %zu Java installations found (%s) is Java "
                     "%d or later; looked in %s",
                     l->count, l->count > 0 ? list : "none", need, l->searched);
    newest = NULL;
    for (i = 0; i < l->count; i++) {
      if (newest == NULL || l->items[i].feature > newest->feature)
        newest = &l->items[i];
    }
    if (newest != NULL)
      ex_explanation_summary(out,
                             "%s needs Java %d, and no Java that new is "
                             "installed here (the newest is Java %d, "
                             "%s)",
                             compile ? "the build" : "the class", need,
                             newest->feature, newest->home);
    else
      ex_explanation_summary(out,
                             "%s needs Java %d, and no Java is "
                             "installed where explain looked",
                             compile ? "the build" : "the class", need);
    ex_fix_add_raw(out, 0, NULL,
                   "install Java %d or later (Debian 12 ships openjdk-17; "
                   "newer ones come from Adoptium's or the vendor's "
                   "packages)",
                   need);
    if (!compile && ran_ok)
      ex_fix_add_raw(out, 0, NULL,
                     "or, if the class is the project's own, compile it for "
                     "the Java here: javac --release %d (Maven: "
                     "maven.compiler.release, Gradle: options.release)",
                     ran.feature);
  }
  free(l);
  free(ps);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* A class that is not on the class path                                   */

int ex__tool_java_class_applies(const ex_probe_event_t *ev) {
  return ev->rule_id != NULL && strncmp(ev->rule_id, "java.", 5) == 0 &&
         ev->condition != NULL &&
         strcmp(ev->condition, "class-not-found") == 0 &&
         ev->subject_value != NULL && ev->subject_value[0] != '\0';
}

/* The java command with "-cp dir" (or dir added in front of its own class
 * path). */
static void classpath_fix(const ex_probe_event_t *ev, const char *dir,
                          ex_explanation_t *out) {
  char *argv[64];
  char joined[PATH_CAP * 2];
  const char *words[2];
  size_t n;
  int replaced;

  if (ev->command == NULL || ev->command[0] == NULL)
    return;
  replaced = 0;
  for (n = 0; ev->command[n] != NULL && n < 63; n++) {
    argv[n] = ev->command[n];
    if (!replaced && n > 0 && ev->command[n + 1] != NULL &&
        (strcmp(argv[n], "-cp") == 0 || strcmp(argv[n], "-classpath") == 0 ||
         strcmp(argv[n], "--class-path") == 0)) {
      snprintf(joined, sizeof(joined), "%s:%s", dir, ev->command[n + 1]);
      argv[++n] = joined;
      replaced = 1;
    }
  }
  argv[n] = NULL;
  if (replaced) {
    ex__project_fix_insert(out, argv, NULL, 0, "put %s on the class path", dir);
    return;
  }
  words[0] = "-cp";
  words[1] = dir;
  ex__project_fix_insert(out, argv, words, 2, "put %s on the class path", dir);
}

int ex__tool_java_class_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                            const ex_host_t *host, ex_explanation_t *out) {
  ex_project_search_t *ps;
  class_info_t ci;
  char file[600];
  char found[PATH_CAP];
  char where[2 * PATH_CAP + 256];
  char dotted[512];
  const char *cls;
  const char *cp;
  ex_cause_t *c;
  size_t i;
  int rc;

  (void)host;
  cls = ev->subject_value;
  ps = malloc(sizeof(*ps));
  if (ps == NULL)
    return -ENOMEM;
  memset(ps, 0, sizeof(*ps));
  class_file_name(cls, file, sizeof(file));
  cp = java_classpath(ev->command);
  ex_facts_str(&out->facts, "class", cls);
  ex_facts_str(&out->facts, "class_file_name", file);
  ex_facts_str(&out->facts, "classpath", cp != NULL ? cp : ".");

  /* "java Main.class": a file name where a class name goes. */
  if (strlen(cls) > 6 && strcmp(cls + strlen(cls) - 6, ".class") == 0) {
    snprintf(dotted, sizeof(dotted), "%.*s", (int)(strlen(cls) - 6), cls);
    ex_cause_add(out, "file-name", EX_VERDICT_CONFIRMED,
                 "%s is a file name; java takes the class name (%s)", cls,
                 dotted);
    ex_explanation_summary(out,
                           "java was given the file %s instead of the "
                           "class %s",
                           cls, dotted);
    free(ps);
    return 0;
  }

  if (in_classpath(proc, cp, file, found, sizeof(found))) {
    /* There, by that name: a class of another package in that file, or
     * it appeared since. */
    if (class_read(found, &ci) == 0 && ci.name[0] != '\0') {
      ex_strlcpy(dotted, cls, sizeof(dotted));
      for (i = 0; dotted[i] != '\0'; i++)
        dotted[i] = dotted[i] == '.' ? '/' : dotted[i];
      if (strcmp(ci.name, dotted) != 0) {
        c = ex_cause_add(out, "package", EX_VERDICT_CONFIRMED,
                         "%s is on the class path but declares itself as %s: "
                         "run it by that name, from the directory above its "
                         "package",
                         found, ci.name);
        if (c != NULL) {
          ex_facts_str(&c->facts, "found", found);
          ex_facts_str(&c->facts, "declared_name", ci.name);
        }
        for (i = 0; ci.name[i] != '\0'; i++)
          ci.name[i] = ci.name[i] == '/' ? '.' : ci.name[i];
        ex_explanation_summary(out, "the class in %s is %s, not %s", found,
                               ci.name, cls);
        free(ps);
        return 0;
      }
    }
    out->stale = 1;
    ex_explanation_summary(out, "%s is on the class path now (%s)", cls, found);
    ex_cause_add(out, "classpath", EX_VERDICT_RULED_OUT,
                 "%s exists now, on the class path", found);
    free(ps);
    return 0;
  }

  /* In the project, outside the class path. */
  {
    const char *starts[1];
    char home[PATH_CAP];

    starts[0] = proc->cwd;
    rc = ex__project_search(starts, 1, ex__tool_home(proc, home, sizeof(home)),
                            EX_PROJECT_CLASS, file, ps);
  }
  ex__project_facts(ps, &out->facts);
  if (rc > 0) {
    c = ex_cause_add(out, "classpath", EX_VERDICT_CONFIRMED,
                     "%s is in the project, at %s, but %s is not on the "
                     "class path (%s)",
                     cls, ps->found, ps->dir, cp != NULL ? cp : ".");
    if (c != NULL) {
      ex_facts_str(&c->facts, "found", ps->found);
      ex_facts_str(&c->facts, "classpath_dir", ps->dir);
    }
    ex_explanation_summary(out, "%s is in %s, which is not on the class path",
                           cls, ps->dir);
    classpath_fix(ev, ps->dir, out);
    free(ps);
    return 0;
  }
  ex__project_describe(ps, where, sizeof(where));
  {
    /* The source without its class: never compiled (or compiled
     * elsewhere and cleaned). */
    ex_project_search_t *src;
    const char *starts[1];
    char home[PATH_CAP];
    char java[600];
    char dest[PATH_CAP];
    const char *base;

    src = malloc(sizeof(*src));
    base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    snprintf(java, sizeof(java), "%.*s.java", (int)(strlen(base) - 6), base);
    starts[0] = proc->cwd;
    /* Only after a search of the classes that went to its end: the
     * two together stay within one search's time. */
    if (src != NULL && ps->complete &&
        ex__project_search(starts, 1, ex__tool_home(proc, home, sizeof(home)),
                           EX_PROJECT_FILE, java, src) > 0) {
      const char *argv[] = {"javac", "-d", dest, src->found, NULL};

      c = ex_cause_add(out, "not-compiled", EX_VERDICT_CONFIRMED,
                       "the source %s exists, but no %s was compiled from "
                       "it anywhere in the project",
                       src->found, file);
      if (c != NULL)
        ex_facts_str(&c->facts, "source", src->found);
      snprintf(dest, sizeof(dest), "%.*s",
               (int)(cp != NULL ? strcspn(cp, ":") : 1),
               cp != NULL && cp[0] != '\0' ? cp : ".");
      ex_fix_add_cmd(out, 0, argv, "compile it into the class path");
    }
    free(src);
  }
  ex_cause_add(out, "classpath",
               ps->complete ? EX_VERDICT_RULED_OUT : EX_VERDICT_UNKNOWN,
               "there is no %s in the class path's directories (%s), nor in "
               "%s",
               file, cp != NULL ? cp : ".", where);
  ex_cause_add(out, "in-jar", EX_VERDICT_UNKNOWN,
               "whether a jar holds %s was not checked (jars are not opened)",
               file);
  ex_explanation_summary(out,
                         "no %s on the class path or in the project "
                         "directories",
                         file);
  free(ps);
  return 0;
}
