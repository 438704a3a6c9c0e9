/* Internal to trace/: the system call table, decoding, the tracer's entry
 * point and what it sends to explain. */
#ifndef EX_TRACE_INT_H
#define EX_TRACE_INT_H

#include "platform/trace.h"

#include <stdint.h>

/* A traced system call. args says how each argument is shown, one letter
 * per argument:
 *   d dirfd            P path (the subject)   p another path
 *   s string           f open flags           m mode (open: with O_CREAT)
 *   M mode             a access mode          F AT_* flags
 *   u uid or gid       i int                  x pointer or number (hex)
 *   v argv             S sockaddr (the next argument is its length)
 *   D socket domain    T socket type          H struct open_how
 * op is the operation the explainers know ("read", "write", ...), or
 * "open" / "access" to derive it from the flags or the mode. */
/* Arrays, not pointers: no relocation for the loader to write at every
 * start (rules/errno.c). */
typedef struct ex__trace_sys {
  int nr;
  char name[24];
  char args[8];
  char op[16];
  int lookup; /* a lookup that searches (open, stat, access, exec): its
                 ENOENT is noise when the same file name is then found */
} ex__trace_sys_t;

extern const ex__trace_sys_t ex__trace_sys[];
extern const size_t ex__trace_nsys;

/* Reads up to size-1 bytes of the NUL-terminated string at addr in tid into
 * buf (always NUL-terminated). Returns its length, or -1. *cut is set when
 * the string was longer. */
long ex__trace_read_str(pid_t tid, uint64_t addr, char *buf, size_t size,
                        int *cut);

/* Reads size bytes at addr in tid. Returns 0 or -1. */
int ex__trace_read_mem(pid_t tid, uint64_t addr, void *buf, size_t size);

/* Decodes a failed call of sys with arguments args that returned -err into
 * c (name, call, subject, operation, errno, relevance). The path subject is
 * resolved against tid's cwd or dirfd. base receives the file name of the
 * path argument (for noise matching) and raw the path as given, "" when
 * none. */
void ex__trace_decode(const ex__trace_sys_t *sys, pid_t tid,
                      const uint64_t args[6], int err, ex_trace_call_t *c,
                      char *base, size_t basesize, char *raw,
                      size_t rawsize);

/* The file name of the path argument of sys (for a lookup that succeeded),
 * into base, and the path as given into raw; "" when none. */
void ex__trace_basename(const ex__trace_sys_t *sys, pid_t tid,
                        const uint64_t args[6], char *base, size_t basesize,
                        char *raw, size_t rawsize);

/* The tracer's main: never returns. req: the pid of the spawn child
 * arrives here; ack: the seize result goes back; out: the log. */
void ex__trace_tracer_main(int req, int ack, int out)
    __attribute__((noreturn));

/* Sent by the tracer after the command exited: this header, then `count`
 * ex_trace_call_t. */
#define EX__TRACE_MAGIC 0x54524331u /* "TRC1" */
typedef struct ex__trace_wire {
  uint32_t magic;
  uint32_t count;
  uint64_t failed;
  uint64_t dropped;
  uint64_t stops;
} ex__trace_wire_t;

/* The tracer's answer to the spawn child: 0 when seized, else an errno. */
typedef struct ex__trace_ack {
  int32_t err;
} ex__trace_ack_t;

#endif
