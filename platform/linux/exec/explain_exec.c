/* Explainers of the exec family: a command that could not be found or run
 * (126/127, EACCES, ENOEXEC, ENOENT on a file that exists), a missing
 * shared library or glibc version, and, through net_*.c and res_*.c, ports,
 * descriptor limits, locks and busy executables.
 *
 * Everything is read from the file system and /proc with the command's
 * credentials in mind (ex_proc_t); nothing is executed. The file named by
 * the event is looked at, never run: its first bytes tell a script from an
 * ELF program, and the ELF headers tell the machine and the loader. */
#include "platform/linux/exec/exec_int.h"
#include "platform/linux/explainers.h"
#include "platform/linux/fs/fs.h"
#include "platform/linux/proc/project.h"
#include "platform/linux/proc/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD_BYTES 256 /* the kernel reads this much for #! (BINPRM_BUF) */
#define PATH_DIRS_MAX 128
#define SIMILAR_MAX 4
#define SCAN_DIR_ENTRIES 20000

/* ---------------------------------------------------------------------- */
/* Small helpers                                                           */

static int streq(const char *a, const char *b) {
  return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int is_errno(const ex_probe_event_t *ev, const char *name) {
  return streq(ev->errno_name, name);
}

static const char *mode_octal(mode_t m, char *buf, size_t size) {
  snprintf(buf, size, "%04o", (unsigned)(m & 07777));
  return buf;
}

static void owner_facts(ex_cause_t *c, const struct stat *st) {
  char name[128];
  char mode[16];

  ex__cf_str(c, "mode", mode_octal(st->st_mode, mode, sizeof(mode)));
  ex__cf_int(c, "owner_uid", (long long)st->st_uid);
  ex__cf_str(c, "owner", ex__user_name(st->st_uid, name, sizeof(name)));
}

/* The PATH the command had: explain passes its environment through
 * unchanged, so explain's own PATH is the command's. */
static const char *cmd_path(int *unset) {
  const char *p;

  p = getenv("PATH");
  *unset = p == NULL;
  /* execvp's default when PATH is unset. */
  return p != NULL ? p : "/usr/local/bin:/usr/bin:/bin";
}

/* Splits PATH into at most max directories; empty entries mean the cwd. */
static size_t split_path(const char *path, char (*dirs)[EX_PROC_PATH_MAX],
                         size_t max) {
  const char *p;
  const char *end;
  size_t n;
  size_t len;

  n = 0;
  for (p = path; n < max; p = end + 1) {
    end = strchr(p, ':');
    if (end == NULL)
      end = p + strlen(p);
    len = (size_t)(end - p);
    if (len >= EX_PROC_PATH_MAX)
      len = EX_PROC_PATH_MAX - 1;
    if (len == 0) {
      strcpy(dirs[n], ".");
    } else {
      memcpy(dirs[n], p, len);
      dirs[n][len] = '\0';
    }
    n++;
    if (*end == '\0')
      break;
  }
  return n;
}

/* dir/name made absolute against the command's cwd. */
static void join(const ex_proc_t *proc, const char *dir, const char *name,
                 char *out, size_t size) {
  char cwdbuf[EX_PROC_PATH_MAX];
  const char *cwd;

  cwd = ex__proc_cwd(proc, cwdbuf, sizeof(cwdbuf));
  if (cwd[0] == '\0')
    cwd = ".";
  if (dir[0] == '/')
    snprintf(out, size, "%s/%s", dir, name);
  else if (strcmp(dir, ".") == 0)
    snprintf(out, size, "%s/%s", cwd, name);
  else
    snprintf(out, size, "%s/%s/%s", cwd, dir, name);
}

typedef struct found {
  char path[EX_PROC_PATH_MAX];
  int exists;      /* lstat saw something */
  int dangling;    /* a symlink whose target is missing */
  int regular;
  int executable;  /* by the command's credentials */
  struct stat st;
} found_t;

static void look(const ex_proc_t *proc, const char *path, found_t *f) {
  struct stat lst;

  memset(f, 0, sizeof(*f));
  ex_strlcpy(f->path, path, sizeof(f->path));
  if (lstat(path, &lst) != 0)
    return;
  f->exists = 1;
  if (stat(path, &f->st) != 0) {
    f->dangling = S_ISLNK(lst.st_mode);
    return;
  }
  f->regular = S_ISREG(f->st.st_mode);
  f->executable = f->regular && ex__may_exec(proc, &f->st);
}

/* Finds name on PATH as execvp would: the first executable regular file.
 * Returns 1 and fills *f when found; otherwise *f describes the first
 * non-executable or dangling entry (exists = 1), if any. */
static int which(const ex_proc_t *proc, const char *name, found_t *f) {
  char(*dirs)[EX_PROC_PATH_MAX];
  char full[EX_PROC_PATH_MAX * 2];
  found_t cur;
  size_t n;
  size_t i;
  int unset;
  int rc;

  memset(f, 0, sizeof(*f));
  rc = 0;
  dirs = malloc(PATH_DIRS_MAX * sizeof(*dirs));
  if (dirs == NULL)
    return 0;
  n = split_path(cmd_path(&unset), dirs, PATH_DIRS_MAX);
  for (i = 0; i < n; i++) {
    join(proc, dirs[i], name, full, sizeof(full));
    look(proc, full, &cur);
    if (cur.executable) {
      *f = cur;
      rc = 1;
      break;
    }
    if (cur.exists && !f->exists)
      *f = cur;
  }
  free(dirs);
  return rc;
}

/* Reads the first bytes of path. Returns the count or a negative errno. */
static ssize_t read_head(const char *path, char *buf, size_t size) {
  ssize_t n;
  int fd;

  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return -errno;
  do {
    n = read(fd, buf, size);
  } while (n < 0 && errno == EINTR);
  if (n < 0)
    n = -errno;
  close(fd);
  return n;
}

typedef struct shebang {
  int present;
  int crlf;                       /* the #! line ends with \r */
  char interp[EX_PROC_PATH_MAX];  /* without a trailing \r */
  char arg[256];                  /* first argument, without \r */
  int env;                        /* interp is .../env: arg is the program */
} shebang_t;

/* Parses "#!interp arg" as the kernel does (up to the newline or the end
 * of the buffer; blanks separate; \r is not special to the kernel, which
 * is why a CRLF file names "bash\r"). */
static void parse_shebang(const char *buf, size_t n, shebang_t *sb) {
  char line[HEAD_BYTES + 1];
  char *p;
  char *q;
  size_t len;

  memset(sb, 0, sizeof(*sb));
  if (n < 2 || buf[0] != '#' || buf[1] != '!')
    return;
  sb->present = 1;
  len = 0;
  while (2 + len < n && len < HEAD_BYTES && buf[2 + len] != '\n')
    len++;
  memcpy(line, buf + 2, len);
  line[len] = '\0';
  line[strnlen(line, len)] = '\0';
  len = strlen(line);
  if (len > 0 && line[len - 1] == '\r') {
    sb->crlf = 1;
    line[--len] = '\0';
  }
  while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
    line[--len] = '\0';
  p = line + strspn(line, " \t");
  q = p + strcspn(p, " \t");
  if (*q != '\0')
    *q++ = '\0';
  ex_strlcpy(sb->interp, p, sizeof(sb->interp));
  q += strspn(q, " \t");
  p = strrchr(sb->interp, '/');
  sb->env = p != NULL && strcmp(p + 1, "env") == 0;
  /* env -S "prog args": the program is the first word that is not an
   * option. */
  while (sb->env && *q == '-') {
    q += strcspn(q, " \t");
    q += strspn(q, " \t");
  }
  q[strcspn(q, " \t")] = '\0';
  ex_strlcpy(sb->arg, q, sizeof(sb->arg));
}

/* Known other names and the Debian package that provides a command. */
static const struct {
  char name[20];
  char alias[12];   /* a name that may exist instead, or "" */
  char package[24]; /* apt package, or "" */
} known_cmds[] = {
    {"python", "python3", "python-is-python3"},
    {"pip", "pip3", "python3-pip"},
    {"pip3", "pip", "python3-pip"},
    {"python3", "", "python3"},
    {"docker-compose", "docker", "docker-compose"},
    {"node", "nodejs", "nodejs"},
    {"nodejs", "node", "nodejs"},
    {"npm", "", "npm"},
    {"fd", "fdfind", "fd-find"},
    {"bat", "batcat", "bat"},
    {"cc", "gcc", "build-essential"},
    {"gcc", "cc", "build-essential"},
    {"g++", "c++", "build-essential"},
    {"make", "", "make"},
    {"git", "", "git"},
    {"curl", "", "curl"},
    {"wget", "", "wget"},
    {"unzip", "", "unzip"},
    {"which", "", "debianutils"},
    {"ps", "", "procps"},
    {"ip", "", "iproute2"},
    {"ping", "", "iputils-ping"},
    {"sudo", "", "sudo"},
    {"vim", "vi", "vim"},
    {"jq", "", "jq"},
    {"zip", "", "zip"},
    {"rsync", "", "rsync"},
    {"ssh", "", "openssh-client"},
    {"file", "", "file"},
    {"less", "more", "less"},
    {"bash", "sh", "bash"},
    {"perl", "", "perl"},
    {"ruby", "", "ruby"},
    {"java", "", "default-jre"},
    {"javac", "", "default-jdk"},
    {"go", "", "golang-go"},
    {"cargo", "", "cargo"},
    {"cmake", "", "cmake"},
    {"pkg-config", "pkgconf", "pkgconf"},
    {"xz", "", "xz-utils"},
    {"lsof", "", "lsof"},
    {"strace", "", "strace"},
    {"netstat", "ss", "net-tools"},
    {"ifconfig", "", "net-tools"},
    {"route", "", "net-tools"},
    {"arp", "", "net-tools"},
    {"ss", "", "iproute2"},
    {"dig", "", "bind9-dnsutils"},
    {"nslookup", "", "bind9-dnsutils"},
    {"host", "", "bind9-host"},
    {"traceroute", "", "traceroute"},
    {"nc", "", "netcat-openbsd"},
    {"telnet", "", "telnet"},
    {"tcpdump", "", "tcpdump"},
    {"iptables", "", "iptables"},
    {"nft", "", "nftables"},
    {"ethtool", "", "ethtool"},
    {"htop", "", "htop"},
    {"top", "", "procps"},
    {"free", "", "procps"},
    {"pgrep", "", "procps"},
    {"pkill", "", "procps"},
    {"watch", "", "procps"},
    {"sysctl", "", "procps"},
    {"killall", "", "psmisc"},
    {"pstree", "", "psmisc"},
    {"fuser", "", "psmisc"},
    {"tree", "", "tree"},
    {"xxd", "", "xxd"},
    {"bc", "", "bc"},
    {"gawk", "awk", "gawk"},
    {"envsubst", "", "gettext-base"},
    {"gpg", "gpg2", "gnupg"},
    {"ssh-keygen", "", "openssh-client"},
    {"scp", "", "openssh-client"},
    {"sshd", "", "openssh-server"},
    {"lsb_release", "", "lsb-release"},
    {"lspci", "", "pciutils"},
    {"lsusb", "", "usbutils"},
    {"dmidecode", "", "dmidecode"},
    {"fdisk", "", "fdisk"},
    {"parted", "", "parted"},
    {"mkfs.ext4", "", "e2fsprogs"},
    {"modprobe", "", "kmod"},
    {"lsmod", "", "kmod"},
    {"ldconfig", "", "libc-bin"},
    {"useradd", "", "passwd"},
    {"usermod", "", "passwd"},
    {"adduser", "", "adduser"},
    {"setfacl", "", "acl"},
    {"getfacl", "", "acl"},
    {"chattr", "", "e2fsprogs"},
    {"sqlite3", "", "sqlite3"},
    {"psql", "", "postgresql-client"},
    {"mysql", "mariadb", "default-mysql-client"},
    {"redis-cli", "", "redis-tools"},
    {"tmux", "", "tmux"},
    {"screen", "", "screen"},
    {"nano", "", "nano"},
    {"patch", "", "patch"},
    {"gdb", "", "gdb"},
    {"valgrind", "", "valgrind"},
    {"clang", "", "clang"},
    {"autoconf", "", "autoconf"},
    {"automake", "", "automake"},
    {"libtool", "", "libtool-bin"},
    {"ninja", "", "ninja-build"},
    {"meson", "", "meson"},
    {"mvn", "", "maven"},
    {"gradle", "", "gradle"},
    {"rustc", "", "rustc"},
    {"php", "", "php-cli"},
    {"yarn", "", "yarnpkg"},
    {"docker", "podman", "docker.io"},
    {"podman", "docker", "podman"},
    {"shellcheck", "", "shellcheck"},
    {"protoc", "", "protobuf-compiler"},
    {"ffmpeg", "", "ffmpeg"},
    {"convert", "magick", "imagemagick"},
    {"pdftotext", "", "poppler-utils"},
    {"gs", "", "ghostscript"},
    {"7z", "", "p7zip-full"},
    {"unrar", "", "unrar-free"},
    {"dos2unix", "", "dos2unix"},
    {"iconv", "", "libc-bin"},
    {"locale-gen", "", "locales"},
    {"crontab", "", "cron"},
    {"at", "", "at"},
    {"mail", "", "mailutils"},
    {"ping6", "", "iputils-ping"},
    {"nmap", "", "nmap"},
    {"socat", "", "socat"},
    {"aws", "", "awscli"},
    {"ansible", "", "ansible"},
};

static int known_index(const char *name) {
  size_t i;

  for (i = 0; i < sizeof(known_cmds) / sizeof(known_cmds[0]); i++) {
    if (strcmp(known_cmds[i].name, name) == 0)
      return (int)i;
  }
  return -1;
}

/* The installer to suggest, by what exists on this machine. */
static const char *installer(void) {
  if (access("/usr/bin/apt-get", X_OK) == 0)
    return "apt-get";
  if (access("/sbin/apk", X_OK) == 0)
    return "apk";
  if (access("/usr/bin/dnf", X_OK) == 0)
    return "dnf";
  return NULL;
}

/* Adds "install pkg" with the machine's package manager (needs root; sudo
 * only when the command did not already run as root). */
static void fix_install(ex_explanation_t *e, const ex_proc_t *proc,
                        const char *pkg, const char *why) {
  const char *argv[8];
  const char *inst;
  size_t n;

  inst = installer();
  if (inst == NULL || pkg == NULL || pkg[0] == '\0')
    return;
  n = 0;
  if (ex__proc_euid(proc) != 0)
    argv[n++] = "sudo";
  argv[n++] = inst;
  if (strcmp(inst, "apk") == 0) {
    argv[n++] = "add";
  } else {
    argv[n++] = "install";
    argv[n++] = "-y";
  }
  argv[n++] = pkg;
  argv[n] = NULL;
  ex_fix_add_cmd(e, 1, argv, "install %s (%s)", pkg, why);
}

/* The command line with argv[0] replaced by `prog`, as a fix. */
static void fix_rerun(ex_explanation_t *e, const ex_probe_event_t *ev,
                      const char *prog, const char *prefix, const char *fmt,
                      const char *arg) {
  const char *argv[34];
  size_t n;
  size_t i;

  n = 0;
  if (prefix != NULL)
    argv[n++] = prefix;
  argv[n++] = prog;
  /* The command's arguments belong to the file only when the command is
   * that file; a program run by the command (subprocess, a make recipe)
   * had arguments the message does not give. */
  for (i = 1; ev->command != NULL && ev->command[0] != NULL &&
              ev->subject_value != NULL &&
              (streq(ev->command[0], ev->subject_value) ||
               (strrchr(ev->subject_value, '/') != NULL &&
                streq(strrchr(ev->subject_value, '/') + 1, ev->command[0]))) &&
              ev->command[i] != NULL && n < 33;
       i++)
    argv[n++] = ev->command[i];
  argv[n] = NULL;
  ex_fix_add_cmd(e, 0, argv, fmt, arg);
}

/* 1 when the event's subject is the command explain itself ran. */
static int subject_is_argv0(const ex_probe_event_t *ev, const char *name) {
  return ev->command != NULL && ev->command[0] != NULL &&
         streq(ev->command[0], name);
}

/* ---------------------------------------------------------------------- */
/* A file that exists but could not be executed                            */

/* Walks the directories above abs; fills *bad with the first one the
 * command may not search. Returns 1 when one is found. */
static int unsearchable_dir(const ex_proc_t *proc, const char *abs,
                            char *bad, size_t size, struct stat *bst) {
  char dir[EX_PROC_PATH_MAX];
  char *slash;
  size_t len;

  len = ex_strlcpy(dir, abs, sizeof(dir));
  if (len >= sizeof(dir))
    return 0;
  /* Check "/", "/a", "/a/b"... by cutting at each slash in turn. */
  for (slash = dir; (slash = strchr(slash + 1, '/')) != NULL;) {
    *slash = '\0';
    if (stat(dir, bst) == 0 && S_ISDIR(bst->st_mode) &&
        !ex__may_exec(proc, bst)) {
      ex_strlcpy(bad, dir, size);
      return 1;
    }
    *slash = '/';
  }
  if (stat("/", bst) == 0 && !ex__may_exec(proc, bst)) {
    ex_strlcpy(bad, "/", size);
    return 1;
  }
  return 0;
}

/* What a file that is neither ELF nor a script is. */
static const char *sniff(const char *buf, size_t n) {
  size_t i;

  if (n == 0)
    return "an empty file";
  if (n >= 9 && (strncasecmp(buf, "<!DOCTYPE", 9) == 0 ||
                 strncasecmp(buf, "<html", 5) == 0))
    return "an HTML page (an error page saved instead of the download)";
  if (n >= 23 && strncmp(buf, "version https://git-lfs", 23) == 0)
    return "a Git LFS pointer (the real file was never fetched)";
  if (n >= 2 && buf[0] == 'M' && buf[1] == 'Z')
    return "a Windows program (PE/MZ)";
  if (n >= 4 && (memcmp(buf, "\xcf\xfa\xed\xfe", 4) == 0 ||
                 memcmp(buf, "\xce\xfa\xed\xfe", 4) == 0 ||
                 memcmp(buf, "\xca\xfe\xba\xbe", 4) == 0))
    return "a macOS program (Mach-O)";
  if (n >= 4 && memcmp(buf, "PK\003\004", 4) == 0)
    return "a zip archive";
  if (n >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b)
    return "a gzip archive";
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t'))
      return "a binary file in no format this system runs";
  }
  return NULL; /* text: a script without #! */
}

/* Checks an interpreter or loader path: exists, executable, exec-able
 * mount. Adds causes; returns 1 when something is wrong. */
static int check_interp(ex_explanation_t *e, const ex_proc_t *proc,
                        const char *interp, const char *what, int enoent) {
  ex_mount_t *m;
  ex_cause_t *c;
  struct stat st;
  int bad;

  bad = 0;
  m = NULL;
  if (stat(interp, &st) != 0) {
    c = ex_cause_add(e, "missing-interpreter", EX_VERDICT_CONFIRMED,
                     "%s %s does not exist on this machine", what, interp);
    ex__cf_str(c, "interpreter", interp);
    return 1;
  }
  if (enoent) {
    c = ex_cause_add(e, "missing-interpreter", EX_VERDICT_RULED_OUT,
                     "%s %s exists", what, interp);
    ex__cf_str(c, "interpreter", interp);
  }
  if (!ex__may_exec(proc, &st)) {
    c = ex_cause_add(e, "interpreter-not-executable", EX_VERDICT_CONFIRMED,
                     "%s %s is not executable for this user", what, interp);
    ex__cf_str(c, "interpreter", interp);
    owner_facts(c, &st);
    bad = 1;
  }
  m = malloc(sizeof(*m));
  if (m != NULL && ex__mount_find(interp, m) == 0 && m->noexec) {
    c = ex_cause_add(e, "interpreter-noexec", EX_VERDICT_CONFIRMED,
                     "%s %s is on %s, mounted noexec", what, interp,
                     m->mount_point);
    ex__cf_str(c, "mount_point", m->mount_point);
    ex__cf_str(c, "mount_options", m->options);
    bad = 1;
  }
  free(m);
  return bad;
}

/* The explanation of a file at `abs` (made absolute) that could not be
 * executed. `shown` is the name as the command wrote it. */
static void explain_file(const ex_probe_event_t *ev, const ex_proc_t *proc,
                         const char *shown, const char *abs,
                         ex_explanation_t *e) {
  char head[HEAD_BYTES];
  char bad[EX_PROC_PATH_MAX];
  char mach[64];
  char hmach[64];
  struct stat st;
  struct stat bst;
  ex_mount_t *m;
  ex_elf_t *elf;
  ex_cause_t *c;
  shebang_t sb;
  found_t f;
  const char *kind;
  ssize_t n;
  int any_unknown;
  int confirmed_before;
  int eacces, enoent, enoexec, all;
  int is_script;
  int rc;

  m = NULL;
  elf = NULL;
  any_unknown = 0;
  is_script = 0;
  memset(&sb, 0, sizeof(sb));
  eacces = is_errno(ev, "EACCES");
  enoent = is_errno(ev, "ENOENT");
  enoexec = is_errno(ev, "ENOEXEC");
  all = !eacces && !enoent && !enoexec;
  if (all)
    eacces = enoent = enoexec = 1;
  confirmed_before = 0;

  ex_facts_str(&e->facts, "path", abs);
  if (stat(abs, &st) != 0) {
    rc = errno;
    if (rc == EACCES && unsearchable_dir(proc, abs, bad, sizeof(bad), &bst)) {
      c = ex_cause_add(e, "dir-not-searchable", EX_VERDICT_CONFIRMED,
                       "the directory %s may not be searched (no x bit) by "
                       "this user", bad);
      ex__cf_str(c, "dir", bad);
      owner_facts(c, &bst);
    } else if (rc == ENOENT || rc == ENOTDIR) {
      c = ex_cause_add(e, "file-missing", EX_VERDICT_CONFIRMED,
                       "%s does not exist", abs);
      ex__cf_str(c, "path", abs);
      if (strchr(shown, '/') == NULL || strncmp(shown, "./", 2) == 0) {
        const char *base = strrchr(shown, '/');
        base = base != NULL ? base + 1 : shown;
        if (which(proc, base, &f)) {
          c = ex_cause_add(e, "on-path-instead", EX_VERDICT_CONFIRMED,
                           "a program named %s is on PATH at %s", base,
                           f.path);
          ex__cf_str(c, "found_at", f.path);
          fix_rerun(e, ev, base, NULL, "run %s from PATH", base);
        }
      }
    } else {
      ex_cause_add(e, "stat-failed", EX_VERDICT_UNKNOWN,
                   "%s could not be examined: %s", abs, strerror(rc));
    }
    ex_explanation_summary(e, "%s cannot be executed: %s", shown,
                           rc == ENOENT ? "it does not exist"
                                        : strerror(rc));
    return;
  }
  {
    char mode[16];
    char name[128];
    ex_facts_str(&e->facts, "mode", mode_octal(st.st_mode, mode, 16));
    ex_facts_int(&e->facts, "owner_uid", (long long)st.st_uid);
    ex_facts_str(&e->facts, "owner",
                 ex__user_name(st.st_uid, name, sizeof(name)));
    ex_facts_int(&e->facts, "euid", (long long)ex__proc_euid(proc));
  }
  if (S_ISDIR(st.st_mode)) {
    ex_cause_add(e, "is-directory", EX_VERDICT_CONFIRMED,
                 "%s is a directory, not a program", abs);
    ex_explanation_summary(e, "%s is a directory", shown);
    return;
  }

  /* Permissions: the directories above, the x bit, the mount. */
  if (unsearchable_dir(proc, abs, bad, sizeof(bad), &bst)) {
    c = ex_cause_add(e, "dir-not-searchable", EX_VERDICT_CONFIRMED,
                     "the directory %s may not be searched by this user",
                     bad);
    ex__cf_str(c, "dir", bad);
    owner_facts(c, &bst);
  }
  if (!ex__may_exec(proc, &st)) {
    c = ex_cause_add(e, "no-x-bit", EX_VERDICT_CONFIRMED,
                     "%s has no execute permission for this user (mode %04o)",
                     abs, (unsigned)(st.st_mode & 07777));
    owner_facts(c, &st);
  } else if (eacces) {
    c = ex_cause_add(e, "no-x-bit", EX_VERDICT_RULED_OUT,
                     "%s is executable for this user (mode %04o)", abs,
                     (unsigned)(st.st_mode & 07777));
    owner_facts(c, &st);
  }
  m = malloc(sizeof(*m));
  if (m == NULL) {
    e->nomem = 1;
    goto cleanup;
  }
  rc = ex__mount_find(abs, m);
  if (rc != 0) {
    ex_cause_add(e, "noexec-mount", EX_VERDICT_UNKNOWN,
                 "the mount holding %s could not be found: %s", abs,
                 strerror(-rc));
    any_unknown = 1;
  } else if (m->noexec) {
    c = ex_cause_add(e, "noexec-mount", EX_VERDICT_CONFIRMED,
                     "%s is on %s (%s), mounted noexec: nothing there may be "
                     "executed directly", abs, m->mount_point, m->fstype);
    ex__cf_str(c, "mount_point", m->mount_point);
    ex__cf_str(c, "fstype", m->fstype);
    ex__cf_str(c, "mount_options", m->options);
  } else if (eacces) {
    c = ex_cause_add(e, "noexec-mount", EX_VERDICT_RULED_OUT,
                     "%s is not mounted noexec", m->mount_point);
    ex__cf_str(c, "mount_point", m->mount_point);
  }

  /* Not a file at all (a FIFO, a socket, a device with an x bit): exec
   * refuses it with EACCES, and its "content" means nothing. */
  if (!S_ISREG(st.st_mode)) {
    c = ex_cause_add(e, "not-a-program", EX_VERDICT_CONFIRMED,
                     "%s is a %s, not a file: only a regular file can be "
                     "executed", abs, ex__fs_type_name(st.st_mode));
    ex__cf_str(c, "content", ex__fs_type_name(st.st_mode));
    goto summary;
  }

  /* Content: a script, an ELF program, or something else. */
  n = read_head(abs, head, sizeof(head));
  if (n < 0) {
    ex_cause_add(e, "content", EX_VERDICT_UNKNOWN,
                 "the first bytes of %s could not be read: %s", abs,
                 strerror((int)-n));
    any_unknown = 1;
    goto summary;
  }
  parse_shebang(head, (size_t)n, &sb);
  is_script = sb.present;
  if (is_script) {
    ex_facts_str(&e->facts, "interpreter", sb.interp);
    if (!ex__may_read(proc, &st)) {
      c = ex_cause_add(e, "script-not-readable", EX_VERDICT_CONFIRMED,
                       "%s is a script, and the interpreter must read it, "
                       "but it is not readable for this user", abs);
      owner_facts(c, &st);
    }
    if (sb.crlf) {
      c = ex_cause_add(e, "crlf-shebang", EX_VERDICT_CONFIRMED,
                       "the #! line of %s ends with a carriage return "
                       "(Windows line endings): the kernel looks for "
                       "\"%s\\r\"", abs, sb.env ? sb.arg : sb.interp);
      ex__cf_str(c, "interpreter", sb.interp);
    } else if (enoent) {
      ex_cause_add(e, "crlf-shebang", EX_VERDICT_RULED_OUT,
                   "the #! line of %s has Unix line endings", abs);
    }
    if (check_interp(e, proc, sb.interp, "the #! interpreter", enoent) ==
            0 &&
        sb.env && sb.arg[0] != '\0') {
      /* #!/usr/bin/env prog: env searches PATH for prog. */
      if (!which(proc, sb.arg, &f)) {
        c = ex_cause_add(e, "missing-interpreter", EX_VERDICT_CONFIRMED,
                         "%s (named by #!%s) is not on PATH", sb.arg,
                         sb.interp);
        ex__cf_str(c, "interpreter", sb.arg);
        {
          int k = known_index(sb.arg);
          found_t g;
          if (k >= 0 && known_cmds[k].alias[0] != '\0' &&
              which(proc, known_cmds[k].alias, &g)) {
            c = ex_cause_add(e, "similar-name", EX_VERDICT_CONFIRMED,
                             "%s is not on PATH, but %s is (%s)", sb.arg,
                             known_cmds[k].alias, g.path);
            if (c != NULL)
              ex_facts_list_add(&c->facts, "similar", known_cmds[k].alias);
          }
        }
      } else {
        ex_cause_add(e, "missing-interpreter", EX_VERDICT_RULED_OUT,
                     "%s is on PATH at %s", sb.arg, f.path);
      }
    }
  } else if (n >= 4 && memcmp(head, "\177ELF", 4) == 0) {
    elf = malloc(sizeof(*elf));
    if (elf == NULL) {
      e->nomem = 1;
      goto cleanup;
    }
    rc = ex__elf_read(abs, elf);
    if (rc != 0) {
      c = ex_cause_add(e, "corrupt-elf", EX_VERDICT_CONFIRMED,
                       "%s starts like an ELF program but its headers are "
                       "damaged or truncated", abs);
      goto summary;
    }
    ex__elf_machine_name(elf->machine, mach, sizeof(mach));
    ex__elf_machine_name(ex__elf_host_machine(), hmach, sizeof(hmach));
    ex_facts_str(&e->facts, "elf_machine", mach);
    ex_facts_int(&e->facts, "elf_class", elf->elf_class == 2 ? 64 : 32);
    ex_facts_str(&e->facts, "host_machine", hmach);
    if (!ex__elf_host_runs(elf->machine, elf->elf_class)) {
      char binfmt[256];
      struct stat bfs;
      c = ex_cause_add(e, "wrong-architecture", EX_VERDICT_CONFIRMED,
                       "%s is a %d-bit %s program; this machine is %s", abs,
                       elf->elf_class == 2 ? 64 : 32, mach, hmach);
      ex__cf_str(c, "elf_machine", mach);
      ex__cf_str(c, "host_machine", hmach);
      /* qemu-user registered in binfmt_misc would have run it. */
      snprintf(binfmt, sizeof(binfmt), "/proc/sys/fs/binfmt_misc/qemu-%s",
               elf->machine == 183 ? "aarch64"
               : elf->machine == 40 ? "arm"
               : elf->machine == 62 ? "x86_64"
               : elf->machine == 243 ? "riscv64"
                                     : "unknown");
      ex__cf_bool(c, "binfmt_emulation", stat(binfmt, &bfs) == 0);
    } else if (enoexec) {
      ex_cause_add(e, "wrong-architecture", EX_VERDICT_RULED_OUT,
                   "%s is built for %s, which this machine runs", abs, mach);
    }
    if (elf->interp[0] != '\0') {
      ex_facts_str(&e->facts, "elf_interpreter", elf->interp);
      if (check_interp(e, proc, elf->interp, "the ELF loader", enoent) &&
          stat(elf->interp, &bst) != 0) {
        /* Name the kind of loader: it says which libc the program wants. */
        c = &e->causes[e->ncauses - 1];
        if (strstr(elf->interp, "ld-musl") != NULL)
          ex__cf_str(c, "libc", "musl");
        else
          ex__cf_str(c, "libc", "glibc");
      }
    }
  } else {
    kind = sniff(head, (size_t)n);
    if (kind != NULL) {
      c = ex_cause_add(e, "not-a-program", EX_VERDICT_CONFIRMED,
                       "%s is %s, not a program", abs, kind);
      ex__cf_str(c, "content", kind);
    } else {
      c = ex_cause_add(e, "no-shebang", EX_VERDICT_CONFIRMED,
                       "%s is a text file without a #! line: execve() "
                       "cannot run it (shells fall back to sh, other "
                       "programs do not)", abs);
    }
  }

summary:
  for (size_t i = 0; i < e->ncauses; i++) {
    if (e->causes[i].verdict == EX_VERDICT_CONFIRMED)
      confirmed_before++;
  }
  if (confirmed_before == 0 && !any_unknown && !all) {
    /* Every check passes now: the file changed since the command ran. */
    e->stale = 1;
    ex_explanation_summary(e, "%s can be executed now (it changed after the "
                           "command failed)", shown);
  } else {
    ex_explanation_summary(e, "%s could not be executed%s%s%s", shown,
                           ev->errno_name != NULL ? " (" : "",
                           ev->errno_name != NULL ? ev->errno_name : "",
                           ev->errno_name != NULL ? ")" : "");
  }
  /* Fixes, least privilege first. */
  for (size_t i = 0; i < e->ncauses; i++) {
    const ex_cause_t *k = &e->causes[i];
    if (k->verdict != EX_VERDICT_CONFIRMED)
      continue;
    if (strcmp(k->id, "no-x-bit") == 0) {
      const char *chmod_argv[] = {"chmod", "u+x", abs, NULL};
      const char *sudo_argv[] = {"sudo", "chmod", "a+x", abs, NULL};
      if (st.st_uid == ex__proc_euid(proc) || ex__proc_euid(proc) == 0)
        ex_fix_add_cmd(e, 0, chmod_argv, "give the owner execute permission");
      else
        ex_fix_add_cmd(e, 1, sudo_argv,
                       "let everyone execute it (the file belongs to uid %u)",
                       (unsigned)st.st_uid);
      if (is_script && sb.interp[0] != '\0' && !sb.env)
        fix_rerun(e, ev, abs, sb.interp,
                  "or run it through its interpreter %s", sb.interp);
    } else if (strcmp(k->id, "noexec-mount") == 0) {
      if (is_script && sb.interp[0] != '\0' && !sb.env) {
        fix_rerun(e, ev, abs, sb.interp,
                  "run the script through %s (reading is allowed on noexec)",
                  sb.interp);
      } else {
        char home[EX_PROC_PATH_MAX];
        char dest[EX_PROC_PATH_MAX + 16];
        const char *base = strrchr(abs, '/');
        const char *cp_argv[] = {"cp", abs, dest, NULL};
        ex__home(proc, home, sizeof(home));
        if (home[0] == '/' && base != NULL) {
          snprintf(dest, sizeof(dest), "%s/%s", home, base + 1);
          ex_fix_add_cmd(e, 0, cp_argv,
                         "copy it to a file system that allows execution");
        }
      }
      if (m != NULL && m->mount_point[0] != '\0') {
        const char *mnt_argv[] = {"mount", "-o", "remount,exec",
                                  m->mount_point, NULL};
        ex_fix_add_cmd(e, 1, mnt_argv,
                       "or remount %s with exec (until the next boot)",
                       m->mount_point);
      }
    } else if (strcmp(k->id, "crlf-shebang") == 0) {
      const char *sed_argv[] = {"sed", "-i", "s/\\r$//", abs, NULL};
      ex_fix_add_cmd(e, 0, sed_argv, "remove the carriage returns");
      ex_fix_add_raw(e, 0, "git config --global core.autocrlf input",
                     "keep git from converting line endings on checkout");
    } else if (strcmp(k->id, "missing-interpreter") == 0) {
      const char *want = NULL;
      for (size_t j = 0; j < k->facts.count; j++) {
        if (strcmp(k->facts.items[j].key, "interpreter") == 0)
          want = k->facts.items[j].str;
      }
      if (want != NULL && strstr(want, "ld-") == NULL) {
        const char *base = strrchr(want, '/');
        int ki;
        found_t g;
        base = base != NULL ? base + 1 : want;
        ki = known_index(base);
        if (which(proc, base, &g) && strcmp(g.path, want) != 0) {
          char line[EX_PROC_PATH_MAX + 32];
          const char *sed_argv[] = {"sed", "-i", line, abs, NULL};
          snprintf(line, sizeof(line), "1s|^#!.*|#!%s|", g.path);
          ex_fix_add_cmd(e, 0, sed_argv, "point the #! line at %s, which "
                         "exists", g.path);
        } else if (ki >= 0 && known_cmds[ki].alias[0] != '\0' &&
                   which(proc, known_cmds[ki].alias, &g)) {
          char line[EX_PROC_PATH_MAX + 32];
          const char *sed_argv[] = {"sed", "-i", line, abs, NULL};
          snprintf(line, sizeof(line), "1s|^#!.*|#!/usr/bin/env %s|",
                   known_cmds[ki].alias);
          ex_fix_add_cmd(e, 0, sed_argv, "use %s, which is installed",
                         known_cmds[ki].alias);
        }
        if (ki >= 0)
          fix_install(e, proc, known_cmds[ki].package, "the interpreter");
      } else if (want != NULL && strstr(want, "ld-musl") != NULL) {
        fix_install(e, proc, "musl", "the musl loader this program needs");
      } else if (want != NULL && strstr(want, "ld-linux.so.2") != NULL) {
        ex_fix_add_raw(e, 1,
                       "sudo dpkg --add-architecture i386 && sudo apt-get "
                       "update && sudo apt-get install -y libc6:i386",
                       "add 32-bit support (the program is 32-bit x86)");
      } else if (want != NULL && access("/lib/ld-musl-x86_64.so.1", F_OK) ==
                                     0) {
        ex_fix_add_raw(e, 1, "apk add gcompat",
                       "this is a musl system (Alpine): add the glibc "
                       "compatibility layer, or use a glibc build");
      }
    } else if (strcmp(k->id, "no-shebang") == 0) {
      const char *sed_argv[] = {"sed", "-i", "1i #!/bin/sh", abs, NULL};
      fix_rerun(e, ev, abs, "sh", "run it with %s", "sh");
      ex_fix_add_cmd(e, 0, sed_argv, "or add a #! line");
    } else if (strcmp(k->id, "wrong-architecture") == 0) {
      ex_fix_add_raw(e, 0, NULL,
                     "get the build of this program for %s (or the "
                     "multi-arch image: docker --platform)",
                     hmach);
      fix_install(e, proc, "qemu-user-binfmt",
                  "or run foreign programs through emulation");
    } else if (strcmp(k->id, "script-not-readable") == 0) {
      const char *chmod_argv[] = {"chmod", "u+r", abs, NULL};
      if (st.st_uid == ex__proc_euid(proc))
        ex_fix_add_cmd(e, 0, chmod_argv, "let the owner read it");
    } else if (strcmp(k->id, "dir-not-searchable") == 0) {
      const char *d = k->facts.count > 0 ? k->facts.items[0].str : NULL;
      const char *chmod_argv[] = {"chmod", "o+x", d, NULL};
      if (d != NULL)
        ex_fix_add_cmd(e, 1, chmod_argv,
                       "let others search %s (only the x bit, no listing)",
                       d);
    }
  }

cleanup:
  free(m);
  free(elf);
}

/* ---------------------------------------------------------------------- */
/* A command name that was not found                                        */

typedef struct extra_dir {
  const char *id;      /* cause id */
  const char *rel;     /* relative to base */
  int base;            /* 0: absolute, 1: $HOME, 2: cwd */
} extra_dir_t;

static const extra_dir_t extra_dirs[] = {
    {"sbin-not-on-path", "/usr/local/sbin", 0},
    {"sbin-not-on-path", "/usr/sbin", 0},
    {"sbin-not-on-path", "/sbin", 0},
    {"outside-path", "/usr/local/bin", 0},
    {"outside-path", "/usr/bin", 0},
    {"outside-path", "/bin", 0},
    {"outside-path", "/snap/bin", 0},
    {"outside-path", "/usr/local/go/bin", 0},
    {"outside-path", "/.local/bin", 1},
    {"outside-path", "/bin", 1},
    {"outside-path", "/.cargo/bin", 1},
    {"outside-path", "/go/bin", 1},
    {"outside-path", "/.npm-global/bin", 1},
    {"outside-path", "/.pyenv/shims", 1},
    {"outside-path", "/.deno/bin", 1},
    {"outside-path", "/.bun/bin", 1},
    {"outside-path", "/miniconda3/bin", 1},
    {"outside-path", "/anaconda3/bin", 1},
    {"inactive-venv", "/.venv/bin", 2},
    {"inactive-venv", "/venv/bin", 2},
    {"inactive-venv", "/env/bin", 2},
    {"node-modules-bin", "/node_modules/.bin", 2},
};

/* Names on PATH that start with name and go on with a version ("python3",
 * "python3.11"), bounded by SCAN_DIR_ENTRIES entries in all. */
static size_t versioned_names(const char *name, char (*out)[128],
                              size_t max) {
  char(*dirs)[EX_PROC_PATH_MAX];
  struct dirent *d;
  size_t ndirs, i, n, len, seen, j;
  int unset;
  DIR *dp;

  n = 0;
  seen = 0;
  len = strlen(name);
  dirs = malloc(PATH_DIRS_MAX * sizeof(*dirs));
  if (dirs == NULL)
    return 0;
  ndirs = split_path(cmd_path(&unset), dirs, PATH_DIRS_MAX);
  for (i = 0; i < ndirs && n < max && seen < SCAN_DIR_ENTRIES; i++) {
    if (dirs[i][0] != '/')
      continue;
    dp = opendir(dirs[i]);
    if (dp == NULL)
      continue;
    while (n < max && seen < SCAN_DIR_ENTRIES) {
      d = readdir(dp);
      if (d == NULL)
        break;
      seen++;
      if (strncmp(d->d_name, name, len) != 0 || d->d_name[len] < '0' ||
          d->d_name[len] > '9' ||
          strspn(d->d_name + len, "0123456789.") != strlen(d->d_name + len))
        continue;
      for (j = 0; j < n; j++) {
        if (strcmp(out[j], d->d_name) == 0)
          break;
      }
      if (j == n)
        ex_strlcpy(out[n++], d->d_name, 128);
    }
    closedir(dp);
  }
  free(dirs);
  return n;
}

#define ANCESTORS_MAX (EX_PROJECT_UP + 1)
#define SEARCHED_MAX 8192

/* The directories looked in, joined with ':' (each once). */
typedef struct searched {
  char buf[SEARCHED_MAX];
  size_t len;
} searched_t;

static void searched_add(searched_t *s, const char *dir) {
  const char *p;
  size_t n;

  n = strlen(dir);
  for (p = strstr(s->buf, dir); p != NULL; p = strstr(p + 1, dir)) {
    if ((p == s->buf || p[-1] == ':') && (p[n] == ':' || p[n] == '\0'))
      return;
  }
  if (s->len + n + 2 > sizeof(s->buf))
    return;
  s->len += (size_t)snprintf(s->buf + s->len, sizeof(s->buf) - s->len,
                             "%s%s", s->len > 0 ? ":" : "", dir);
}

/* The working directory and each directory above it up to the top of its
 * project (only the working directory when it is in no project). Returns
 * how many, 0 when the working directory is unknown. */
static size_t project_ancestors(const ex_proc_t *proc,
                                char (*out)[EX_PROC_PATH_MAX], size_t max) {
  char top[EX_PROC_PATH_MAX];
  const char *marker;
  char *slash;
  size_t n;

  if (ex__proc_cwd(proc, out[0], EX_PROC_PATH_MAX)[0] != '/')
    return 0;
  n = 1;
  if (ex__project_root(out[0], top, sizeof(top), &marker) != 0 ||
      marker == NULL)
    return n;
  while (n < max && strcmp(out[n - 1], top) != 0) {
    ex_strlcpy(out[n], out[n - 1], EX_PROC_PATH_MAX);
    slash = strrchr(out[n], '/');
    if (slash == NULL || slash == out[n])
      break;
    *slash = '\0';
    n++;
  }
  return n;
}

/* What explain_command() needs beyond its stack. */
typedef struct cmd_scratch {
  char anc[ANCESTORS_MAX][EX_PROC_PATH_MAX];
  ex_project_search_t ps;
  searched_t searched;
} cmd_scratch_t;

static void explain_command_in(const ex_probe_event_t *ev,
                               const ex_proc_t *proc, const char *raw,
                               ex_explanation_t *e, cmd_scratch_t *ws);

static void explain_command(const ex_probe_event_t *ev,
                            const ex_proc_t *proc, const char *raw,
                            ex_explanation_t *e) {
  cmd_scratch_t *ws;

  ws = calloc(1, sizeof(*ws));
  if (ws == NULL) {
    e->nomem = 1;
    return;
  }
  explain_command_in(ev, proc, raw, e, ws);
  free(ws);
}

static void explain_command_in(const ex_probe_event_t *ev,
                               const ex_proc_t *proc, const char *raw,
                               ex_explanation_t *e, cmd_scratch_t *ws) {
  char(*anc)[EX_PROC_PATH_MAX] = ws->anc;
  ex_project_search_t *ps = &ws->ps;
  searched_t *sp = &ws->searched;
  char(*pdirs)[EX_PROC_PATH_MAX];
  size_t nanc, lv, npath;
  char real[PATH_MAX];
  char first_real[PATH_MAX] = "";
  char name[256];
  char home[EX_PROC_PATH_MAX];
  char full[EX_PROC_PATH_MAX * 2 + 260];
  char dir[EX_PROC_PATH_MAX * 2];
  char similar[SIMILAR_MAX][128];
  const char *path;
  const char *base;
  ex_cause_t *c;
  found_t f;
  size_t len, i, nsim;
  int unset;
  int found_elsewhere;
  int k;

  len = ex_strlcpy(name, raw, sizeof(name));
  if (len >= sizeof(name))
    len = sizeof(name) - 1;
  path = cmd_path(&unset);
  ex_facts_str(&e->facts, "command", raw);
  ex_facts_str(&e->facts, "path_env", path);
  if (unset)
    ex_facts_bool(&e->facts, "path_unset", 1);
  if (len > 0 && name[len - 1] == '\r') {
    name[--len] = '\0';
    c = ex_cause_add(e, "crlf-in-name", EX_VERDICT_CONFIRMED,
                     "the name ends with a carriage return (\"%s\\r\"): the "
                     "script that ran it has Windows line endings", name);
    ex__cf_str(c, "command", name);
  }
  if (name[0] == '\0') {
    ex_explanation_summary(e, "an empty command name was run");
    return;
  }

  if (which(proc, name, &f)) {
    /* It is there now: either it was installed since, or the command ran
     * with another PATH (sudo's secure_path, a script that set PATH). */
    c = ex_cause_add(e, "on-path-now", EX_VERDICT_CONFIRMED,
                     "%s is found on PATH now, at %s", name, f.path);
    ex__cf_str(c, "found_at", f.path);
    if (subject_is_argv0(ev, raw)) {
      e->stale = 1;
      ex_explanation_summary(e, "%s is on PATH now (%s); it was installed "
                             "after the command failed", name, f.path);
    } else {
      ex_explanation_summary(e, "%s was not found by the program that ran "
                             "it, though it is on this PATH (%s): that "
                             "program ran it with another PATH", name,
                             f.path);
      ex_fix_add_raw(e, 0, NULL, "give the program that runs %s the full "
                     "path %s, or the same PATH", name, f.path);
    }
    return;
  }
  if (f.exists && f.dangling) {
    char target[EX_PROC_PATH_MAX];
    ssize_t n = readlink(f.path, target, sizeof(target) - 1);
    target[n > 0 ? n : 0] = '\0';
    c = ex_cause_add(e, "dangling-symlink", EX_VERDICT_CONFIRMED,
                     "%s on PATH is a symbolic link to %s, which does not "
                     "exist (uninstalled or moved)", f.path, target);
    ex__cf_str(c, "link", f.path);
    ex__cf_str(c, "target", target);
  } else if (f.exists && !f.executable) {
    c = ex_cause_add(e, "on-path-not-executable", EX_VERDICT_CONFIRMED,
                     "%s exists on PATH but is not an executable file for "
                     "this user", f.path);
    ex__cf_str(c, "found_at", f.path);
    owner_facts(c, &f.st);
  }

  /* Where it looked: PATH first. */
  npath = 0;
  pdirs = malloc(PATH_DIRS_MAX * sizeof(*pdirs));
  if (pdirs != NULL) {
    npath = split_path(path, pdirs, PATH_DIRS_MAX);
    for (i = 0; i < npath; i++) {
      if (pdirs[i][0] == '/')
        searched_add(sp, pdirs[i]);
    }
    free(pdirs);
  }

  /* The usual places that are often missing from PATH; the project's
   * venvs and node_modules/.bin in the working directory and each
   * directory above it, up to the project's top. */
  found_elsewhere = 0;
  ex__home(proc, home, sizeof(home));
  nanc = project_ancestors(proc, anc, ANCESTORS_MAX);
  for (lv = 0; lv < (nanc > 0 ? nanc : 1); lv++) {
   for (i = 0; i < sizeof(extra_dirs) / sizeof(extra_dirs[0]); i++) {
    const extra_dir_t *x = &extra_dirs[i];
    found_t g;
    if (lv > 0 && x->base != 2)
      continue;
    if (x->base == 1) {
      if (home[0] != '/')
        continue;
      snprintf(dir, sizeof(dir), "%s%s", home, x->rel);
    } else if (x->base == 2) {
      if (nanc == 0)
        continue;
      snprintf(dir, sizeof(dir), "%s%s", anc[lv], x->rel);
    } else {
      ex_strlcpy(dir, x->rel, sizeof(dir));
    }
    snprintf(full, sizeof(full), "%s/%s", dir, name);
    if (access(dir, F_OK) == 0)
      searched_add(sp, dir);
    look(proc, full, &g);
    if (!g.executable)
      continue;
    /* /sbin is /usr/sbin on a merged /usr: one place, said once. */
    if (realpath(g.path, real) == NULL)
      ex_strlcpy(real, g.path, sizeof(real));
    if (strcmp(real, first_real) == 0)
      continue;
    if (first_real[0] == '\0')
      ex_strlcpy(first_real, real, sizeof(first_real));
    found_elsewhere++;
    if (strcmp(x->id, "inactive-venv") == 0) {
      c = ex_cause_add(e, x->id, EX_VERDICT_CONFIRMED,
                       "%s is in the virtual environment %s, which is not "
                       "activated", name, dir);
    } else if (strcmp(x->id, "node-modules-bin") == 0) {
      c = ex_cause_add(e, x->id, EX_VERDICT_CONFIRMED,
                       "%s is installed locally in %s (npm puts local "
                       "tools there, not on PATH)", name, dir);
    } else if (strcmp(x->id, "sbin-not-on-path") == 0) {
      c = ex_cause_add(e, x->id, EX_VERDICT_CONFIRMED,
                       "%s is in %s, a directory for administration tools "
                       "that is not on this user's PATH", name, dir);
    } else {
      c = ex_cause_add(e, x->id, EX_VERDICT_CONFIRMED,
                       "%s is installed at %s, outside PATH", name, g.path);
    }
    ex__cf_str(c, "found_at", g.path);
    ex__cf_str(c, "dir", dir);
    if (found_elsewhere == 1) {
      char *q = ex_shell_quote(dir);
      char *cmd = NULL;
      if (strcmp(x->id, "inactive-venv") == 0) {
        if (q != NULL && asprintf(&cmd, ". %s/activate", q) >= 0)
          ex_fix_add_raw(e, 0, cmd, "activate the virtual environment");
      } else if (strcmp(x->id, "node-modules-bin") == 0) {
        fix_rerun(e, ev, name, "npx", "run the local %s through npx", name);
      }
      if (strcmp(x->id, "node-modules-bin") != 0)
        fix_rerun(e, ev, g.path, NULL, "run it by its full path%s",
                  strcmp(x->id, "sbin-not-on-path") == 0 &&
                          ex__proc_euid(proc) != 0
                      ? " (administration tools often need root)"
                      : "");
      free(cmd);
      cmd = NULL;
      if (q != NULL && strcmp(x->id, "inactive-venv") != 0 &&
          asprintf(&cmd, "export PATH=%s:\"$PATH\"", q) >= 0)
        ex_fix_add_raw(e, 0, cmd,
                       "add %s to PATH (also in ~/.profile to keep it)", dir);
      free(cmd);
      free(q);
    }
   }
  }

  /* The project's own build of it (bin/, build/, target/release/). */
  if (found_elsewhere == 0 && nanc > 0) {
    const char *starts[1];

    starts[0] = anc[0];
    if (ex__project_search(starts, 1, home, EX_PROJECT_PROGRAM, name, ps) >
        0) {
      char *q = ex_shell_quote(ps->dir);
      char *cmd = NULL;

      found_elsewhere++;
      c = ex_cause_add(e, "in-project", EX_VERDICT_CONFIRMED,
                       "%s is in the project, at %s, a directory that is "
                       "not on PATH",
                       name, ps->found);
      ex__cf_str(c, "found_at", ps->found);
      ex__cf_str(c, "dir", ps->dir);
      fix_rerun(e, ev, ps->found, NULL, "run it by its full path%s", "");
      if (q != NULL && asprintf(&cmd, "export PATH=%s:\"$PATH\"", q) >= 0)
        ex_fix_add_raw(e, 0, cmd, "or add %s to PATH in this shell",
                       ps->dir);
      free(cmd);
      free(q);
    }
    ex__project_facts(ps, &e->facts);
  }
  if (sp->len > 0)
    ex_facts_str(&e->facts, "searched", sp->buf);

  /* Other names: python for python3, versioned names. */
  nsim = 0;
  k = known_index(name);
  if (k >= 0 && known_cmds[k].alias[0] != '\0' && found_elsewhere == 0) {
    found_t g;
    if (which(proc, known_cmds[k].alias, &g))
      ex_strlcpy(similar[nsim++], known_cmds[k].alias, 128);
  }
  if (nsim < SIMILAR_MAX)
    nsim += versioned_names(name, similar + nsim, SIMILAR_MAX - nsim);
  if (nsim > 0) {
    c = ex_cause_add(e, "similar-name", EX_VERDICT_CONFIRMED,
                     "%s is not installed under that name, but %s is", name,
                     similar[0]);
    for (k = 0; c != NULL && (size_t)k < nsim; k++)
      ex_facts_list_add(&c->facts, "similar", similar[k]);
    if (subject_is_argv0(ev, raw))
      fix_rerun(e, ev, similar[0], NULL, "run %s instead", similar[0]);
    else
      ex_fix_add_raw(e, 0, NULL, "call %s instead of %s", similar[0], name);
  }

  base = name;
  if (found_elsewhere == 0 && nsim == 0 &&
      !(f.exists && !f.dangling)) {
    char where[2 * EX_PROC_PATH_MAX + 256];

    if (nanc > 0)
      ex__project_describe(ps, where, sizeof(where));
    else
      ex_strlcpy(where, "no project (the working directory is unknown)",
                 sizeof(where));
    c = ex_cause_add(e, "not-installed",
                     nanc == 0 || ps->complete ? EX_VERDICT_CONFIRMED
                                               : EX_VERDICT_UNKNOWN,
                     "%s is in none of the %zu PATH directories (%s), nor in "
                     "/usr/local/sbin, /usr/sbin, /sbin, /snap/bin, "
                     "~/.local/bin, ~/bin, ~/.cargo/bin, ~/go/bin, the "
                     "venvs and node_modules/.bin of the working directory "
                     "and the directories above it, nor in %s",
                     name, npath, path, where);
    ex__cf_str(c, "path_env", path);
    if (k >= 0)
      ex__cf_str(c, "package", known_cmds[k].package);
  } else {
    ex_cause_add(e, "not-installed", EX_VERDICT_RULED_OUT,
                 "%s (or a close name) is installed on this machine", name);
  }
  if (k >= 0 && found_elsewhere == 0) {
    fix_install(e, proc, known_cmds[k].package, "provides the command");
  } else if (k < 0 && found_elsewhere == 0 && nsim == 0) {
    /* Debian's and Ubuntu's index of which package has which command
     * (a database explain does not read): the user may ask it. */
    if (access("/usr/lib/command-not-found", X_OK) == 0) {
      const char *argv[] = {"/usr/lib/command-not-found", "--", name, NULL};
      ex_fix_add_cmd(e, 0, argv, "ask the package index which package "
                                 "ships %s", name);
    } else if (access("/usr/bin/apt-file", X_OK) == 0) {
      char pat[300];
      const char *argv[] = {"apt-file", "search", "-x", pat, NULL};
      snprintf(pat, sizeof(pat), "/s?bin/%s$", name);
      ex_fix_add_cmd(e, 0, argv, "find the package that ships %s", name);
    } else {
      ex_fix_add_raw(e, 0, NULL, "install %s; its package name may differ "
                     "from the command name (explain's table does not "
                     "list it)", base);
    }
  }
  if (e->summary == NULL)
    ex_explanation_summary(e, "%s was not found on PATH%s", name,
                           found_elsewhere ? ", but is installed elsewhere"
                           : nsim > 0      ? ", but a close name is"
                                           : "");
}

/* ---------------------------------------------------------------------- */
/* The exec explainers                                                     */

static const char *subject(const ex_probe_event_t *ev) {
  return ev->subject_value != NULL ? ev->subject_value : "";
}

static int cmd_applies(const ex_probe_event_t *ev) {
  const char *s = subject(ev);

  if (s[0] == '\0')
    return 0;
  if (strchr(s, ' ') != NULL && strncmp(s, "\177ELF", 4) != 0)
    return 0; /* "docker compose": a subcommand, for the tools family */
  if (streq(ev->condition, "command-not-found"))
    return 1;
  return streq(ev->rule_id, "explain.exec-failed") &&
         is_errno(ev, "ENOENT") && strchr(s, '/') == NULL;
}

static int cmd_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                   const ex_host_t *host, ex_explanation_t *out) {
  char *abs;
  const char *s = subject(ev);

  (void)host;
  /* "sh: 1: \177ELF...: not found": execvp() got ENOEXEC for a program and
   * handed it to sh as a script, so the "command" is the file's first
   * bytes; the file itself is the shell's script name. */
  if (strncmp(s, "\177ELF", 4) == 0) {
    const char *prog = ex_probe_capture(ev, "prog");
    ex_probe_event_t fmt = *ev;
    if (prog == NULL || prog[0] == '\0')
      prog = ev->command != NULL ? ev->command[0] : NULL;
    if (prog != NULL && strchr(prog, '/') != NULL) {
      abs = ex__path_absolute(proc, prog);
      if (abs == NULL)
        return -ENOMEM;
      fmt.errno_name = "ENOEXEC";
      ex_facts_bool(&out->facts, "ran_as_shell_script", 1);
      explain_file(&fmt, proc, prog, abs, out);
      free(abs);
      return 0;
    }
  }
  if (strchr(s, '/') != NULL) {
    abs = ex__path_absolute(proc, s);
    if (abs == NULL)
      return -ENOMEM;
    explain_file(ev, proc, s, abs, out);
    free(abs);
    return 0;
  }
  explain_command(ev, proc, s, out);
  return 0;
}

static int file_applies(const ex_probe_event_t *ev) {
  if (!streq(ev->operation, "exec"))
    return 0;
  if (streq(ev->rule_id, "explain.exec-failed"))
    return 1;
  if (streq(ev->condition, "crlf-line-endings"))
    return 1;
  return is_errno(ev, "EACCES") || is_errno(ev, "ENOEXEC") ||
         is_errno(ev, "ENOENT") || is_errno(ev, "EISDIR");
}

/* A script named in the command line (the file "env: 'bash\r'" is about
 * when the message does not name it). */
static const char *script_from_argv(const ex_probe_event_t *ev) {
  char head[2];
  size_t i;

  for (i = 0; ev->command != NULL && ev->command[i] != NULL && i < 3; i++) {
    if (read_head(ev->command[i], head, 2) == 2 && head[0] == '#' &&
        head[1] == '!')
      return ev->command[i];
  }
  return NULL;
}

static int file_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                    const ex_host_t *host, ex_explanation_t *out) {
  const char *s = subject(ev);
  const char *interp;
  char *abs;
  ex_cause_t *c;

  (void)host;
  if (s[0] == '\0')
    s = script_from_argv(ev);
  if (s == NULL) {
    interp = ex_probe_capture(ev, "interpreter");
    if (streq(ev->condition, "crlf-line-endings") && interp != NULL) {
      c = ex_cause_add(out, "crlf-shebang", EX_VERDICT_CONFIRMED,
                       "the interpreter name \"%s\\r\" ends with a carriage "
                       "return: the script has Windows line endings",
                       interp);
      ex__cf_str(c, "interpreter", interp);
      ex_fix_add_raw(out, 0, NULL,
                     "remove the carriage returns from the script that "
                     "starts with #! (sed -i 's/\\r$//' on it); the "
                     "message does not name it");
    } else {
      ex_cause_add(out, "file", EX_VERDICT_UNKNOWN,
                   "the message does not name the file, so it could not "
                   "be examined");
    }
    ex_explanation_summary(out, "a program could not be executed");
    return 0;
  }
  if (strchr(s, '/') == NULL && !subject_is_argv0(ev, s) &&
      access(s, F_OK) != 0) {
    /* A bare name the shell looked up on PATH. */
    explain_command(ev, proc, s, out);
    return 0;
  }
  if (strchr(s, '/') == NULL && subject_is_argv0(ev, s)) {
    found_t f;
    /* explain ran it through PATH: examine the file PATH gave. */
    which(proc, s, &f);
    if (f.exists) {
      explain_file(ev, proc, s, f.path, out);
      return 0;
    }
    explain_command(ev, proc, s, out);
    return 0;
  }
  abs = ex__path_absolute(proc, s);
  if (abs == NULL)
    return -ENOMEM;
  explain_file(ev, proc, s, abs, out);
  free(abs);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Shared libraries                                                        */

static const struct {
  char prefix[24];
  char package[20];
} lib_packages[] = {
    {"libGL.so.1", "libgl1"},           {"libEGL.so.1", "libegl1"},
    {"libgthread-2.0.so", "libglib2.0-0"}, {"libglib-2.0.so", "libglib2.0-0"},
    {"libgomp.so.1", "libgomp1"},        {"libSM.so.6", "libsm6"},
    {"libXext.so.6", "libxext6"},        {"libXrender.so.1", "libxrender1"},
    {"libX11.so.6", "libx11-6"},         {"libxcb.so.1", "libxcb1"},
    {"libstdc++.so.6", "libstdc++6"},    {"libz.so.1", "zlib1g"},
    {"libgfortran.so.5", "libgfortran5"}, {"libasound.so.2", "libasound2"},
    {"libnss3.so", "libnss3"},           {"libgtk-3.so.0", "libgtk-3-0"},
    {"libatk-1.0.so.0", "libatk1.0-0"},  {"libssl.so.3", "libssl3"},
    {"libcrypto.so.3", "libssl3"},       {"libffi.so.8", "libffi8"},
    {"libsqlite3.so.0", "libsqlite3-0"}, {"libcurl.so.4", "libcurl4"},
    {"libpq.so.5", "libpq5"},            {"libxml2.so.2", "libxml2"},
    {"libjpeg.so.62", "libjpeg62-turbo"}, {"libpng16.so.16", "libpng16-16"},
    {"libfontconfig.so.1", "libfontconfig1"},
    {"libfreetype.so.6", "libfreetype6"}, {"libuuid.so.1", "libuuid1"},
    {"libnuma.so.1", "libnuma1"},        {"libgmp.so.10", "libgmp10"},
};

static const char *lib_package(const char *soname) {
  size_t i;

  for (i = 0; i < sizeof(lib_packages) / sizeof(lib_packages[0]); i++) {
    if (strncmp(soname, lib_packages[i].prefix,
                strlen(lib_packages[i].prefix)) == 0)
      return lib_packages[i].package;
  }
  return NULL;
}

static int lib_applies(const ex_probe_event_t *ev) {
  return streq(ev->condition, "shared-library-missing") &&
         subject(ev)[0] != '\0';
}

/* The program that failed to load: the message's "program", else argv[0]
 * found on PATH. */
static int find_program(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        char *out, size_t size) {
  const char *p;
  char *abs;
  found_t f;

  p = ex_probe_capture(ev, "program");
  if (p == NULL || p[0] == '\0')
    p = ev->command != NULL ? ev->command[0] : NULL;
  if (p == NULL || p[0] == '\0')
    return 0;
  if (strchr(p, '/') != NULL) {
    abs = ex__path_absolute(proc, p);
    if (abs == NULL)
      return 0;
    ex_strlcpy(out, abs, size);
    free(abs);
    return access(out, F_OK) == 0;
  }
  if (!which(proc, p, &f))
    return 0;
  ex_strlcpy(out, f.path, size);
  return 1;
}

/* dir as seen from the directory from ("$ORIGIN/../lib" style): into
 * out, "" when the two share nothing but "/". */
static void relative_dir(const char *from, const char *dir, char *out,
                         size_t size) {
  size_t common;
  size_t i;
  size_t n;
  const char *p;

  out[0] = '\0';
  common = 0;
  for (i = 0; from[i] != '\0' && from[i] == dir[i]; i++) {
    if (from[i] == '/')
      common = i;
  }
  if ((from[i] == '\0' && (dir[i] == '/' || dir[i] == '\0')) ||
      (dir[i] == '\0' && from[i] == '/'))
    common = i;
  if (common == 0)
    return;
  n = 0;
  for (p = from + common; *p != '\0' && n < size; p++) {
    if (*p == '/')
      n += (size_t)snprintf(out + n, size - n, "%s..", n > 0 ? "/" : "");
  }
  if (dir[common] == '/' && n < size)
    snprintf(out + n, size - n, "%s%s", n > 0 ? "/" : "", dir + common + 1);
}

/* The library is in a directory of the project that nothing tells the
 * loader about. */
static void lib_in_project(const ex_probe_event_t *ev, const char *prog,
                           const ex_project_search_t *ps, const char *lib,
                           ex_explanation_t *out) {
  char from[EX_PROC_PATH_MAX];
  char rel[EX_PROC_PATH_MAX];
  char origin[EX_PROC_PATH_MAX + 16];
  ex_cause_t *c;

  c = ex_cause_add(out, "found-elsewhere", EX_VERDICT_CONFIRMED,
                   "%s is in the project, at %s, a directory the loader does "
                   "not search: neither the program's RUNPATH nor "
                   "LD_LIBRARY_PATH names it",
                   lib, ps->found);
  ex__cf_str(c, "found_at", ps->found);
  ex__cf_str(c, "dir", ps->dir);
  ex_explanation_summary(out, "%s is in %s, a directory of the project "
                              "that the loader does not search",
                         lib, ps->dir);
  ex__project_fix_env(out, "LD_LIBRARY_PATH", ps->dir, ev->command,
                      "run it with %s on the loader's path", ps->dir);
  if (prog == NULL)
    return;
  /* For good: the program records where its library is, relative to
   * itself, so that the project can move. */
  if (realpath(prog, from) == NULL)
    ex_strlcpy(from, prog, sizeof(from));
  {
    char *slash = strrchr(from, '/');

    if (slash != NULL)
      *slash = '\0';
  }
  relative_dir(from, ps->dir, rel, sizeof(rel));
  if (rel[0] != '\0' || strcmp(from, ps->dir) == 0)
    snprintf(origin, sizeof(origin), "$ORIGIN%s%s", rel[0] != '\0' ? "/" : "",
             rel);
  else
    ex_strlcpy(origin, ps->dir, sizeof(origin));
  ex_fix_add_raw(out, 0, NULL,
                 "for good, link %s with -Wl,-rpath,'%s' (the directory "
                 "relative to the program)",
                 prog, origin);
}

static int lib_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                   const ex_host_t *host, ex_explanation_t *out) {
  static const char *const default_dirs =
      "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:"
      "/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu:"
      "/lib/i386-linux-gnu:/usr/lib/i386-linux-gnu:"
      "/lib64:/usr/lib64:/lib:/usr/lib";
  const char *lib = subject(ev);
  const char *ldlp;
  const char *pkg;
  char prog[EX_PROC_PATH_MAX];
  char origin[EX_PROC_PATH_MAX];
  char hit[EX_PROC_PATH_MAX];
  char(*elsewhere)[EX_PROC_PATH_MAX];
  ex_ldcache_hit_t hits[EX_LDCACHE_HITS];
  ex_ldcache_hit_t others[4];
  ex_project_search_t *ps;
  const char *starts[2];
  char cwdbuf[EX_PROC_PATH_MAX];
  char home[EX_PROC_PATH_MAX];
  char where[2 * EX_PROC_PATH_MAX + 256];
  size_t nstarts;
  int rc;
  ex_elf_t *elf;
  ex_cause_t *c;
  size_t nothers;
  size_t nelse;
  size_t i;
  unsigned want_flags;
  int nhits;
  int native_hit;
  int have_prog;
  int present;

  (void)host;
  elf = NULL;
  elsewhere = NULL;
  present = 0;
  ex_facts_str(&out->facts, "library", lib);
  if (strchr(lib, '/') != NULL) {
    /* dlopen() of a path: only that file counts. */
    present = access(lib, F_OK) == 0;
    c = ex_cause_add(out, "file-missing",
                     present ? EX_VERDICT_RULED_OUT : EX_VERDICT_CONFIRMED,
                     "%s %s", lib, present ? "exists now" : "does not exist");
    out->stale = present;
    ex_explanation_summary(out, "the library %s %s", lib,
                           present ? "exists now" : "does not exist");
    return 0;
  }

  elf = malloc(sizeof(*elf));
  elsewhere = malloc(4 * sizeof(*elsewhere));
  ps = malloc(sizeof(*ps));
  if (elf == NULL || elsewhere == NULL || ps == NULL) {
    free(elf);
    free(elsewhere);
    free(ps);
    return -ENOMEM;
  }
  /* The program, when known: its class and RUNPATH decide the search. */
  want_flags = ex__ldcache_host_flags();
  have_prog = find_program(ev, proc, prog, sizeof(prog)) &&
              ex__elf_read(prog, elf) == 0;
  if (have_prog) {
    char *slash;
    ex_facts_str(&out->facts, "program", prog);
    ex_strlcpy(origin, prog, sizeof(origin));
    slash = strrchr(origin, '/');
    if (slash != NULL)
      *slash = '\0';
    if (elf->elf_class == 1 && ex__elf_host_machine() == 62)
      want_flags = 0x0003;
    for (i = 0; i < elf->nneeded; i++) {
      if (strcmp(elf->needed[i], lib) == 0)
        ex_facts_bool(&out->facts, "needed_by_program", 1);
    }
    if (elf->runpath[0] != '\0')
      ex_facts_str(&out->facts, "runpath", elf->runpath);
    if (elf->rpath[0] != '\0')
      ex_facts_str(&out->facts, "rpath", elf->rpath);
    if ((elf->runpath[0] != '\0' &&
         ex__lib_in_dirs(elf->runpath, origin, lib, hit, sizeof(hit))) ||
        (elf->rpath[0] != '\0' &&
         ex__lib_in_dirs(elf->rpath, origin, lib, hit, sizeof(hit)))) {
      c = ex_cause_add(out, "in-runpath", EX_VERDICT_CONFIRMED,
                       "%s is now present at %s, on the program's RUNPATH",
                       lib, hit);
      ex__cf_str(c, "found_at", hit);
      present = 1;
    }
  }

  ldlp = getenv("LD_LIBRARY_PATH");
  if (ldlp != NULL && ldlp[0] != '\0') {
    ex_facts_str(&out->facts, "ld_library_path", ldlp);
    if (ex__lib_in_dirs(ldlp, NULL, lib, hit, sizeof(hit))) {
      c = ex_cause_add(out, "in-ld-library-path", EX_VERDICT_CONFIRMED,
                       "%s is now present at %s, on LD_LIBRARY_PATH", lib,
                       hit);
      ex__cf_str(c, "found_at", hit);
      present = 1;
    }
  }

  nhits = ex__ldcache_lookup("/etc/ld.so.cache", lib, hits, EX_LDCACHE_HITS,
                             others, 4, &nothers);
  native_hit = 0;
  if (nhits < 0) {
    ex_cause_add(out, "not-in-cache", EX_VERDICT_UNKNOWN,
                 "/etc/ld.so.cache could not be read: %s", strerror(-nhits));
  } else {
    for (i = 0; i < (size_t)nhits; i++) {
      if (want_flags == 0 || hits[i].flags == want_flags)
        native_hit = 1;
    }
    if (native_hit) {
      c = ex_cause_add(out, "not-in-cache", EX_VERDICT_RULED_OUT,
                       "the loader's cache lists %s at %s now", lib,
                       hits[0].path);
      ex__cf_str(c, "found_at", hits[0].path);
      present = 1;
    } else if (nhits > 0) {
      c = ex_cause_add(out, "other-architecture", EX_VERDICT_CONFIRMED,
                       "%s is installed only for another architecture (%s)",
                       lib, hits[0].path);
      ex__cf_str(c, "found_at", hits[0].path);
      ex__cf_int(c, "cache_flags", hits[0].flags);
    } else {
      ex_cause_add(out, "not-in-cache", EX_VERDICT_CONFIRMED,
                   "%s is not in the loader's cache (/etc/ld.so.cache)",
                   lib);
    }
  }
  if (!present && ex__lib_in_dirs(default_dirs, NULL, lib, hit, sizeof(hit))) {
    ex_elf_t *le = malloc(sizeof(*le));
    if (le != NULL && ex__elf_read(hit, le) == 0 &&
        (!have_prog || le->elf_class == elf->elf_class)) {
      c = ex_cause_add(out, "in-default-dir", EX_VERDICT_CONFIRMED,
                       "%s is present at %s, a directory the loader always "
                       "searches", lib, hit);
      ex__cf_str(c, "found_at", hit);
      present = 1;
    }
    free(le);
  }

  if (present) {
    out->stale = 1;
    ex_explanation_summary(out, "%s can be found by the loader now", lib);
    goto cleanup;
  }

  /* The project's own copy first (vendor/lib, build/): the program's
   * project, then the one the command ran in. */
  nstarts = 0;
  if (have_prog)
    starts[nstarts++] = origin;
  if (ex__proc_cwd(proc, cwdbuf, sizeof(cwdbuf))[0] == '/')
    starts[nstarts++] = cwdbuf;
  rc = ex__project_search(starts, nstarts, ex__home(proc, home, sizeof(home)),
                          EX_PROJECT_FILE, lib, ps);
  if (rc < 0)
    ps->complete = 0;
  ex__project_facts(ps, &out->facts);
  if (rc > 0) {
    lib_in_project(ev, have_prog ? prog : NULL, ps, lib, out);
    nelse = 1;
  } else {
    nelse = ex__lib_search(proc, lib, elsewhere, 4);
  }
  ex__project_describe(ps, where, sizeof(where));
  if (rc > 0) {
    /* Said above. */
  } else if (nelse > 0) {
    char dir[EX_PROC_PATH_MAX];
    char *slash;
    char *q;
    char *cmd;

    ex_strlcpy(dir, elsewhere[0], sizeof(dir));
    slash = strrchr(dir, '/');
    if (slash != NULL)
      *slash = '\0';
    c = ex_cause_add(out, "found-elsewhere", EX_VERDICT_CONFIRMED,
                     "%s is installed at %s, a directory the loader does not "
                     "search", lib, elsewhere[0]);
    ex__cf_str(c, "found_at", elsewhere[0]);
    ex__cf_str(c, "dir", dir);
    ex__cf_int(c, "copies", (long long)nelse);
    q = ex_shell_quote(dir);
    cmd = NULL;
    if (q != NULL &&
        asprintf(&cmd,
                 "export LD_LIBRARY_PATH=%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}",
                 q) >= 0)
      ex_fix_add_raw(out, 0, cmd, "let the loader search %s in this shell",
                     dir);
    free(cmd);
    cmd = NULL;
    if (q != NULL &&
        asprintf(&cmd,
                 "echo %s | sudo tee /etc/ld.so.conf.d/local-explain.conf && "
                 "sudo ldconfig",
                 q) >= 0)
      ex_fix_add_raw(out, 1, cmd, "or add %s to the loader's path for "
                     "everyone", dir);
    free(cmd);
    free(q);
  } else {
    ex_cause_add(out, "found-elsewhere",
                 ps->complete ? EX_VERDICT_RULED_OUT : EX_VERDICT_UNKNOWN,
                 "%s is neither in %s, nor in /usr/local/lib, /opt, the "
                 "conda or user library directories",
                 lib, where);
  }
  if (nothers > 0) {
    c = ex_cause_add(out, "other-version", EX_VERDICT_CONFIRMED,
                     "another version of the library is installed: %s (the "
                     "program was built against %s)", others[0].path, lib);
    ex__cf_str(c, "other_version", others[0].path);
  }
  pkg = lib_package(lib);
  if (nelse == 0) {
    c = ex_cause_add(out, "not-installed",
                     ps->complete ? EX_VERDICT_CONFIRMED : EX_VERDICT_UNKNOWN,
                     "%s is in none of the places searched: the program's "
                     "RUNPATH, LD_LIBRARY_PATH, the loader's cache and "
                     "default directories, /usr/local/lib, /opt, conda, "
                     "~/.local/lib, and %s",
                     lib, where);
    if (pkg != NULL)
      ex__cf_str(c, "package", pkg);
    fix_install(out, proc, pkg, "provides the library");
    if (pkg == NULL)
      ex_fix_add_raw(out, 0, NULL, "install the package that provides %s "
                     "(apt-file search %s names it)", lib, lib);
  }
  ex_explanation_summary(out, "%s cannot find %s",
                         have_prog ? prog : "the program", lib);

cleanup:
  free(elf);
  free(elsewhere);
  free(ps);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* glibc too old                                                           */

static const struct {
  const char *version;
  const char *release;
} glibc_releases[] = {
    {"2.31", "Debian 11 / Ubuntu 20.04"}, {"2.35", "Ubuntu 22.04"},
    {"2.36", "Debian 12"},                {"2.39", "Ubuntu 24.04"},
    {"2.41", "Debian 13"},
};

static int glibc_applies(const ex_probe_event_t *ev) {
  return streq(ev->condition, "glibc-too-old");
}

static int glibc_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     const ex_host_t *host, ex_explanation_t *out) {
  const char *need;
  const char *have;
  const char *by;
  const char *rel;
  char osname[256];
  char *p;
  ex_elf_t *elf;
  ex_cause_t *c;
  size_t i;

  (void)host;
  (void)proc;
  need = subject(ev);
  if (strncmp(need, "GLIBC_", 6) == 0)
    need += 6;
  have = gnu_get_libc_version();
  ex_facts_str(&out->facts, "required", need);
  ex_facts_str(&out->facts, "installed", have);
  if (ex_read_small("/etc/os-release", osname, sizeof(osname)) > 0 &&
      (p = strstr(osname, "PRETTY_NAME=")) != NULL) {
    char pretty[128];
    p += 12;
    p += *p == '"';
    ex_strlcpy(pretty, p, sizeof(pretty));
    pretty[strcspn(pretty, "\"\n")] = '\0';
    ex_facts_str(&out->facts, "os", pretty);
  }
  by = ex_probe_capture(ev, "by");
  if (by != NULL && by[0] == '/') {
    elf = malloc(sizeof(*elf));
    if (elf != NULL && ex__elf_read(by, elf) == 0 && elf->glibc_max[0]) {
      ex_facts_str(&out->facts, "binary", by);
      ex_facts_str(&out->facts, "binary_requires", elf->glibc_max);
    }
    free(elf);
  }
  if (need[0] == '\0') {
    ex_cause_add(out, "newer-build", EX_VERDICT_UNKNOWN,
                 "the message names no GLIBC version");
    return 0;
  }
  if (ex__version_cmp(need, have) > 0) {
    c = ex_cause_add(out, "newer-build", EX_VERDICT_CONFIRMED,
                     "the program needs glibc %s; this system has %s", need,
                     have);
    ex__cf_str(c, "required", need);
    ex__cf_str(c, "installed", have);
    if (by != NULL && (strncmp(by, "/tmp/.mount_", 12) == 0 ||
                       strstr(by, "/envs/") != NULL ||
                       strstr(by, "conda") != NULL)) {
      c = ex_cause_add(out, "bundle", EX_VERDICT_CONFIRMED,
                       "%s belongs to a bundle (AppImage or conda env) built "
                       "for a newer system", by);
      ex__cf_str(c, "by", by);
    }
    rel = NULL;
    for (i = 0; i < sizeof(glibc_releases) / sizeof(glibc_releases[0]);
         i++) {
      if (ex__version_cmp(glibc_releases[i].version, need) >= 0) {
        rel = glibc_releases[i].release;
        break;
      }
    }
    ex_fix_add_raw(out, 0, NULL,
                   "use a build made for glibc %s or older (a static, musl "
                   "or manylinux build), or build it from source here",
                   have);
    if (rel != NULL)
      ex_fix_add_raw(out, 0, NULL,
                     "or run it on a newer system or image (%s ships glibc "
                     ">= %s); never replace the system's glibc", rel, need);
    ex_explanation_summary(out, "needs glibc %s, this system has %s", need,
                           have);
  } else {
    ex_cause_add(out, "newer-build", EX_VERDICT_RULED_OUT,
                 "the system glibc %s is new enough for %s", have, need);
    c = ex_cause_add(out, "other-libc", EX_VERDICT_UNKNOWN,
                     "an older libc on LD_LIBRARY_PATH or in a bundle may "
                     "have been loaded instead of the system's");
    ex__cf_str(c, "library", ex_probe_capture(ev, "library"));
    ex_explanation_summary(out, "glibc %s is required and %s is installed",
                           need, have);
  }
  return 0;
}

/* ---------------------------------------------------------------------- */

const ex_explainer_t ex__explainers_exec[] = {
    {"exec.text-file-busy", ex__res_applies_txtbsy, ex__res_run_txtbsy},
    {"exec.command-not-found", cmd_applies, cmd_run},
    {"exec.cannot-execute", file_applies, file_run},
    {"loader.shared-library", lib_applies, lib_run},
    {"loader.glibc-version", glibc_applies, glibc_run},
    {"net.address-in-use", ex__net_applies_addrinuse, ex__net_run_addrinuse},
    {"net.bind-denied", ex__net_applies_bind_eacces, ex__net_run_bind_eacces},
    {"net.connection-refused", ex__net_applies_refused, ex__net_run_refused},
    {"limits.open-files", ex__res_applies_fd_limit, ex__res_run_fd_limit},
    {"lock.held", ex__res_applies_lock, ex__res_run_lock},
    {NULL, NULL, NULL},
};
