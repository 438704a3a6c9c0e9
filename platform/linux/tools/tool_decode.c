/* Text that is not in the encoding the program decoded it with: Python's
 * "'utf-8' codec can't decode byte 0xe9 in position 3".
 *
 * The file is the message's subject when it names one, else the one the
 * source line of the traceback opens (a string literal that is a file),
 * else a file of the command line that is not valid UTF-8. Its bytes are
 * read (the first DECODE_BYTES), never run: the byte order mark, where the
 * UTF-8 stops being valid, and what the other bytes look like (single
 * bytes >= 0x80 between ASCII: cp1252 or latin-1; pairs: Shift-JIS or an
 * EUC/GBK code; every other byte NUL: UTF-16; NULs and control bytes:
 * binary) give the encoding to use, said as likely where the bytes allow
 * more than one. */
#include "platform/linux/tools/tool_util.h"

#include "platform/linux/proc/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PATH_CAP EX_PROC_PATH_MAX
/* The bytes of the file that are read. */
#define DECODE_BYTES (4 * 1024 * 1024)
/* String literals of a source line tried as file names. */
#define LITERALS_MAX 8

/* Facts of a cause that may be NULL (after an allocation failure). */
static void cf_int(ex_cause_t *c, const char *key, long long v) {
  if (c != NULL)
    ex_facts_int(&c->facts, key, v);
}

static void cf_str(ex_cause_t *c, const char *key, const char *v) {
  if (c != NULL)
    ex_facts_str(&c->facts, key, v);
}

static void cf_bool(ex_cause_t *c, const char *key, int v) {
  if (c != NULL)
    ex_facts_bool(&c->facts, key, v);
}

typedef struct bytes {
  unsigned char *buf;
  size_t len;
  int cut; /* the file is longer than what was read */
} bytes_t;

static int read_bytes(const char *path, bytes_t *b) {
  ssize_t n;
  int fd;

  memset(b, 0, sizeof(*b));
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return -errno;
  b->buf = malloc(DECODE_BYTES + 1);
  if (b->buf == NULL) {
    close(fd);
    return -ENOMEM;
  }
  while (b->len < DECODE_BYTES) {
    n = read(fd, b->buf + b->len, DECODE_BYTES - b->len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    b->len += (size_t)n;
  }
  if (b->len == DECODE_BYTES) {
    char one;

    do {
      n = read(fd, &one, 1);
    } while (n < 0 && errno == EINTR);
    b->cut = n > 0;
  }
  close(fd);
  return 0;
}

/* The length of the valid UTF-8 sequence at p (1 to 4), 0 when it is
 * invalid, -1 when it is cut by the end of the data. */
static int utf8_seq(const unsigned char *p, size_t left) {
  unsigned c;
  int n;
  int i;

  c = p[0];
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4;
  else
    return 0;
  for (i = 1; i < n; i++) {
    if ((size_t)i >= left)
      return -1;
    if ((p[i] & 0xc0) != 0x80)
      return 0;
  }
  /* Overlong forms and surrogates. */
  if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
      (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
    return 0;
  return n;
}

typedef struct scan {
  const char *bom;      /* "UTF-8", "UTF-16LE", ... or NULL */
  long long bad;        /* offset of the first invalid byte, -1 none */
  int bad_cut;          /* the first invalid sequence is cut by the end */
  long line;            /* its line (1-based) */
  size_t bad_count;     /* invalid bytes in all */
  size_t multibyte;     /* valid multi-byte UTF-8 sequences */
  size_t high;          /* bytes >= 0x80 */
  size_t c1;            /* bytes 0x80-0x9f */
  size_t undefined1252; /* 0x81 0x8d 0x8f 0x90 0x9d: not in cp1252 */
  size_t isolated;      /* high bytes between two ASCII bytes */
  size_t nul;
  size_t nul_odd;    /* NULs at odd offsets */
  size_t control;    /* other control bytes than \t \n \r \f */
  size_t sjis_pairs; /* pairs valid in Shift-JIS */
  size_t euc_pairs;  /* pairs of two bytes 0xa1-0xfe */
  size_t pairs;      /* high bytes followed by a trail byte */
} scan_t;

static void scan_bytes(const bytes_t *b, scan_t *s) {
  const unsigned char *p;
  size_t i;
  int n;

  memset(s, 0, sizeof(*s));
  s->bad = -1;
  s->line = 1;
  p = b->buf;
  if (b->len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
    s->bom = "UTF-8";
  else if (b->len >= 4 && memcmp(p, "\xff\xfe\0\0", 4) == 0)
    s->bom = "UTF-32LE";
  else if (b->len >= 2 && memcmp(p, "\xff\xfe", 2) == 0)
    s->bom = "UTF-16LE";
  else if (b->len >= 2 && memcmp(p, "\xfe\xff", 2) == 0)
    s->bom = "UTF-16BE";
  /* As UTF-8: where it stops, and how much of it is valid. */
  for (i = 0; i < b->len;) {
    unsigned c = p[i];

    if (c == 0) {
      s->nul++;
      s->nul_odd += i & 1;
    } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
      s->control++;
    }
    n = utf8_seq(p + i, b->len - i);
    if (n > 1) {
      s->multibyte++;
      i += (size_t)n;
      continue;
    }
    if (n <= 0) {
      if (s->bad < 0) {
        s->bad = (long long)i;
        s->bad_cut = n < 0;
      }
      s->bad_count++;
    } else if (c == '\n' && s->bad < 0) {
      s->line++;
    }
    i++;
  }
  /* As a legacy encoding: single high bytes between ASCII, or pairs. */
  for (i = 0; i < b->len; i++) {
    unsigned c = p[i];
    unsigned d;

    if (c < 0x80)
      continue;
    s->high++;
    s->c1 += c <= 0x9f;
    s->undefined1252 +=
        c == 0x81 || c == 0x8d || c == 0x8f || c == 0x90 || c == 0x9d;
    if (i + 1 == b->len || p[i + 1] < 0x80) {
      if (i == 0 || p[i - 1] < 0x80)
        s->isolated++;
      if (i + 1 == b->len || p[i + 1] < 0x40)
        continue;
    }
    if (i + 1 == b->len)
      continue;
    d = p[i + 1];
    s->pairs++;
    if (((c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc)) && d >= 0x40 &&
        d <= 0xfc && d != 0x7f)
      s->sjis_pairs++;
    if (c >= 0xa1 && c <= 0xfe && d >= 0xa1 && d <= 0xfe)
      s->euc_pairs++;
    i++;
  }
}

/* The likely encoding of the file, for Python and for iconv, with the
 * cause id and a phrase. Returns the cause id. */
typedef struct guess {
  const char *id;     /* cause id */
  const char *python; /* encoding= value, or NULL */
  const char *iconv;  /* iconv -f value, or NULL */
  const char *what;   /* a phrase for the report */
  int certain;        /* the bytes allow no other reading */
} guess_t;

static void guess_encoding(const bytes_t *b, const scan_t *s, guess_t *g) {
  size_t text;

  memset(g, 0, sizeof(*g));
  text = b->len > 0 ? b->len : 1;
  if (s->bom != NULL && strncmp(s->bom, "UTF-16", 6) == 0) {
    g->id = "utf16";
    g->python = "utf-16";
    g->iconv = "UTF-16";
    g->what = strcmp(s->bom, "UTF-16LE") == 0
                  ? "UTF-16 (little-endian): it starts with the byte order "
                    "mark FF FE"
                  : "UTF-16 (big-endian): it starts with the byte order "
                    "mark FE FF";
    g->certain = 1;
  } else if (s->bom != NULL && strcmp(s->bom, "UTF-32LE") == 0) {
    g->id = "utf16";
    g->python = "utf-32";
    g->iconv = "UTF-32";
    g->what = "UTF-32: it starts with the byte order mark FF FE 00 00";
    g->certain = 1;
  } else if (s->nul * 4 > text && s->nul_odd * 10 > s->nul * 9 &&
             s->control * 20 < text) {
    g->id = "utf16";
    g->python = "utf-16-le";
    g->iconv = "UTF-16LE";
    g->what = "likely UTF-16 (little-endian) without a byte order mark: "
              "every other byte is NUL";
  } else if (s->nul * 4 > text && s->nul_odd * 10 < s->nul &&
             s->control * 20 < text) {
    g->id = "utf16";
    g->python = "utf-16-be";
    g->iconv = "UTF-16BE";
    g->what = "likely UTF-16 (big-endian) without a byte order mark: every "
              "other byte is NUL";
  } else if (s->nul > 0 || s->control * 20 > text) {
    g->id = "binary";
    g->what = "binary data, not text: it has NUL or control bytes";
  } else if (s->bad >= 0 && s->bad_cut && s->bad_count == 1 &&
             (size_t)s->bad + 4 >= b->len && !b->cut) {
    g->id = "truncated";
    g->python = NULL;
    g->what = "UTF-8 cut short: the last character is incomplete (the "
              "file was truncated or is still being written)";
    g->certain = 1;
  } else if (s->multibyte > 0 && s->multibyte >= s->bad_count * 4) {
    g->id = "mixed-encoding";
    g->what = "mostly valid UTF-8 with a few bytes in another encoding "
              "(text pasted from another source, or damaged)";
  } else if (s->isolated * 10 >= s->high * 7) {
    g->id = "legacy-encoding";
    if (s->undefined1252 > 0) {
      g->python = "latin-1";
      g->iconv = "ISO-8859-1";
      g->what = "likely latin-1 (ISO-8859-1): single bytes >= 0x80 between "
                "ASCII, some of them unused in cp1252";
    } else {
      g->python = "cp1252";
      g->iconv = "CP1252";
      g->what = s->c1 > 0
                    ? "likely cp1252 (Windows Western European): single "
                      "bytes >= 0x80 between ASCII, some in 0x80-0x9f "
                      "(curly quotes, dashes)"
                    : "likely cp1252 or latin-1 (the two read these bytes "
                      "alike): single bytes >= 0xa0 between ASCII";
    }
  } else if (s->sjis_pairs > s->euc_pairs) {
    g->id = "legacy-encoding";
    g->python = "shift_jis";
    g->iconv = "SHIFT_JIS";
    g->what = "likely Shift-JIS (Japanese): pairs of bytes in its ranges";
  } else if (s->euc_pairs > 0) {
    g->id = "legacy-encoding";
    g->python = "gbk";
    g->iconv = "GBK";
    g->what = "a double-byte East Asian encoding (pairs of bytes "
              "0xa1-0xfe): GBK, EUC-KR or EUC-JP, which the bytes alone "
              "do not tell apart; GBK is tried first";
  } else {
    g->id = "legacy-encoding";
    g->what = "another encoding than UTF-8, which the bytes do not name";
  }
}

/* ---------------------------------------------------------------------- */
/* Which file                                                              */

/* The command's file argument (absolute, regular) that is not valid
 * UTF-8 in its first bytes, or a literal of the source line. */
static int invalid_utf8_file(const char *path) {
  bytes_t b;
  scan_t s;
  int bad;

  if (!ex__tool_is_file(path) || read_bytes(path, &b) != 0)
    return 0;
  scan_bytes(&b, &s);
  bad = s.bad >= 0;
  free(b.buf);
  return bad;
}

/* The string literals of a source line ('a', "b"), tried as files
 * relative to the command's cwd. */
static int from_source_line(const ex_proc_t *proc, const char *line, char *out,
                            size_t size, size_t *lit_end) {
  const char *p;
  const char *end;
  char lit[PATH_CAP];
  char *abs;
  int n;

  n = 0;
  for (p = line; *p != '\0' && n < LITERALS_MAX; p++) {
    if (*p != '\'' && *p != '"')
      continue;
    end = strchr(p + 1, *p);
    if (end == NULL)
      break;
    n++;
    snprintf(lit, sizeof(lit), "%.*s", (int)(end - p - 1), p + 1);
    p = end;
    if (lit[0] == '\0' || strchr(lit, '{') != NULL)
      continue;
    abs = ex__path_absolute(proc, lit);
    if (abs != NULL && invalid_utf8_file(abs)) {
      ex_strlcpy(out, abs, size);
      *lit_end = (size_t)(end - line);
      free(abs);
      return 1;
    }
    free(abs);
  }
  return 0;
}

/* The source line with the encoding given to the call that opens the
 * file: encoding='x' replaced when the line has one, else added before
 * the parenthesis that closes the call whose argument ends at lit_end.
 * Returns 1 when out holds the new line. */
static int line_with_encoding(const char *line, size_t lit_end, const char *enc,
                              char *out, size_t size) {
  const char *p;
  const char *q;
  int depth;
  char quote;

  p = strstr(line, "encoding=");
  if (p != NULL && (p[9] == '\'' || p[9] == '"')) {
    q = strchr(p + 10, p[9]);
    if (q == NULL)
      return 0;
    snprintf(out, size, "%.*s'%s'%s", (int)(p + 9 - line), line, enc, q + 1);
    return 1;
  }
  depth = 0;
  quote = 0;
  for (p = line + lit_end + 1; *p != '\0'; p++) {
    if (quote != 0) {
      if (*p == quote)
        quote = 0;
    } else if (*p == '\'' || *p == '"') {
      quote = *p;
    } else if (*p == '(') {
      depth++;
    } else if (*p == ')' && depth-- == 0) {
      snprintf(out, size, "%.*s, encoding='%s'%s", (int)(p - line), line, enc,
               p);
      return 1;
    }
  }
  return 0;
}

/* Windows-1252's characters for 0x80-0x9f (0: unused). */
static const unsigned short cp1252_c1[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017d, 0,
    0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178};

/* The character byte stands for in cp1252 (or latin-1), as UTF-8 in out;
 * "" when it stands for none. */
static void char_of(unsigned byte, int latin1, char *out) {
  unsigned cp;

  cp = byte >= 0xa0 || latin1 ? byte
       : byte >= 0x80         ? cp1252_c1[byte - 0x80]
                              : byte;
  if (cp < 0xa0 && (byte >= 0x80 || cp < 0x20)) {
    out[0] = '\0';
  } else if (cp < 0x800) {
    out[0] = (char)(0xc0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3f));
    out[2] = '\0';
  } else {
    out[0] = (char)(0xe0 | cp >> 12);
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    out[3] = '\0';
  }
}

/* Line `line` (1-based) of the file at path into out. */
static int source_line(const char *path, long line, char *out, size_t size) {
  char *text;
  char *p;
  char *eol;
  long i;

  text = ex__tool_slurp(path);
  if (text == NULL)
    return 0;
  p = text;
  for (i = 1; i < line && p != NULL; i++) {
    p = strchr(p, '\n');
    if (p != NULL)
      p++;
  }
  if (p == NULL) {
    free(text);
    return 0;
  }
  eol = strchr(p, '\n');
  snprintf(out, size, "%.*s", (int)(eol != NULL ? eol - p : (long)strlen(p)),
           p);
  free(text);
  return 1;
}

static const char *find_file(const ex_probe_event_t *ev, const ex_proc_t *proc,
                             char *out, size_t size, char *line, size_t lsize,
                             size_t *lit_end) {
  char *abs;
  size_t i;

  line[0] = '\0';
  *lit_end = 0;
  if (ev->subject_value != NULL && ev->subject_value[0] != '\0' &&
      ev->subject_kind != NULL && strcmp(ev->subject_kind, "path") == 0) {
    abs = ex__path_absolute(proc, ev->subject_value);
    if (abs != NULL && ex__tool_is_file(abs)) {
      ex_strlcpy(out, abs, size);
      free(abs);
      return "named by the message";
    }
    free(abs);
  }
  if (ev->location_file != NULL && ev->location_file[0] != '<' &&
      ev->location_line > 0) {
    abs = ex__path_absolute(proc, ev->location_file);
    if (abs != NULL && source_line(abs, ev->location_line, line, lsize) &&
        from_source_line(proc, line, out, size, lit_end)) {
      free(abs);
      return "opened by the source line the traceback shows";
    }
    free(abs);
  }
  for (i = 1; ev->command != NULL && ev->command[i] != NULL; i++) {
    if (ev->command[i][0] == '-')
      continue;
    abs = ex__path_absolute(proc, ev->command[i]);
    if (abs != NULL && invalid_utf8_file(abs)) {
      ex_strlcpy(out, abs, size);
      free(abs);
      return "named on the command line";
    }
    free(abs);
  }
  return NULL;
}

/* ---------------------------------------------------------------------- */

/* The encoding's name for Java (Charset.forName) and for the web's
 * TextDecoder (Node), from Python's. */
static const char *other_name(const char *python, int java) {
  static const struct {
    char python[12];
    char java[14];
    char web[14];
  } names[] = {
      {"cp1252", "windows-1252", "windows-1252"},
      {"latin-1", "ISO-8859-1", "iso-8859-1"},
      {"shift_jis", "Shift_JIS", "shift_jis"},
      {"gbk", "GBK", "gbk"},
      {"utf-16", "UTF-16", "utf-16le"},
      {"utf-16-le", "UTF-16LE", "utf-16le"},
      {"utf-16-be", "UTF-16BE", "utf-16be"},
      {"utf-32", "UTF-32", ""},
  };
  size_t i;

  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (strcmp(names[i].python, python) == 0)
      return java ? names[i].java : names[i].web;
  }
  return python;
}

/* The fix in the program's own language. */
static void fix_in_code(const ex_probe_event_t *ev, const char *file,
                        const char *python, int c1, const char *line,
                        size_t lit_end, ex_explanation_t *out) {
  char fixed[1100];
  const char *id;

  id = ev->rule_id != NULL ? ev->rule_id : "";
  if (strncmp(id, "java.", 5) == 0) {
    ex_fix_add_raw(
        out, 0, NULL,
        "read it with its charset: Files.readAllLines(Path.of(\"%s\"), "
        "Charset.forName(\"%s\")), or new InputStreamReader(in, "
        "\"%s\")",
        file, other_name(python, 1), other_name(python, 1));
  } else if (strncmp(id, "node.", 5) == 0) {
    /* Node's TextDecoder takes windows-1252 for latin-1 (0x80-0x9f become
     * control characters, not curly quotes and dashes): right only for a
     * file without those bytes. */
    if (strcmp(python, "cp1252") == 0 && c1)
      ex_fix_add_raw(out, 0, NULL,
                     "Node's TextDecoder('windows-1252') reads bytes "
                     "0x80-0x9f as latin-1 control characters: convert the "
                     "file (below), or decode it with the iconv-lite "
                     "package (iconv.decode(buf, 'win1252'))");
    else if (other_name(python, 0)[0] != '\0')
      ex_fix_add_raw(out, 0, NULL,
                     "decode it with its encoding: new TextDecoder('%s')",
                     other_name(python, 0));
  } else if (line[0] != '\0' &&
             line_with_encoding(line, lit_end, python, fixed, sizeof(fixed))) {
    ex_fix_add_raw(out, 0, NULL,
                   "read it with its encoding, in %s line %ld: "
                   "%s",
                   ev->location_file, ev->location_line,
                   fixed + strspn(fixed, " \t"));
  } else {
    ex_fix_add_raw(out, 0, NULL,
                   "read it with its encoding: open('%s', "
                   "encoding='%s')",
                   file, python);
  }
}

int ex__tool_decode_applies(const ex_probe_event_t *ev) {
  return ev->condition != NULL &&
         strcmp(ev->condition, "encoding-mismatch") == 0;
}

/* "data.csv" -> "data.utf8.csv", for the converted copy. */
static void utf8_copy_name(const char *path, char *out, size_t size) {
  const char *base;
  const char *dot;

  base = ex__tool_basename(path);
  dot = strrchr(base, '.');
  if (dot == NULL || dot == base)
    snprintf(out, size, "%s.utf8", path);
  else
    snprintf(out, size, "%.*s.utf8%s", (int)(dot - path), path, dot);
}

int ex__tool_decode_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_host_t *host, ex_explanation_t *out) {
  char file[PATH_CAP];
  char copy[PATH_CAP + 8];
  char line[1024];
  char glyph[8];
  char hex[64];
  size_t lit_end;
  int same;
  int python;
  const char *how;
  const char *byte_s;
  const char *pos_s;
  bytes_t b;
  scan_t s;
  guess_t g;
  ex_cause_t *c;
  long long pos;
  unsigned byte;
  size_t i;
  size_t n;
  int rc;

  (void)host;
  byte_s = ex_probe_capture(ev, "byte");
  pos_s = ex_probe_capture(ev, "position");
  byte = byte_s != NULL ? (unsigned)strtoul(byte_s, NULL, 16) : 0x100;
  pos = pos_s != NULL ? strtoll(pos_s, NULL, 10) : -1;
  if (byte_s != NULL)
    ex_facts_printf(&out->facts, "byte", "0x%02x", byte);
  if (pos >= 0)
    ex_facts_int(&out->facts, "position", pos);

  how = find_file(ev, proc, file, sizeof(file), line, sizeof(line), &lit_end);
  if (line[0] != '\0')
    ex_facts_str(&out->facts, "source_line", line);
  if (how == NULL) {
    ex_cause_add(out, "legacy-encoding", EX_VERDICT_UNKNOWN,
                 "the message names no file, and none was found that is not "
                 "UTF-8 (in the source line it printed, or on the command "
                 "line), so the bytes could not be read");
    ex_explanation_summary(out, "the data is not UTF-8; which file it came "
                                "from is not known");
    ex_fix_add_raw(out, 0, NULL,
                   "open the file with its real encoding (encoding='cp1252' "
                   "for Windows text), or errors='replace' to go on");
    return 0;
  }
  rc = read_bytes(file, &b);
  if (rc != 0) {
    ex_cause_add(out, "legacy-encoding", EX_VERDICT_UNKNOWN,
                 "%s could not be read: %s", file, strerror(-rc));
    return 0;
  }
  ex_facts_str(&out->facts, "file", file);
  ex_facts_str(&out->facts, "file_found_as", how);
  ex_facts_int(&out->facts, "bytes_read", (long long)b.len);
  scan_bytes(&b, &s);
  if (s.bom != NULL)
    ex_facts_str(&out->facts, "bom", s.bom);
  if (s.bad < 0) {
    out->stale = 1;
    ex_cause_add(out, "legacy-encoding", EX_VERDICT_RULED_OUT,
                 "%s is valid UTF-8 now (%zu bytes read%s)", file, b.len,
                 b.cut ? ", the start of it" : "");
    ex_explanation_summary(out, "%s (%s) is valid UTF-8 %s", file, how,
                           b.cut ? "as far as it was read" : "now");
    free(b.buf);
    return 0;
  }

  /* Where it stops being UTF-8: the byte, and the few after it. */
  n = (size_t)snprintf(hex, sizeof(hex), "0x%02x", b.buf[s.bad]);
  for (i = (size_t)s.bad + 1; i < b.len && i < (size_t)s.bad + 4; i++)
    n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%s%02x",
                          i == (size_t)s.bad + 1 ? " (followed by " : " ",
                          b.buf[i]);
  if (i > (size_t)s.bad + 1)
    snprintf(hex + n, sizeof(hex) - n, ")");
  /* Python's position counts in the block it decoded: the file's offset
   * for a whole read(), not for a file read line by line. */
  same = pos >= 0 && byte <= 0xff && (size_t)pos < b.len && b.buf[pos] == byte;
  c = ex_cause_add(out, "not-utf8", EX_VERDICT_CONFIRMED,
                   "%s (%s) is valid UTF-8 up to offset %lld (line %ld), "
                   "where the byte %s is not%s%s",
                   file, how, s.bad, s.line, hex,
                   s.multibyte > 0 ? "" : "; before it, the file is ASCII",
                   pos >= 0 && !same && pos != s.bad
                       ? "; the position in the message counts from the "
                         "start of the block Python was decoding, not of "
                         "the file"
                       : "");
  cf_int(c, "offset", s.bad);
  cf_int(c, "line", s.line);
  snprintf(hex, sizeof(hex), "%02x", b.buf[s.bad]);
  cf_str(c, "byte_at_offset", hex);
  cf_int(c, "invalid_bytes", (long long)s.bad_count);
  cf_int(c, "utf8_multibyte_before", (long long)s.multibyte);
  if (pos >= 0 && byte <= 0xff)
    cf_bool(c, "position_is_file_offset", same);

  guess_encoding(&b, &s, &g);
  ex_facts_str(&out->facts, "likely_encoding",
               g.python != NULL ? g.python : g.id);
  glyph[0] = '\0';
  if (g.python != NULL &&
      (strcmp(g.python, "cp1252") == 0 || strcmp(g.python, "latin-1") == 0))
    char_of(b.buf[s.bad], strcmp(g.python, "latin-1") == 0, glyph);
  c = ex_cause_add(out, g.id, EX_VERDICT_CONFIRMED, "%s is %s%s%s%s%s%s", file,
                   g.what, glyph[0] != '\0' ? " (0x" : "",
                   glyph[0] != '\0' ? hex : "", glyph[0] != '\0' ? " is " : "",
                   glyph, glyph[0] != '\0' ? " there)" : "");
  if (glyph[0] != '\0')
    cf_str(c, "character", glyph);
  cf_str(c, "encoding", g.python != NULL ? g.python : "");
  cf_bool(c, "certain", g.certain);
  if (strcmp(g.id, "binary") != 0)
    ex_cause_add(out, "binary", EX_VERDICT_RULED_OUT,
                 "%s has no NUL bytes and few control bytes: it is text", file);
  ex_explanation_summary(out, "%s is not UTF-8 from offset %lld: %s", file,
                         s.bad, g.what);

  /* Fixes. */
  python = ev->rule_id == NULL || strncmp(ev->rule_id, "python.", 7) == 0;
  if (strcmp(g.id, "binary") == 0) {
    ex_fix_add_raw(out, 0, NULL, "read it as bytes%s%s%s, not as text",
                   python ? ": open('" : "", python ? file : "",
                   python ? "', 'rb')" : "");
  } else if (strcmp(g.id, "mixed-encoding") == 0 ||
             strcmp(g.id, "truncated") == 0) {
    ex_fix_add_raw(out, 0, NULL,
                   "read it as UTF-8 and replace what is not%s%s%s, or "
                   "repair the bytes at offset %lld",
                   python ? ": open('" : "", python ? file : "",
                   python ? "', encoding='utf-8', errors='replace')" : "",
                   s.bad);
  } else if (g.python != NULL) {
    fix_in_code(ev, file, g.python, s.c1 > 0, line, lit_end, out);
    utf8_copy_name(file, copy, sizeof(copy));
    {
      const char *argv[] = {"iconv", "-f", g.iconv, "-t", "UTF-8",
                            "-o",    copy, file,    NULL};

      ex_fix_add_cmd(out, 0, argv,
                     "or convert a copy to UTF-8 (then use "
                     "it instead)");
    }
  }
  free(b.buf);
  return 0;
}
