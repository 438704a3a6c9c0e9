/* Claims: for each cause id, the hypothesis it tests.
 *
 * A cause's text says what a probe saw ("every directory above /data lets
 * ana search it"); read alone under a cross, that reads like a problem. The
 * claim is what the cause would be if it held ("a directory on the way
 * denies search"), so a report can say "✘ <claim>: <what was seen>" and a
 * ruled-out line reads as a cause that does not hold. Claims are short,
 * lower case, and general enough for every explainer that uses the id.
 *
 * Every id an explainer can pass to ex_cause_add() has a line here; a test
 * (tests/e2e/test_claims.py) reads the explainers' sources and fails on an
 * id without one. An empty claim marks a cause that is only information
 * (no hypothesis to state): its text is shown alone.
 */
#include "platform/probe.h"

#include <string.h>

/* Arrays rather than pointers: a table of pointers in a position-independent
 * program costs one relocation per pointer at every start of explain
 * (about 350 here, 4600 instructions and a written page), for a table read
 * only after a failure. */
typedef struct claim {
  char id[32];
  char claim[72];
} claim_t;

static const claim_t claims[] = {
    {"abort", "the program aborted itself"},
    {"acl-denies", "a POSIX ACL denies access"},
    {"address-space-limit", "the address space is limited (ulimit -v)"},
    {"apparmor", "AppArmor denies access"},
    {"append-only", "the file is append-only"},
    {"arithmetic-exception", "an arithmetic exception stopped the program"},
    {"assertion-failed", "an assertion failed"},
    {"binary", "the file is binary data, not text"},
    {"bind-mount", "the files come from a mount that keeps another owner"},
    {"blocks-exhausted", "the file system ran out of space"},
    {"breakpoint-trap", "the program hit a breakpoint"},
    {"bundle", "a bundle (AppImage, conda env) was built for a newer system"},
    {"cgroup-limit", "a memory cgroup limit applies"},
    {"cgroup-oom-kill", "the memory cgroup's limit was reached"},
    {"chown-needs-capability", "giving a file away needs CAP_CHOWN"},
    {"ci-container", "CI or a container runs git as another user"},
    {"ci-image", "this runs in a container or CI image"},
    {"class-leak", "classes are loaded without end (a class-loader leak)"},
    {"classpath", "the class is not on the class path"},
    {"cmake-target", "-l names a CMake target that was not defined"},
    {"component-too-long", "a name in the path is longer than allowed"},
    {"container", "a Docker container publishes the port"},
    {"container-localhost", "localhost is the container itself"},
    {"container-volume", "the container mounts the volume read-only"},
    {"content", "the file's content is not a program"},
    {"controlled-folder-access", "the folder is protected by Controlled "
                                 "Folder Access"},
    {"core-dump", "a core dump was written"},
    {"corrupt-elf", "the program file is damaged or truncated"},
    {"cpu-lacks-feature", "the CPU lacks an instruction the program uses"},
    {"crashed", "an earlier git was killed and left its lock"},
    {"create-denied", "the directory's permissions deny adding or removing "
                      "entries"},
    {"crlf-in-name", "the name ends with a carriage return"},
    {"crlf-shebang", "the #! line ends with a carriage return"},
    {"cwd", "the command ran from the wrong directory"},
    {"dangling-symlink", "a symbolic link points to nothing"},
    {"deleted-open-files", "deleted files still held open take the space"},
    {"deliberate-trap", "the program trapped on purpose"},
    {"dev-package", "the development package is not installed"},
    {"dir-not-searchable", "a directory on the way may not be searched"},
    {"dist-name", "the package has another name than the module"},
    {"division-by-zero", "an integer division by zero"},
    {"excluded-port-range", "the port is in a range Windows reserves"},
    {"exists-elsewhere", "the file exists relative to another directory"},
    {"exists-now", "the path exists now"},
    {"fd-leak", "the program leaks descriptors"},
    {"file", "the file itself is at fault"},
    {"file-held-open", "another process has the file open"},
    {"file-missing", "the file does not exist"},
    {"file-name", "the class's file name does not match its name"},
    {"found-elsewhere", "the library is where the loader does not look"},
    {"fuse-without-allow-other", "a FUSE mount without allow_other shuts "
                                 "out other users"},
    {"global-only", "the module is installed only globally"},
    {"group-membership-not-active", "a group membership is not active yet"},
    {"hard-limit", "the hard limit stops a higher soft limit"},
    {"heap-limit-default", "the default heap limit applies"},
    {"heap-limit-set", "a heap limit is set"},
    {"held-by", "another process holds the lock"},
    {"hidden-holder", "a process explain cannot see holds the port"},
    {"holder", "a process holds the port"},
    {"holder-gone", "the process that held the lock has exited"},
    {"home-changed", "git read another HOME's configuration"},
    {"illegal-instruction", "the CPU refused an instruction"},
    {"immutable", "the file is immutable"},
    {"in-default-dir", "the library is where the loader always looks"},
    {"in-jar", "the class is inside a jar not on the class path"},
    {"in-ld-library-path", "the library is on LD_LIBRARY_PATH now"},
    {"in-project", "the program is in the project, outside PATH"},
    {"in-runpath", "the library is on the program's RUNPATH now"},
    {"inactive-venv", "the program is in a virtual environment that is not "
                      "active"},
    {"include-path", "the header is installed but not on the include path"},
    {"inodes-exhausted", "the file system ran out of inodes"},
    {"interpreter-noexec", "the interpreter is on a noexec mount"},
    {"interpreter-not-executable", "the interpreter is not executable"},
    {"is-a-directory", "the path is a directory"},
    {"is-directory", "the command is a directory"},
    {"jump-to-non-executable-memory", "the program jumped to memory that is "
                                      "not executable"},
    {"killed", "the process was killed"},
    {"large-allocation", "one allocation was too large"},
    {"legacy-encoding", "the file is in a legacy encoding"},
    {"library-missing", "the library that defines the symbol is not linked"},
    {"library-order", "the library comes before the files that use it"},
    {"linkage", "the symbol's linkage differs (C or C++, ABI)"},
    {"local-package", "a local package is not on Python's path"},
    {"low-limit", "the open-files limit is low"},
    {"machine-low", "the machine is short of memory"},
    {"metaspace-limit", "metaspace is limited"},
    {"misaligned-access", "a misaligned memory access"},
    {"missing-component", "a component of the path is missing"},
    {"missing-directory", "a directory on the way does not exist"},
    {"missing-file", "the file does not exist"},
    {"missing-interpreter", "the interpreter does not exist"},
    {"mixed-encoding", "the file mixes encodings"},
    {"near-limit", "the program was near its descriptor limit"},
    {"near-miss-name", "the name is a near miss (case, typo)"},
    {"newer-build", "the program was built for a newer glibc"},
    {"nfs-root-squash", "NFS maps root to nobody (root_squash)"},
    {"no-backtrace", ""},
    {"no-exception", "no safe.directory entry covers the repository"},
    {"no-headroom", "a larger heap would not fit"},
    {"no-shebang", "the script has no #! line"},
    {"no-venv", "pip ran outside a virtual environment"},
    {"no-x-bit", "the file lacks execute permission"},
    {"node-modules-bin", "the program is installed locally in "
                         "node_modules/.bin"},
    {"node-too-old", "Node is too old for this built-in"},
    {"noexec-mount", "the file is on a noexec mount"},
    {"nofollow", "the program refused to follow a symlink"},
    {"non-canonical-address", "the program used an invalid pointer"},
    {"not-a-directory", "a component of the path is not a directory"},
    {"not-a-program", "the path is not a program"},
    {"not-compiled", "the class's source was never compiled"},
    {"not-declared", "the module is not declared in package.json"},
    {"not-in-cache", "the library is missing from the loader's cache"},
    {"not-in-group", "the user is not in the group that has access"},
    {"not-installed", "it is not installed"},
    {"not-owner", "only the owner may change the mode"},
    {"not-running", "nothing listens on the port"},
    {"not-utf8", "the file is not valid UTF-8"},
    {"nproc-limit", "the process limit (ulimit -u) was reached"},
    {"null-pointer-dereference", "the program used a NULL pointer"},
    {"object-missing", "an object file is missing from the link"},
    {"old-default-java", "the default java is older than the class"},
    {"on-path-instead", "another program of that name is on PATH"},
    {"on-path-not-executable", "the file on PATH is not executable"},
    {"on-path-now", "the program is on PATH now"},
    {"onedrive-sync", "the folder is synced by OneDrive"},
    {"oom-kill", "the kernel's OOM killer ended it"},
    {"other-apt", "another package manager holds the lock"},
    {"other-architecture", "the library is installed only for another "
                           "architecture"},
    {"other-instance", "another instance of the program holds the lock"},
    {"other-interpreter", "the module is installed for another Python"},
    {"other-libc", "another libc was loaded"},
    {"other-process", "another process listens on the port"},
    {"other-version", "another version of the library is installed"},
    {"outside-path", "the program is installed outside PATH"},
    {"owner-mismatch", "the repository belongs to another user"},
    {"owner-unmapped", "the owner is not mapped in the user namespace"},
    {"package", "the class belongs to another package"},
    {"past-end-of-mapped-file", "an access past the end of a mapped file"},
    {"path-missing", "the path's permissions deny access"},
    {"path-too-long", "the path is longer than allowed"},
    {"path-unknown", "the path's permissions deny access"},
    {"pip-mismatch", "pip installs for another Python"},
    {"port-held", "another process holds the port"},
    {"previous-instance", "an earlier instance of the program still listens"},
    {"privileged-port", "the port is privileged"},
    {"protected-regular", "fs.protected_regular denies the open"},
    {"quota-exceeded", "the disk quota is used up"},
    {"read-denied", "the permissions deny reading"},
    {"read-only-attribute", "the file has the read-only attribute"},
    {"read-only-bind-mount", "a bind mount is read-only"},
    {"read-only-file-system", "the file system is read-only"},
    {"read-only-file-system-type", "the file system cannot be written"},
    {"read-only-mount", "the file system is mounted read-only"},
    {"relative-path", "the relative path names no file"},
    {"relative-to-cwd", "the relative path was resolved elsewhere"},
    {"reserved-for-root", "the space left is reserved for root"},
    {"root-without-capability", "root runs without the capability"},
    {"running", "another process is using it"},
    {"sbin-not-on-path", "the program is in an sbin directory not on PATH"},
    {"script-not-readable", "the script is not readable"},
    {"search-denied", "a directory on the way denies search"},
    {"search-path", "the library is not on the linker's search path"},
    {"security-policy", "a security policy denies it"},
    {"segmentation-fault", "an invalid memory access"},
    {"selinux", "SELinux denies access"},
    {"sent-by-a-process", "another process sent the signal"},
    {"several-jdks", "another installed Java can run the class"},
    {"shadowing", "a local file hides the package"},
    {"signal-sent", "a process sent the signal"},
    {"similar-name", "a similar name is installed"},
    {"source-build", "a package manager builds it from source"},
    {"stack-memory", "thread stacks use up the memory"},
    {"stack-overflow", "the stack overflowed"},
    {"stat-failed", "the file itself is at fault"},
    {"sticky-directory", "a sticky directory protects the file"},
    {"symlink-loop", "symbolic links form a loop"},
    {"system-table-full", "the system's file table is full"},
    {"time-wait", "connections in TIME_WAIT block the port"},
    {"tmpfs-size-limit", "the tmpfs size limit was reached"},
    {"truncated", "the file ends in the middle of a character"},
    {"unattended-upgrades", "unattended-upgrades holds the lock"},
    {"unmapped-address", "the program used a dangling or wild pointer"},
    {"utf16", "the file is UTF-16, not UTF-8"},
    {"venv-inactive", "a virtual environment exists but was not used"},
    {"write-denied", "the permissions deny writing"},
    {"write-to-read-only-memory", "the program wrote to read-only memory"},
    {"writer", "a process has the file open for writing"},
    {"wrong-address", "the server listens on another address"},
    {"wrong-architecture", "the program is built for another architecture"},
};

const char *ex_cause_claim(const char *id) {
  size_t i;

  /* About 180 entries, looked up once per cause: a scan is fast enough and
   * does not depend on the table's order. */
  for (i = 0; id != NULL && i < sizeof(claims) / sizeof(claims[0]); i++) {
    if (strcmp(claims[i].id, id) == 0)
      return claims[i].claim;
  }
  return NULL;
}
