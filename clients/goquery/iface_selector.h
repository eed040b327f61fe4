#ifndef GOPROBE_CLIENTS_GOQUERY_IFACE_SELECTOR_H_
#define GOPROBE_CLIENTS_GOQUERY_IFACE_SELECTOR_H_

// Which interfaces a command covers (-i).

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::goquery {

// goQuery's -i syntax: a comma-separated list of terms, each an interface
// name ("eth0"), a regular expression between slashes matched anywhere in
// the name ("/^eth/"), or either preceded by '!' to exclude ("!lo",
// "!/^veth/"). Without any including term every interface is included before
// exclusions apply; "" and "any" select everything.
class IfaceSelector {
 public:
  // All interfaces.
  IfaceSelector() = default;

  // InvalidArgument naming the term for an empty term, an invalid interface
  // name, or a regular expression that does not compile.
  static absl::StatusOr<IfaceSelector> Parse(absl::string_view spec);

  // The selected interfaces of `available`, in its order. NotFound if an
  // interface named outright (not excluded, not a regex) is not available:
  // a typo must not read as "no traffic". An empty result is not an error.
  absl::StatusOr<std::vector<std::string>> Select(const std::vector<std::string>& available) const;

 private:
  struct Term {
    bool exclude = false;
    std::string name;                    // when not a regex
    std::shared_ptr<const std::regex> regex;  // shared: selectors are copied
    std::string text;                    // as written, for messages
  };
  bool Matches(const Term& t, const std::string& iface) const;

  std::vector<Term> terms_;
};

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_IFACE_SELECTOR_H_
