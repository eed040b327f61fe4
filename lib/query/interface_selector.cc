#include "lib/query/interface_selector.h"

#include <re2/re2.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/godb/layout.h"

namespace goprobe::query {
namespace {

absl::Status Compile(const std::string& pattern, std::vector<std::unique_ptr<re2::RE2>>* out) {
  if (pattern.size() > InterfaceSelector::kMaxPatternLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "interface regex /", pattern.substr(0, 32), ".../: ", pattern.size(),
        " characters, more than the ", InterfaceSelector::kMaxPatternLength, " allowed"));
  }
  re2::RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>(pattern, options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("interface regex /", pattern, "/: ", re->error()));
  }
  out->push_back(std::move(re));
  return absl::OkStatus();
}

bool AnyMatch(const std::vector<std::unique_ptr<re2::RE2>>& regexes, absl::string_view s) {
  for (const auto& re : regexes) {
    if (re2::RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re)) return true;
  }
  return false;
}

}  // namespace

InterfaceSelector::InterfaceSelector() = default;
InterfaceSelector::~InterfaceSelector() = default;
InterfaceSelector::InterfaceSelector(InterfaceSelector&&) noexcept = default;
InterfaceSelector& InterfaceSelector::operator=(InterfaceSelector&&) noexcept = default;

absl::StatusOr<InterfaceSelector> InterfaceSelector::FromProto(const v1::InterfaceSelector& msg) {
  const size_t entries = size_t(msg.names_size()) + size_t(msg.regexes_size()) +
                         size_t(msg.exclude_names_size()) + size_t(msg.exclude_regexes_size());
  if (entries > kMaxEntries) {
    return absl::InvalidArgumentError(absl::StrCat("interface selector: ", entries,
                                                   " names and regexes, more than the ",
                                                   kMaxEntries, " allowed"));
  }
  InterfaceSelector sel;
  sel.any_ = msg.any();
  sel.names_.assign(msg.names().begin(), msg.names().end());
  sel.exclude_names_.assign(msg.exclude_names().begin(), msg.exclude_names().end());
  for (const std::string& r : msg.regexes()) {
    absl::Status s = Compile(r, &sel.regexes_);
    if (!s.ok()) return s;
  }
  for (const std::string& r : msg.exclude_regexes()) {
    absl::Status s = Compile(r, &sel.exclude_regexes_);
    if (!s.ok()) return s;
  }
  return sel;
}

absl::StatusOr<InterfaceSelector> InterfaceSelector::Parse(absl::string_view text) {
  v1::InterfaceSelector msg;
  const absl::string_view all = absl::StripAsciiWhitespace(text);
  if (all.empty()) return FromProto(msg);
  for (absl::string_view item : absl::StrSplit(all, ',')) {
    item = absl::StripAsciiWhitespace(item);
    const absl::string_view written = item;
    const bool exclude = absl::ConsumePrefix(&item, "!");
    if (item.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("interface list \"", text, "\" has an empty entry"));
    }
    if (item.size() >= 2 && item.front() == '/' && item.back() == '/') {
      const std::string pattern(item.substr(1, item.size() - 2));
      *(exclude ? msg.add_exclude_regexes() : msg.add_regexes()) = pattern;
    } else if (item == "any" && !exclude) {
      msg.set_any(true);
    } else {
      absl::Status s = godb::ValidateInterfaceName(item);
      if (!s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("interface list entry \"", written, "\": ", s.message()));
      }
      *(exclude ? msg.add_exclude_names() : msg.add_names()) = std::string(item);
    }
  }
  return FromProto(msg);
}

bool InterfaceSelector::Matches(absl::string_view iface) const {
  const bool included = any_ || (names_.empty() && regexes_.empty()) ||
                        std::find(names_.begin(), names_.end(), iface) != names_.end() ||
                        AnyMatch(regexes_, iface);
  if (!included) return false;
  return std::find(exclude_names_.begin(), exclude_names_.end(), iface) == exclude_names_.end() &&
         !AnyMatch(exclude_regexes_, iface);
}

std::vector<std::string> InterfaceSelector::Select(const std::vector<std::string>& ifaces) const {
  std::vector<std::string> out;
  for (const std::string& i : ifaces) {
    if (Matches(i)) out.push_back(i);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> InterfaceSelector::SelectAll(
    const std::vector<std::string>& available) const {
  std::vector<std::string> missing;
  for (const std::string& name : names_) {
    if (std::find(available.begin(), available.end(), name) == available.end()) {
      missing.push_back(name);
    }
  }
  if (!missing.empty()) {
    return absl::NotFoundError(absl::StrCat(
        missing.size() == 1 ? "interface " : "interfaces ", absl::StrJoin(missing, ", "),
        missing.size() == 1 ? " has" : " have", " no data (there is data for ",
        available.empty() ? "no interface" : absl::StrJoin(available, ", "), ")"));
  }
  return Select(available);
}

v1::InterfaceSelector InterfaceSelector::ToProto() const {
  v1::InterfaceSelector msg;
  msg.set_any(any_);
  for (const auto& n : names_) msg.add_names(n);
  for (const auto& n : exclude_names_) msg.add_exclude_names(n);
  for (const auto& r : regexes_) msg.add_regexes(r->pattern());
  for (const auto& r : exclude_regexes_) msg.add_exclude_regexes(r->pattern());
  return msg;
}

}  // namespace goprobe::query
