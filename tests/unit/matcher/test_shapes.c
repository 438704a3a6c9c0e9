/* Unit tests of the stages around the rules: log prefixes stripped before
 * matching, the errno-phrase recogniser and its findings, success lines at
 * the end of the output, output that went by unscanned, and a matcher
 * reused after a reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/matcher.h"
#include "matcher/matcher_int.h"

#include "matcher_helpers.h"

#define RULES_HEAD "{'format':'explain-rules/1','rules':["

/* A rule anchored at ^, Python's with a context line, the recogniser, and
 * prefixes that stack (a timestamp, a Compose service, a klog header). */
static const char *const shape_rules = RULES_HEAD
    "{'id':'go.open','title':'t','tags':['go'],"
    " 'patterns':['^open (?<path>\\\\S+): permission denied$'],"
    " 'event':{'errno':'EACCES','operation':'open','subject':{'kind':'path',"
    "'value':'${path}'}},'meaning':'m'},"
    "{'id':'py.perm','title':'t','tags':['python'],"
    " 'patterns':['^PermissionError: \\\\[Errno (?<errno>\\\\d+)\\\\] "
    "[^:]+: .(?<path>[^\\']+).$'],"
    " 'context':{'before':{'lines':10,'pattern':'^File \\\\x22(?<file>[^"
    "\\\\x22]+)\\\\x22, line (?<line>\\\\d+)'}},"
    " 'event':{'errno':'${errno}','operation':'open','subject':{'kind':"
    "'path','value':'${path}'}},"
    " 'location':{'file':'${file}','line':'${line}'},'meaning':'m'},"
    "{'id':'go.dial','title':'t','tags':['go'],"
    " 'patterns':['dial tcp (?<addr>\\\\S+): connect: connection refused'],"
    " 'event':{'errno':'ECONNREFUSED','operation':'connect','subject':"
    "{'kind':'address','value':'${addr}'}},'meaning':'m'},"
    "{'id':'pip.warn','title':'t','tags':['pip'],"
    " 'patterns':['^WARNING: pip (?<what>is configured with locations)'],"
    " 'event':{'condition':'pip-warned','operation':'other','subject':"
    "{'kind':'none','value':''}},'meaning':'m'},"
    "{'id':'make.failed','title':'t','tags':['make'],'role':'fallout',"
    " 'patterns':['^make: \\\\*\\\\*\\\\* \\\\[(?<t>[^\\\\]]+)\\\\] Error'],"
    " 'event':{'condition':'build-failed','operation':'other','subject':"
    "{'kind':'none','value':''}},'meaning':'m'},"
    "{'id':'errno.phrase','title':'t','tags':['errno'],"
    " 'recogniser':'errno-phrase','confidence':'low',"
    " 'meaning':'${words}|${message}|${errno}|${operation}|${subject}'}],"
    "'prefixes':["
    " {'id':'ci.ts','pattern':'\\\\d{4}-\\\\d\\\\d-\\\\d\\\\dT[\\\\d:.]+Z '},"
    " {'id':'ci.compose','pattern':'[a-z][\\\\w-]*\\\\s+\\\\| '},"
    " {'id':'k8s.klog-warning','pattern':'W\\\\d{4} [\\\\d:.]+\\\\s+\\\\d+ "
    "\\\\S+:\\\\d+\\\\] ','level':'warning'},"
    " {'id':'k8s.klog-error','pattern':'E\\\\d{4} [\\\\d:.]+\\\\s+\\\\d+ "
    "\\\\S+:\\\\d+\\\\] ','level':'error'},"
    " {'id':'log.warning','pattern':'WARNING: ','level':'warning'},"
    " {'id':'pip.indent','pattern':'[ \\\\t]+'}],"
    "'success':[{'id':'pip.ok','pattern':'Successfully installed \\\\S'}]}";

static void test_normalise(void **state) {
  static const char line[] = "2023-05-04T10:11:12.345Z web-1  | E1223 "
                             "10:00:00.000000       1 file.go:324] boom";
  ex_ruleset_t *set = load(shape_rules);
  ex_normaliser_t *n = NULL;
  ex_norm_t nm;

  (void)state;
  assert_int_equal(ex_normaliser_new(set, &n), 0);
  assert_int_equal(ex_normaliser_count(n), 6);
  ex_normalise(n, line, strlen(line), &nm);
  assert_int_equal(nm.depth, 3);
  assert_string_equal(nm.shape[0]->id, "ci.ts");
  assert_string_equal(nm.shape[1]->id, "ci.compose");
  assert_string_equal(nm.shape[2]->id, "k8s.klog-error");
  assert_string_equal(line + nm.off[1], "web-1  | E1223 10:00:00.000000      "
                                        " 1 file.go:324] boom");
  assert_string_equal(line + nm.off[3], "boom");
  assert_int_equal(nm.level[1], EX_LEVEL_NONE);
  assert_int_equal(nm.level[3], EX_LEVEL_ERROR);
  ex_normalise(n, "    indented", 12, &nm);
  assert_int_equal(nm.depth, 1);
  assert_int_equal(nm.off[1], 4);
  ex_normalise(n, "plain text", 10, &nm);
  assert_int_equal(nm.depth, 0);
  /* A line that is only a prefix leaves an empty message. */
  ex_normalise(n, "web-1  | ", 9, &nm);
  assert_int_equal(nm.depth, 1);
  assert_int_equal(nm.off[1], 9);
  ex_normaliser_free(n);
  ex_ruleset_free(set);
}

/* Anchored patterns match behind the prefixes; the evidence is the line as
 * printed; a warning prefix hides the message from rules and recogniser:
 * what a pattern reads in a warning's message (an unanchored one in the
 * whole line) comes after the failures, and not at all alone. */
static void test_prefixed_rules(void **state) {
  static const struct {
    const char *text;
    const char *want;
  } cases[] = {
      {"2023-05-04T10:11:12.345Z web-1  | E1223 10:00:00.000000       1 "
       "f.go:324] open /etc/app.yaml: permission denied\n",
       "go.open x1 L1 EACCES op=open s=/etc/app.yaml\n"},
      {"web-1  | W1223 10:00:00.000000       1 f.go:324] open /x: "
       "permission denied\n",
       ""},
      {"   open /x: permission denied\n",
       "go.open x1 L1 EACCES op=open s=/x\n"},
      /* Unanchored, it reads a warning's message: only beside a failure,
       * and after it; the fallout folds under the failure. */
      {"WARNING: dial tcp 10.0.0.1:5432: connect: connection refused\n", ""},
      {"WARNING: dial tcp 10.0.0.1:5432: connect: connection refused\n"
       "open /x: permission denied\n"
       "make: *** [all] Error 1\n",
       "go.open x1 L2 EACCES op=open s=/x\n"
       "  make.failed x1 L3 op=other\n"
       "go.dial x1 L1 ECONNREFUSED op=connect s=10.0.0.1:5432\n"},
      {"WARNING: dial tcp 10.0.0.1:5432: connect: connection refused\n"
       "make: *** [all] Error 1\n",
       "make.failed x1 L2 op=other\n"
       "go.dial x1 L1 ECONNREFUSED op=connect s=10.0.0.1:5432\n"},
      /* A pattern that spells out the warning prefix means it. */
      {"WARNING: pip is configured with locations that require TLS\n",
       "pip.warn x1 L1 op=other\n"},
      /* The recogniser, the same. */
      {"WARNING: open /y: no such file or directory\n", ""},
      /* A traceback with timestamps: the context line behind its prefix. */
      {"2023-05-04T10:11:12.1Z Traceback (most recent call last):\n"
       "2023-05-04T10:11:12.1Z   File \"/srv/app.py\", line 7, in <module>\n"
       "2023-05-04T10:11:12.2Z PermissionError: [Errno 13] Permission "
       "denied: '/data/out.csv'\n",
       "py.perm x1 L3 EACCES op=open s=/data/out.csv at=/srv/app.py:7 +L2\n"},
  };
  ex_ruleset_t *set = load(shape_rules);
  ex_matcher_t *m = NULL;
  char out[1024];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    run_matcher(set, cases[i].text, strlen(cases[i].text), 7, out, sizeof(out),
                NULL);
    if (strcmp(out, cases[i].want) != 0) {
      print_error("case %zu: got \"%s\"\n", i, out);
      fail();
    }
  }
  assert_int_equal(ex_matcher_new(set, &m), 0);
  assert_int_equal(ex_matcher_feed(m, EX_STREAM_STDERR, cases[0].text,
                                   strlen(cases[0].text)),
                   0);
  assert_int_equal(ex_matcher_finish(m), 0);
  assert_int_equal(ex_matcher_count(m), 1);
  assert_memory_equal(ex_matcher_get(m, 0)->evidence[0].text, cases[0].text,
                      strlen(cases[0].text) - 1);
  ex_matcher_free(m);
  ex_ruleset_free(set);
}

/* What the recogniser reads, and where it stays silent. */
static void test_errphrase(void **state) {
  static const struct {
    const char *line;
    const char *want; /* "ERRNO|condition|operation|kind=subject|words" */
  } cases[] = {
      {"open /etc/app.yaml: no such file or directory",
       "ENOENT||open|path=/etc/app.yaml|open /etc/app.yaml: no such file or "
       "directory"},
      {"panic: dial tcp 127.0.0.1:5432: connect: connection refused",
       "ECONNREFUSED||connect|address=127.0.0.1:5432|dial tcp "
       "127.0.0.1:5432: connect: connection refused"},
      {"listen tcp :8080: bind: address already in use",
       "EADDRINUSE||bind|port=8080|listen tcp :8080: bind: address already in "
       "use"},
      {"dial tcp: lookup db on 127.0.0.11:53: no such host",
       "|name-resolution-failed|resolve|host=db|lookup db on 127.0.0.11:53: "
       "no such host"},
      {"Error: EACCES: permission denied, open '/opt/x'",
       "EACCES||open|path=/opt/x|EACCES: permission denied, open '/opt/x'"},
      {"Error: Os { code: 13, kind: PermissionDenied, message: \"Permission "
       "denied\" }",
       "EACCES|||-|Os { code: 13, kind: PermissionDenied, message: "
       "\"Permission denied"},
      {"java.io.FileNotFoundException: /data/x (Permission denied)",
       "EACCES||open|path=/data/x|/data/x (Permission denied)"},
      {"OSError: [Errno 28] No space left on device: '/var/tmp/x'",
       "ENOSPC|||path=/var/tmp/x|[Errno 28] No space left on device: "
       "'/var/tmp/x'"},
      {"docker: Error response from daemon: error while creating mount "
       "source path '/srv/d': mkdir /srv/d: read-only file system.",
       "EROFS||mkdir|path=/srv/d|mkdir /srv/d: read-only file system"},
      {"Error: connect ECONNREFUSED 172.19.0.2:3306",
       "ECONNREFUSED||connect|address=172.19.0.2:3306|connect ECONNREFUSED "
       "172.19.0.2:3306"},
      {"Error: listen EADDRINUSE: address already in use :::3000",
       "EADDRINUSE||bind|port=3000|listen EADDRINUSE: address already in use "
       ":::3000"},
      {"Error: EACCES, mkdir '/Users/u'",
       "EACCES||mkdir|path=/Users/u|EACCES, mkdir '/Users/u'"},
      {"mkdir: can't create directory '/etc/ccd': Permission Denied",
       "EACCES||mkdir|path=/etc/ccd|can't create directory '/etc/ccd': "
       "Permission Denied"},
      {"nginx: [emerg] mkdir() \"/var/lib/nginx/tmp\" failed (30: Read-only "
       "file system)",
       "EROFS||mkdir|path=/var/lib/nginx/tmp|[emerg] mkdir() "
       "\"/var/lib/nginx/tmp\" failed (30: Read-only file system"},
      {"curl: (6) Could not resolve host: registry.npmjs.org",
       "|name-resolution-failed|resolve|host=registry.npmjs.org|(6) Could not "
       "resolve host: registry.npmjs.org"},
      {"Error: Permission denied (os error 13)",
       "EACCES|||-|Error: Permission denied"},
      {"libfoo.so: cannot open shared object file: No such file or directory",
       "ENOENT|shared-library-missing|load|library=libfoo.so|libfoo.so: "
       "cannot open shared object file: No such file or directory"},
      {"write unix /var/run/docker.sock->@: write: broken pipe",
       "EPIPE||write|path=/var/run/docker.sock|write unix "
       "/var/run/docker.sock->@: write: broken pipe"},
      {"open /etc/x: Permission denied at ./deploy.pl line 12.",
       "EACCES||open|path=/etc/x|open /etc/x: Permission denied"},
      {"socket.error: (98, 'Address already in use')",
       "EADDRINUSE|||-|(98, 'Address already in use"},
      {"cURL error 28: Connection timed out after 4514 milliseconds (see x)",
       "ETIMEDOUT|||-|cURL error 28: Connection timed out"},
      {"ERROR:    [Errno 10048] error while attempting to bind on address "
       "('0.0.0.0', 8080): only one usage of each socket address "
       "(protocol/network address/port) is normally permitted",
       "EADDRINUSE||bind|port=8080|[Errno 10048] error while attempting to "
       "bind on address ('0.0.0.0', 8080): only one usage of each socket "
       "address (protocol/network address/port) is normally permitted"},
      /* a warning in an earlier sentence of a pasted log */
      {"Error: WARNING: no swap limit. Traceback: IOError: [Errno 2] No such "
       "file or directory: '/tmp/a.json'",
       "ENOENT|||path=/tmp/a.json|[Errno 2] No such file or directory: "
       "'/tmp/a.json'"},
      /* Near-misses: words in a name, prose, warnings, quotations. */
      {"tests/test_fs.py::test_permission_denied PASSED", NULL},
      {"    perm_test.go:5: open /etc/shadow: permission denied is handled",
       NULL},
      {"No space left on device: handled, retried on /var/tmp", NULL},
      {"Address already in use", NULL},
      {"retrying after Connection refused from cache node", NULL},
      {"warning: unable to access '/root/.config/git/attributes': Permission "
       "denied",
       NULL},
      {"bash: warning: setlocale: LC_ALL: cannot change locale (en_IN.UTF-8): "
       "No such file or directory",
       NULL},
      {"See `[Errno -2] Name or service not known` in the docs", NULL},
      {"If you see \"permission denied\", check the owner.", NULL},
      {"sudo: unable to resolve host vm1: Name or service not known", NULL},
      /* a sample of an error in a catalogue's member, not a run of it */
      {"  \"signature\": \"ERROR: Could not install packages due to a "
       "ConnectionError: [Errno 104] Connection reset by peer\",",
       NULL},
      {"- pattern: 'open /etc/x: permission denied'", NULL},
      /* a program that says it goes on another way */
      {"tail: inotify cannot be used, reverting to polling: Too many open "
       "files",
       NULL},
      {"inotify_add_watch /src: no space left on device; Falling back to "
       "polling",
       NULL},
      {"the server is down (connection refused), retry", NULL},
      {"gyp WARN read config.gypi ENOENT: no such file or directory, open "
       "'/x'",
       NULL},
      {"This change waits for the database, so that the \"SQLSTATE[HY000] "
       "[2002] Connection refused\" does not show up.",
       NULL},
      /* musl's, Winsock's and old Node's wordings, PHP's and Apache's codes,
       * urllib3's address */
      {"nginx: [emerg] bind() to [::]:80 failed (98: Address in use)",
       "EADDRINUSE||bind|port=80|[emerg] bind() to [::]:80 failed (98: Address "
       "in use"},
      {"dial tcp [::1]:5432: connectex: No connection could be made because "
       "the target machine actively refused it",
       "ECONNREFUSED||connect|address=[::1]:5432|dial tcp [::1]:5432: "
       "connectex: No connection could be made because the target machine "
       "actively refused it"},
      {"read tcp 10.0.0.2:5000->10.0.0.1:443: wsarecv: An existing "
       "connection was forcibly closed by the remote host.",
       "ECONNRESET||read|address=10.0.0.1:443|read tcp "
       "10.0.0.2:5000->10.0.0.1:443: wsarecv: An existing connection was "
       "forcibly closed by the remote host"},
      {"fwrite(): Write of 2637 bytes failed with errno=122 Disk quota "
       "exceeded",
       "EDQUOT|||-|errno=122 Disk quota exceeded"},
      {"OSError: Cannot initialize new instance of inotify, Errno=Too many "
       "open files (EMFILE)",
       "EMFILE|||-|Errno=Too many open files"},
      {"(48)Address already in use: AH00072: make_sock: could not bind to "
       "address [::]:80",
       "EADDRINUSE||bind|port=80|(48)Address already in use: AH00072: "
       "make_sock: could not bind to address [::]:80"},
      {"Error: EROFS, read-only file system '/Volumes/data/x'",
       "EROFS|||path=/Volumes/data/x|EROFS, read-only file system "
       "'/Volumes/data/x'"},
      {"IOError: [Errno 2] No such file or directory: u'.\\\\amazon.yml'",
       "ENOENT|||path=.\\\\amazon.yml|[Errno 2] No such file or directory: "
       "u'.\\\\amazon.yml'"},
      {"error: Permission denied -- '/var/log/btmp'",
       "EACCES|||path=/var/log/btmp|error: Permission denied -- "
       "'/var/log/btmp'"},
      {"Error: listen EADDRINUSE", "EADDRINUSE||bind|-|listen EADDRINUSE"},
      {"Error watching for file: /x/runtime.json { [Error: watch ENOSPC] "
       "code: 'ENOSPC' }",
       "ENOSPC|inotify-watch-limit|other|-|watch ENOSPC"},
      {"ConnectionRefusedError: [Errno 111] ECONNREFUSED",
       "ECONNREFUSED|||-|[Errno 111] ECONNREFUSED"},
      {"HTTPConnectionPool(host='10.0.0.5', port=8888): Max retries exceeded "
       "with url: / (Caused by NewConnectionError('<urllib3.connection."
       "HTTPConnection object at 0x7f>: Failed to establish a new "
       "connection: [Errno 111] Connection refused'))",
       "ECONNREFUSED|||address=10.0.0.5:8888|10.0.0.5', port=8888): Max "
       "retries exceeded with url: / (Caused by "
       "NewConnectionError('<urllib3.connection.HTTPConnection object at "
       "0x7f>: Failed to establish a new connection: [Errno 111] Connection "
       "refused"},
      /* a connection's address elsewhere on the line: the nearest before
       * the error; a time or a source line is no address */
      {"Error: Redis connection to 127.0.0.1:6379 failed - connect "
       "ECONNREFUSED",
       "ECONNREFUSED||connect|address=127.0.0.1:6379|127.0.0.1:6379 failed - "
       "connect ECONNREFUSED"},
      {"%3|1597742901.053|ERROR|rdkafka#consumer-2| [thrd:kafka:9092/"
       "bootstrap]: kafka:9092/bootstrap: Connect to ipv4#172.19.0.10:9092 "
       "failed: Connection refused",
       "ECONNREFUSED|||address=172.19.0.10:9092|Connect to "
       "ipv4#172.19.0.10:9092 failed: Connection refused"},
      {"at Socket.emit (index.js:185:24) 10:46:43 error: Connection refused",
       "ECONNREFUSED|||-|at Socket.emit (index.js:185:24) 10:46:43 error: "
       "Connection refused"},
      /* a number glued to the text after `errno='`; Apple's sentence
       * before the text */
      {"fasterq-dump.2.9.6 err: unknown while writing file within file "
       "system module - unknown system error errno='Disk quota "
       "exceeded(122)'",
       "EDQUOT|||-|errno='Disk quota exceeded"},
      {"tart command returned non-zero exit code: \"Error: The operation "
       "couldn\u2019t be completed. No space left on device\"",
       "ENOSPC|||-|No space left on device"},
      /* ENOSPC from a watch is the watch limit; a file named so is not */
      {"cannot create watch for system table x: (28) No space left on device",
       "ENOSPC|inotify-watch-limit||-|cannot create watch for system table x: "
       "(28) No space left on device"},
      {"cp: cannot create regular file '/srv/watch/a': No space left on device",
       "ENOSPC||create|path=/srv/watch/a|cannot create regular file "
       "'/srv/watch/a': No space left on device"},
      {"The build could not be completed. No space left on device is a "
       "common cause",
       NULL},
      /* Node before 4: an old-style code, comma and call on a directory */
      {"Error: EMFILE, readdir '/src/app/images'",
       "EMFILE||open|path=/src/app/images|EMFILE, readdir "
       "'/src/app/images'"},
      /* "message" is a field of a structured log, not a catalogue's */
      {"  \"message\": \"open /etc/x: permission denied\"",
       "EACCES||open|path=/etc/x|open /etc/x: permission denied"},
      /* a program's own text after an OSError class, in lower case */
      {"OSError: [Errno 28] inotify watch limit reached",
       "ENOSPC|inotify-watch-limit||-|[Errno 28] inotify watch limit "
       "reached"},
      /* logrus's fields after two spaces; one space and a word is prose */
      {"ERRO[0000] unable to load clouds.yaml: read /etc/openstack/"
       "clouds.yaml: is a directory  source=\"main.go:63\"",
       "EISDIR||read|path=/etc/openstack/clouds.yaml|read /etc/openstack/"
       "clouds.yaml: is a directory"},
      {"read /etc/x: is a directory and more", NULL},
      /* Windows' own texts in other languages */
      {"FileNotFoundError: [WinError 2] \u7cfb\u7edf\u627e\u4e0d\u5230"
       "\u6307\u5b9a\u7684\u6587\u4ef6\u3002",
       "ENOENT|||-|[WinError 2] \u7cfb\u7edf\u627e\u4e0d\u5230\u6307"
       "\u5b9a\u7684\u6587\u4ef6"},
      {"java.io.FileNotFoundException: C:\\x\\a.txt (Das System kann den "
       "angegebenen Pfad nicht finden)",
       "ENOENT||open|path=C:\\x\\a.txt|C:\\x\\a.txt (Das System kann den "
       "angegebenen Pfad nicht finden)"},
      {"open //./pipe/docker_engine: Le fichier sp\u00e9cifi\u00e9 est "
       "introuvable.",
       "ENOENT||open|path=//./pipe/docker_engine|open //./pipe/docker_engine: "
       "Le fichier sp\u00e9cifi\u00e9 est introuvable"},
      /* PHP's place after the text; a code as a chain's last text */
      {"PHP Fatal error:  Uncaught UnexpectedValueException: failed to open "
       "stream: Permission denied in /var/www/a/StreamHandler.php:107",
       "EACCES|||-|failed to open stream: Permission denied"},
      {"fopen(x): failed to open stream: Permission denied in /var/www/a.php "
       "on line 3",
       "EACCES|||-|failed to open stream: Permission denied"},
      {"Permission denied in the docs", NULL},
      {"Error starting userland proxy: Failed to bind: EADDRINUSE",
       "EADDRINUSE|||-|EADDRINUSE"},
      {"npm ERR! code: EADDRINUSE", NULL},
      {"Error: watch EMFILE and more", NULL},
      /* rsync: the quoted path (spaces, a daemon's module after it, a
       * trailing dot kept), the verb before it or after "failed to" */
      {"rsync: recv_generator: mkdir \"/var/www/html/drush\" failed: "
       "Permission denied (13)",
       "EACCES||mkdir|path=/var/www/html/drush|mkdir \"/var/www/html/drush\" "
       "failed: Permission denied"},
      {"rsync: mkstemp \"/photos/2019-05-11_01-31-51/.data.txt.CJXeor\" (in "
       "remote_bkp_site) failed: No such file or directory (2)",
       "ENOENT||create|path=/photos/2019-05-11_01-31-51/.data.txt.CJXeor|"
       "mkstemp \"/photos/2019-05-11_01-31-51/.data.txt.CJXeor\" (in "
       "remote_bkp_site) failed: No such file or directory"},
      {"rsync: failed to set times on \"/var/www/html/.\": Operation not "
       "permitted (1)",
       "EPERM||other|path=/var/www/html/.|failed to set times on "
       "\"/var/www/html/.\": Operation not permitted"},
      {"rsync: write failed on \"/mnt/x/Packages\": No space left on device "
       "(28)",
       "ENOSPC||write|path=/mnt/x/Packages|write failed on "
       "\"/mnt/x/Packages\": No space left on device"},
      /* Erlang's and Elixir's atoms; OCaml's Unix_error */
      {"** (EXIT) {:listen_error, HelloPhoenix.Endpoint.HTTP, :eaddrinuse}",
       "EADDRINUSE|||-|:eaddrinuse"},
      {"config :e_app, key: :enoentity", NULL},
      {"Fatal error: exception Unix.Unix_error(Unix.ENOENT, \"open\", "
       "\"/etc/x.conf\")",
       "ENOENT||open|path=/etc/x.conf|Unix_error(Unix.ENOENT, \"open\", "
       "\"/etc/x.conf\""},
      /* a logger's name, then its level */
      {"[lib.core.resultserver] DEBUG: Task one had connection reset, error: "
       "[Errno 104] Connection reset by peer",
       NULL},
      /* MySQL's "(errno: N - TEXT)" after the file it names */
      {"Error writing file '/opt/mysql/tmp/MLyx' (errno: 28 - No space left "
       "on device)",
       "ENOSPC|||path=/opt/mysql/tmp/MLyx|'/opt/mysql/tmp/MLyx' (errno: 28 - "
       "No space left on device"},
      {"mysqldump: Can't create/write to file '/tmp/x.txt' (Errcode: 13 - "
       "Permission denied)",
       "EACCES|||path=/tmp/x.txt|'/tmp/x.txt' (Errcode: 13 - Permission "
       "denied"},
      /* a Ruby exception's inspection; tini; systemd */
      {"x.rb:656:in `run': failed, #<Errno::EROFS: Read-only file system @ "
       "dir_s_mkdir - /tmp/fluentd> (Fluent::InvalidRootDirectory)",
       "EROFS||mkdir|path=/tmp/fluentd|Read-only file system @ dir_s_mkdir - "
       "/tmp/fluentd"},
      {"[FATAL tini (8)] exec /usr/local/bin/entrypoint.sh failed: No such "
       "file or directory",
       "ENOENT||exec|path=/usr/local/bin/entrypoint.sh|[FATAL tini (8)] exec "
       "/usr/local/bin/entrypoint.sh failed: No such file or directory"},
      {"kubelet.service: Failed at step EXEC spawning /usr/bin/kubelet: "
       "Permission denied",
       "EACCES||exec|path=/usr/bin/kubelet|Failed at step EXEC spawning "
       "/usr/bin/kubelet: Permission denied"},
      /* a program named without a directory is looked for along PATH */
      {"env: can't execute 'bash': No such file or directory",
       "ENOENT|command-not-found|exec|command=bash|can't execute 'bash': No "
       "such file or directory"},
      {"gcc: error trying to exec 'cc1': execvp: No such file or directory",
       "ENOENT|command-not-found|exec|command=cc1|exec 'cc1': execvp: No "
       "such file or directory"},
      {"fork/exec /usr/bin/foo: no such file or directory",
       "ENOENT||exec|path=/usr/bin/foo|fork/exec /usr/bin/foo: no such file "
       "or directory"},
      /* GNU tools before 2016 quoted `like this' */
      {"cp: cannot stat `bin/uart_drv': No such file or directory",
       "ENOENT||other|path=bin/uart_drv|cannot stat `bin/uart_drv': No such "
       "file or directory"},
      {"rsync: change_dir \"/src/x\" failed: No such file or directory (2)",
       "ENOENT||other|path=/src/x|change_dir \"/src/x\" failed: No such file "
       "or directory"},
      {"rsync: link_stat \"/home/u/file\" failed: No such file or directory "
       "(2)",
       "ENOENT||other|path=/home/u/file|link_stat \"/home/u/file\" failed: No "
       "such file or directory"},
      {"rsync: [receiver] chown \"/tmp/docs/Contribution guidelines/.a.md."
       "PelMAe\" failed: Operation not permitted (1)",
       "EPERM||chown|path=/tmp/docs/Contribution guidelines/.a.md.PelMAe|"
       "[receiver] chown \"/tmp/docs/Contribution guidelines/.a.md.PelMAe\" "
       "failed: "
       "Operation not permitted"},
      {"rsync: failed to set permissions on \"/srv/a\" (in backup): "
       "Operation not permitted (1)",
       "EPERM||chmod|path=/srv/a|failed to set permissions on \"/srv/a\" (in "
       "backup): Operation not permitted"},
      /* a path the log masked (GitHub Actions' secrets) is no subject */
      {"rsync: [Receiver] mkdir \"***\" failed: Permission denied (13)",
       "EACCES||mkdir|-|[Receiver] mkdir \"***\" failed: Permission denied"},
      {"See `rsync: failed to set times on \"/x\": Operation not permitted "
       "(1)` in the FAQ.",
       NULL},
      {"rsync: warning: failed to set times on \"/x\": Operation not "
       "permitted (1)",
       NULL},
      /* Ruby: "TEXT @ FUNC - PATH", the operation from FUNC, the path to
       * the exception's class or the end; a backtrace's location on the
       * left is no subject. */
      {"Errno::EACCES: Permission denied @ dir_s_mkdir - Mkdir.test",
       "EACCES||mkdir|path=Mkdir.test|Permission denied @ dir_s_mkdir - "
       "Mkdir.test"},
      {"Permission denied @ rb_sysopen - /var/log/app.log (Errno::EACCES)",
       "EACCES||open|path=/var/log/app.log|Permission denied @ rb_sysopen - "
       "/var/log/app.log"},
      {"No such file or directory @ rb_sysopen - config/database.yml",
       "ENOENT||open|path=config/database.yml|No such file or directory @ "
       "rb_sysopen - config/database.yml"},
      {"Read-only file system @ dir_s_mkdir - /app/tmp",
       "EROFS||mkdir|path=/app/tmp|Read-only file system @ dir_s_mkdir - "
       "/app/tmp"},
      {"app.rb:3:in 'File#initialize': No such file or directory @ "
       "rb_sysopen - /etc/my app.conf (Errno::ENOENT)",
       "ENOENT||open|path=/etc/my app.conf|No such file or directory @ "
       "rb_sysopen - /etc/my app.conf"},
      {"Errno::ENOENT: No such file or directory @ rb_file_s_rename - "
       "(/tmp/a, /tmp/b)",
       "ENOENT||rename|path=/tmp/a|No such file or directory @ "
       "rb_file_s_rename - (/tmp/a, /tmp/b)"},
      {"Errno::ENOENT: No such file or directory @ unlink_internal - "
       "/run/app.pid",
       "ENOENT||delete|path=/run/app.pid|No such file or directory @ "
       "unlink_internal - /run/app.pid"},
      {"Errno::EPIPE: Broken pipe @ io_write - <STDOUT>",
       "EPIPE||other|-|Broken pipe @ io_write - <STDOUT>"},
      {"Errno::EACCES: Permission denied @ dir_s_mkdir",
       "EACCES||mkdir|-|Permission denied @ dir_s_mkdir"},
      {"Permission denied @ rb_sysopen is raised when the file is not "
       "readable.",
       NULL},
      {"# Permission denied @ rb_sysopen - /x is raised when it is not "
       "readable.",
       NULL},
      /* runc's nested errors, each level's quotes escaped once more: an
       * escaped quote closes the message and opens an element; the
       * subject has none of the backslashes. */
      {"container_linux.go:262: starting container process caused "
       "\"process_linux.go:339: container init caused \\\"rootfs_linux.go:57: "
       "mounting \\\\\\\"/var/tmp/olifre\\\\\\\" to rootfs "
       "\\\\\\\"/home/olifre/singularity/ubuntu_ro\\\\\\\" at "
       "\\\\\\\"/home/olifre/singularity/ubuntu_ro/beegfs\\\\\\\" caused "
       "\\\\\\\"mkdir /home/olifre/singularity/ubuntu_ro/beegfs: read-only "
       "file system\\\\\\\"\\\"\"",
       "EROFS||mkdir|path=/home/olifre/singularity/ubuntu_ro/beegfs|mkdir "
       "/home/olifre/singularity/ubuntu_ro/beegfs: read-only file system"},
      {"container_linux.go:345: starting container process caused \"mkdir "
       "/srv/x: read-only file system\": unknown",
       "EROFS||mkdir|path=/srv/x|mkdir /srv/x: read-only file system"},
      {"process_linux.go:101: container init caused \\\"stat "
       "\\\\\\\"/etc/app.conf\\\\\\\": no such file or directory\\\"",
       "ENOENT||other|path=/etc/app.conf|stat \\\\\\\"/etc/app.conf\\\\\\\": "
       "no such file or directory"},
      {"container init caused \\\"cannot open \\\\\\\"/etc/my app\\\\\\\": "
       "permission denied\\\"",
       "EACCES||open|path=/etc/my app|cannot open \\\\\\\"/etc/my app\\\\\\\": "
       "permission denied"},
      /* runc: a preposition after the verb, the path quoted later */
      {"OCI runtime exec failed: exec failed: container_linux.go:345: starting "
       "container process caused \"chdir to cwd (\\\"/__w/b/b/./postgres\\\") "
       "set in config.json failed: no such file or directory\": unknown",
       "ENOENT||other|path=/__w/b/b/./postgres|chdir to cwd "
       "(\\\"/__w/b/b/./postgres\\\") set in config.json failed: no such file "
       "or directory"},
      {"\"note\": \"so that the \\\"SQLSTATE[HY000] [2002] Connection "
       "refused\\\" does not show up\"",
       NULL},
      {"level=warning msg=\"container init caused \\\"mkdir /x: read-only file "
       "system\\\"\"",
       NULL},
      /* glibc's translations, in the shapes of the English texts; bytes
       * outside ASCII are compared as they are */
      {"OSError: [Errno 98] Die Adresse wird bereits verwendet",
       "EADDRINUSE|||-|[Errno 98] Die Adresse wird bereits verwendet"},
      {"touch: no se puede efectuar 'touch' sobre 'var/lib/x': Sistema de "
       "ficheros de s\xc3\xb3lo lectura",
       "EROFS||create|path=var/lib/x|no se puede efectuar 'touch' sobre "
       "'var/lib/x': Sistema de ficheros de s\xc3\xb3lo lectura"},
      {"java.nio.file.FileSystemException: /opt/temp/x: "
       "\xe6\x89\x93\xe5\xbc\x80\xe7\x9a\x84\xe6\x96\x87\xe4\xbb\xb6"
       "\xe8\xbf\x87\xe5\xa4\x9a",
       "EMFILE|||path=/opt/temp/x|/opt/temp/x: "
       "\xe6\x89\x93\xe5\xbc\x80\xe7\x9a\x84\xe6\x96\x87\xe4\xbb\xb6"
       "\xe8\xbf\x87\xe5\xa4\x9a"},
      {"mkdir: impossibile creare la directory \"/x\": Permesso negato",
       "EACCES||mkdir|path=/x|mkdir: impossibile creare la directory \"/x\": "
       "Permesso negato"},
      {"socket.gaierror: [Errno -2] Nombre o servicio desconocido",
       "|name-resolution-failed|resolve|-|[Errno -2] Nombre o servicio "
       "desconocido"},
      {"Keine Berechtigung f\xc3\xbcr diesen Ordner, bitte pr\xc3\xbc"
       "fen",
       NULL},
      {"warning: /x: Keine Berechtigung", NULL},
      {"Die Meldung \"Permiso denegado\" erscheint oft", NULL},
      /* Cyrillic upper case: no folding outside ASCII */
      {"open /x: \xd0\x9e\xd0\xa2\xd0\x9a\xd0\x90\xd0\x97\xd0\x90\xd0\x9d"
       "\xd0\x9e \xd0\x92 \xd0\x94\xd0\x9e\xd0\xa1\xd0\xa2\xd0\xa3\xd0"
       "\x9f\xd0\x95",
       NULL},
      /* Python's [Errno N] and Rust's (os error N) with a text in no
       * table: the number, in Linux's numbering, where the exception is
       * an OSError one */
      {"PermissionError: [Errno 13] Zugriff verweigert: '/data/x'",
       "EACCES|||path=/data/x|[Errno 13] Zugriff verweigert: '/data/x'"},
      {"ConnectionRefusedError: [Errno 111] Verbindung abgelehnt",
       "ECONNREFUSED|||-|[Errno 111] Verbindung abgelehnt"},
      {"ERROR: Could not install packages due to an OSError: [Errno 28] Brak "
       "wolnego miejsca",
       "ENOSPC|||-|[Errno 28] Brak wolnego miejsca"},
      {"Error: Zugriff verweigert (os error 13)",
       "EACCES|||-|Error: Zugriff verweigert (os error 13)"},
      {"ValueError: [Errno 13] Zugriff verweigert", NULL},
      {"see [Errno 13] Zugriff verweigert in the FAQ", NULL},
      {"OSError: [Errno 9999] Unbekannt", NULL},
      {"PermissionError: [Errno 13] is mapped to a message ... ok", NULL},
      {"PermissionError: [Errno 13] Wird abgebildet ... ok", NULL},
      {"Retried 13 times: Zugriff verweigert", NULL},
      /* Windows' numbers are not Linux's (3 would be ESRCH): its text,
       * which explain knows, says what failed */
      {"Error: Das System kann den angegebenen Pfad nicht finden. (os error "
       "3)",
       "ENOENT|||-|Error: Das System kann den angegebenen Pfad nicht finden"},
      {"error: could not open C:\\Users\\x: Zugriff verweigert (os error 5)",
       NULL},
      /* .NET's space before the colon, a quoted path inside the element,
       * an operation word before a path, tar's and cpio's "PATH: Cannot
       * VERB: TEXT", apt's "(N: TEXT)", Node's extra space */
      {"System.IO.IOException: No space left on device : '/home/runner/"
       "actions-runner/cached/_diag/Worker_20260215-115535-utc.log'",
       "ENOSPC|||path=/home/runner/actions-runner/cached/_diag/"
       "Worker_20260215-115535-utc.log|System.IO.IOException: No space left "
       "on device : '/home/runner/actions-runner/cached/_diag/"
       "Worker_20260215-115535-utc.log'"},
      {" error ensuring '/var/lib/dpkg/reassemble.deb' doesn't exist: "
       "Read-only file system",
       "EROFS|||path=/var/lib/dpkg/reassemble.deb|error ensuring "
       "'/var/lib/dpkg/reassemble.deb' doesn't exist: Read-only file system"},
      {" * pkg_write_filelist: Failed to open //usr/lib/opkg/info/"
       "perlbase-cwd.list: Read-only file system.",
       "EROFS||open|path=//usr/lib/opkg/info/perlbase-cwd.list|Failed to open "
       "//usr/lib/opkg/info/perlbase-cwd.list: Read-only file system"},
      {"cpio: ./system/programs/desktop: Cannot stat: Not a directory",
       "ENOTDIR||other|path=./system/programs/desktop|./system/programs/"
       "desktop: Cannot stat: Not a directory"},
      {"W: chown to _apt:root of directory /var/cache/apt/archives/partial "
       "failed - SetupAPTPartialDirectory (30: Read-only file system)",
       "EROFS||chown|path=/var/cache/apt/archives/partial|chown to _apt:root "
       "of directory /var/cache/apt/archives/partial failed - "
       "SetupAPTPartialDirectory (30: Read-only file system (quiet)"},
      {"29447 error Error: EPERM: operation not permitted, rename  "
       "'e:\\Build\\x\\r.js.3238022762' -> 'e:\\Build\\x\\r.js'",
       "EPERM||rename|path=e:\\Build\\x\\r.js.3238022762|EPERM: operation "
       "not permitted, rename  'e:\\Build\\x\\r.js.3238022762'"},
      {"the build says: Failed to open the door: Permission denied",
       "EACCES|||-|Failed to open the door: Permission denied"},
      /* a verb of the tool's own before the path ("rotate"), a file's
       * bare name after the tool's, the element before Python's number,
       * the port a sentence ends in before "bind: ", and Rust's tempfile
       * naming the path after the text; a version is no file's name */
      {"systemd-journald[743]: Failed to rotate /var/log/journal/46/"
       "system.journal: Read-only file system",
       "EROFS|||path=/var/log/journal/46/system.journal|Failed to rotate "
       "/var/log/journal/46/system.journal: Read-only file system"},
      {"ar: atotimet.o: No such file or directory",
       "ENOENT|||path=atotimet.o|atotimet.o: No such file or directory"},
      {"rsync: failed to connect to localhost: Connection refused (61)",
       "ECONNREFUSED||connect|address=localhost|failed to connect to "
       "localhost: Connection refused"},
      {"/bin/tar: z: Cannot open: No such file or directory",
       "ENOENT||open|path=z|z: Cannot open: No such file or directory"},
      {"docker-entrypoint.sh: line 145: exec: .: cannot execute: Is a "
       "directory",
       "EISDIR||exec|path=.|.: cannot execute: Is a directory"},
      {"Error writing trailer of /tmp/de5/scene-1.mp3: No space left on "
       "device",
       "ENOSPC|||path=/tmp/de5/scene-1.mp3|Error writing trailer of "
       "/tmp/de5/scene-1.mp3: No space left on device"},
      {"Cannot perform port reset: opening port: Permission denied",
       "EACCES||open|-|opening port: Permission denied"},
      /* MongoDB's "errno:13 TEXT" with the path before it and its hint
       * after; Boost's "[system:13]: \"/x\""; Erlang's {error,eacces} */
      {"Unable to create/open lock file: /data/db/mongod.lock errno:13 "
       "Permission denied Is a mongod instance already running?, "
       "terminating",
       "EACCES|||path=/data/db/mongod.lock|/data/db/mongod.lock errno:13 "
       "Permission denied"},
      {"lock file: /data/db/mongod.lock errno:2 Permission denied Is a "
       "mongod instance already running?",
       NULL},
      {"boost::filesystem::create_directory: Permission denied "
       "[system:13]: \\\"/data/db/journal\\\"\"}}",
       "EACCES|||path=/data/db/journal|boost::filesystem::create_directory: "
       "Permission denied [system:13]: \\\"/data/db/journal"},
      {"===> Provider (release) failed with: {error,eacces}",
       "EACCES|||-|eacces"},
      /* the one absolute path among words of another language; two
       * name none */
      {"sed: \u4e00\u6642\u30d5\u30a1\u30a4\u30eb /etc/sedN33XbA "
       "\u3092\u958b\u304f\u3053\u3068\u304c\u3067\u304d\u307e\u305b"
       "\u3093\u3067\u3057\u305f: Permission denied",
       "EACCES|||path=/etc/sedN33XbA|\u4e00\u6642\u30d5\u30a1\u30a4\u30eb "
       "/etc/sedN33XbA \u3092\u958b\u304f\u3053\u3068\u304c\u3067\u304d"
       "\u307e\u305b\u3093\u3067\u3057\u305f: Permission denied"},
      {"mv: moving /a/x over /b/x went wrong: Permission denied",
       "EACCES|||-|moving /a/x over /b/x went wrong: Permission denied"},
      {"error: unable to create file packages/pa_ppx_ag/opam: No space "
       "left on device",
       "ENOSPC|||path=packages/pa_ppx_ag/opam|unable to create file "
       "packages/pa_ppx_ag/opam: No space left on device"},
      {"error: unable to access https://example.com/x: Permission denied",
       "EACCES|||-|unable to access https://example.com/x: Permission "
       "denied"},
      {"error: Unable to load summary from remote flathub: Error opening "
       "file ?/var/lib/flatpak/flathub.idx?: Read-only file system",
       "EROFS|||path=/var/lib/flatpak/flathub.idx|Error opening file "
       "?/var/lib/flatpak/flathub.idx?: Read-only file system"},
      {"0curl: (7) Failed to connect to localhost port 80: Connection "
       "refused",
       "ECONNREFUSED||connect|address=localhost:80|(7) Failed to connect to "
       "localhost port 80: Connection refused"},
      {"touch: testing: Read-only file system",
       "EROFS||create|path=testing|touch: testing: Read-only file system"},
      {"git: data: Permission denied",
       "EACCES|||-|data: Permission denied"},
      {"gzip: v1.10: No such file or directory",
       "ENOENT|||-|v1.10: No such file or directory"},
      {"python: can't open file 'app.py': [Errno 13] Permission denied",
       "EACCES||open|path=app.py|can't open file 'app.py': [Errno 13] "
       "Permission denied"},
      {"Could not create server TCP listening socket *:6379: bind: Address "
       "already in use",
       "EADDRINUSE||bind|port=6379|*:6379: bind: Address already in use"},
      {"error: couldn't create a temp dir: No space left on device (os error "
       "28) at path \"/tmp/rustctrvhIF\"",
       "ENOSPC|||path=/tmp/rustctrvhIF|couldn't create a temp dir: No space "
       "left on device (os error 28) at path \"/tmp/rustctrvhIF\""},
      /* ENOSPC from a file watch: the inotify limit, not a full disk */
      {"monitor.MonitorException@src/monitor.d(72): inotify_add_watch failed "
       "(No space left on device)",
       "ENOSPC|inotify-watch-limit|other|-|inotify_add_watch failed (No space "
       "left on device)"},
      {"pyinotify ERROR] add_watch: cannot watch /var/www/html/db WD=-1, "
       "Errno=No space left on device (ENOSPC)",
       "ENOSPC|inotify-watch-limit||-|Errno=No space left on device"},
      {"ERR Failed initialising jobs error=\"watch directory: /mnt/local/"
       "Media: no space left on device\" trigger=inotify",
       "ENOSPC|inotify-watch-limit|other|path=/mnt/local/Media|watch "
       "directory: /mnt/local/Media: no space left on device"},
      {"Internal watch failed: ENOSPC: System limit for number of file "
       "watchers reached, watch '/home/node/app/README.md'",
       "ENOSPC|inotify-watch-limit|other|path=/home/node/app/README.md|"
       "ENOSPC: System limit for number of file watchers reached, watch "
       "'/home/node/app/README.md'"},
      {"cp: error writing '/srv/inotify.log': No space left on device",
       "ENOSPC|||path=/srv/inotify.log|error writing '/srv/inotify.log': No "
       "space left on device"},
      /* Rails' "(TEXT @ FUNC - PATH):", runc's bare quoted cause */
      {"ActionView::Template::Error (Permission denied @ rb_sysopen - "
       "config/oxr.json):",
       "EACCES||open|path=config/oxr.json|Permission denied @ rb_sysopen - "
       "config/oxr.json"},
      {"container_linux.go:349: starting container process caused "
       "\"process_linux.go:449: container init caused \\\"rootfs_linux.go:58: "
       "mounting \\\\\\\"/sys/fs/cgroup/systemd\\\\\\\" to rootfs "
       "\\\\\\\"/var/home/core/merged\\\\\\\" at "
       "\\\\\\\"/var/home/core/merged/sys/fs/cgroup/systemd\\\\\\\" "
       "caused \\\\\\\"operation not permitted\\\\\\\"\\\"\"",
       "EPERM||mount|path=/sys/fs/cgroup/systemd|mounting "
       "\\\\\\\"/sys/fs/cgroup/systemd\\\\\\\" to rootfs "
       "\\\\\\\"/var/home/core/merged\\\\\\\" at "
       "\\\\\\\"/var/home/core/merged/sys/fs/cgroup/systemd\\\\\\\" "
       "caused \\\\\\\"operation not permitted"},
      {"The upgrade caused \"operation not permitted\" errors for some.", NULL},
      /* OpenSSH's address in two words, in Ansible's JSON with its escaped
       * line end */
      {"\"msg\": \"Failed to connect to the host via ssh: ssh: connect to "
       "host 192.168.10.23 port 223: Connection refused\\r\\n\",",
       "ECONNREFUSED||connect|address=192.168.10.23:223|connect to host "
       "192.168.10.23 port 223: Connection refused"},
      /* an address that ends an element; a source line does not */
      {"could not connect to localhost:27017: [Errno 111] Connection refused",
       "ECONNREFUSED||connect|address=localhost:27017|could not connect to "
       "localhost:27017: [Errno 111] Connection refused"},
      {"main.go:32: [Errno 111] Connection refused",
       "ECONNREFUSED|||-|[Errno 111] Connection refused"},
      /* the name a lookup was for */
      {"github.com: Temporary failure in name resolution",
       "|name-resolution-failed|resolve|host=github.com|github.com: "
       "Temporary failure in name resolution"},
      {"getaddrinfo(whois.sx): Temporary failure in name resolution",
       "|name-resolution-failed|resolve|host=whois.sx|getaddrinfo(whois.sx"
       "): Temporary failure in name resolution"},
      {"config: Temporary failure in name resolution",
       "|name-resolution-failed|resolve|-|config: Temporary failure in "
       "name resolution"},
      /* Ruby's socket errors, whatever stands before them */
      {"Prometheus Exporter, failed to send message Connection refused - "
       "connect(2) for \"localhost\" port 9394",
       "ECONNREFUSED||connect|address=localhost:9394|Connection refused - "
       "connect(2) for \"localhost\" port 9394"},
      {"Failed to open TCP connection to db:5432 (Connection refused - "
       "connect(2) for 10.0.0.5:5432)",
       "ECONNREFUSED||connect|address=10.0.0.5:5432|Connection refused - "
       "connect(2) for 10.0.0.5:5432"},
      /* a path after a preposition; LTP's code and number; accept's
       * address */
      {"x.cc:72921:1: fatal error: error writing to /tmp/cc3j4pBT.s: No space "
       "left on device",
       "ENOSPC||write|path=/tmp/cc3j4pBT.s|error writing to "
       "/tmp/cc3j4pBT.s: No space left on device"},
      {"clone09.c:62: TBROK: Failed to open FILE '/proc/sys/net/ipv4/conf/lo/"
       "tag' for writing: EROFS (30)",
       "EROFS|||path=/proc/sys/net/ipv4/conf/lo/tag|Failed to open FILE "
       "'/proc/sys/net/ipv4/conf/lo/tag' for writing: EROFS (30)"},
      /* a Ruby backtrace's method is no subject */
      {"/usr/lib/ruby/2.1.0/net/http.rb:879:in `initialize': Connection timed "
       "out - connect(2) for \"192.168.2.19\" port 10080 (Errno::ETIMEDOUT)",
       "ETIMEDOUT||connect|address=192.168.2.19:10080|Connection timed out - "
       "connect(2) for \"192.168.2.19\" port 10080"},
      /* an example quoted in prose; the text a sentence speaks of */
      {"resulting in pull failures with messages like \"dial tcp: lookup "
       "[registry]: Temporary failure in name resolution\".[2]",
       NULL},
      {"Permission denied (publickey) means SSH could not prove who you are.",
       NULL},
      {"I get an error like \"open /etc/x.conf: permission denied\"",
       "EACCES||open|path=/etc/x.conf|open /etc/x.conf: permission denied"},
      /* GHC's IOError; Java's error=N; a code heading a text of the
       * program's own; a key=value log's error field */
      {"cabal-cache: ~/.cabal/store/ghc-8.6.5/lib: getDirectoryContents:"
       "openDirStream: does not exist (No such file or directory)",
       "ENOENT|||path=~/.cabal/store/ghc-8.6.5/lib|~/.cabal/store/ghc-8.6."
       "5/lib: getDirectoryContents:openDirStream: does not exist (No "
       "such file or directory)"},
      {"Caused by: java.io.IOException: error=23, Too many open files in "
       "system",
       "ENFILE|||-|error=23, Too many open files in system"},
      {"Cannot run program \"cmake\" (in directory \"/x\"): error=2, No such "
       "file or directory",
       "ENOENT|command-not-found|exec|command=cmake|Cannot run program "
       "\"cmake\" (in directory \"/x\"): error=2, No such file or "
       "directory"},
      {"[10:57:08] Error: EMFILE: Too many opened files.", "EMFILE|||-|EMFILE"},
      {"Error: EACCES: permission denied, open '/x/y'",
       "EACCES||open|path=/x/y|EACCES: permission denied, open '/x/y'"},
      {"syslog-ng[2942]: Error opening configuration file; filename='/etc/"
       "syslog-ng/syslog-ng.conf', error='Permission denied (13)'",
       "EACCES|||path=/etc/syslog-ng/syslog-ng.conf|filename='/etc/syslog-"
       "ng/syslog-ng.conf', error='Permission denied"},
      {"http: Accept error: accept tcp [::]:3000: accept: too many open files; "
       "retrying in 5ms",
       "EMFILE||other|address=[::]:3000|accept tcp [::]:3000: accept: too "
       "many open files"},
  };
  size_t i;
  int failed = 0;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *s = cases[i].line;
    ex_errphrase_t e;
    char got[512];
    int found = ex_errphrase_find(s, strlen(s), &e);
    if (found)
      snprintf(got, sizeof(got), "%s|%s|%s|%s%s%.*s%s%.*s|%.*s%s",
               e.errno_name ? e.errno_name : "", e.condition ? e.condition : "",
               e.operation ? e.operation : "",
               e.subject_kind ? e.subject_kind : "-", e.subject_kind ? "=" : "",
               (int)e.subject_len, s + e.subject_off, e.port_len ? ":" : "",
               (int)e.port_len, s + e.port_off, (int)e.words_len,
               s + e.words_off, e.warning ? " (quiet)" : "");
    if (found != (cases[i].want != NULL) ||
        (found && strcmp(got, cases[i].want) != 0)) {
      print_error("case %zu: %s\n  got  %s\n  want %s\n", i, s,
                  found ? got : "(nothing)",
                  cases[i].want ? cases[i].want : "(nothing)");
      failed++;
    }
  }
  assert_int_equal(failed, 0);
}

/* Every translation of the generated table reads as its errno, in the
 * shape Go and coreutils give it; the English lookups know none of them. */
static void test_errphrase_l10n(void **state) {
  const char *name;
  const char *langs;
  const char *text;
  size_t i;
  int failed = 0;

  (void)state;
  assert_true(ex_errno_l10n_count() > 400);
  for (i = 0; (text = ex_errno_l10n_text(i, &name, &langs)) != NULL; i++) {
    char line[256];
    ex_errphrase_t e;
    int n = snprintf(line, sizeof(line), "open /srv/x: %s", text);
    int found = ex_errphrase_find(line, (size_t)n, &e);
    if (!found || e.phrase_off != 13 || e.phrase_len != strlen(text) ||
        (name != NULL && (e.errno_name == NULL ||
                          strcmp(e.errno_name, name) != 0)) ||
        (name == NULL && (e.errno_name != NULL || e.condition == NULL))) {
      print_error("%s (%s, %s): %s\n", text, name ? name : "-", langs,
                  found ? (e.errno_name ? e.errno_name : "-") : "(nothing)");
      failed++;
    }
    assert_null(ex_errno_parse(text));
  }
  assert_string_equal(ex_errno_message("EACCES"), "Permission denied");
  assert_string_equal(ex_errno_parse("permission denied"), "EACCES");
  assert_int_equal(failed, 0);
}

/* Specific rules win; the recogniser's findings come after theirs and say
 * what they read. */
static void test_generic_findings(void **state) {
  static const struct {
    const char *text;
    const char *want;
  } cases[] = {
      /* the same line: the specific rule only */
      {"open /x: permission denied\n", "go.open x1 L1 EACCES op=open s=/x\n"},
      {"stat /x: permission denied\n",
       "errno.phrase x1 L1 EACCES op=other s=/x\n"},
      /* the same event near a specific finding: dropped */
      {"cat: /z: Permission denied\n"
       "PermissionError: [Errno 13] Permission denied: '/z'\n",
       "py.perm x1 L2 EACCES op=open s=/z\n"},
      {"Error: Permission denied (os error 13)\n"
       "PermissionError: [Errno 13] Permission denied: '/z'\n",
       "py.perm x1 L2 EACCES op=open s=/z\n"},
      /* the same errno about another path: kept */
      {"cat: /w: Permission denied\n"
       "PermissionError: [Errno 13] Permission denied: '/z'\n",
       "py.perm x1 L2 EACCES op=open s=/z\n"
       "errno.phrase x1 L1 EACCES s=/w\n"},
      /* far from it, or another errno: kept, after the specific one */
      {"cat: /w: No such file or directory\n"
       "PermissionError: [Errno 13] Permission denied: '/z'\n",
       "py.perm x1 L2 EACCES op=open s=/z\n"
       "errno.phrase x1 L1 ENOENT s=/w\n"},
      /* one errno, told twice, once with its subject: the one with it */
      {"Error: connect ECONNREFUSED 10.0.0.1:5432\n"
       "ConnectionRefusedError: [Errno 111] Connection refused\n",
       "errno.phrase x1 L1 ECONNREFUSED op=connect s=10.0.0.1:5432\n"},
      /* apt's warnings: quiet, after a failure and not alone */
      {"W: chown to _apt:root of directory /var/cache/apt/archives/partial "
       "failed - SetupAPTPartialDirectory (30: Read-only file system)\n",
       ""},
      {"W: chown to _apt:root of directory /var/cache/apt/archives/partial "
       "failed - SetupAPTPartialDirectory (30: Read-only file system)\n"
       "cat: /w: No such file or directory\n",
       "errno.phrase x1 L2 ENOENT s=/w\n"
       "errno.phrase x1 L1 EROFS op=chown s=/var/cache/apt/archives/partial\n"},
      /* repeats merge; other errnos without subject do not */
      {"Error: Permission denied (os error 13)\n"
       "Error: Permission denied (os error 13)\n"
       "Error: Too many open files (os error 24)\n",
       "errno.phrase x2 L1 EACCES\nerrno.phrase x1 L3 EMFILE\n"},
  };
  ex_ruleset_t *set = load(shape_rules);
  ex_matcher_t *m = NULL;
  const ex_finding_t *f;
  char out[1024];
  char *meaning = NULL;
  size_t len;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    run_matcher(set, cases[i].text, strlen(cases[i].text), 5, out, sizeof(out),
                NULL);
    if (strcmp(out, cases[i].want) != 0) {
      print_error("case %zu: got \"%s\"\n", i, out);
      fail();
    }
  }
  /* The meaning template has the words read. */
  assert_int_equal(ex_matcher_new(set, &m), 0);
  assert_int_equal(ex_matcher_feed(m, EX_STREAM_STDERR, cases[1].text,
                                   strlen(cases[1].text)),
                   0);
  assert_int_equal(ex_matcher_finish(m), 0);
  f = ex_matcher_get(m, 0);
  assert_non_null(f);
  assert_int_equal(f->rule->confidence, EX_CONF_LOW);
  assert_int_equal(ex_finding_expand(f, f->rule->meaning, 0, &meaning, &len),
                   0);
  assert_string_equal(meaning, "stat /x: permission denied|permission "
                               "denied|EACCES|other|/x");
  free(meaning);
  ex_matcher_free(m);
  ex_ruleset_free(set);
}

/* Feeds text in chunks and returns whether it ends in success (the line
 * in *line). */
static int ends_in_success(const ex_ruleset_t *set, const char *text,
                           size_t len, size_t chunk, unsigned long *line) {
  ex_matcher_t *m = NULL;
  ex_match_ending_t e;
  size_t off;
  int rc;

  assert_int_equal(ex_matcher_new(set, &m), 0);
  for (off = 0; off < len; off += chunk)
    assert_int_equal(ex_matcher_feed(m, EX_STREAM_STDERR, text + off,
                                     len - off < chunk ? len - off : chunk),
                     0);
  assert_int_equal(ex_matcher_finish(m), 0);
  rc = ex_matcher_ending(m, &e);
  *line = rc ? e.line : 0;
  if (rc)
    assert_string_equal(e.shape->id, "pip.ok");
  ex_matcher_free(m);
  return rc;
}

static void test_ending(void **state) {
  static const struct {
    const char *text;
    unsigned long line; /* 0: it does not end in success */
  } cases[] = {
      {"open /x: permission denied\nSuccessfully installed a-1.0\n", 2},
      {"Successfully installed a-1.0\n\n  \n", 1},
      {"2023-05-04T10:11:12.345Z Successfully installed a-1.0", 1},
      {"\x1b[32mSuccessfully installed a-1.0\x1b[0m\r\n", 1},
      /* it failed after it said so */
      {"Successfully installed a-1.0\nopen /x: permission denied\n", 0},
      /* too far from the end */
      {"Successfully installed a-1.0\n1\n2\n3\n4\n5\n", 0},
      {"no success here\n", 0},
  };
  ex_ruleset_t *set = load(shape_rules);
  unsigned long line;
  char *big;
  size_t i;
  size_t n = 0;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int want = cases[i].line != 0;
    size_t len = strlen(cases[i].text);
    size_t chunk;
    for (chunk = 1; chunk <= len; chunk += 4) {
      if (ends_in_success(set, cases[i].text, len, chunk, &line) != want ||
          line != cases[i].line) {
        print_error("case %zu chunk %zu: line %lu\n", i, chunk, line);
        fail();
      }
    }
  }
  /* Longer than the tail kept: the last lines still count. */
  big = malloc(40000);
  assert_non_null(big);
  while (n + 40 < 39000)
    n += (size_t)snprintf(big + n, 40000 - n, "some output of the build\n");
  n += (size_t)snprintf(big + n, 40000 - n, "Successfully installed a-1.0\n");
  assert_true(ends_in_success(set, big, n, 4096, &line));
  assert_int_equal(line, 1560);
  free(big);
  ex_ruleset_free(set);
}

/* Output that went by unscanned: counted, line numbers go on. */
static void test_skip(void **state) {
  ex_ruleset_t *set = load(shape_rules);
  ex_matcher_t *m = NULL;
  ex_matcher_stats_t st;
  const ex_finding_t *f;

  (void)state;
  assert_int_equal(ex_matcher_new(set, &m), 0);
  assert_int_equal(ex_matcher_feed(m, EX_STREAM_STDERR, "a\nopen /y: perm", 15),
                   0);
  assert_int_equal(ex_matcher_skip(m, EX_STREAM_STDERR, 1000, 10), 0);
  assert_int_equal(
      ex_matcher_feed(m, EX_STREAM_STDERR, "open /x: permission denied\n", 27),
      0);
  assert_int_equal(ex_matcher_finish(m), 0);
  /* the line cut by the gap is not read */
  assert_int_equal(ex_matcher_count(m), 1);
  f = ex_matcher_get(m, 0);
  assert_string_equal(f->event.subject_value, "/x");
  assert_int_equal(f->evidence[0].line, 12);
  ex_matcher_stats(m, &st);
  assert_int_equal(st.bytes_unscanned, 1000);
  assert_int_equal(st.lines_unscanned, 10);
  assert_int_equal(st.lines, 12);
  assert_int_equal(ex_matcher_skip(m, EX_STREAM_STDERR, 1, 0), -EINVAL);
  ex_matcher_free(m);
  ex_ruleset_free(set);
}

/* A reset matcher finds what a new one finds. */
static void test_reset(void **state) {
  static const char text[] =
      "stat /x: permission denied\nopen /y: permission denied\n"
      "Successfully installed a-1.0\n";
  ex_ruleset_t *set = load(shape_rules);
  ex_matcher_t *m = NULL;
  ex_match_ending_t e;
  char first[1024];
  char again[1024];
  size_t n;
  size_t i;
  int round;

  (void)state;
  assert_int_equal(ex_matcher_new(set, &m), 0);
  for (round = 0; round < 3; round++) {
    char *out = round == 0 ? first : again;
    ex_matcher_reset(m);
    assert_int_equal(
        ex_matcher_feed(m, EX_STREAM_STDERR, text, sizeof(text) - 1), 0);
    assert_int_equal(ex_matcher_finish(m), 0);
    n = 0;
    out[0] = '\0';
    for (i = 0; i < ex_matcher_count(m); i++)
      n = describe_one(ex_matcher_get(m, i), out, 1024, n, 0);
    assert_true(ex_matcher_ending(m, &e));
    assert_int_equal(e.line, 3);
    if (round > 0)
      assert_string_equal(again, first);
  }
  assert_string_equal(first, "go.open x1 L2 EACCES op=open s=/y\n"
                             "errno.phrase x1 L1 EACCES op=other s=/x\n");
  ex_matcher_free(m);
  ex_ruleset_free(set);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_normalise), cmocka_unit_test(test_prefixed_rules),
      cmocka_unit_test(test_errphrase),
      cmocka_unit_test(test_errphrase_l10n),
      cmocka_unit_test(test_generic_findings),
      cmocka_unit_test(test_ending),    cmocka_unit_test(test_skip),
      cmocka_unit_test(test_reset),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
