#include "clients/goquery/iface_selector.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/godb/layout.h"

namespace goprobe::goquery {

absl::StatusOr<IfaceSelector> IfaceSelector::Parse(absl::string_view spec) {
  IfaceSelector sel;
  const absl::string_view all = absl::StripAsciiWhitespace(spec);
  if (all.empty() || all == "any") return sel;
  for (absl::string_view raw : absl::StrSplit(all, ',')) {
    const absl::string_view text = absl::StripAsciiWhitespace(raw);
    Term term;
    term.text = std::string(text);
    absl::string_view body = text;
    if (!body.empty() && body[0] == '!') {
      term.exclude = true;
      body.remove_prefix(1);
    }
    if (body.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("interface list \"", spec, "\" has an empty entry"));
    }
    if (body.size() >= 2 && body.front() == '/' && body.back() == '/') {
      const std::string pattern(body.substr(1, body.size() - 2));
      try {
        term.regex = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        return absl::InvalidArgumentError(
            absl::StrCat("interface pattern ", text, " is not a valid regular expression: ", e.what()));
      }
    } else {
      absl::Status s = godb::ValidateInterfaceName(body);
      if (!s.ok()) return s;
      term.name = std::string(body);
    }
    sel.terms_.push_back(std::move(term));
  }
  return sel;
}

bool IfaceSelector::Matches(const Term& t, const std::string& iface) const {
  return t.regex ? std::regex_search(iface, *t.regex) : t.name == iface;
}

absl::StatusOr<std::vector<std::string>> IfaceSelector::Select(
    const std::vector<std::string>& available) const {
  std::vector<std::string> missing;
  bool any_include = false;
  for (const Term& t : terms_) {
    if (t.exclude) continue;
    any_include = true;
    if (!t.regex && std::find(available.begin(), available.end(), t.name) == available.end()) {
      missing.push_back(t.name);
    }
  }
  if (!missing.empty()) {
    return absl::NotFoundError(absl::StrCat(
        missing.size() == 1 ? "interface " : "interfaces ", absl::StrJoin(missing, ", "),
        missing.size() == 1 ? " has" : " have", " no data (there is data for ",
        available.empty() ? "no interface" : absl::StrJoin(available, ", "), ")"));
  }
  std::vector<std::string> out;
  for (const std::string& iface : available) {
    bool in = !any_include;
    for (const Term& t : terms_) {
      if (!t.exclude && Matches(t, iface)) in = true;
    }
    for (const Term& t : terms_) {
      if (t.exclude && Matches(t, iface)) in = false;
    }
    if (in) out.push_back(iface);
  }
  return out;
}

}  // namespace goprobe::goquery
