#include "clients/goquery/dash_values.h"

namespace goprobe::goquery {

std::vector<std::string> AttachDashValues(std::vector<std::string> args) {
  std::vector<std::string> out;
  out.reserve(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const char* long_name = a == "-f" || a == "--first"  ? "--first"
                            : a == "-l" || a == "--last" ? "--last"
                                                         : nullptr;
    if (a == "--") {  // everything after is positional
      out.insert(out.end(), args.begin() + long(i), args.end());
      break;
    }
    if (long_name != nullptr && i + 1 < args.size() && args[i + 1].size() > 1 &&
        args[i + 1][0] == '-' && args[i + 1][1] >= '0' && args[i + 1][1] <= '9') {
      out.push_back(std::string(long_name) + "=" + args[i + 1]);
      ++i;
      continue;
    }
    out.push_back(a);
  }
  return out;
}

}  // namespace goprobe::goquery
