#ifndef GOPROBE_LIB_GODB_TEMP_DIR_FOR_TEST_H_
#define GOPROBE_LIB_GODB_TEMP_DIR_FOR_TEST_H_

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace goprobe::godb {

// A fresh directory under the test's TEST_TMPDIR, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/godb.XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_TEMP_DIR_FOR_TEST_H_
