/* Who holds a file open: Restart Manager, then the system handle table.
 *
 * Restart Manager (rstrtmgr.dll) is the documented way and names the
 * application as the user knows it, but it sees only what it registers
 * (and under wine it is an empty stub: success, no process). The handle
 * table sees every handle of every process that explain may open with
 * PROCESS_DUP_HANDLE: each file handle is duplicated into explain and
 * compared with the file. Both libraries are looked up when a diagnosis
 * needs them, so that no start of explain pays for loading them. */
#include "platform/windows/probes.h"
#include "platform/windows/win_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ---- Restart Manager (rstrtmgr.h is not in every SDK) ----------------- */

#define EX_RM_SESSION_KEY_LEN 33 /* CCH_RM_SESSION_KEY */
#define EX_RM_MAX_APP_NAME 255
#define EX_RM_MAX_SVC_NAME 63

typedef struct {
  DWORD dwProcessId;
  FILETIME ProcessStartTime;
} ex_rm_unique_process_t;

typedef struct {
  ex_rm_unique_process_t Process;
  WCHAR strAppName[EX_RM_MAX_APP_NAME + 1];
  WCHAR strServiceShortName[EX_RM_MAX_SVC_NAME + 1];
  int ApplicationType;
  ULONG AppStatus;
  DWORD TSSessionId;
  BOOL bRestartable;
} ex_rm_process_info_t;

typedef DWORD(WINAPI *rm_start_fn)(DWORD *, DWORD, WCHAR *);
typedef DWORD(WINAPI *rm_end_fn)(DWORD);
typedef DWORD(WINAPI *rm_register_fn)(DWORD, UINT, const WCHAR **, UINT, void *,
                                      UINT, const WCHAR **);
typedef DWORD(WINAPI *rm_get_list_fn)(DWORD, UINT *, UINT *,
                                      ex_rm_process_info_t *, DWORD *);

#define EX_RM_ERROR_MORE_DATA 234

static void *symbol(HMODULE m, const char *name) {
  return (void *)(void (*)(void))GetProcAddress(m, name);
}

static void add_holder(ex_win_holders_t *h, DWORD pid, const wchar_t *app,
                       unsigned long access) {
  ex_win_holder_t *x;
  size_t i;

  for (i = 0; i < h->count; i++) {
    if (h->items[i].pid == pid)
      return;
  }
  if (h->count >= EX_WIN_HOLDERS_MAX)
    return;
  x = &h->items[h->count++];
  memset(x, 0, sizeof(*x));
  x->pid = pid;
  x->access = access;
  if (ex__win_process_image(pid, x->image, sizeof(x->image)) == 0)
    ex_strlcpy(x->name, ex__win_basename(x->image), sizeof(x->name));
  else if (app != NULL)
    (void)ex__win_utf8(app, x->name, sizeof(x->name));
}

static void by_restart_manager(const wchar_t *path, ex_win_holders_t *h) {
  WCHAR key[EX_RM_SESSION_KEY_LEN];
  ex_rm_process_info_t info[EX_WIN_HOLDERS_MAX];
  rm_start_fn start;
  rm_end_fn end;
  rm_register_fn reg;
  rm_get_list_fn get_list;
  HMODULE rm;
  DWORD session;
  DWORD reasons;
  UINT needed;
  UINT n;
  UINT i;
  DWORD rc;

  rm = LoadLibraryW(L"rstrtmgr.dll");
  if (rm == NULL)
    return;
  start = (rm_start_fn)symbol(rm, "RmStartSession");
  end = (rm_end_fn)symbol(rm, "RmEndSession");
  reg = (rm_register_fn)symbol(rm, "RmRegisterResources");
  get_list = (rm_get_list_fn)symbol(rm, "RmGetList");
  memset(key, 0, sizeof(key));
  if (start == NULL || end == NULL || reg == NULL || get_list == NULL ||
      start(&session, 0, key) != ERROR_SUCCESS) {
    FreeLibrary(rm);
    return;
  }
  if (reg(session, 1, &path, 0, NULL, 0, NULL) == ERROR_SUCCESS) {
    n = EX_WIN_HOLDERS_MAX;
    needed = 0;
    reasons = 0;
    rc = get_list(session, &needed, &n, info, &reasons);
    if (rc == ERROR_SUCCESS || rc == EX_RM_ERROR_MORE_DATA) {
      h->restart_manager = 1;
      if (n > EX_WIN_HOLDERS_MAX)
        n = EX_WIN_HOLDERS_MAX;
      for (i = 0; i < n; i++) {
        if (info[i].Process.dwProcessId != GetCurrentProcessId())
          add_holder(h, info[i].Process.dwProcessId, info[i].strAppName, 0);
      }
    }
  }
  end(session);
  FreeLibrary(rm);
}

/* ---- the system handle table (winternl.h declares little of it) ------- */

#define EX_SYSTEM_EXTENDED_HANDLE_INFORMATION 64
#define EX_STATUS_INFO_LENGTH_MISMATCH ((LONG)0xC0000004L)
#define EX_HANDLE_TABLE_MAX (256u << 20) /* bytes: about 6 million handles */

typedef struct {
  void *Object;
  ULONG_PTR UniqueProcessId;
  ULONG_PTR HandleValue;
  ULONG GrantedAccess;
  USHORT CreatorBackTraceIndex;
  USHORT ObjectTypeIndex;
  ULONG HandleAttributes;
  ULONG Reserved;
} ex_handle_entry_t;

typedef struct {
  ULONG_PTR NumberOfHandles;
  ULONG_PTR Reserved;
  ex_handle_entry_t Handles[1];
} ex_handle_table_t;

typedef LONG(NTAPI *nt_query_system_fn)(ULONG, void *, ULONG, ULONG *);

/* The file as the probes identify it: its volume and index, and its final
 * name without the \\?\ prefix. */
typedef struct {
  DWORD volume;
  DWORD index_high;
  DWORD index_low;
  wchar_t name[MAX_PATH * 4];
} ex_file_id_t;

static int same_name(const wchar_t *a, const wchar_t *b) {
  return CompareStringOrdinal(a, -1, b, -1, TRUE) == CSTR_EQUAL;
}

/* Identity of an open handle. 0, or -1 when it is not a disk file. */
static int identify(HANDLE f, ex_file_id_t *id) {
  BY_HANDLE_FILE_INFORMATION bi;
  DWORD n;

  if (GetFileType(f) != FILE_TYPE_DISK)
    return -1;
  memset(id, 0, sizeof(*id));
  if (GetFileInformationByHandle(f, &bi)) {
    id->volume = bi.dwVolumeSerialNumber;
    id->index_high = bi.nFileIndexHigh;
    id->index_low = bi.nFileIndexLow;
  }
  n = GetFinalPathNameByHandleW(f, id->name,
                                (DWORD)(sizeof(id->name) / sizeof(wchar_t)),
                                FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
  if (n == 0 || n >= sizeof(id->name) / sizeof(wchar_t))
    id->name[0] = L'\0';
  ex__win_strip_verbatim(id->name);
  return 0;
}

static int same_file(const ex_file_id_t *a, const ex_file_id_t *b) {
  if ((a->index_high != 0 || a->index_low != 0) && a->volume == b->volume &&
      a->index_high == b->index_high && a->index_low == b->index_low)
    return 1;
  return a->name[0] != L'\0' && same_name(a->name, b->name);
}

/* The search runs on a worker thread: what it found so far is read under
 * the lock when the deadline passes. The state is freed by whichever of
 * the two lets go last. */
typedef struct {
  CRITICAL_SECTION mu;
  LONG refs;
  int done;
  ex_file_id_t target;
  HANDLE own; /* explain's own handle on the file */
  ex_win_holders_t found;
  nt_query_system_fn query;
} ex_scan_t;

static void scan_unref(ex_scan_t *s) {
  if (InterlockedDecrement(&s->refs) != 0)
    return;
  DeleteCriticalSection(&s->mu);
  if (s->own != INVALID_HANDLE_VALUE)
    CloseHandle(s->own);
  free(s);
}

static ex_handle_table_t *read_table(nt_query_system_fn query) {
  ex_handle_table_t *t;
  ULONG size;
  ULONG need;
  LONG st;

  for (size = 1u << 20; size <= EX_HANDLE_TABLE_MAX; size *= 2) {
    t = malloc(size);
    if (t == NULL)
      return NULL;
    need = 0;
    st = query(EX_SYSTEM_EXTENDED_HANDLE_INFORMATION, t, size, &need);
    if (st >= 0)
      return t;
    free(t);
    if (st != EX_STATUS_INFO_LENGTH_MISMATCH)
      return NULL;
  }
  return NULL;
}

/* The type index of file objects, from explain's own handle on the file:
 * the table gives every handle's type only as a number. */
static int file_type_index(const ex_handle_table_t *t, HANDLE own,
                           USHORT *type) {
  ULONG_PTR i;
  ULONG_PTR self;

  self = GetCurrentProcessId();
  for (i = 0; i < t->NumberOfHandles; i++) {
    if (t->Handles[i].UniqueProcessId == self &&
        t->Handles[i].HandleValue == (ULONG_PTR)own) {
      *type = t->Handles[i].ObjectTypeIndex;
      return 0;
    }
  }
  return -1;
}

static DWORD WINAPI scan_main(void *arg) {
  ex_scan_t *s;
  ex_handle_table_t *t;
  ex_handle_entry_t *e;
  ex_file_id_t id;
  ULONG_PTR i;
  ULONG_PTR self;
  ULONG_PTR last_pid;
  HANDLE proc;
  HANDLE dup;
  USHORT type;
  int denied;

  s = arg;
  self = GetCurrentProcessId();
  t = read_table(s->query);
  if (t != NULL && file_type_index(t, s->own, &type) == 0) {
    proc = NULL;
    last_pid = 0;
    denied = 0;
    for (i = 0; i < t->NumberOfHandles; i++) {
      e = &t->Handles[i];
      if (e->UniqueProcessId == self || e->ObjectTypeIndex != type)
        continue;
      if (e->UniqueProcessId != last_pid) {
        if (proc != NULL)
          CloseHandle(proc);
        last_pid = e->UniqueProcessId;
        proc = OpenProcess(PROCESS_DUP_HANDLE, FALSE, (DWORD)last_pid);
        denied = proc == NULL;
        if (denied) {
          EnterCriticalSection(&s->mu);
          s->found.processes_denied++;
          LeaveCriticalSection(&s->mu);
        }
      }
      if (denied)
        continue;
      if (!DuplicateHandle(proc, (HANDLE)e->HandleValue, GetCurrentProcess(),
                           &dup, 0, FALSE, DUPLICATE_SAME_ACCESS))
        continue;
      if (identify(dup, &id) == 0 && same_file(&id, &s->target)) {
        EnterCriticalSection(&s->mu);
        add_holder(&s->found, (DWORD)e->UniqueProcessId, NULL,
                   e->GrantedAccess);
        LeaveCriticalSection(&s->mu);
      }
      CloseHandle(dup);
    }
    if (proc != NULL)
      CloseHandle(proc);
    EnterCriticalSection(&s->mu);
    s->found.handle_table = 1;
    LeaveCriticalSection(&s->mu);
  }
  free(t);
  EnterCriticalSection(&s->mu);
  s->done = 1;
  LeaveCriticalSection(&s->mu);
  scan_unref(s);
  return 0;
}

static void by_handle_table(const ex_file_id_t *target, HANDLE own,
                            int timeout_ms, ex_win_holders_t *h) {
  ex_scan_t *s;
  HANDLE th;
  size_t i;
  HMODULE ntdll;

  ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll == NULL)
    return;
  s = calloc(1, sizeof(*s));
  if (s == NULL)
    return;
  s->query = (nt_query_system_fn)symbol(ntdll, "NtQuerySystemInformation");
  if (s->query == NULL ||
      !DuplicateHandle(GetCurrentProcess(), own, GetCurrentProcess(), &s->own,
                       0, FALSE, DUPLICATE_SAME_ACCESS)) {
    free(s);
    return;
  }
  s->target = *target;
  InitializeCriticalSection(&s->mu);
  s->refs = 2;
  th = CreateThread(NULL, 0, scan_main, s, 0, NULL);
  if (th == NULL) {
    s->refs = 1;
    scan_unref(s);
    return;
  }
  (void)WaitForSingleObject(th, (DWORD)timeout_ms);
  CloseHandle(th);
  EnterCriticalSection(&s->mu);
  h->handle_table = s->found.handle_table;
  h->table_cut = !s->done;
  h->processes_denied = s->found.processes_denied;
  for (i = 0; i < s->found.count; i++) {
    if (h->count < EX_WIN_HOLDERS_MAX)
      h->items[h->count++] = s->found.items[i];
  }
  LeaveCriticalSection(&s->mu);
  scan_unref(s);
}

int ex__win_find_holders(const char *path, int timeout_ms,
                         ex_win_holders_t *h) {
  ex_file_id_t target;
  wchar_t *w;
  HANDLE own;

  memset(h, 0, sizeof(*h));
  w = ex__win_wide(path);
  if (w == NULL)
    return -EINVAL;
  /* No data access: a file another process holds with share mode 0 can
   * still be opened this way, and explain's open disturbs nobody. */
  own = CreateFileW(w, FILE_READ_ATTRIBUTES,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (own == INVALID_HANDLE_VALUE) {
    int rc = ex__win_errno(GetLastError());
    free(w);
    return rc;
  }
  if (identify(own, &target) != 0) {
    CloseHandle(own);
    free(w);
    return -EINVAL;
  }
  by_restart_manager(w, h);
  if (h->count == 0)
    by_handle_table(&target, own, timeout_ms, h);
  CloseHandle(own);
  free(w);
  return 0;
}

int ex__win_full_path(const char *path, char *out, size_t size) {
  wchar_t full[MAX_PATH * 4];
  wchar_t *w;
  char *plain;
  size_t i;
  size_t j;
  int paired;
  DWORD n;
  int rc;

  plain = strdup(path);
  if (plain == NULL)
    return -ENOMEM;
  paired = strstr(path, "\\\\") != NULL;
  for (i = 0; paired && path[i] != '\0'; i++) {
    if (path[i] == '\\' && path[i + 1] != '\\')
      paired = 0;
    else if (path[i] == '\\')
      i++;
  }
  if (paired) {
    for (i = j = 0; path[i] != '\0'; i++, j++) {
      plain[j] = path[i];
      if (path[i] == '\\')
        i++;
    }
    plain[j] = '\0';
  }
  w = ex__win_wide(plain);
  free(plain);
  if (w == NULL)
    return -EINVAL;
  n = GetFullPathNameW(w, (DWORD)(sizeof(full) / sizeof(full[0])), full, NULL);
  free(w);
  if (n == 0 || n >= sizeof(full) / sizeof(full[0]))
    return n == 0 ? ex__win_errno(GetLastError()) : -ENAMETOOLONG;
  rc = ex__win_utf8(full, out, size);
  return rc;
}
