/* ELF headers: class, machine, PT_INTERP, DT_NEEDED, DT_RUNPATH and the
 * GLIBC_ versions in .gnu.version_r. Only what the loader itself uses is
 * read (program headers, not section headers), with pread() at checked
 * offsets: a truncated or hostile file ends in -ENOEXEC, and no read is
 * larger than a fixed cap whatever the file says. */
#include "platform/linux/exec/exec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PHNUM_MAX 512
#define DYN_MAX_BYTES (64 * 1024)
#define STRTAB_MAX_BYTES (1024 * 1024)
#define VERNEED_MAX_BYTES (64 * 1024)
#define VERNEED_MAX_ITEMS 4096

#define PT_LOAD_ 1
#define PT_DYNAMIC_ 2
#define PT_INTERP_ 3

#define DT_NULL_ 0
#define DT_NEEDED_ 1
#define DT_STRTAB_ 5
#define DT_STRSZ_ 10
#define DT_RPATH_ 15
#define DT_RUNPATH_ 29
#define DT_VERNEED_ 0x6ffffffe
#define DT_VERNEEDNUM_ 0x6fffffff

/* Where bytes come from: a descriptor or a buffer, with its size. */
typedef struct src {
  int fd;
  const unsigned char *buf;
  uint64_t size;
  int big;
} src_t;

typedef struct load {
  uint64_t vaddr, offset, filesz;
} load_t;

static int src_read(const src_t *s, uint64_t off, void *dst, size_t len) {
  size_t done;
  ssize_t n;

  if (off > s->size || len > s->size - off)
    return -ENOEXEC;
  if (s->buf != NULL) {
    memcpy(dst, s->buf + off, len);
    return 0;
  }
  done = 0;
  while (done < len) {
    n = pread(s->fd, (char *)dst + done, len - done, (off_t)(off + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    if (n == 0)
      return -ENOEXEC; /* the file shrank under us */
    done += (size_t)n;
  }
  return 0;
}

static uint64_t get_u(const src_t *s, const unsigned char *p, size_t n) {
  uint64_t v;
  size_t i;

  v = 0;
  for (i = 0; i < n; i++) {
    if (s->big)
      v = (v << 8) | p[i];
    else
      v |= (uint64_t)p[i] << (8 * i);
  }
  return v;
}

/* Maps a virtual address to a file offset through the PT_LOAD segments. */
static int vaddr_to_off(const load_t *loads, size_t nloads, uint64_t vaddr,
                        uint64_t *off) {
  size_t i;

  for (i = 0; i < nloads; i++) {
    if (vaddr >= loads[i].vaddr &&
        vaddr - loads[i].vaddr < loads[i].filesz) {
      *off = loads[i].offset + (vaddr - loads[i].vaddr);
      return 0;
    }
  }
  return -ENOEXEC;
}

static const char *str_at(const char *tab, size_t len, uint64_t idx) {
  if (tab == NULL || idx >= len)
    return NULL;
  if (memchr(tab + idx, '\0', len - idx) == NULL)
    return NULL;
  return tab + idx;
}

/* Keeps the highest "GLIBC_x.y" seen in e->glibc_max. */
static void note_glibc(ex_elf_t *e, const char *name) {
  const char *v;

  if (strncmp(name, "GLIBC_", 6) != 0)
    return;
  v = name + 6;
  if (*v < '0' || *v > '9')
    return; /* GLIBC_PRIVATE */
  if (e->glibc_max[0] == '\0' || ex__version_cmp(v, e->glibc_max) > 0)
    ex_strlcpy(e->glibc_max, v, sizeof(e->glibc_max));
}

static void parse_verneed(const src_t *s, ex_elf_t *e, uint64_t off,
                          uint64_t num, const char *strtab, size_t strsz) {
  unsigned char *buf;
  size_t len;
  size_t pos;
  size_t apos;
  size_t items;
  uint64_t i;
  uint64_t j;
  uint64_t cnt;
  uint64_t aux;
  uint64_t next;
  const char *name;

  if (off >= s->size)
    return;
  len = (size_t)(s->size - off < VERNEED_MAX_BYTES ? s->size - off
                                                   : VERNEED_MAX_BYTES);
  buf = malloc(len);
  if (buf == NULL)
    return;
  if (src_read(s, off, buf, len) != 0)
    goto cleanup;
  pos = 0;
  items = 0;
  for (i = 0; i < num && items < VERNEED_MAX_ITEMS; i++) {
    if (pos > len || len - pos < 16)
      break;
    cnt = get_u(s, buf + pos + 2, 2);
    aux = get_u(s, buf + pos + 8, 4);
    next = get_u(s, buf + pos + 12, 4);
    apos = pos;
    for (j = 0; j < cnt && items < VERNEED_MAX_ITEMS; j++, items++) {
      if (aux > len - apos)
        break;
      apos += (size_t)aux;
      if (len - apos < 16)
        break;
      name = str_at(strtab, strsz, get_u(s, buf + apos + 8, 4));
      if (name != NULL)
        note_glibc(e, name);
      aux = get_u(s, buf + apos + 12, 4);
      if (aux == 0)
        break;
    }
    if (next == 0 || next > len - pos)
      break;
    pos += (size_t)next;
  }
  if (items >= VERNEED_MAX_ITEMS)
    e->truncated = 1;
cleanup:
  free(buf);
}

static int parse(const src_t *s0, ex_elf_t *e) {
  src_t s;
  unsigned char id[64];
  unsigned char *ph;
  unsigned char *dyn;
  char *strtab;
  load_t loads[64];
  size_t nloads;
  uint64_t phoff, phentsize, phnum;
  uint64_t dyn_off, dyn_size;
  uint64_t strtab_va, strsz, verneed_va, verneed_num;
  uint64_t needed[EX_ELF_NEEDED_MAX];
  uint64_t runpath_idx, rpath_idx;
  uint64_t off;
  size_t nneeded;
  size_t i;
  size_t dsize;
  size_t ents;
  int is64;
  int rc;
  int has_runpath, has_rpath;

  s = *s0;
  ph = NULL;
  dyn = NULL;
  strtab = NULL;
  memset(e, 0, sizeof(*e));
  rc = src_read(&s, 0, id, 52);
  if (rc != 0)
    return rc == -ENOEXEC ? -ENOEXEC : rc;
  if (memcmp(id, "\177ELF", 4) != 0)
    return -ENOEXEC;
  if ((id[4] != 1 && id[4] != 2) || (id[5] != 1 && id[5] != 2))
    return -ENOEXEC;
  e->elf_class = id[4];
  e->big_endian = id[5] == 2;
  s.big = e->big_endian;
  is64 = id[4] == 2;
  if (is64 && src_read(&s, 0, id, 64) != 0)
    return -ENOEXEC;
  e->type = (unsigned)get_u(&s, id + 16, 2);
  e->machine = (unsigned)get_u(&s, id + 18, 2);
  phoff = is64 ? get_u(&s, id + 32, 8) : get_u(&s, id + 28, 4);
  phentsize = get_u(&s, id + (is64 ? 54 : 42), 2);
  phnum = get_u(&s, id + (is64 ? 56 : 44), 2);
  if (phnum == 0)
    return 0; /* an object file: no program headers, nothing to load */
  if (phentsize < (is64 ? 56u : 32u) || phnum > PHNUM_MAX)
    return -ENOEXEC;
  ph = malloc((size_t)(phentsize * phnum));
  if (ph == NULL)
    return -ENOMEM;
  rc = src_read(&s, phoff, ph, (size_t)(phentsize * phnum));
  if (rc != 0)
    goto cleanup;

  nloads = 0;
  dyn_off = 0;
  dyn_size = 0;
  for (i = 0; i < phnum; i++) {
    const unsigned char *p = ph + i * phentsize;
    uint64_t type = get_u(&s, p, 4);
    uint64_t p_off = is64 ? get_u(&s, p + 8, 8) : get_u(&s, p + 4, 4);
    uint64_t p_va = is64 ? get_u(&s, p + 16, 8) : get_u(&s, p + 8, 4);
    uint64_t p_fsz = is64 ? get_u(&s, p + 32, 8) : get_u(&s, p + 16, 4);

    if (type == PT_LOAD_ && nloads < sizeof(loads) / sizeof(loads[0])) {
      loads[nloads].vaddr = p_va;
      loads[nloads].offset = p_off;
      loads[nloads].filesz = p_fsz;
      nloads++;
    } else if (type == PT_INTERP_) {
      size_t n = p_fsz < sizeof(e->interp) - 1 ? (size_t)p_fsz
                                               : sizeof(e->interp) - 1;
      if (src_read(&s, p_off, e->interp, n) != 0) {
        rc = -ENOEXEC;
        goto cleanup;
      }
      e->interp[n] = '\0';
      e->interp[strnlen(e->interp, n)] = '\0';
    } else if (type == PT_DYNAMIC_) {
      dyn_off = p_off;
      dyn_size = p_fsz;
    }
  }
  if (dyn_size == 0) {
    rc = 0;
    goto cleanup;
  }
  e->has_dynamic = 1;
  dsize = (size_t)(dyn_size < DYN_MAX_BYTES ? dyn_size : DYN_MAX_BYTES);
  dyn = malloc(dsize);
  if (dyn == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  rc = src_read(&s, dyn_off, dyn, dsize);
  if (rc != 0)
    goto cleanup;

  strtab_va = strsz = verneed_va = verneed_num = 0;
  runpath_idx = rpath_idx = 0;
  has_runpath = has_rpath = 0;
  nneeded = 0;
  ents = dsize / (is64 ? 16 : 8);
  for (i = 0; i < ents; i++) {
    const unsigned char *d = dyn + i * (is64 ? 16 : 8);
    uint64_t tag = is64 ? get_u(&s, d, 8) : get_u(&s, d, 4);
    uint64_t val = is64 ? get_u(&s, d + 8, 8) : get_u(&s, d + 4, 4);

    if (tag == DT_NULL_)
      break;
    switch (tag) {
    case DT_NEEDED_:
      if (nneeded < EX_ELF_NEEDED_MAX)
        needed[nneeded++] = val;
      else
        e->truncated = 1;
      break;
    case DT_STRTAB_:
      strtab_va = val;
      break;
    case DT_STRSZ_:
      strsz = val;
      break;
    case DT_RUNPATH_:
      runpath_idx = val;
      has_runpath = 1;
      break;
    case DT_RPATH_:
      rpath_idx = val;
      has_rpath = 1;
      break;
    case DT_VERNEED_:
      verneed_va = val;
      break;
    case DT_VERNEEDNUM_:
      verneed_num = val;
      break;
    default:
      break;
    }
  }
  if (strtab_va == 0 || strsz == 0 ||
      vaddr_to_off(loads, nloads, strtab_va, &off) != 0) {
    rc = 0; /* no string table: nothing more to name */
    goto cleanup;
  }
  if (strsz > STRTAB_MAX_BYTES) {
    strsz = STRTAB_MAX_BYTES;
    e->truncated = 1;
  }
  if (off > s.size || strsz > s.size - off) {
    rc = -ENOEXEC;
    goto cleanup;
  }
  strtab = malloc((size_t)strsz);
  if (strtab == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  rc = src_read(&s, off, strtab, (size_t)strsz);
  if (rc != 0)
    goto cleanup;
  for (i = 0; i < nneeded; i++) {
    const char *n = str_at(strtab, (size_t)strsz, needed[i]);
    if (n != NULL)
      ex_strlcpy(e->needed[e->nneeded++], n, EX_ELF_NAME_MAX);
  }
  if (has_runpath && str_at(strtab, (size_t)strsz, runpath_idx) != NULL)
    ex_strlcpy(e->runpath, strtab + runpath_idx, sizeof(e->runpath));
  if (has_rpath && str_at(strtab, (size_t)strsz, rpath_idx) != NULL)
    ex_strlcpy(e->rpath, strtab + rpath_idx, sizeof(e->rpath));
  if (verneed_va != 0 && verneed_num != 0 &&
      vaddr_to_off(loads, nloads, verneed_va, &off) == 0)
    parse_verneed(&s, e, off, verneed_num, strtab, (size_t)strsz);
  rc = 0;

cleanup:
  free(ph);
  free(dyn);
  free(strtab);
  return rc;
}

int ex__elf_parse(const unsigned char *buf, size_t len, ex_elf_t *e) {
  src_t s;

  memset(&s, 0, sizeof(s));
  s.fd = -1;
  s.buf = buf;
  s.size = len;
  return parse(&s, e);
}

int ex__elf_read(const char *path, ex_elf_t *e) {
  src_t s;
  struct stat st;
  int fd;
  int rc;

  memset(e, 0, sizeof(*e));
  /* O_NONBLOCK: a FIFO named like a program must not hang the probe. */
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return -errno;
  if (fstat(fd, &st) != 0) {
    rc = -errno;
    goto cleanup;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = -ENOEXEC;
    goto cleanup;
  }
  memset(&s, 0, sizeof(s));
  s.fd = fd;
  s.size = (uint64_t)st.st_size;
  rc = parse(&s, e);
cleanup:
  close(fd);
  return rc;
}

static const struct {
  const char *uname;
  unsigned machine;
} host_machines[] = {
    {"x86_64", 62},   {"i386", 3},        {"i486", 3},     {"i586", 3},
    {"i686", 3},      {"aarch64", 183},   {"arm64", 183},  {"armv7l", 40},
    {"armv6l", 40},   {"armv8l", 40},     {"riscv64", 243}, {"ppc64le", 21},
    {"ppc64", 21},    {"s390x", 22},      {"mips64", 8},   {"mips", 8},
    {"loongarch64", 258},
};

unsigned ex__elf_host_machine(void) {
  struct utsname u;
  size_t i;

  if (uname(&u) != 0)
    return 0;
  for (i = 0; i < sizeof(host_machines) / sizeof(host_machines[0]); i++) {
    if (strcmp(u.machine, host_machines[i].uname) == 0)
      return host_machines[i].machine;
  }
  return 0;
}

static const struct {
  unsigned machine;
  const char *name;
} machine_names[] = {
    {3, "x86 (32-bit)"}, {8, "MIPS"},     {20, "PowerPC"},
    {21, "PowerPC 64"},  {22, "S/390"},   {40, "ARM (32-bit)"},
    {62, "x86-64"},      {183, "AArch64"}, {243, "RISC-V"},
    {258, "LoongArch"},
};

const char *ex__elf_machine_name(unsigned machine, char *buf, size_t size) {
  size_t i;

  for (i = 0; i < sizeof(machine_names) / sizeof(machine_names[0]); i++) {
    if (machine_names[i].machine == machine) {
      ex_strlcpy(buf, machine_names[i].name, size);
      return buf;
    }
  }
  snprintf(buf, size, "machine %u", machine);
  return buf;
}

int ex__elf_host_runs(unsigned machine, int elf_class) {
  unsigned host;

  host = ex__elf_host_machine();
  if (host == 0)
    return 1; /* unknown host: do not accuse the file */
  if (machine == host)
    return 1;
  if (host == 62 && machine == 3 && elf_class == 1)
    return 1;
  if (host == 183 && machine == 40 && elf_class == 1)
    return 1;
  return 0;
}

int ex__version_cmp(const char *a, const char *b) {
  unsigned long x;
  unsigned long y;
  int moved;

  for (;;) {
    if (*a == '\0' && *b == '\0')
      return 0;
    x = 0;
    y = 0;
    moved = 0;
    /* Caps keep a hostile string of digits from overflowing. */
    for (; *a >= '0' && *a <= '9'; a++, moved = 1)
      x = x < 100000000UL ? x * 10 + (unsigned long)(*a - '0') : x;
    for (; *b >= '0' && *b <= '9'; b++, moved = 1)
      y = y < 100000000UL ? y * 10 + (unsigned long)(*b - '0') : y;
    if (x != y)
      return x < y ? -1 : 1;
    if (!moved)
      return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
    if (*a == '.')
      a++;
    if (*b == '.')
      b++;
  }
}
