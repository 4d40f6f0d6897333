// Per-thread error message: set when an exported function catches an exception.
#include "internal.h"

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
}  // namespace

void gmt::set_error(const char* message) {
  last_error = message == nullptr ? "unknown error" : message;
  has_error = true;
}

extern "C" {

GMT_API const char* gmt_last_error(void) { return has_error ? last_error.c_str() : nullptr; }

GMT_API void gmt_clear_error(void) {
  has_error = false;
  last_error.clear();
}

}  // extern "C"
