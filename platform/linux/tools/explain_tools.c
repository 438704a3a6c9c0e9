/* Explainers of the tools family: conditions that are not an errno of the
 * system but a tool's own (a Python module, a Node package, git's
 * safe.directory and locks, a header or library the toolchain cannot
 * find, a Java class too new for the runtime or not on the class path,
 * text in another encoding than the one it was decoded with).
 * The registry tries this table first, so a tool's message gets its own
 * explainer before the generic errno ones. */
#include "platform/linux/explainers.h"
#include "platform/linux/tools/tool_util.h"

const ex_explainer_t ex__explainers_tools[] = {
    {"python-module-not-found", ex__tool_py_module_applies,
     ex__tool_py_module_run},
    {"pip-externally-managed", ex__tool_py_managed_applies,
     ex__tool_py_managed_run},
    {"node-module-not-found", ex__tool_node_module_applies,
     ex__tool_node_module_run},
    {"git-dubious-ownership", ex__tool_git_dubious_applies,
     ex__tool_git_dubious_run},
    {"git-lock-file", ex__tool_git_lock_applies, ex__tool_git_lock_run},
    {"git-not-a-repository", ex__tool_git_norepo_applies,
     ex__tool_git_norepo_run},
    {"cc-header-not-found", ex__tool_cc_header_applies,
     ex__tool_cc_header_run},
    {"ld-cannot-find-library", ex__tool_ld_lib_applies, ex__tool_ld_lib_run},
    {"ld-undefined-reference", ex__tool_ld_symbol_applies,
     ex__tool_ld_symbol_run},
    {"java-class-version", ex__tool_java_version_applies,
     ex__tool_java_version_run},
    {"java-class-not-found", ex__tool_java_class_applies,
     ex__tool_java_class_run},
    {"text-encoding", ex__tool_decode_applies, ex__tool_decode_run},
    {"runtime-out-of-memory", ex__tool_oom_applies, ex__tool_oom_run},
    {"sqlite-database", ex__tool_sqlite_applies, ex__tool_sqlite_run},
    {NULL, NULL, NULL},
};
