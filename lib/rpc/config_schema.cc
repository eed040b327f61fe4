#include "lib/rpc/config_schema.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace goprobe::rpc {
namespace {

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The line of a node for messages (yaml-cpp counts from 0; null nodes made up
// for a missing value have no mark).
int Line(const YAML::Node& node, int fallback) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? fallback : mark.line + 1;
}

}  // namespace

std::string Origins::Describe(const std::string& key) const {
  const auto it = where_.find(key);
  return it == where_.end() ? key : it->second;
}

void ConfigSchema::AddScalar(std::string key, std::string flag, std::string help, Setter set,
                             std::string default_text) {
  auto s = std::make_unique<Setting>();
  s->key = std::move(key);
  s->flag = std::move(flag);
  s->help = std::move(help);
  s->default_text = std::move(default_text);
  s->set = std::move(set);
  settings_.push_back(std::move(s));
}

void ConfigSchema::AddSwitch(std::string key, std::string flag, std::string help, bool* out) {
  auto s = std::make_unique<Setting>();
  s->key = std::move(key);
  s->flag = std::move(flag);
  s->help = std::move(help);
  s->default_text = *out ? "true" : "false";
  s->is_switch = true;
  s->set = setters::Bool(out);
  settings_.push_back(std::move(s));
}

void ConfigSchema::AddList(std::string key, std::string flag, std::string help,
                           std::function<void()> clear, Setter add) {
  auto s = std::make_unique<Setting>();
  s->key = std::move(key);
  s->flag = std::move(flag);
  s->help = std::move(help);
  s->list = true;
  s->set = std::move(add);
  s->clear = std::move(clear);
  settings_.push_back(std::move(s));
}

std::vector<std::string> ConfigSchema::keys() const {
  std::vector<std::string> keys;
  for (const auto& s : settings_) keys.push_back(s->key);
  return keys;
}

void ConfigSchema::AddFlags(CLI::App* app) {
  app->add_option("--config", config_path_,
                  absl::StrCat("YAML configuration file of ", program_,
                               "; flags given beside it override its settings"));
  app->add_flag("--check-config", check_only_,
                "check the configuration (files it names included) and exit: 0 when it is good");
  for (auto& s : settings_) {
    const std::string help = absl::StrCat(s->help, "  [config: ", s->key, "]");
    if (s->is_switch) {
      s->option = app->add_flag(s->flag, s->flag_switch, help);
    } else if (s->list) {
      s->option = app->add_option(s->flag, s->flag_values, help);
    } else {
      s->option = app->add_option(s->flag, s->flag_value, help);
      if (!s->default_text.empty()) s->option->default_str(s->default_text);
    }
  }
}

absl::Status ConfigSchema::Apply(Setting& s, absl::string_view value, const std::string& where,
                                 const std::string& origin) {
  absl::Status st = s.set(value);
  if (!st.ok()) {
    return absl::Status(st.code(),
                        absl::StrCat(where, ": ", st.message(), " (got \"", value, "\")"));
  }
  if (origins_ != nullptr) origins_->Set(s.key, origin);
  return absl::OkStatus();
}

absl::Status ConfigSchema::Load() {
  if (!config_path_.empty()) {
    absl::Status s = LoadFile(config_path_);
    if (!s.ok()) return s;
  }
  return ApplyFlags();
}

absl::Status ConfigSchema::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read configuration ", path, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return LoadYaml(text.str(), path);
}

absl::Status ConfigSchema::ApplyFlags() {
  for (auto& s : settings_) {
    if (s->option == nullptr || s->option->count() == 0) continue;
    if (s->is_switch) {
      absl::Status st = Apply(*s, "true", s->flag, s->flag);
      if (!st.ok()) return st;
    } else if (s->list) {
      s->clear();
      for (const std::string& v : s->flag_values) {
        absl::Status st = Apply(*s, v, s->flag, s->flag);
        if (!st.ok()) return st;
      }
    } else {
      absl::Status st = Apply(*s, s->flag_value, s->flag, s->flag);
      if (!st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

absl::Status ConfigSchema::LoadYaml(absl::string_view text, absl::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  if (root.IsNull()) return absl::OkStatus();  // an empty file: every default
  const auto error = [&](int line, absl::string_view path, absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", line, ": ", path.empty() ? "" : absl::StrCat(path, ": "), why));
  };
  if (!root.IsMap()) return error(Line(root, 1), "", "want a mapping of settings at the top");

  // Walks one mapping whose keys live under `prefix` ("" at the top).
  std::function<absl::Status(const YAML::Node&, const std::string&)> walk =
      [&](const YAML::Node& map, const std::string& prefix) -> absl::Status {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const int key_line = Line(kv.first, 1);
      if (!kv.first.IsScalar()) return error(key_line, prefix, "keys must be plain names");
      const std::string name = kv.first.Scalar();
      const std::string path = prefix.empty() ? name : absl::StrCat(prefix, ".", name);
      if (!seen.insert(name).second) return error(key_line, path, "given twice");
      const YAML::Node& value = kv.second;
      const int line = Line(value, key_line);
      const auto it = std::find_if(settings_.begin(), settings_.end(),
                                   [&](const auto& s) { return s->key == path; });
      if (it != settings_.end()) {
        Setting& s = **it;
        const std::string origin = absl::StrCat(source, ":", line, ": ", path);
        if (s.list) {
          if (value.IsMap()) return error(line, path, "want a list of values, not a mapping");
          s.clear();
          if (value.IsScalar()) {
            absl::Status st = Apply(s, value.Scalar(), origin, origin);
            if (!st.ok()) return st;
          } else if (value.IsSequence()) {
            for (size_t i = 0; i < value.size(); ++i) {
              const YAML::Node item = value[i];
              const std::string where =
                  absl::StrCat(source, ":", Line(item, line), ": ", path, "[", i, "]");
              if (!item.IsScalar()) return error(Line(item, line), absl::StrCat(path, "[", i, "]"),
                                                 "want a single value");
              absl::Status st = Apply(s, item.Scalar(), where, origin);
              if (!st.ok()) return st;
            }
          }
          if (origins_ != nullptr) origins_->Set(s.key, origin);  // also for an empty list
        } else {
          if (value.IsSequence() || value.IsMap()) {
            return error(line, path,
                         absl::StrCat("want a single value, not a ",
                                      value.IsSequence() ? "list" : "mapping"));
          }
          absl::Status st = Apply(s, value.IsNull() ? "" : value.Scalar(), origin, origin);
          if (!st.ok()) return st;
        }
        continue;
      }
      // A section: some declared key lies under it.
      const std::string section = path + ".";
      const bool is_section = std::any_of(settings_.begin(), settings_.end(), [&](const auto& s) {
        return absl::StartsWith(s->key, section);
      });
      if (is_section) {
        if (value.IsNull()) continue;  // "tls:" with nothing under it
        if (!value.IsMap()) return error(line, path, "want a mapping of settings");
        absl::Status st = walk(value, path);
        if (!st.ok()) return st;
        continue;
      }
      // Unknown: list what this level knows, and the nearest name.
      std::set<std::string> known;
      const std::string here = prefix.empty() ? "" : prefix + ".";
      for (const auto& s : settings_) {
        if (!absl::StartsWith(s->key, here)) continue;
        const std::string rest = s->key.substr(here.size());
        known.insert(rest.substr(0, rest.find('.')));
      }
      std::string suggestion;
      size_t best = 3;
      const std::string lower = absl::AsciiStrToLower(name);
      for (const std::string& k : known) {
        // A typo, or the start of the name ("cert" for "cert_file").
        const size_t d = lower.size() >= 3 && absl::StartsWith(k, lower)
                             ? 0
                             : EditDistance(lower, k);
        if (d < best) {
          best = d;
          suggestion = k;
        }
      }
      return error(key_line, path,
                   absl::StrCat("unknown key",
                                suggestion.empty() ? "" : absl::StrCat(" (did you mean ", suggestion, "?)"),
                                "; known here: ", absl::StrJoin(known, ", ")));
    }
    return absl::OkStatus();
  };
  return walk(root, "");
}

namespace setters {

Setter Text(std::string* out, bool allow_empty) {
  return [out, allow_empty](absl::string_view v) {
    if (v.empty() && !allow_empty) return absl::InvalidArgumentError("must not be empty");
    *out = std::string(v);
    return absl::OkStatus();
  };
}

Setter Unsigned(uint64_t* out, uint64_t min, uint64_t max) {
  return [out, min, max](absl::string_view v) {
    uint64_t n = 0;
    if (!absl::SimpleAtoi(v, &n) || n < min || n > max) {
      return absl::InvalidArgumentError(absl::StrCat("want a whole number from ", min, " to ", max));
    }
    *out = n;
    return absl::OkStatus();
  };
}

Setter Bytes(int64_t* out, int64_t min, int64_t max) {
  return [out, min, max](absl::string_view v) {
    const auto bad = [&] {
      return absl::InvalidArgumentError(absl::StrCat(
          "want a size in bytes from ", min, " to ", max, ", optionally with KiB, MiB or GiB"));
    };
    absl::string_view digits = absl::StripAsciiWhitespace(v);
    int64_t unit = 1;
    for (const auto& [suffix, factor] : {std::pair<absl::string_view, int64_t>{"KiB", 1 << 10},
                                         {"MiB", 1 << 20},
                                         {"GiB", int64_t{1} << 30}}) {
      if (absl::EndsWith(digits, suffix)) {
        digits = absl::StripAsciiWhitespace(digits.substr(0, digits.size() - suffix.size()));
        unit = factor;
        break;
      }
    }
    int64_t n = 0;
    if (!absl::SimpleAtoi(digits, &n) || n < 0 || n > max / unit || n * unit < min) return bad();
    *out = n * unit;
    return absl::OkStatus();
  };
}

Setter Bool(bool* out) {
  return [out](absl::string_view v) {
    const std::string lower = absl::AsciiStrToLower(v);
    if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") {
      *out = true;
    } else if (lower == "false" || lower == "no" || lower == "off" || lower == "0") {
      *out = false;
    } else {
      return absl::InvalidArgumentError("want true or false");
    }
    return absl::OkStatus();
  };
}

Setter OneOf(std::string* out, std::vector<std::string> choices) {
  return [out, choices = std::move(choices)](absl::string_view v) {
    if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
      std::string want = "want ";
      for (size_t i = 0; i < choices.size(); ++i) {
        absl::StrAppend(&want, i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ", choices[i]);
      }
      return absl::InvalidArgumentError(want);
    }
    *out = std::string(v);
    return absl::OkStatus();
  };
}

Setter Checked(std::string* out, std::function<absl::Status(absl::string_view)> check,
               bool allow_empty) {
  return [out, check = std::move(check), allow_empty](absl::string_view v) {
    if (v.empty() && allow_empty) {
      out->clear();
      return absl::OkStatus();
    }
    absl::Status s = check(v);
    if (!s.ok()) return s;
    *out = std::string(v);
    return absl::OkStatus();
  };
}

}  // namespace setters
}  // namespace goprobe::rpc
