/* cJSON on Windows is linked in (a static library): there is no loader to
 * spare at start-up, and nothing that can fail to load. */
#include "platform/cjson.h"

int ex_cjson_available(void) {
  return 1;
}

void ex_cjson_hold_messages(void) {}

void ex_cjson_release_messages(void) {}
