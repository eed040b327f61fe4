#ifndef GOPROBE_CLIENTS_GOQUERY_OUTPUT_FILES_H_
#define GOPROBE_CLIENTS_GOQUERY_OUTPUT_FILES_H_

// Where goquery's result goes: standard output, or (a stored query's
// Output, or -o) one or more files it is appended to, as goQuery appends, so
// a scheduled job builds up a log of its runs.

#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::goquery {

class OutputFiles {
 public:
  // Opens every file in `paths` for appending (creating it, mode 0644 less
  // the umask); with none, writes to `stdout_stream`. The error names the
  // file and the reason.
  static absl::StatusOr<OutputFiles> Open(const std::vector<std::string>& paths,
                                          std::ostream* stdout_stream);

  void Write(absl::string_view text);
  // Flushes and checks every stream; the error names the file that failed
  // (a full disk must not pass for a finished report).
  absl::Status Finish();

 private:
  std::ostream* stdout_ = nullptr;
  std::vector<std::string> paths_;
  std::vector<std::unique_ptr<std::ofstream>> files_;
};

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_OUTPUT_FILES_H_
