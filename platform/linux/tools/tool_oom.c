/* Out of memory inside a language runtime: Node's heap, the JVM's heap,
 * metaspace and threads, Python's MemoryError. The runtime died of its own
 * limit or of the machine's; the limits in force are read from the command
 * line, the runtime's environment variables, the memory cgroup, the process
 * limits and /proc/meminfo. */
#include "platform/linux/explainers.h"
#include "platform/probe.h"
#include "platform/linux/tools/tool_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>

#define MIB (1024LL * 1024)

/* "512 MiB", "3.9 GiB". */
static const char *human(long long bytes, char *buf, size_t size) {
  if (bytes >= 1024 * MIB)
    snprintf(buf, size, "%.1f GiB", (double)bytes / (double)(1024 * MIB));
  else
    snprintf(buf, size, "%lld MiB", bytes / MIB);
  return buf;
}

/* MemTotal and MemAvailable of /proc/meminfo, in bytes (-1 unknown). */
static void meminfo(long long *total, long long *avail) {
  char buf[4096];
  const char *p;

  *total = *avail = -1;
  if (ex_read_small("/proc/meminfo", buf, sizeof(buf)) <= 0)
    return;
  p = strstr(buf, "MemTotal:");
  if (p != NULL)
    *total = strtoll(p + 9, NULL, 10) * 1024;
  p = strstr(buf, "MemAvailable:");
  if (p != NULL)
    *avail = strtoll(p + 13, NULL, 10) * 1024;
}

/* A size as the JVM writes it: 512m, 2g, 1024k, bytes. -1 when not one. */
static long long jvm_size(const char *s) {
  char *end;
  long long v;

  v = strtoll(s, &end, 10);
  if (end == s || v <= 0)
    return -1;
  switch (*end) {
  case 'k':
  case 'K':
    return v * 1024;
  case 'm':
  case 'M':
    return v * MIB;
  case 'g':
  case 'G':
    return v * 1024 * MIB;
  case '\0':
    return v;
  default:
    return -1;
  }
}

static int has_option(const ex_probe_event_t *ev, const char *prefix) {
  size_t i;

  for (i = 0; ev->command != NULL && ev->command[i] != NULL; i++) {
    if (strncmp(ev->command[i], prefix, strlen(prefix)) == 0)
      return 1;
  }
  return 0;
}

/* Looks for an option in the command line, then in the environment
 * variables the runtime reads (space-separated options). Copies its value
 * (after the prefix) into out and says where it was found. */
static const char *find_option(const ex_probe_event_t *ev, const char *prefix,
                               const char *const *vars, char *out,
                               size_t size) {
  size_t i;
  size_t n;
  const char *v;
  const char *p;
  const char *e;

  n = strlen(prefix);
  for (i = 0; ev->command != NULL && ev->command[i] != NULL; i++) {
    if (strncmp(ev->command[i], prefix, n) == 0) {
      ex_strlcpy(out, ev->command[i] + n, size);
      return "the command line";
    }
  }
  for (i = 0; vars != NULL && vars[i] != NULL; i++) {
    v = getenv(vars[i]);
    for (p = v; p != NULL && (p = strstr(p, prefix)) != NULL; p += n) {
      if (p != v && p[-1] != ' ')
        continue;
      e = strchr(p + n, ' ');
      if (e == NULL)
        e = p + strlen(p);
      if ((size_t)(e - p - (ptrdiff_t)n) < size) {
        memcpy(out, p + n, (size_t)(e - p - (ptrdiff_t)n));
        out[e - p - n] = '\0';
        return vars[i];
      }
    }
  }
  return NULL;
}

/* The command again with the option `prefix` set to value (replaced where
 * it was, else right after the program name): options on the command line
 * win over those in the environment. Returns 0 when the fix was added. */
static int fix_with_option(const ex_probe_event_t *ev, ex_explanation_t *out,
                           const char *prefix, const char *value,
                           const char *text) {
  const char **argv;
  char *opt;
  size_t n;
  size_t i;
  size_t k;
  int replaced;

  if (ev->command == NULL || ev->command[0] == NULL)
    return -1;
  for (n = 0; ev->command[n] != NULL; n++)
    ;
  argv = calloc(n + 2, sizeof(*argv));
  if (argv == NULL || asprintf(&opt, "%s%s", prefix, value) < 0) {
    free(argv);
    return -1;
  }
  replaced = 0;
  k = 0;
  for (i = 0; i < n; i++) {
    if (strncmp(ev->command[i], prefix, strlen(prefix)) == 0) {
      argv[k++] = opt;
      replaced = 1;
    } else {
      argv[k++] = ev->command[i];
    }
    if (i == 0 && !replaced && !has_option(ev, prefix))
      argv[k++] = opt;
  }
  argv[k] = NULL;
  ex_fix_add_cmd(out, 0, argv, "%s", text);
  free(opt);
  free(argv);
  return 0;
}

/* What every kind shares: the cgroup limit, the machine, the process
 * limits. Returns the memory the runtime can really use (the smallest
 * limit), -1 when unknown. */
static long long common_limits(const ex_proc_t *proc, ex_explanation_t *out) {
  ex_probe_memcg_t cg;
  long long total;
  long long avail;
  long long usable;
  char a[32];
  char b[32];
  ex_cause_t *c;
  const struct rlimit *as;

  meminfo(&total, &avail);
  usable = total;
  if (total > 0)
    ex_facts_int(&out->facts, "mem_total_bytes", total);
  if (avail > 0)
    ex_facts_int(&out->facts, "mem_available_bytes", avail);
  if (ex_probe_memcg(proc->cgroup, &cg) == 0 && cg.limit > 0) {
    ex_facts_int(&out->facts, "cgroup_limit_bytes", cg.limit);
    if (cg.peak > 0)
      ex_facts_int(&out->facts, "cgroup_peak_bytes", cg.peak);
    c = ex_cause_add(out, "cgroup-limit", EX_VERDICT_CONFIRMED,
                     "the command's memory cgroup is limited to %s (the "
                     "machine has %s)",
                     human(cg.limit, a, sizeof(a)),
                     total > 0 ? human(total, b, sizeof(b)) : "more");
    if (c != NULL)
      ex_facts_str(&c->facts, "cgroup", cg.dir);
    if (usable < 0 || cg.limit < usable)
      usable = cg.limit;
  } else {
    ex_cause_add(out, "cgroup-limit", EX_VERDICT_RULED_OUT,
                 "no memory cgroup limit applies to the command");
  }
  as = &proc->rlim[RLIMIT_AS];
  if (proc->valid && as->rlim_cur != RLIM_INFINITY && as->rlim_cur > 0) {
    ex_cause_add(out, "address-space-limit", EX_VERDICT_CONFIRMED,
                 "the address space of the command is limited to %s "
                 "(ulimit -v)",
                 human((long long)as->rlim_cur, a, sizeof(a)));
    ex_facts_int(&out->facts, "rlimit_as_bytes", (long long)as->rlim_cur);
    if (usable < 0 || (long long)as->rlim_cur < usable)
      usable = (long long)as->rlim_cur;
  }
  if (avail > 0 && total > 0 && avail < total / 10)
    ex_cause_add(out, "machine-low", EX_VERDICT_CONFIRMED,
                 "the machine is short of memory now: %s available of %s",
                 human(avail, a, sizeof(a)), human(total, b, sizeof(b)));
  return usable;
}

/* ---- Node ------------------------------------------------------------ */

static void node_oom(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     ex_explanation_t *out) {
  static const char *const vars[] = {"NODE_OPTIONS", NULL};
  char val[64];
  char a[32];
  const char *where;
  long long usable;
  long long want;
  long long set;
  char cmd[128];

  where = find_option(ev, "--max-old-space-size=", vars, val, sizeof(val));
  usable = common_limits(proc, out);
  set = where != NULL ? atoll(val) * MIB : -1;
  if (where != NULL) {
    ex_facts_int(&out->facts, "max_old_space_size_mb", atoll(val));
    ex_cause_add(out, "heap-limit-set", EX_VERDICT_CONFIRMED,
                 "V8's heap is limited to %s MB by --max-old-space-size in "
                 "%s",
                 val, where);
  } else {
    ex_cause_add(out, "heap-limit-default", EX_VERDICT_CONFIRMED,
                 "no --max-old-space-size is set: V8 uses its default heap "
                 "limit, which it derives from the memory it sees");
  }
  /* Ask for twice the heap, within 3/4 of what the process can use. */
  want = set > 0 ? set * 2 : 4096 * MIB;
  if (usable > 0 && want > usable / 4 * 3)
    want = usable / 4 * 3;
  if (set > 0 && want <= set) {
    ex_cause_add(out, "no-headroom", EX_VERDICT_CONFIRMED,
                 "a larger heap would not fit: the process can use %s",
                 human(usable, a, sizeof(a)));
    ex_fix_add_raw(out, 0, NULL, "reduce what the program keeps in memory, "
                                 "or give it more memory (a larger cgroup "
                                 "limit or machine)");
  }
  if (want > 0 && (set <= 0 || want > set)) {
    snprintf(cmd, sizeof(cmd), "%lld", want / MIB);
    /* The command line wins over NODE_OPTIONS: change it there. */
    if (where == NULL || strcmp(where, "the command line") != 0 ||
        fix_with_option(ev, out, "--max-old-space-size=", cmd,
                        "run it again with a larger heap") != 0) {
      snprintf(cmd, sizeof(cmd),
               "export NODE_OPTIONS=--max-old-space-size=%lld", want / MIB);
      ex_fix_add_raw(out, 0, cmd, "give V8 a larger heap (%s), then run the "
                                  "command again",
                     human(want, a, sizeof(a)));
    }
  }
  ex_explanation_summary(out, "Node ran out of JavaScript heap%s%s",
                         where != NULL ? " at --max-old-space-size=" : "",
                         where != NULL ? val : " (default limit)");
}

/* ---- Java ------------------------------------------------------------ */

static const char *const java_vars[] = {"JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
                                        "JDK_JAVA_OPTIONS", "JAVA_OPTS",
                                        "MAVEN_OPTS", "GRADLE_OPTS", NULL};

static void java_heap(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      ex_explanation_t *out) {
  char val[64];
  char a[32];
  char b[32];
  const char *where;
  long long xmx;
  long long usable;
  long long want;
  char cmd[128];

  where = find_option(ev, "-Xmx", java_vars, val, sizeof(val));
  usable = common_limits(proc, out);
  xmx = where != NULL ? jvm_size(val) : -1;
  if (xmx > 0) {
    ex_facts_int(&out->facts, "xmx_bytes", xmx);
    ex_cause_add(out, "heap-limit-set", EX_VERDICT_CONFIRMED,
                 "the heap is limited to %s by -Xmx%s in %s",
                 human(xmx, a, sizeof(a)), val, where);
  } else {
    ex_cause_add(out, "heap-limit-default", EX_VERDICT_CONFIRMED,
                 "no -Xmx is set: the JVM's default maximum heap is a "
                 "quarter of the memory it sees (%s here)",
                 usable > 0 ? human(usable / 4, a, sizeof(a)) : "unknown");
    if (usable > 0)
      xmx = usable / 4;
  }
  want = xmx > 0 ? xmx * 2 : -1;
  if (usable > 0 && want > usable / 4 * 3)
    want = usable / 4 * 3;
  if (want > 0 && xmx > 0 && want > xmx) {
    snprintf(cmd, sizeof(cmd), "%lldm", want / MIB);
    /* -Xmx on the command line wins over JAVA_TOOL_OPTIONS. */
    if (where == NULL || strcmp(where, "the command line") != 0 ||
        fix_with_option(ev, out, "-Xmx", cmd,
                        "run it again with a larger heap") != 0) {
      snprintf(cmd, sizeof(cmd), "export JAVA_TOOL_OPTIONS=-Xmx%lldm",
               want / MIB);
      ex_fix_add_raw(out, 0, cmd, "give the JVM a larger heap (%s of the %s "
                                  "it can use)",
                     human(want, a, sizeof(a)), human(usable, b, sizeof(b)));
    }
  } else {
    ex_fix_add_raw(out, 0, NULL, "the heap cannot grow here: reduce what "
                                 "the program keeps, or give it more "
                                 "memory");
  }
  /* -Xmx, where it is set, would win over a percentage. */
  if (where == NULL)
    ex_fix_add_raw(out, 0, "export JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75",
                   "or let the heap follow the memory limit (75%% of it)");
  ex_explanation_summary(out, "the JVM ran out of heap%s%s",
                         xmx > 0 ? " at " : "",
                         xmx > 0 ? human(xmx, b, sizeof(b)) : "");
}

static void java_metaspace(const ex_probe_event_t *ev, const ex_proc_t *proc,
                           ex_explanation_t *out) {
  char val[64];
  const char *where;

  (void)common_limits(proc, out);
  where = find_option(ev, "-XX:MaxMetaspaceSize=", java_vars, val,
                      sizeof(val));
  if (where != NULL) {
    ex_cause_add(out, "metaspace-limit", EX_VERDICT_CONFIRMED,
                 "metaspace (class metadata) is limited to %s by "
                 "-XX:MaxMetaspaceSize in %s",
                 val, where);
    ex_fix_add_raw(out, 0, "export JAVA_TOOL_OPTIONS=-XX:MaxMetaspaceSize=1g",
                   "allow more class metadata");
  } else {
    ex_cause_add(out, "class-leak", EX_VERDICT_UNKNOWN,
                 "metaspace is unlimited by default: classes are loaded "
                 "without end (a class-loader leak, redeployments)");
  }
  ex_explanation_summary(out, "the JVM ran out of metaspace");
}

static void java_threads(const ex_proc_t *proc, ex_explanation_t *out) {
  const struct rlimit *np;
  char buf[64];

  np = &proc->rlim[RLIMIT_NPROC];
  if (proc->valid && np->rlim_cur != RLIM_INFINITY) {
    ex_facts_int(&out->facts, "rlimit_nproc", (long long)np->rlim_cur);
    ex_cause_add(out, "nproc-limit", EX_VERDICT_CONFIRMED,
                 "the user may run at most %llu processes and threads "
                 "(ulimit -u)",
                 (unsigned long long)np->rlim_cur);
    ex_fix_add_raw(out, 0, "ulimit -u unlimited",
                   "raise the limit of processes and threads (up to the "
                   "hard limit)");
  }
  if (ex_read_small("/proc/sys/kernel/threads-max", buf, sizeof(buf)) > 0)
    ex_facts_int(&out->facts, "threads_max", atoll(buf));
  ex_cause_add(out, "stack-memory", EX_VERDICT_UNKNOWN,
               "each thread reserves its stack (-Xss): memory, not the heap, "
               "ran out");
  ex_explanation_summary(out, "the JVM could not start a thread");
}

/* ---- Python ---------------------------------------------------------- */

static void python_memory(const ex_proc_t *proc, ex_explanation_t *out) {
  long long usable;
  char a[32];

  usable = common_limits(proc, out);
  ex_cause_add(out, "large-allocation", EX_VERDICT_UNKNOWN,
               "one allocation too large for what is left (a whole file or "
               "table read into memory at once)");
  if (proc->valid && proc->rlim[RLIMIT_AS].rlim_cur != RLIM_INFINITY)
    ex_fix_add_raw(out, 0, "ulimit -v unlimited",
                   "lift the address-space limit in this shell");
  ex_explanation_summary(out, "Python could not allocate memory%s%s",
                         usable > 0 ? "; the process can use " : "",
                         usable > 0 ? human(usable, a, sizeof(a)) : "");
}

/* ---- the explainer ---------------------------------------------------- */

int ex__tool_oom_applies(const ex_probe_event_t *ev) {
  const char *id;

  id = ev->rule_id != NULL ? ev->rule_id : "";
  return strcmp(id, "node.heap-oom") == 0 || strcmp(id, "java.oom-heap") == 0 ||
         strcmp(id, "java.oom-metaspace") == 0 ||
         strcmp(id, "java.oom-native-thread") == 0 ||
         strcmp(id, "python.memory-error") == 0;
}

int ex__tool_oom_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     const ex_host_t *host, ex_explanation_t *out) {
  (void)host;
  if (strcmp(ev->rule_id, "node.heap-oom") == 0)
    node_oom(ev, proc, out);
  else if (strcmp(ev->rule_id, "java.oom-heap") == 0)
    java_heap(ev, proc, out);
  else if (strcmp(ev->rule_id, "java.oom-metaspace") == 0)
    java_metaspace(ev, proc, out);
  else if (strcmp(ev->rule_id, "java.oom-native-thread") == 0)
    java_threads(proc, out);
  else
    python_memory(proc, out);
  return 0;
}
