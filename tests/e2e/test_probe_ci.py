"""The CI-family explainers end to end: real curl, Python, npm, node, java,
git, docker, kubectl and terraform failing under explain in a fresh
temporary directory (certificates from a private CA served on loopback, a
lock file out of sync, a runtime too old, no daemon, no kubeconfig, no
credentials), and the causes explain confirms or rules out on this
machine. Where a fix is safe to apply here, the test applies it and checks
that the command then succeeds."""
import http.server
import json
import os
import re
import shutil
import ssl
import subprocess
import threading
import time
import unittest

from helpers import TempDirTest, run
from test_probe_tools import diagnosis, fix_commands


def causes(d):
    return {c["id"]: c for c in d["causes"]}


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SSL_CERT", "REQUESTS_CA", "CURL_CA", "NODE_EXTRA_CA",
                                "GIT_SSL", "PIP_CERT", "AWS_", "DOCKER_", "KUBE",
                                "GITHUB_", "GITLAB", "HTTP", "http", "https"))
           and k not in ("CI", "GOOGLE_APPLICATION_CREDENTIALS")}
    env.update(extra)
    return env


def need(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise unittest.SkipTest("not installed: " + " ".join(missing))


CA_CNF = """[ca]
default_ca = t
[t]
database = index
unique_subject = no
serial = serial
new_certs_dir = .
certificate = ca.crt
private_key = ca.key
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = ext
[any]
commonName = supplied
[ext]
subjectAltName = DNS:localhost,IP:127.0.0.1
"""


class Pki:
    """A private CA and two server certificates for 127.0.0.1: valid for ten
    years, and expired in 2020."""

    def __init__(self, d):
        need("openssl")
        self.d = d
        os.makedirs(d)
        open(os.path.join(d, "index"), "w").close()
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("01\n")
        with open(os.path.join(d, "ca.cnf"), "w") as f:
            f.write(CA_CNF)
        self.sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650",
                "-subj", "/CN=explain-e2e-ca")
        for name, dates in (("good", ["-days", "3650"]),
                            ("expired", ["-startdate", "20200101000000Z",
                                         "-enddate", "20200201000000Z"])):
            self.sh("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    name + ".key", "-out", name + ".csr", "-subj", "/CN=localhost")
            self.sh("openssl", "ca", "-batch", "-config", "ca.cnf", "-in",
                    name + ".csr", "-out", name + ".crt", *dates)
        self.ca = os.path.join(d, "ca.crt")

    def sh(self, *argv):
        subprocess.run(argv, cwd=self.d, check=True, capture_output=True, timeout=60)

    def serve(self, name):
        """Serves HTTPS with certificate `name` on 127.0.0.1; returns the port."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(self.d, name + ".crt"),
                            os.path.join(self.d, name + ".key"))
        srv = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        srv.handle_error = lambda *a: None
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        self.stop = srv.shutdown
        return srv.server_address[1]


class Tls(TempDirTest):
    def setUp(self):
        super().setUp()
        self.pki = Pki(self.path("pki"))

    def tearDown(self):
        getattr(self.pki, "stop", lambda: None)()
        super().tearDown()

    def test_ca_variable_naming_a_missing_file_is_confirmed_and_unset(self):
        port = self.pki.serve("good")
        fetch = self.write("fetch.py", "import sys, urllib.request\n"
                           "urllib.request.urlopen('https://127.0.0.1:%d/' % int(sys.argv[1]))\n")
        missing = self.path("no-such-bundle.pem")
        r = run(["--format", "json", "python3", fetch, str(port)], cwd=self.tmp,
                env=clean_env(SSL_CERT_FILE=missing), timeout=120)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"CERTIFICATE_VERIFY_FAILED", r.stderr)
        d = diagnosis(r.stdout, "tls-certificate")
        c = causes(d)
        self.assertEqual(c["env-ca-file"]["verdict"], "confirmed")
        self.assertIn(missing, c["env-ca-file"]["text"])
        self.assertIn("unset SSL_CERT_FILE", fix_commands(d))
        self.assertEqual(d["subject"]["value"], "127.0.0.1")
        # The variable pointing at the CA that signed the server's
        # certificate is what makes the same fetch work.
        ok = subprocess.run(["python3", fetch, str(port)], cwd=self.tmp,
                            env=clean_env(SSL_CERT_FILE=self.pki.ca),
                            capture_output=True, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stderr)

    def test_expired_certificate_against_the_clock(self):
        need("openssl")
        port = self.pki.serve("expired")
        # s_client writes the session to stdout: the report goes to a file.
        report = self.path("report.json")
        r = run(["--report", report, "openssl", "s_client", "-connect",
                 "127.0.0.1:%d" % port, "-CAfile", self.pki.ca,
                 "-verify_return_error"], cwd=self.tmp, env=clean_env(), timeout=120)
        self.assertNotEqual(r.returncode, 0)
        with open(report, "rb") as f:
            d = diagnosis(f.read(), "tls-certificate")
        self.assertEqual(d["id"], "tls.certificate-expired")
        c = causes(d)
        # s_client prints the certificate's notAfter: explain compares it
        # with the clock here.
        self.assertEqual(c["expired"]["verdict"], "confirmed", c["expired"])
        self.assertIn("2020-02-01T00:00:00Z", c["expired"]["text"])
        self.assertEqual(d["facts"]["certificate_not_after"], "2020-02-01T00:00:00Z")
        self.assertIn(c["ca-bundle"]["verdict"], ("confirmed", "ruled-out"))


class Dns(TempDirTest):
    def test_resolution_failure_reads_resolv_conf_and_hosts(self):
        need("curl")
        name = "explain-e2e-no-such-host.invalid"
        # One try of one second per nameserver: the test does not wait for
        # a network that is not there.
        r = run(["--format", "json", "curl", "-sS", "--max-time", "20",
                 "http://%s/" % name], cwd=self.tmp,
                env=clean_env(RES_OPTIONS="timeout:1 attempts:1"), timeout=120)
        self.assertIn(b"Could not resolve host", r.stderr)
        d = diagnosis(r.stdout, "name-resolution")
        self.assertEqual(d["subject"]["value"], name)
        c = causes(d)
        self.assertEqual(c["hosts-file"]["verdict"], "ruled-out")
        with open("/etc/resolv.conf") as f:
            servers = re.findall(r"^\s*nameserver\s+(\S+)", f.read(), re.M)
        if servers:
            self.assertEqual(d["facts"]["nameservers"], ", ".join(servers))
        else:
            self.assertEqual(c["no-dns"]["verdict"], "confirmed")
        self.assertIn("getent hosts %s" % name, fix_commands(d))


class LockFiles(TempDirTest):
    def test_npm_ci_after_package_json_changed(self):
        need("npm")
        os.makedirs(self.path("lib"))
        self.write("lib/package.json", json.dumps({"name": "lib", "version": "1.0.0"}))
        self.write("package-lock.json", json.dumps({
            "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
            "packages": {"": {"name": "app", "version": "1.0.0"}}}))
        old = time.time() - 3600
        os.utime(self.path("package-lock.json"), (old, old))
        self.write("package.json", json.dumps({"name": "app", "version": "1.0.0",
                                               "dependencies": {"lib": "file:./lib"}}))
        env = clean_env(HOME=self.tmp, npm_config_cache=self.path(".npm"))
        r = run(["--format", "json", "npm", "ci", "--offline"], cwd=self.tmp,
                env=env, timeout=180)
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r.stdout, "lock-file")
        c = causes(d)
        self.assertEqual(c["lock-missing"]["verdict"], "ruled-out")
        self.assertEqual(c["manifest-changed"]["verdict"], "confirmed")
        fix = "cd %s && npm install" % self.tmp
        self.assertIn(fix, fix_commands(d))
        subprocess.run(["npm", "install", "--offline"], cwd=self.tmp, env=env,
                       check=True, capture_output=True, timeout=180)
        again = subprocess.run(["npm", "ci", "--offline"], cwd=self.tmp, env=env,
                               capture_output=True, timeout=180)
        self.assertEqual(again.returncode, 0, again.stderr)

    def test_npm_ci_without_lock_file(self):
        need("npm")
        self.write("package.json", json.dumps({"name": "app", "version": "1.0.0"}))
        r = run(["--format", "json", "npm", "ci", "--offline"], cwd=self.tmp,
                env=clean_env(HOME=self.tmp, npm_config_cache=self.path(".npm")),
                timeout=180)
        d = diagnosis(r.stdout, "lock-file")
        self.assertEqual(causes(d)["lock-missing"]["verdict"], "confirmed")


class Versions(TempDirTest):
    def test_node_engines_against_the_installed_node(self):
        need("npm", "node")
        self.write("package.json", json.dumps({"name": "app", "version": "1.0.0",
                                               "engines": {"node": ">=99"}}))
        env = clean_env(HOME=self.tmp, npm_config_cache=self.path(".npm"))
        r = run(["--format", "json", "npm", "install", "--engine-strict", "--offline"],
                cwd=self.tmp, env=env, timeout=180)
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r.stdout, "runtime-version")
        installed = subprocess.run(["node", "--version"], capture_output=True,
                                   text=True, env=env).stdout.strip().lstrip("v")
        self.assertEqual(d["facts"]["installed_version"], installed)
        self.assertEqual(causes(d)["installed-too-old"]["verdict"], "confirmed")

    def test_class_file_newer_than_every_installed_jdk(self):
        need("java", "javac")
        self.write("T.java", "public class T { public static void main(String[] a) {} }\n")
        subprocess.run(["javac", "T.java"], cwd=self.tmp, check=True, timeout=120)
        with open(self.path("T.class"), "r+b") as f:
            f.seek(6)
            f.write(bytes([0, 99]))  # major version 99: Java 55
        r = run(["--format", "json", "java", "-cp", self.tmp, "T"], cwd=self.tmp,
                env=clean_env(), timeout=120)
        self.assertEqual(r.returncode, 1)
        # Java's own explainer (tools/tool_java.c) takes it: the runtime
        # that ran, every JDK installed, the class file's version byte.
        d = diagnosis(r.stdout, "java-class-version")
        c = causes(d)
        self.assertEqual(d["facts"]["needs_java"], 55)
        self.assertEqual(d["facts"]["class_file"], self.path("T.class"))
        self.assertEqual(c["old-default-java"]["verdict"], "confirmed")
        self.assertEqual(c["several-jdks"]["verdict"], "ruled-out")


class Daemons(TempDirTest):
    def test_docker_host_pointing_at_no_socket(self):
        need("docker")
        sock = self.path("none.sock")
        r = run(["--format", "json", "docker", "ps"], cwd=self.tmp,
                env=clean_env(DOCKER_HOST="unix://" + sock, HOME=self.tmp),
                timeout=120)
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r.stdout, "docker-daemon")
        c = causes(d)
        self.assertEqual(d["subject"]["value"], sock)
        self.assertEqual(c["wrong-host"]["verdict"], "confirmed")
        self.assertEqual(c["not-running"]["verdict"], "confirmed")

    def test_kubectl_without_kubeconfig(self):
        need("kubectl")
        r = run(["--format", "json", "kubectl", "get", "pods"], cwd=self.tmp,
                env=clean_env(KUBECONFIG=self.path("none"), HOME=self.tmp),
                timeout=120)
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r.stdout, "kubeconfig")
        self.assertEqual(causes(d)["no-kubeconfig"]["verdict"], "confirmed")

    def test_kubectl_config_without_current_context(self):
        need("kubectl")
        cfg = self.write("config", "apiVersion: v1\nkind: Config\nclusters: []\n"
                         "contexts: []\nusers: []\n")
        r = run(["--format", "json", "kubectl", "config", "current-context"],
                cwd=self.tmp, env=clean_env(KUBECONFIG=cfg, HOME=self.tmp),
                timeout=120)
        d = diagnosis(r.stdout, "kubeconfig")
        self.assertEqual(causes(d)["context-unset"]["verdict"], "confirmed")

    def test_terraform_plan_before_init(self):
        need("terraform")
        self.write("main.tf", 'terraform {\n  backend "local" {}\n}\n')
        env = clean_env(HOME=self.tmp, CHECKPOINT_DISABLE="1",
                        TF_CLI_CONFIG_FILE=self.write(".terraformrc", ""))
        r = run(["--format", "json", "terraform", "plan", "-no-color", "-input=false"],
                cwd=self.tmp, env=env, timeout=180)
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r.stdout, "terraform-workdir")
        self.assertEqual(causes(d)["never-init"]["verdict"], "confirmed")
        self.assertIn("terraform init", fix_commands(d))
        subprocess.run(["terraform", "init", "-input=false", "-no-color"], cwd=self.tmp,
                       env=env, check=True, capture_output=True, timeout=180)
        again = subprocess.run(["terraform", "plan", "-input=false", "-no-color"],
                               cwd=self.tmp, env=env, capture_output=True, timeout=180)
        self.assertEqual(again.returncode, 0, again.stdout[-2000:])


class Unauthorized(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="e2e"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


class Credentials(TempDirTest):
    def test_git_https_without_helper_or_prompt(self):
        need("git")
        srv = http.server.HTTPServer(("127.0.0.1", 0), Unauthorized)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try:
            url = "http://127.0.0.1:%d/acme/app.git" % srv.server_address[1]
            r = run(["--format", "json", "git", "ls-remote", url], cwd=self.tmp,
                    env=clean_env(HOME=self.tmp, GIT_TERMINAL_PROMPT="0",
                                  GIT_CONFIG_NOSYSTEM="1"), timeout=120)
        finally:
            srv.shutdown()
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r.stdout, "credentials")
        self.assertEqual(d["subject"]["value"], "127.0.0.1")
        self.assertEqual(causes(d)["no-prompt"]["verdict"], "confirmed")
        self.assertIs(d["facts"]["terminal_prompts_disabled"], True)

    def test_aws_log_with_no_credentials_anywhere(self):
        log = self.write("ci.log", 'Unable to locate credentials. You can configure '
                         'credentials by running "aws configure".\n')
        r = run(["--format", "json", "--log", log], cwd=self.tmp,
                env=clean_env(HOME=self.tmp), timeout=60)
        d = diagnosis(r.stdout, "credentials")
        c = causes(d)
        self.assertEqual(c["no-credentials"]["verdict"], "confirmed")
        # Whether a secret is set is a boolean: its value is never a fact.
        self.assertIs(d["facts"]["env_AWS_SECRET_ACCESS_KEY_set"], False)

    def test_secret_values_never_reach_the_report(self):
        log = self.write("ci.log", "An error occurred (ExpiredToken) when calling the "
                         "GetCallerIdentity operation: The security token included "
                         "in the request is expired\n")
        secret = "e2eSECRETvalue0123456789"
        r = run(["--format", "json", "--log", log], cwd=self.tmp,
                env=clean_env(HOME=self.tmp, AWS_SECRET_ACCESS_KEY=secret,
                              AWS_SESSION_TOKEN=secret, AWS_ACCESS_KEY_ID="AKIAE2E"),
                timeout=60)
        d = diagnosis(r.stdout, "credentials")
        self.assertIs(d["facts"]["env_AWS_SESSION_TOKEN_set"], True)
        self.assertNotIn(secret.encode(), r.stdout + r.stderr)
        self.assertNotIn(b"AKIAE2E", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
