/* Symbols and source lines of an ELF file, read after the crash by explain
 * itself: no addr2line, no gdb. The file is mapped read-only; every offset
 * read from it is checked against its size. 64-bit ELF of the host's byte
 * order only (the preload library is built for the same). DWARF .debug_line
 * versions 2 to 5. */
#include "platform/crash.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct elf_file {
  const unsigned char *base;
  size_t size;
  const Elf64_Ehdr *eh;
} elf_file_t;

typedef struct section {
  const unsigned char *p;
  size_t size;
  uint64_t addr;
  int found;
} section_t;

static int elf_open(const char *path, elf_file_t *f) {
  struct stat st;
  void *m;
  int fd;

  memset(f, 0, sizeof(*f));
  /* Non-blocking: a FIFO among the files looked at must not hang the
   * probe (it is refused below, as not a regular file). */
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd == -1)
    return -errno;
  if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
      (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
    close(fd);
    return -ENOEXEC;
  }
  m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (m == MAP_FAILED)
    return -errno;
  f->base = m;
  f->size = (size_t)st.st_size;
  f->eh = m;
  if (memcmp(f->eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      f->eh->e_ident[EI_CLASS] != ELFCLASS64) {
    munmap(m, f->size);
    memset(f, 0, sizeof(*f));
    return -ENOEXEC;
  }
  return 0;
}

static void elf_close(elf_file_t *f) {
  if (f->base != NULL)
    munmap((void *)f->base, f->size);
  memset(f, 0, sizeof(*f));
}

static int in_file(const elf_file_t *f, uint64_t off, uint64_t len) {
  return off <= f->size && len <= f->size - off;
}

static const Elf64_Shdr *shdr(const elf_file_t *f, size_t i) {
  uint64_t off;

  if (f->eh->e_shentsize != sizeof(Elf64_Shdr) || i >= f->eh->e_shnum)
    return NULL;
  off = f->eh->e_shoff + i * sizeof(Elf64_Shdr);
  if (!in_file(f, off, sizeof(Elf64_Shdr)))
    return NULL;
  return (const Elf64_Shdr *)(f->base + off);
}

static section_t find_section(const elf_file_t *f, const char *name) {
  section_t s;
  const Elf64_Shdr *strs;
  const Elf64_Shdr *sh;
  const char *nm;
  size_t i;

  memset(&s, 0, sizeof(s));
  strs = shdr(f, f->eh->e_shstrndx);
  if (strs == NULL || !in_file(f, strs->sh_offset, strs->sh_size))
    return s;
  for (i = 0; i < f->eh->e_shnum; i++) {
    sh = shdr(f, i);
    if (sh == NULL || sh->sh_name >= strs->sh_size)
      continue;
    nm = (const char *)f->base + strs->sh_offset + sh->sh_name;
    if (strnlen(nm, strs->sh_size - sh->sh_name) == strs->sh_size - sh->sh_name)
      continue;
    if (strcmp(nm, name) != 0)
      continue;
    if (sh->sh_type == SHT_NOBITS || !in_file(f, sh->sh_offset, sh->sh_size))
      return s;
    s.p = f->base + sh->sh_offset;
    s.size = sh->sh_size;
    s.addr = sh->sh_addr;
    s.found = 1;
    return s;
  }
  return s;
}

/* ---- symbols ----------------------------------------------------------- */

static int symbolize(const elf_file_t *f, const char *tab, const char *strtab,
                     uint64_t vaddr, char *func, size_t fsize,
                     uint64_t *func_off) {
  section_t syms;
  section_t strs;
  const Elf64_Sym *sym;
  const Elf64_Sym *best;
  size_t i;
  size_t n;

  syms = find_section(f, tab);
  strs = find_section(f, strtab);
  if (!syms.found || !strs.found)
    return -ENOENT;
  n = syms.size / sizeof(Elf64_Sym);
  best = NULL;
  for (i = 0; i < n; i++) {
    sym = (const Elf64_Sym *)(syms.p + i * sizeof(Elf64_Sym));
    if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_value == 0)
      continue;
    if (vaddr < sym->st_value)
      continue;
    if (vaddr < sym->st_value + (sym->st_size ? sym->st_size : 1)) {
      best = sym;
      break;
    }
  }
  if (best == NULL || best->st_name >= strs.size)
    return -ENOENT;
  snprintf(func, fsize, "%.*s", (int)strnlen((const char *)strs.p +
                                                 best->st_name,
                                             strs.size - best->st_name),
           (const char *)strs.p + best->st_name);
  *func_off = vaddr - best->st_value;
  return 0;
}

int ex_crash_elf_lookup(const char *elf, uint64_t file_off, uint64_t *vaddr,
                        char *func, size_t fsize, uint64_t *func_off) {
  elf_file_t f;
  const Elf64_Phdr *ph;
  uint64_t off;
  size_t i;
  int rc;

  rc = elf_open(elf, &f);
  if (rc != 0)
    return rc;
  rc = -ENOENT;
  for (i = 0; i < f.eh->e_phnum; i++) {
    off = f.eh->e_phoff + i * sizeof(Elf64_Phdr);
    if (f.eh->e_phentsize != sizeof(Elf64_Phdr) ||
        !in_file(&f, off, sizeof(Elf64_Phdr)))
      break;
    ph = (const Elf64_Phdr *)(f.base + off);
    if (ph->p_type != PT_LOAD || file_off < ph->p_offset ||
        file_off >= ph->p_offset + ph->p_filesz)
      continue;
    *vaddr = ph->p_vaddr + (file_off - ph->p_offset);
    rc = 0;
    break;
  }
  if (rc == 0 && func != NULL) {
    func[0] = '\0';
    *func_off = 0;
    if (symbolize(&f, ".symtab", ".strtab", *vaddr, func, fsize, func_off) !=
        0)
      (void)symbolize(&f, ".dynsym", ".dynstr", *vaddr, func, fsize,
                      func_off);
  }
  elf_close(&f);
  return rc;
}

/* ---- DWARF .debug_line -------------------------------------------------- */

typedef struct reader {
  const unsigned char *p;
  const unsigned char *end;
  int bad;
} reader_t;

static uint64_t rd_n(reader_t *r, size_t n) {
  uint64_t v;
  size_t i;

  if (r->bad || (size_t)(r->end - r->p) < n) {
    r->bad = 1;
    return 0;
  }
  v = 0;
  for (i = 0; i < n; i++) /* little-endian hosts only (x86-64, aarch64) */
    v |= (uint64_t)r->p[i] << (8 * i);
  r->p += n;
  return v;
}

static uint64_t rd_uleb(reader_t *r) {
  uint64_t v;
  unsigned shift;
  unsigned char b;

  v = 0;
  shift = 0;
  do {
    if (r->bad || r->p >= r->end) {
      r->bad = 1;
      return 0;
    }
    b = *r->p++;
    if (shift < 64)
      v |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return v;
}

static int64_t rd_sleb(reader_t *r) {
  int64_t v;
  unsigned shift;
  unsigned char b;

  v = 0;
  shift = 0;
  do {
    if (r->bad || r->p >= r->end) {
      r->bad = 1;
      return 0;
    }
    b = *r->p++;
    if (shift < 64)
      v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
    shift += 7;
  } while (b & 0x80);
  if (shift < 64 && (b & 0x40))
    v |= -((int64_t)1 << shift);
  return v;
}

static const char *rd_cstr(reader_t *r) {
  const char *s;
  size_t n;

  if (r->bad)
    return NULL;
  s = (const char *)r->p;
  n = strnlen(s, (size_t)(r->end - r->p));
  if (n == (size_t)(r->end - r->p)) {
    r->bad = 1;
    return NULL;
  }
  r->p += n + 1;
  return s;
}

static const char *str_at(const section_t *s, uint64_t off) {
  if (!s->found || off >= s->size ||
      strnlen((const char *)s->p + off, s->size - off) == s->size - off)
    return NULL;
  return (const char *)s->p + off;
}

#define EX_DW_NAMES 512

typedef struct line_ctx {
  const section_t *line_str;
  const section_t *str;
  int offset8;       /* 64-bit DWARF */
  const char *dirs[EX_DW_NAMES];
  size_t ndirs;
  const char *files[EX_DW_NAMES];
  uint64_t file_dir[EX_DW_NAMES];
  size_t nfiles;
} line_ctx_t;

/* Reads one attribute value of a DWARF 5 entry format; returns a string
 * for string forms, NULL otherwise (*num gets a number). */
static const char *rd_form(reader_t *r, line_ctx_t *c, uint64_t form,
                           uint64_t *num) {
  uint64_t off;

  *num = 0;
  switch (form) {
  case 0x08: /* DW_FORM_string */
    return rd_cstr(r);
  case 0x1f: /* DW_FORM_line_strp */
    off = rd_n(r, c->offset8 ? 8 : 4);
    return str_at(c->line_str, off);
  case 0x0e: /* DW_FORM_strp */
    off = rd_n(r, c->offset8 ? 8 : 4);
    return str_at(c->str, off);
  case 0x0f: /* DW_FORM_udata */
    *num = rd_uleb(r);
    return NULL;
  case 0x0b: /* data1 */
    *num = rd_n(r, 1);
    return NULL;
  case 0x05: /* data2 */
    *num = rd_n(r, 2);
    return NULL;
  case 0x06: /* data4 */
    *num = rd_n(r, 4);
    return NULL;
  case 0x07: /* data8 */
    *num = rd_n(r, 8);
    return NULL;
  case 0x1e: /* data16 */
    (void)rd_n(r, 8);
    (void)rd_n(r, 8);
    return NULL;
  case 0x09: /* block */
    off = rd_uleb(r);
    if ((uint64_t)(r->end - r->p) < off)
      r->bad = 1;
    else
      r->p += off;
    return NULL;
  default:
    r->bad = 1;
    return NULL;
  }
}

/* DWARF 5 directory or file table. */
static void rd_table5(reader_t *r, line_ctx_t *c, int files) {
  uint64_t fmt[16][2];
  uint64_t nfmt;
  uint64_t count;
  uint64_t i;
  uint64_t j;
  uint64_t num;
  const char *s;
  const char *path;
  uint64_t dir;

  nfmt = rd_n(r, 1);
  if (nfmt > 16) {
    r->bad = 1;
    return;
  }
  for (i = 0; i < nfmt; i++) {
    fmt[i][0] = rd_uleb(r);
    fmt[i][1] = rd_uleb(r);
  }
  count = rd_uleb(r);
  for (i = 0; i < count && !r->bad; i++) {
    path = NULL;
    dir = 0;
    for (j = 0; j < nfmt; j++) {
      s = rd_form(r, c, fmt[j][1], &num);
      if (fmt[j][0] == 1) /* DW_LNCT_path */
        path = s;
      else if (fmt[j][0] == 2) /* DW_LNCT_directory_index */
        dir = num;
    }
    if (files && c->nfiles < EX_DW_NAMES) {
      c->file_dir[c->nfiles] = dir;
      c->files[c->nfiles++] = path;
    } else if (!files && c->ndirs < EX_DW_NAMES) {
      c->dirs[c->ndirs++] = path;
    }
  }
}

static void name_file(const line_ctx_t *c, uint64_t idx, int version,
                      char *out, size_t size) {
  const char *f;
  const char *d;
  uint64_t di;

  /* DWARF 5 numbers files and directories from 0, earlier versions from 1
   * (directory 0 being the compilation directory, not in the table). */
  if (version < 5) {
    if (idx == 0 || idx > c->nfiles)
      return;
    idx--;
  }
  if (idx >= c->nfiles || c->files[idx] == NULL)
    return;
  f = c->files[idx];
  di = c->file_dir[idx];
  d = NULL;
  if (version >= 5 && di < c->ndirs)
    d = c->dirs[di];
  else if (version < 5 && di > 0 && di <= c->ndirs)
    d = c->dirs[di - 1];
  if (f[0] != '/' && d != NULL && d[0] != '\0')
    snprintf(out, size, "%s/%s", d, f);
  else
    ex_strlcpy(out, f, size);
}

/* Runs one line-number program; returns 1 when vaddr was found. */
static int run_unit(reader_t *hdr, const section_t *line_str,
                    const section_t *str, uint64_t vaddr, char *file,
                    size_t fsize, int *line_out) {
  line_ctx_t *c;
  reader_t r;
  reader_t prog;
  uint64_t unit_len;
  uint64_t hdr_len;
  int version;
  unsigned min_inst;
  int line_base;
  unsigned line_range;
  unsigned opcode_base;
  unsigned char std_len[256];
  unsigned i;
  const unsigned char *unit_end;
  const char *s;
  uint64_t addr;
  uint64_t fileno;
  int64_t line;
  uint64_t prev_addr;
  uint64_t prev_file;
  int64_t prev_line;
  int have_prev;
  unsigned op;
  uint64_t len;
  unsigned adj;
  int found;
  static line_ctx_t ctx; /* large; explain is single-threaded here */

  c = &ctx;
  memset(c, 0, sizeof(*c));
  c->line_str = line_str;
  c->str = str;
  r = *hdr;
  unit_len = rd_n(&r, 4);
  if (unit_len == 0xffffffffu) {
    c->offset8 = 1;
    unit_len = rd_n(&r, 8);
  }
  if (r.bad || unit_len > (uint64_t)(r.end - r.p)) {
    hdr->bad = 1;
    return 0;
  }
  unit_end = r.p + unit_len;
  hdr->p = unit_end; /* the next unit */
  r.end = unit_end;
  version = (int)rd_n(&r, 2);
  if (version < 2 || version > 5)
    return 0;
  if (version >= 5)
    (void)rd_n(&r, 2); /* address_size, segment_selector_size */
  hdr_len = rd_n(&r, c->offset8 ? 8 : 4);
  if (r.bad || hdr_len > (uint64_t)(r.end - r.p))
    return 0;
  prog = r;
  prog.p = r.p + hdr_len;
  min_inst = (unsigned)rd_n(&r, 1);
  if (version >= 4)
    (void)rd_n(&r, 1); /* maximum_operations_per_instruction */
  (void)rd_n(&r, 1);   /* default_is_stmt */
  line_base = (int)(signed char)rd_n(&r, 1);
  line_range = (unsigned)rd_n(&r, 1);
  opcode_base = (unsigned)rd_n(&r, 1);
  if (r.bad || line_range == 0 || opcode_base == 0)
    return 0;
  memset(std_len, 0, sizeof(std_len));
  for (i = 1; i < opcode_base; i++)
    std_len[i] = (unsigned char)rd_n(&r, 1);
  if (version >= 5) {
    rd_table5(&r, c, 0);
    rd_table5(&r, c, 1);
  } else {
    for (;;) {
      s = rd_cstr(&r);
      if (s == NULL || s[0] == '\0')
        break;
      if (c->ndirs < EX_DW_NAMES)
        c->dirs[c->ndirs++] = s;
    }
    for (;;) {
      s = rd_cstr(&r);
      if (s == NULL || s[0] == '\0')
        break;
      if (c->nfiles < EX_DW_NAMES) {
        c->files[c->nfiles] = s;
        c->file_dir[c->nfiles++] = rd_uleb(&r);
      } else {
        (void)rd_uleb(&r);
      }
      (void)rd_uleb(&r);
      (void)rd_uleb(&r);
    }
  }
  if (r.bad)
    return 0;

  found = 0;
  addr = 0;
  fileno = 1;
  line = 1;
  have_prev = 0;
  prev_addr = 0;
  prev_file = 0;
  prev_line = 0;
#define EMIT()                                                                \
  do {                                                                        \
    if (have_prev && prev_addr <= vaddr && vaddr < addr) {                    \
      name_file(c, prev_file, version, file, fsize);                          \
      *line_out = (int)prev_line;                                             \
      found = 1;                                                              \
    }                                                                         \
    prev_addr = addr;                                                         \
    prev_file = fileno;                                                       \
    prev_line = line;                                                         \
    have_prev = 1;                                                            \
  } while (0)

  while (!found && !prog.bad && prog.p < prog.end) {
    op = (unsigned)rd_n(&prog, 1);
    if (op >= opcode_base) {
      adj = op - opcode_base;
      addr += (adj / line_range) * min_inst;
      line += line_base + (int)(adj % line_range);
      EMIT();
      continue;
    }
    switch (op) {
    case 0: /* extended */
      len = rd_uleb(&prog);
      if (len == 0 || len > (uint64_t)(prog.end - prog.p)) {
        prog.bad = 1;
        break;
      }
      op = (unsigned)rd_n(&prog, 1);
      if (op == 1) { /* end_sequence */
        EMIT();
        have_prev = 0;
        addr = 0;
        fileno = 1;
        line = 1;
      } else if (op == 2) { /* set_address */
        addr = rd_n(&prog, len - 1 <= 8 ? (size_t)(len - 1) : 8);
      } else {
        prog.p += len - 1;
      }
      break;
    case 1: /* copy */
      EMIT();
      break;
    case 2: /* advance_pc */
      addr += rd_uleb(&prog) * min_inst;
      break;
    case 3: /* advance_line */
      line += rd_sleb(&prog);
      break;
    case 4: /* set_file */
      fileno = rd_uleb(&prog);
      break;
    case 8: /* const_add_pc */
      addr += ((255 - opcode_base) / line_range) * min_inst;
      break;
    case 9: /* fixed_advance_pc */
      addr += rd_n(&prog, 2);
      break;
    default: /* skip its operands */
      for (i = 0; i < std_len[op]; i++)
        (void)rd_uleb(&prog);
      break;
    }
  }
#undef EMIT
  return found;
}

static int lines_in(const elf_file_t *f, uint64_t vaddr, char *file,
                    size_t fsize, int *line) {
  section_t dl;
  section_t line_str;
  section_t str;
  reader_t r;

  dl = find_section(f, ".debug_line");
  if (!dl.found)
    return -ENOENT;
  line_str = find_section(f, ".debug_line_str");
  str = find_section(f, ".debug_str");
  r.p = dl.p;
  r.end = dl.p + dl.size;
  r.bad = 0;
  while (!r.bad && r.p < r.end) {
    if (run_unit(&r, &line_str, &str, vaddr, file, fsize, line) &&
        file[0] != '\0')
      return 0;
  }
  return -ENOENT;
}

/* /usr/lib/debug/.build-id/ab/cdef....debug from the NT_GNU_BUILD_ID note. */
static int debug_file_of(const elf_file_t *f, char *out, size_t size) {
  section_t s;
  const Elf64_Nhdr *nh;
  const unsigned char *id;
  size_t i;
  size_t n;
  int len;

  s = find_section(f, ".note.gnu.build-id");
  if (!s.found || s.size < sizeof(Elf64_Nhdr))
    return -ENOENT;
  nh = (const Elf64_Nhdr *)s.p;
  if (nh->n_type != NT_GNU_BUILD_ID || nh->n_descsz < 2 ||
      sizeof(*nh) + ((nh->n_namesz + 3) & ~3u) + nh->n_descsz > s.size)
    return -ENOENT;
  id = s.p + sizeof(*nh) + ((nh->n_namesz + 3) & ~3u);
  len = snprintf(out, size, "/usr/lib/debug/.build-id/%02x/", id[0]);
  for (i = 1; i < nh->n_descsz && len > 0 && (size_t)len + 3 < size; i++) {
    n = (size_t)len;
    len += snprintf(out + n, size - n, "%02x", id[i]);
  }
  if (len <= 0 || (size_t)len + 7 > size)
    return -ENAMETOOLONG;
  memcpy(out + len, ".debug", 7);
  return 0;
}

int ex_crash_addr2line(const char *elf, uint64_t vaddr, char *file,
                       size_t fsize, int *line) {
  elf_file_t f;
  elf_file_t dbg;
  char path[512];
  int rc;

  file[0] = '\0';
  *line = 0;
  rc = elf_open(elf, &f);
  if (rc != 0)
    return rc;
  rc = lines_in(&f, vaddr, file, fsize, line);
  if (rc != 0 && debug_file_of(&f, path, sizeof(path)) == 0 &&
      elf_open(path, &dbg) == 0) {
    rc = lines_in(&dbg, vaddr, file, fsize, line);
    elf_close(&dbg);
  }
  elf_close(&f);
  return rc;
}
