#include "clients/goconvert/go_flags.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace goprobe::goconvert {

std::vector<std::string> GoStyleLongFlags(std::vector<std::string> args,
                                          const std::vector<std::string>& long_names) {
  for (std::string& arg : args) {
    if (arg == "--") break;
    if (arg.size() < 3 || arg[0] != '-' || arg[1] == '-') continue;
    for (const std::string& name : long_names) {
      const std::string dashed = absl::StrCat("-", name);
      if (arg == dashed || absl::StartsWith(arg, absl::StrCat(dashed, "="))) {
        arg.insert(0, "-");
        break;
      }
    }
  }
  return args;
}

}  // namespace goprobe::goconvert
