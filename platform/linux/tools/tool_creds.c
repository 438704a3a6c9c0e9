/* Credentials: where the tool that failed looks for them (the variables of
 * its environment, its files under HOME) and whether they are there. A
 * secret is never read into a fact: a variable is "set" or not, a file
 * exists or not, with its size and time; of a file that lists entries by
 * name (profiles, registries, hosts) only the names are compared. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "platform/linux/tools/tool_ci.h"
#include "platform/linux/tools/tool_util.h"

#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const conditions[] = {
    "credentials-missing", "credentials-expired",  "auth-denied",
    "oidc-token-missing",  "registry-auth-failed", NULL};

int ex__creds_applies(const ex_probe_event_t *ev) {
  return ex__ci_condition(ev, conditions) ||
         ex__ci_rule(ev, "git.https-auth-failed") ||
         ex__ci_rule(ev, "git.ssh-publickey") ||
         ex__ci_rule(ev, "npm.auth-failed") ||
         ex__ci_rule(ev, "http.auth-failed");
}

/* Facts "env_NAME": true or false for each variable, never its value.
 * Returns how many are set. */
static int vars_set(ex_facts_t *f, const char *const *names) {
  char key[96];
  int n = 0;
  size_t i;

  for (i = 0; names[i] != NULL; i++) {
    int set = ex__ci_env(names[i]) != NULL;

    snprintf(key, sizeof(key), "env_%s_set", names[i]);
    ex_facts_bool(f, key, set);
    n += set;
  }
  return n;
}

/* HOME-relative path, or the variable's value when it is set. */
static const char *home_file(const ex_proc_t *proc, const char *var,
                             const char *rel, char *buf, size_t size) {
  char home[PATH_MAX];
  const char *v = var != NULL ? ex__ci_env(var) : NULL;

  if (v != NULL) {
    ex_strlcpy(buf, v, size);
    return buf;
  }
  ex__tool_home(proc, home, sizeof(home));
  if (ex__tool_join(buf, size, home, rel) == NULL)
    buf[0] = '\0';
  return buf;
}

/* 1 when the INI-style file path has the section [name] or [profile
 * name]. */
static int ini_has_section(const char *path, const char *name) {
  char *text = ex__tool_slurp(path);
  char a[256];
  char b[256];
  int found;

  if (text == NULL)
    return 0;
  snprintf(a, sizeof(a), "[%s]", name);
  snprintf(b, sizeof(b), "[profile %s]", name);
  found = strstr(text, a) != NULL || strstr(text, b) != NULL;
  free(text);
  return found;
}

static void aws(const ex_probe_event_t *ev, const ex_proc_t *proc,
                ex_explanation_t *out) {
  static const char *const keys[] = {"AWS_ACCESS_KEY_ID",
                                     "AWS_SECRET_ACCESS_KEY",
                                     "AWS_SESSION_TOKEN",
                                     "AWS_WEB_IDENTITY_TOKEN_FILE",
                                     "AWS_ROLE_ARN",
                                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                     NULL};
  const char *profile = ex__ci_env("AWS_PROFILE");
  char cred[PATH_MAX];
  char conf[PATH_MAX];
  int have_cred;
  int have_conf;
  int nenv;

  nenv = vars_set(&out->facts, keys);
  home_file(proc, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", cred,
            sizeof(cred));
  home_file(proc, "AWS_CONFIG_FILE", ".aws/config", conf, sizeof(conf));
  have_cred = ex__ci_file_facts(&out->facts, "aws_credentials_file", cred);
  have_conf = ex__ci_file_facts(&out->facts, "aws_config_file", conf);
  if (profile == NULL)
    profile = ex__ci_env("AWS_DEFAULT_PROFILE");
  if (profile != NULL) {
    ex_facts_str(&out->facts, "aws_profile", profile);
    if (!ini_has_section(cred, profile) && !ini_has_section(conf, profile))
      ex_cause_add(out, "profile", EX_VERDICT_CONFIRMED,
                   "the profile %s is in neither %s nor %s", profile, cred,
                   conf);
    else
      ex_cause_add(out, "profile", EX_VERDICT_RULED_OUT,
                   "the profile %s is defined", profile);
  }
  if (ex__ci_rule(ev, "aws.credentials-missing")) {
    if (nenv == 0 && !have_cred && !have_conf)
      ex_cause_add(out, "no-credentials", EX_VERDICT_CONFIRMED,
                   "no AWS variable is set and neither %s nor %s exists", cred,
                   conf);
    else
      ex_cause_add(out, "no-credentials", EX_VERDICT_RULED_OUT,
                   "credentials are configured here (%d variable%s, %s%s)",
                   nenv, nenv == 1 ? "" : "s",
                   have_cred ? "a credentials file" : "no credentials file",
                   have_conf ? ", a config file" : "");
    if (ex__ci_env("AWS_WEB_IDENTITY_TOKEN_FILE") != NULL &&
        access(ex__ci_env("AWS_WEB_IDENTITY_TOKEN_FILE"), F_OK) != 0)
      ex_cause_add(out, "no-role", EX_VERDICT_CONFIRMED,
                   "AWS_WEB_IDENTITY_TOKEN_FILE names a file that does not "
                   "exist");
  } else if (ex__ci_env("AWS_SESSION_TOKEN") != NULL) {
    ex_cause_add(out, "stale-env", EX_VERDICT_UNKNOWN,
                 "the environment carries temporary credentials "
                 "(AWS_SESSION_TOKEN is set): they win over the files and "
                 "expire");
  }
  {
    const char *argv[] = {"aws", "sts", "get-caller-identity", NULL};

    ex_fix_add_cmd(out, 0, argv, "see which identity the CLI uses here");
  }
}

static void gcp(const ex_proc_t *proc, ex_explanation_t *out) {
  const char *gac = ex__ci_env("GOOGLE_APPLICATION_CREDENTIALS");
  char adc[PATH_MAX];
  int have_adc;

  home_file(proc, "CLOUDSDK_CONFIG", ".config/gcloud", adc, sizeof(adc));
  strncat(adc, "/application_default_credentials.json",
          sizeof(adc) - strlen(adc) - 1);
  have_adc = ex__ci_file_facts(&out->facts, "gcloud_adc_file", adc);
  if (gac != NULL) {
    int ok =
        ex__ci_file_facts(&out->facts, "GOOGLE_APPLICATION_CREDENTIALS", gac);

    ex_cause_add(out, "no-adc",
                 ok ? EX_VERDICT_RULED_OUT : EX_VERDICT_CONFIRMED,
                 ok ? "GOOGLE_APPLICATION_CREDENTIALS names %s, which exists"
                    : "GOOGLE_APPLICATION_CREDENTIALS names %s, which does "
                      "not exist",
                 gac);
  } else {
    ex_cause_add(out, "no-adc",
                 have_adc ? EX_VERDICT_RULED_OUT : EX_VERDICT_CONFIRMED,
                 have_adc ? "application default credentials exist (%s)"
                          : "GOOGLE_APPLICATION_CREDENTIALS is not set and %s "
                            "does not exist",
                 adc);
  }
}

static void azure(const ex_proc_t *proc, ex_explanation_t *out) {
  static const char *const keys[] = {"AZURE_CLIENT_ID", "AZURE_TENANT_ID",
                                     "AZURE_CLIENT_SECRET", "ARM_CLIENT_ID",
                                     NULL};
  char dir[PATH_MAX];
  char prof[PATH_MAX];

  vars_set(&out->facts, keys);
  home_file(proc, "AZURE_CONFIG_DIR", ".azure", dir, sizeof(dir));
  if (ex__tool_join(prof, sizeof(prof), dir, "azureProfile.json") == NULL)
    return;
  if (!ex__ci_file_facts(&out->facts, "azure_profile", prof))
    ex_cause_add(out, "not-logged-in", EX_VERDICT_CONFIRMED,
                 "%s does not exist: az has never logged in for this user",
                 prof);
}

static void oidc(ex_explanation_t *out) {
  if (ex__ci_env("GITHUB_ACTIONS") == NULL) {
    ex_cause_add(out, "permissions", EX_VERDICT_UNKNOWN,
                 "this is not a GitHub Actions job: the job's token request "
                 "variables cannot be seen from here");
    return;
  }
  if (ex__ci_env("ACTIONS_ID_TOKEN_REQUEST_URL") == NULL)
    ex_cause_add(out, "permissions", EX_VERDICT_CONFIRMED,
                 "ACTIONS_ID_TOKEN_REQUEST_URL is not set in this job: the "
                 "workflow does not grant permissions: id-token: write");
  else
    ex_cause_add(out, "permissions", EX_VERDICT_RULED_OUT,
                 "the job may request an OIDC token "
                 "(ACTIONS_ID_TOKEN_REQUEST_URL is set)");
}

/* The host of a git URL or a "user@host" subject. */
static void git_https(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      ex_explanation_t *out) {
  static const char *const keys[] = {"GIT_ASKPASS", "GH_TOKEN", "GITHUB_TOKEN",
                                     NULL};
  const char *host = ev->subject_value;
  char cfg[PATH_MAX];
  char store[PATH_MAX];
  char *text;
  int helper = 0;

  vars_set(&out->facts, keys);
  if (ex__ci_env("GIT_TERMINAL_PROMPT") != NULL &&
      strcmp(ex__ci_env("GIT_TERMINAL_PROMPT"), "0") == 0)
    ex_facts_bool(&out->facts, "terminal_prompts_disabled", 1);
  home_file(proc, NULL, ".gitconfig", cfg, sizeof(cfg));
  text = ex__tool_slurp(cfg);
  if (text != NULL) {
    const char *p = strstr(text, "[credential");

    if (p != NULL && strstr(p, "helper") != NULL) {
      char name[64] = "";

      sscanf(strstr(p, "helper"), "helper = %63s", name);
      helper = 1;
      ex_facts_str(&out->facts, "credential_helper",
                   name[0] != '\0' ? name : "set");
    }
    free(text);
  }
  if (!helper)
    ex_facts_bool(&out->facts, "credential_helper", 0);
  home_file(proc, NULL, ".git-credentials", store, sizeof(store));
  if (ex__ci_file_facts(&out->facts, "git_credentials_file", store) &&
      host != NULL && host[0] != '\0') {
    char *s = ex__tool_slurp(store);
    char at[300];

    snprintf(at, sizeof(at), "@%s", host);
    if (s != NULL)
      ex_cause_add(out, "stale-credential",
                   strstr(s, at) != NULL ? EX_VERDICT_UNKNOWN
                                         : EX_VERDICT_RULED_OUT,
                   strstr(s, at) != NULL
                       ? "%s holds a stored credential for %s: it may be old "
                         "or revoked"
                       : "%s holds no credential for %s",
                   store, host);
    free(s);
  } else if (!helper) {
    ex_cause_add(out, "no-prompt", EX_VERDICT_CONFIRMED,
                 "git has no credential helper and no stored credentials "
                 "here: only a terminal prompt could supply a password");
  }
  {
    const char *argv[] = {
        "git", "config", "--show-origin", "--get-all", "credential.helper",
        NULL};

    ex_fix_add_cmd(out, 0, argv, "see which credential helper git uses");
  }
}

static void ssh_keys(const ex_proc_t *proc, ex_explanation_t *out) {
  char home[PATH_MAX];
  char pat[PATH_MAX];
  const char *agent = ex__ci_env("SSH_AUTH_SOCK");
  glob_t g;
  size_t nkeys = 0;

  ex__tool_home(proc, home, sizeof(home));
  if (ex__tool_join(pat, sizeof(pat), home, ".ssh/id_*[!b]") == NULL)
    return;
  if (glob(pat, 0, NULL, &g) == 0)
    nkeys = g.gl_pathc;
  globfree(&g);
  ex_facts_int(&out->facts, "ssh_private_keys", (long long)nkeys);
  ex_facts_bool(&out->facts, "ssh_agent",
                agent != NULL && access(agent, F_OK) == 0);
  if (nkeys == 0 && (agent == NULL || access(agent, F_OK) != 0))
    ex_cause_add(out, "no-key", EX_VERDICT_CONFIRMED,
                 "%s/.ssh holds no id_* key and no SSH agent is reachable: "
                 "ssh has nothing to offer",
                 home);
}

/* docker login: the config file's auths, by registry name only. */
static void registry(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     ex_explanation_t *out) {
  const char *image = ev->subject_value;
  char cfg[PATH_MAX];
  char reg[256] = "docker.io";
  char *text;

  home_file(proc, "DOCKER_CONFIG", ".docker", cfg, sizeof(cfg));
  strncat(cfg, "/config.json", sizeof(cfg) - strlen(cfg) - 1);
  if (image != NULL && image[0] != '\0') {
    size_t n = strcspn(image, "/");

    /* A first component with a dot or a colon is a registry host. */
    if (image[n] == '/' && n < sizeof(reg) &&
        (memchr(image, '.', n) != NULL || memchr(image, ':', n) != NULL ||
         strncmp(image, "localhost", 9) == 0)) {
      memcpy(reg, image, n);
      reg[n] = '\0';
    }
  }
  ex_facts_str(&out->facts, "registry", reg);
  if (!ex__ci_file_facts(&out->facts, "docker_config", cfg)) {
    ex_cause_add(out, "not-logged-in", EX_VERDICT_CONFIRMED,
                 "%s does not exist: this user never ran docker login", cfg);
    return;
  }
  text = ex__tool_slurp(cfg);
  if (text != NULL) {
    const char *lookup =
        strcmp(reg, "docker.io") == 0 ? "index.docker.io" : reg;
    const char *store = strstr(text, "\"credsStore\"");

    if (store != NULL)
      ex_facts_bool(&out->facts, "docker_creds_store", 1);
    ex_cause_add(out, "not-logged-in",
                 strstr(text, lookup) != NULL ? EX_VERDICT_RULED_OUT
                                              : EX_VERDICT_CONFIRMED,
                 strstr(text, lookup) != NULL
                     ? "%s has an entry for %s"
                     : "%s has no entry for %s: no docker login for it",
                 cfg, reg);
    free(text);
  }
  {
    const char *argv[] = {"docker", "login", reg, NULL};

    ex_fix_add_cmd(out, 0, argv, "log in to the registry");
  }
}

static void npmrc(const ex_proc_t *proc, ex_explanation_t *out) {
  static const char *const keys[] = {"NPM_TOKEN", "NODE_AUTH_TOKEN", NULL};
  char user[PATH_MAX];
  char proj[PATH_MAX];
  int tokens = 0;
  size_t i;
  const char *files[2];

  vars_set(&out->facts, keys);
  home_file(proc, "NPM_CONFIG_USERCONFIG", ".npmrc", user, sizeof(user));
  if (ex__tool_join(proj, sizeof(proj),
                    proc != NULL && proc->cwd[0] != '\0' ? proc->cwd : ".",
                    ".npmrc") == NULL)
    proj[0] = '\0';
  files[0] = user;
  files[1] = proj;
  for (i = 0; i < 2; i++) {
    char *text = ex__tool_slurp(files[i]);

    if (text == NULL)
      continue;
    if (strstr(text, "_authToken") != NULL || strstr(text, "_auth") != NULL)
      tokens++;
    free(text);
  }
  ex_facts_str(&out->facts, "npmrc", user);
  ex_cause_add(out, "no-token",
               tokens > 0 ? EX_VERDICT_RULED_OUT : EX_VERDICT_CONFIRMED,
               tokens > 0 ? "an .npmrc here holds an auth entry (%s or the "
                            "project's)"
                          : "neither %s nor the project's .npmrc holds an "
                            "auth entry",
               user);
}

static void http_files(const ex_proc_t *proc, ex_explanation_t *out) {
  char p[PATH_MAX];

  home_file(proc, NULL, ".netrc", p, sizeof(p));
  ex__ci_file_facts(&out->facts, "netrc", p);
  home_file(proc, NULL, ".m2/settings.xml", p, sizeof(p));
  ex__ci_file_facts(&out->facts, "maven_settings", p);
  home_file(proc, "GRADLE_USER_HOME", ".gradle", p, sizeof(p));
  strncat(p, "/gradle.properties", sizeof(p) - strlen(p) - 1);
  ex__ci_file_facts(&out->facts, "gradle_properties", p);
}

int ex__creds_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                  const ex_host_t *host, ex_explanation_t *out) {
  ex_probe_context_facts(proc, host, &out->facts);
  if (ex__ci_rule(ev, "aws."))
    aws(ev, proc, out);
  else if (ex__ci_rule(ev, "gcp."))
    gcp(proc, out);
  else if (ex__ci_rule(ev, "azure."))
    azure(proc, out);
  else if (ex__ci_rule(ev, "ci.oidc-token"))
    oidc(out);
  else if (ex__ci_rule(ev, "git.https-auth-failed"))
    git_https(ev, proc, out);
  else if (ex__ci_rule(ev, "git.ssh-publickey"))
    ssh_keys(proc, out);
  else if (ex__ci_rule(ev, "registry.auth-failed"))
    registry(ev, proc, out);
  else if (ex__ci_rule(ev, "npm.auth-failed"))
    npmrc(proc, out);
  else
    http_files(proc, out);
  return 0;
}
