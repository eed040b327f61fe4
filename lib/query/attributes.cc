#include "lib/query/attributes.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace goprobe::query {

std::vector<Attribute> AttributeSet::InDisplayOrder() const {
  static constexpr Attribute kOrder[] = {Attribute::kTime,  Attribute::kHost, Attribute::kHostId,
                                         Attribute::kIface, Attribute::kSip,  Attribute::kDip,
                                         Attribute::kDport, Attribute::kProto};
  std::vector<Attribute> out;
  for (Attribute a : kOrder) {
    if (Has(a)) out.push_back(a);
  }
  return out;
}

absl::string_view AttributeName(Attribute a) {
  switch (a) {
    case Attribute::kSip: return "sip";
    case Attribute::kDip: return "dip";
    case Attribute::kDport: return "dport";
    case Attribute::kProto: return "proto";
    case Attribute::kIface: return "iface";
    case Attribute::kTime: return "time";
    case Attribute::kHost: return "host";
    case Attribute::kHostId: return "hostid";
  }
  return "?";
}

absl::StatusOr<AttributeSet> ParseAttributes(absl::string_view text) {
  struct Word {
    absl::string_view name;
    std::vector<Attribute> attributes;
  };
  using A = Attribute;
  static const Word kWords[] = {
      {"sip", {A::kSip}},
      {"src", {A::kSip}},
      {"dip", {A::kDip}},
      {"dst", {A::kDip}},
      {"dport", {A::kDport}},
      {"port", {A::kDport}},
      {"proto", {A::kProto}},
      {"iface", {A::kIface}},
      {"time", {A::kTime}},
      {"host", {A::kHost}},
      {"hostname", {A::kHost}},
      {"hostid", {A::kHostId}},
      {"talk_conv", {A::kSip, A::kDip}},
      {"talk_src", {A::kSip}},
      {"talk_dst", {A::kDip}},
      {"apps_port", {A::kDport, A::kProto}},
      {"agg_talk_port", {A::kSip, A::kDip, A::kDport, A::kProto}},
      {"raw", {A::kTime, A::kIface, A::kSip, A::kDip, A::kDport, A::kProto}},
  };
  AttributeSet set;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    const std::string word = absl::AsciiStrToLower(absl::StripAsciiWhitespace(item));
    const Word* found = nullptr;
    for (const Word& w : kWords) {
      if (w.name == word) found = &w;
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          word.empty() ? std::string("empty attribute") : absl::StrCat("unknown attribute \"", word, "\""),
          " in \"", text,
          "\": want sip (src), dip (dst), dport (port), proto, iface, time, host (hostname), hostid or a "
          "preset: talk_conv, talk_src, talk_dst, apps_port, agg_talk_port, raw"));
    }
    for (Attribute a : found->attributes) set.Add(a);
  }
  return set;
}

}  // namespace goprobe::query
