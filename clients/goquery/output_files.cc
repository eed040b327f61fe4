#include "clients/goquery/output_files.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace goprobe::goquery {

absl::StatusOr<OutputFiles> OutputFiles::Open(const std::vector<std::string>& paths,
                                              std::ostream* stdout_stream) {
  OutputFiles out;
  if (paths.empty()) {
    out.stdout_ = stdout_stream;
    return out;
  }
  for (const std::string& path : paths) {
    auto file = std::make_unique<std::ofstream>(path, std::ios::app | std::ios::binary);
    if (!*file) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot open output file ", path, ": ", std::strerror(errno)));
    }
    out.paths_.push_back(path);
    out.files_.push_back(std::move(file));
  }
  return out;
}

void OutputFiles::Write(absl::string_view text) {
  if (stdout_ != nullptr) stdout_->write(text.data(), std::streamsize(text.size()));
  for (auto& f : files_) f->write(text.data(), std::streamsize(text.size()));
}

absl::Status OutputFiles::Finish() {
  if (stdout_ != nullptr) {
    stdout_->flush();
    if (!*stdout_) return absl::DataLossError("writing the result to standard output failed");
  }
  for (size_t i = 0; i < files_.size(); ++i) {
    files_[i]->flush();
    if (!*files_[i]) {
      return absl::DataLossError(absl::StrCat("writing the result to ", paths_[i], " failed"));
    }
  }
  return absl::OkStatus();
}

}  // namespace goprobe::goquery
