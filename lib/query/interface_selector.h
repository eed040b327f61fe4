#ifndef GOPROBE_LIB_QUERY_INTERFACE_SELECTOR_H_
#define GOPROBE_LIB_QUERY_INTERFACE_SELECTOR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/goprobe/v1/query.pb.h"

namespace re2 {
class RE2;
}

namespace goprobe::query {

// Which interfaces a query or listing covers, as goQuery's -i says it:
// a list of names and /regexes/, "any", and !exclusions.
//
// An interface is selected when (`any`, or no names and no regexes are given,
// or its name is listed, or a regex matches somewhere in it) and no exclusion
// names it or matches it. Regexes are RE2 (linear time whatever the input)
// and match anywhere in the name, as goQuery's do; anchor them with ^ and $.
class InterfaceSelector {
 public:
  // InvalidArgument naming the first regex that does not compile, or a
  // selector beyond the bounds below (which keep a request's compiled
  // regexes to a few megabytes and its error messages short).
  static constexpr size_t kMaxEntries = 1024;       // names and regexes together
  static constexpr size_t kMaxPatternLength = 1024;  // characters of one regex
  static absl::StatusOr<InterfaceSelector> FromProto(const v1::InterfaceSelector& msg);
  // Parses goQuery's command-line form: comma-separated items, each a name,
  // "any", "/regex/", "!name" or "!/regex/"; "" selects everything.
  // InvalidArgument naming the item for an empty item, an invalid interface
  // name or a regex that does not compile.
  static absl::StatusOr<InterfaceSelector> Parse(absl::string_view text);

  InterfaceSelector();
  ~InterfaceSelector();
  InterfaceSelector(InterfaceSelector&&) noexcept;
  InterfaceSelector& operator=(InterfaceSelector&&) noexcept;

  bool Matches(absl::string_view iface) const;
  // The selected interfaces of `ifaces`, in its order.
  std::vector<std::string> Select(const std::vector<std::string>& ifaces) const;
  // As Select, but NotFound when an interface named outright (not a regex,
  // not excluded) is not among `available`: on one host, a typo must not
  // read as "no traffic". The message lists what is available.
  absl::StatusOr<std::vector<std::string>> SelectAll(
      const std::vector<std::string>& available) const;
  v1::InterfaceSelector ToProto() const;

 private:
  bool any_ = false;
  std::vector<std::string> names_, exclude_names_;
  std::vector<std::unique_ptr<re2::RE2>> regexes_, exclude_regexes_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_INTERFACE_SELECTOR_H_
