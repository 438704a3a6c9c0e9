/* Explainers of the fs family on Windows: a file that could not be opened,
 * written, renamed or removed.
 *
 * On Windows "access denied" is seldom about permissions. Python says
 * [Errno 13] Permission denied for a file another program holds open
 * without sharing it (Excel with the .csv, an antivirus scan, the search
 * indexer, a sync client), for a file with the read-only attribute, for a
 * directory opened as a file, and only then for an ACL that denies the
 * user. Each is probed here, in that order, and the first that holds says
 * what to do: the holder is named (pid, image) by Restart Manager or the
 * system handle table.
 *
 * The probes open the file without data access (attributes only) or with
 * the access the failed operation wanted and every share mode, and close
 * it at once: they change nothing and block nobody. */
#include "platform/windows/probes.h"
#include "platform/windows/win_int.h"

#include <aclapi.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long the handle-table search may take, in all. */
#define EX_HOLDERS_TIMEOUT_MS 3000

static int streq(const char *a, const char *b) {
  return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int is_one_of(const char *s, const char *const *set) {
  size_t i;

  for (i = 0; s != NULL && set[i] != NULL; i++) {
    if (strcmp(s, set[i]) == 0)
      return 1;
  }
  return 0;
}

/* What the failed operation wanted of the file. */
typedef enum { EX_WANT_READ, EX_WANT_WRITE, EX_WANT_DELETE } ex_want_t;

static ex_want_t wanted(const ex_probe_event_t *ev) {
  static const char *const del[] = {"delete", "remove", "rename", "unlink",
                                    "rmdir",  "move",   NULL};
  static const char *const rd[] = {"read", "search", "stat", NULL};

  if (is_one_of(ev->operation, del))
    return EX_WANT_DELETE;
  if (is_one_of(ev->operation, rd))
    return EX_WANT_READ;
  return EX_WANT_WRITE; /* open, write, create: Python's open() */
}

static const char *want_word(ex_want_t w) {
  return w == EX_WANT_DELETE ? "delete or rename"
         : w == EX_WANT_READ ? "read"
                             : "write";
}

static DWORD want_access(ex_want_t w) {
  return w == EX_WANT_DELETE ? DELETE
         : w == EX_WANT_READ ? FILE_READ_DATA
                             : FILE_WRITE_DATA;
}

static int applies_access(const ex_probe_event_t *ev) {
  static const char *const set[] = {"EACCES", "EPERM", "EBUSY", NULL};
  static const char *const other[] = {"exec", "connect", "bind", NULL};

  if (!streq(ev->subject_kind, "path") || is_one_of(ev->operation, other))
    return 0;
  if (streq(ev->condition, "file-in-use"))
    return 1;
  return ev->condition == NULL && is_one_of(ev->errno_name, set);
}

/* ---- the sharing test ------------------------------------------------- */

typedef enum {
  EX_SHARE_UNKNOWN = 0, /* the open failed for another reason */
  EX_SHARE_FREE,        /* it opened: nobody blocks that access now */
  EX_SHARE_CONFLICT     /* ERROR_SHARING_VIOLATION now */
} ex_share_t;

/* Opens the file with the access the operation wanted and every share
 * mode, and closes it again: a sharing violation now means another open
 * handle refuses to share that access. */
static ex_share_t share_test(const wchar_t *w, ex_want_t want) {
  HANDLE h;
  DWORD err;

  h = CreateFileW(w, want_access(want),
                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                  OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (h != INVALID_HANDLE_VALUE) {
    CloseHandle(h);
    return EX_SHARE_FREE;
  }
  err = GetLastError();
  return err == ERROR_SHARING_VIOLATION || err == ERROR_LOCK_VIOLATION
             ? EX_SHARE_CONFLICT
             : EX_SHARE_UNKNOWN;
}

static void access_words(unsigned long a, char *buf, size_t size) {
  buf[0] = '\0';
  if (a & (FILE_READ_DATA | GENERIC_READ))
    ex_strlcpy(buf, "read", size);
  if (a & (FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE))
    snprintf(buf + strlen(buf), size - strlen(buf), "%swrite",
             buf[0] != '\0' ? "," : "");
  if (a & DELETE)
    snprintf(buf + strlen(buf), size - strlen(buf), "%sdelete",
             buf[0] != '\0' ? "," : "");
}

static void holder_facts(ex_facts_t *f, const ex_win_holder_t *x,
                         const char *found_by) {
  char words[32];

  ex_facts_int(f, "holder_pid", (long long)x->pid);
  ex_facts_str(f, "holder_name", x->name);
  if (x->image[0] != '\0')
    ex_facts_str(f, "holder_image", x->image);
  if (x->access != 0) {
    access_words(x->access, words, sizeof(words));
    if (words[0] != '\0')
      ex_facts_str(f, "holder_access", words);
  }
  ex_facts_str(f, "found_by", found_by);
}

static void holder_fixes(ex_explanation_t *e, const ex_win_holder_t *x,
                         const char *path) {
  char pid[16];
  const char *kill[] = {"taskkill", "/PID", pid, NULL};

  snprintf(pid, sizeof(pid), "%lu", (unsigned long)x->pid);
  ex_fix_add_raw(e, 0, NULL,
                 "close %s in %s (pid %s), then run the command "
                 "again",
                 path, x->name[0] != '\0' ? x->name : "that program", pid);
  ex_fix_add_raw(e, 0, NULL,
                 "for a lock that lasts moments (an antivirus scan, the "
                 "search indexer, a sync client): retry for a few seconds, "
                 "and write to a temporary file in the same directory, then "
                 "replace the target with it (os.replace, File.Replace)");
  ex_fix_add_cmd(e, 0, kill,
                 "last resort: end %s (pid %s); what it has not saved is "
                 "lost",
                 x->name[0] != '\0' ? x->name : "the program", pid);
}

/* The cause "file-held-open": 1 when it is confirmed. */
static int held_open(ex_explanation_t *e, const char *path, const wchar_t *w,
                     ex_want_t want, int exists) {
  ex_win_holders_t h;
  ex_share_t share;
  ex_cause_t *c;
  const char *by;
  const ex_win_holder_t *x;
  int rc;

  if (!exists) {
    ex_cause_add(e, "file-held-open", EX_VERDICT_RULED_OUT,
                 "%s does not exist now, so no process holds it open", path);
    return 0;
  }
  share = share_test(w, want);
  rc = ex__win_find_holders(path, EX_HOLDERS_TIMEOUT_MS, &h);
  by = h.restart_manager && h.count > 0 && !h.handle_table ? "restart-manager"
                                                           : "handle-table";
  if (rc == 0 && h.count > 0 && share != EX_SHARE_FREE) {
    x = &h.items[0];
    c = ex_cause_add(e, "file-held-open", EX_VERDICT_CONFIRMED,
                     "%s is open in %s (pid %lu%s%s), which does not share "
                     "it for %s",
                     path, x->name[0] != '\0' ? x->name : "another process",
                     (unsigned long)x->pid, x->image[0] != '\0' ? ", " : "",
                     x->image, want_word(want));
    if (c != NULL) {
      holder_facts(&c->facts, x, by);
      if (h.count > 1)
        ex_facts_int(&c->facts, "holders", (long long)h.count);
    }
    ex_explanation_summary(e, "%s is held open by %s (pid %lu)", path,
                           x->name[0] != '\0' ? x->name : "another process",
                           (unsigned long)x->pid);
    holder_fixes(e, x, path);
    return 1;
  }
  if (share == EX_SHARE_CONFLICT) {
    c = ex_cause_add(e, "file-held-open", EX_VERDICT_CONFIRMED,
                     "another process has %s open and does not share it for "
                     "%s; which one could not be seen%s",
                     path, want_word(want),
                     h.processes_denied > 0
                         ? " (some processes belong to another user or are "
                           "protected: run the same check as an "
                           "administrator)"
                         : "");
    if (c != NULL) {
      ex_facts_bool(&c->facts, "restart_manager_answered", h.restart_manager);
      ex_facts_bool(&c->facts, "handle_table_searched", h.handle_table);
      if (h.table_cut)
        ex_facts_bool(&c->facts, "handle_search_cut_at_deadline", 1);
      ex_facts_int(&c->facts, "processes_not_seen",
                   (long long)h.processes_denied);
    }
    ex_explanation_summary(e, "%s is held open by another process", path);
    ex_fix_add_raw(e, 0, NULL,
                   "close the program that has %s open (Resource Monitor's "
                   "CPU tab, Associated Handles, finds it by name), then run "
                   "the command again",
                   path);
    ex_fix_add_raw(e, 0, NULL,
                   "for a lock that lasts moments: retry for a few seconds, "
                   "and write to a temporary file, then replace the target "
                   "with it");
    return 1;
  }
  if (share == EX_SHARE_FREE) {
    c = ex_cause_add(e, "file-held-open", EX_VERDICT_RULED_OUT,
                     "no process holds %s in a way that blocks %s now", path,
                     want_word(want));
    if (c != NULL && rc == 0 && h.count > 0)
      holder_facts(&c->facts, &h.items[0], by);
    return 0;
  }
  ex_cause_add(e, "file-held-open", EX_VERDICT_UNKNOWN,
               "whether another process holds %s could not be tested: the "
               "test open was refused for another reason",
               path);
  return 0;
}

/* ---- attributes, ACL, sync and protection ---------------------------- */

static void attribute_string(DWORD a, char *buf, size_t size) {
  static const struct {
    DWORD bit;
    const char *name;
  } names[] = {
      {FILE_ATTRIBUTE_READONLY, "readonly"},
      {FILE_ATTRIBUTE_HIDDEN, "hidden"},
      {FILE_ATTRIBUTE_SYSTEM, "system"},
      {FILE_ATTRIBUTE_DIRECTORY, "directory"},
      {FILE_ATTRIBUTE_ARCHIVE, "archive"},
      {FILE_ATTRIBUTE_REPARSE_POINT, "reparse-point"},
      {FILE_ATTRIBUTE_OFFLINE, "offline"},
      {0x00400000, "recall-on-data-access"}, /* a cloud placeholder */
  };
  size_t i;
  size_t n;

  buf[0] = '\0';
  n = 0;
  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if ((a & names[i].bit) == 0)
      continue;
    n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
                          n > 0 ? "," : "", names[i].name);
    if (n >= size)
      break;
  }
}

/* The cause "is-directory" when path is one (1); nothing otherwise: the
 * ruled-out line is added at the end, when no other cause held. */
static int is_directory_cause(ex_explanation_t *e, const char *path,
                              DWORD attrs, ex_want_t want) {
  if ((attrs & FILE_ATTRIBUTE_DIRECTORY) == 0)
    return 0;
  if (want == EX_WANT_DELETE) {
    ex_cause_add(e, "is-directory", EX_VERDICT_CONFIRMED,
                 "%s is a directory: a call that removes files refuses it "
                 "(os.remove, del); a directory is removed with os.rmdir, "
                 "shutil.rmtree or rmdir /S",
                 path);
    ex_explanation_summary(e, "%s is a directory, not a file", path);
    return 1;
  }
  ex_cause_add(e, "is-directory", EX_VERDICT_CONFIRMED,
               "%s is a directory: Windows refuses to open a directory as a "
               "file, and Python reports that as [Errno 13] Permission "
               "denied, not IsADirectoryError",
               path);
  ex_explanation_summary(e, "%s is a directory, not a file", path);
  ex_fix_add_raw(e, 0, NULL,
                 "name a file inside %s, e.g. os.path.join(folder, "
                 "\"out.csv\"), or check the variable that holds the path",
                 path);
  return 1;
}

static int read_only_cause(ex_explanation_t *e, const char *path, DWORD attrs,
                           ex_want_t want) {
  const char *argv[] = {"attrib", "-R", path, NULL};

  if ((attrs & FILE_ATTRIBUTE_READONLY) == 0 ||
      (attrs & FILE_ATTRIBUTE_DIRECTORY) != 0) {
    ex_cause_add(e, "read-only-attribute", EX_VERDICT_RULED_OUT,
                 "%s does not have the read-only attribute", path);
    return 0;
  }
  if (want == EX_WANT_READ) {
    ex_cause_add(e, "read-only-attribute", EX_VERDICT_RULED_OUT,
                 "%s has the read-only attribute, which does not prevent "
                 "reading",
                 path);
    return 0;
  }
  ex_cause_add(e, "read-only-attribute", EX_VERDICT_CONFIRMED,
               "%s has the read-only attribute: Windows refuses to %s it, "
               "whoever asks (Git marks its object files so, which is why "
               "shutil.rmtree stops inside .git)",
               path, want_word(want));
  ex_explanation_summary(e, "%s is marked read-only", path);
  ex_fix_add_cmd(e, 0, argv, "clear the read-only attribute of %s", path);
  ex_fix_add_raw(e, 0, NULL,
                 "to remove a tree with such files from Python: "
                 "shutil.rmtree(path, onexc=handler) with a handler that "
                 "calls os.chmod(p, stat.S_IWRITE) and retries (onerror "
                 "before Python 3.12)");
  return 1;
}

/* Effective rights of explain's user (the command's, which inherited its
 * token) on the file, from its DACL: AccessCheck with an impersonation
 * copy of the process token. Returns 1 granted, 0 denied, -1 unknown. */
static int acl_grants(const wchar_t *w, DWORD access) {
  PSECURITY_DESCRIPTOR sd;
  GENERIC_MAPPING map = {FILE_GENERIC_READ, FILE_GENERIC_WRITE,
                         FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS};
  PRIVILEGE_SET privs;
  DWORD privs_len;
  DWORD granted;
  BOOL ok;
  HANDLE token;
  HANDLE imp;
  int result;

  sd = NULL;
  if (GetNamedSecurityInfoW(w, SE_FILE_OBJECT,
                            OWNER_SECURITY_INFORMATION |
                                GROUP_SECURITY_INFORMATION |
                                DACL_SECURITY_INFORMATION,
                            NULL, NULL, NULL, NULL, &sd) != ERROR_SUCCESS)
    return -1;
  result = -1;
  if (OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY,
                       &token)) {
    if (DuplicateToken(token, SecurityImpersonation, &imp)) {
      MapGenericMask(&access, &map);
      privs_len = sizeof(privs);
      granted = 0;
      ok = FALSE;
      if (AccessCheck(sd, imp, access, &map, &privs, &privs_len, &granted, &ok))
        result = ok ? 1 : 0;
      CloseHandle(imp);
    }
    CloseHandle(token);
  }
  LocalFree(sd);
  return result;
}

static int acl_cause(ex_explanation_t *e, const char *path, const wchar_t *w,
                     ex_want_t want, const ex_host_t *host) {
  const char *argv[] = {"icacls", path, NULL};
  const char *user;
  int g;

  user = host != NULL && host->user[0] != '\0' ? host->user : "this user";
  g = acl_grants(w, want_access(want));
  if (g == 1) {
    ex_cause_add(e, "acl-denies", EX_VERDICT_RULED_OUT,
                 "the access control list of %s grants %s the right to %s it",
                 path, user, want_word(want));
    return 0;
  }
  if (g < 0) {
    ex_cause_add(e, "acl-denies", EX_VERDICT_UNKNOWN,
                 "the access control list of %s could not be read", path);
    return 0;
  }
  ex_cause_add(e, "acl-denies", EX_VERDICT_CONFIRMED,
               "the access control list of %s does not grant %s the right "
               "to %s it",
               path, user, want_word(want));
  ex_explanation_summary(e, "%s may not %s %s", user, want_word(want), path);
  ex_fix_add_cmd(e, 0, argv, "see who may do what with %s", path);
  ex_fix_add_raw(e, 0, NULL,
                 "write somewhere %s owns (a folder under the user profile), "
                 "or ask the owner of %s for access",
                 user, path);
  return 1;
}

/* A file that does not exist is created in its directory: the
 * directory's ACL decides. */
static int parent_acl_cause(ex_explanation_t *e, const char *path,
                            const ex_host_t *host) {
  char dir[EX_PROC_PATH_MAX];
  const char *base;
  wchar_t *w;
  int found;

  base = ex__win_basename(path);
  if (base == path || (size_t)(base - path) >= sizeof(dir))
    return 0;
  memcpy(dir, path, (size_t)(base - path));
  dir[base - path] = '\0';
  if (base - path > 3) /* keep "C:\" whole */
    dir[base - path - 1] = '\0';
  w = ex__win_wide(dir);
  if (w == NULL)
    return 0;
  found = GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES &&
          acl_cause(e, dir, w, EX_WANT_WRITE, host);
  free(w);
  return found;
}

/* 1 when path is below dir (case-insensitively, either separator). */
static int under(const char *path, const char *dir) {
  size_t n;

  n = strlen(dir);
  while (n > 0 && (dir[n - 1] == '\\' || dir[n - 1] == '/'))
    n--;
  if (n == 0 || strlen(path) <= n || _strnicmp(path, dir, n) != 0)
    return 0;
  return path[n] == '\\' || path[n] == '/';
}

/* Sync clients and ransomware protection can refuse a write that nothing
 * on the machine shows afterwards: said as likely, never confirmed. */
static void likely_causes(ex_explanation_t *e, const char *path, DWORD attrs) {
  static const char *const sync_vars[] = {"OneDrive", "OneDriveConsumer",
                                          "OneDriveCommercial", NULL};
  static const char *const protected_dirs[] = {
      "Documents", "Pictures", "Videos", "Music", "Desktop", "Favorites", NULL};
  char dir[1024];
  const char *v;
  const char *profile;
  DWORD on;
  DWORD size;
  size_t i;
  ex_cause_t *c;

  for (i = 0; sync_vars[i] != NULL; i++) {
    v = getenv(sync_vars[i]);
    if (v == NULL || !under(path, v))
      continue;
    c = ex_cause_add(e, "onedrive-sync", EX_VERDICT_UNKNOWN,
                     "likely, not confirmed: %s is in OneDrive (%s), whose "
                     "sync client opens files while it uploads them%s",
                     path, v,
                     (attrs & 0x00400000) != 0
                         ? ", and this one is a cloud placeholder that must "
                           "be downloaded first"
                         : "");
    if (c != NULL)
      ex_facts_str(&c->facts, "onedrive", v);
    break;
  }
  profile = getenv("USERPROFILE");
  if (profile == NULL)
    return;
  for (i = 0; protected_dirs[i] != NULL; i++) {
    snprintf(dir, sizeof(dir), "%s\\%s", profile, protected_dirs[i]);
    if (under(path, dir))
      break;
  }
  if (protected_dirs[i] == NULL)
    return;
  on = 0;
  size = sizeof(on);
  if (RegGetValueW(HKEY_LOCAL_MACHINE,
                   L"SOFTWARE\\Microsoft\\Windows Defender\\Windows Defender "
                   L"Exploit Guard\\Controlled Folder Access",
                   L"EnableControlledFolderAccess", RRF_RT_REG_DWORD, NULL, &on,
                   &size) == ERROR_SUCCESS &&
      on == 0)
    return;
  c = ex_cause_add(e, "controlled-folder-access", EX_VERDICT_UNKNOWN,
                   "likely, not confirmed: %s is in %s, a folder that "
                   "Controlled Folder Access protects%s; Windows Security's "
                   "protection history says whether it blocked this program",
                   path, dir,
                   on != 0 ? " (it is on)"
                           : " (whether it is on could not "
                             "be read)");
  if (c != NULL)
    ex_facts_bool(&c->facts, "controlled_folder_access_on", on != 0);
}

/* Confirmed causes first, then the unknown, then the ruled out, each
 * group in the order it was probed: the reader meets what holds first. */
static void order_causes(ex_explanation_t *e) {
  static const int rank[] = {1, 0, 2}; /* unknown, confirmed, ruled out */
  ex_cause_t tmp;
  size_t i;
  size_t j;

  for (i = 1; i < e->ncauses; i++) {
    for (j = i;
         j > 0 && rank[e->causes[j - 1].verdict] > rank[e->causes[j].verdict];
         j--) {
      tmp = e->causes[j - 1];
      e->causes[j - 1] = e->causes[j];
      e->causes[j] = tmp;
    }
  }
}

static int run_access(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      const ex_host_t *host, ex_explanation_t *out) {
  char full[EX_PROC_PATH_MAX];
  char attrs_text[128];
  ex_want_t want;
  wchar_t *w;
  DWORD attrs;
  int exists;
  int found;

  (void)proc;
  want = wanted(ev);
  if (ev->subject_value == NULL || ev->subject_value[0] == '\0') {
    ex_cause_add(out, "file-held-open", EX_VERDICT_UNKNOWN,
                 "the message names no file, so its holder could not be "
                 "looked up");
    ex_explanation_summary(out, "a file could not be used (not named)");
    ex_fix_add_raw(out, 0, NULL,
                   "close the programs that may have the file open (an "
                   "editor, Excel, a viewer) and run the command again");
    return 0;
  }
  if (ex__win_full_path(ev->subject_value, full, sizeof(full)) != 0)
    ex_strlcpy(full, ev->subject_value, sizeof(full));
  ex_facts_str(&out->facts, "path", full);
  w = ex__win_wide(full);
  if (w == NULL)
    return -ENOMEM;
  attrs = GetFileAttributesW(w);
  exists = attrs != INVALID_FILE_ATTRIBUTES;
  ex_facts_bool(&out->facts, "exists", exists);
  if (exists) {
    attribute_string(attrs, attrs_text, sizeof(attrs_text));
    ex_facts_str(&out->facts, "attributes", attrs_text);
  }
  ex_facts_str(&out->facts, "access_wanted", want_word(want));

  found = 0;
  if (exists)
    found = is_directory_cause(out, full, attrs, want);
  if (!found)
    found = held_open(out, full, w, want, exists);
  if (!found && exists)
    found = read_only_cause(out, full, attrs, want);
  if (!found && exists)
    found = acl_cause(out, full, w, want, host);
  if (!found && !exists)
    found = parent_acl_cause(out, full, host);
  likely_causes(out, full, exists ? attrs : 0);
  if (!found && exists && (attrs & FILE_ATTRIBUTE_DIRECTORY) == 0)
    ex_cause_add(out, "is-directory", EX_VERDICT_RULED_OUT,
                 "%s is not a directory", full);
  if (!found && !exists && out->summary == NULL)
    ex_explanation_summary(out, "%s does not exist now", full);
  if (!found && out->summary == NULL) {
    out->stale = exists;
    ex_explanation_summary(out,
                           "%s can be %s now: nothing that refused it "
                           "is seen any more",
                           full,
                           want == EX_WANT_DELETE ? "deleted"
                           : want == EX_WANT_READ ? "read"
                                                  : "written");
  }
  order_causes(out);
  free(w);
  return 0;
}

const ex_explainer_t ex__win_explainers_fs[] = {
    {"windows.file-access", applies_access, run_access},
    {NULL, NULL, NULL},
};
