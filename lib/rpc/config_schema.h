#ifndef GOPROBE_LIB_RPC_CONFIG_SCHEMA_H_
#define GOPROBE_LIB_RPC_CONFIG_SCHEMA_H_

// One definition per setting, two ways to give it: a key in the service's
// YAML file and a command-line flag. A service declares its settings once
// (key path, flag, help, a setter that parses and checks a value); the schema
// then reads `--config FILE` and the flags, in that order, so a flag
// overrides the file. Both go through the same setter, so a value is checked
// the same way wherever it came from, and an error says where that was:
//
//   gostore.yaml:4: listen[1]: want host:port, [ipv6]:port or unix:/path (got "localhost")
//   --log-level: want trace, debug, info, warn, error or off (got "verbose")
//
// The file must be a YAML mapping of the declared keys; nested sections
// ("tls.cert_file") are mappings. Unknown keys (with a suggestion when one is
// close), keys given twice, lists where one value is wanted and mappings
// where a value is wanted are refused with the file, line and key.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace goprobe::rpc {

// Parses and checks one value and stores it. The message of an error says
// what is wanted ("want a number of bytes"); the schema adds where and the
// value.
using Setter = std::function<absl::Status(absl::string_view value)>;

// Where each setting's value came from, by key: "gostore.yaml:7" or
// "--tls-cert". Settings left at their default are absent.
class Origins {
 public:
  void Set(const std::string& key, std::string where) { where_[key] = std::move(where); }
  // Whether the file or a flag gave `key` a value.
  bool given(const std::string& key) const { return where_.count(key) > 0; }
  // "gostore.yaml:7: tls.cert_file", "--tls-cert", or the bare key for a
  // default: the prefix of a message about that setting's value.
  std::string Describe(const std::string& key) const;

 private:
  std::map<std::string, std::string> where_;
};

class ConfigSchema {
 public:
  // `program` names the service in help texts; `origins` (may be null)
  // records where each value came from and must outlive the schema.
  explicit ConfigSchema(std::string program, Origins* origins = nullptr)
      : program_(std::move(program)), origins_(origins) {}
  ConfigSchema(const ConfigSchema&) = delete;
  ConfigSchema& operator=(const ConfigSchema&) = delete;

  // A setting with one value. `key` is its path in the file ("tls.cert_file"),
  // `flag` its long flag ("--tls-cert"), `default_text` what help shows as
  // its default (empty: none).
  void AddScalar(std::string key, std::string flag, std::string help, Setter set,
                 std::string default_text = "");
  // A setting with a list of values: a YAML sequence (or one scalar) in the
  // file, a repeatable flag. The values of a later source replace those of an
  // earlier one as a whole: `clear` runs before the first value of each.
  void AddList(std::string key, std::string flag, std::string help, std::function<void()> clear,
               Setter add);

  // A setting that is on or off: true/false in the file, a flag without a
  // value on the command line (giving it turns the setting on).
  void AddSwitch(std::string key, std::string flag, std::string help, bool* out);

  // Registers --config, --check-config and every setting's flag on `app`.
  // The schema keeps the flags' values; call Load after app.parse().
  void AddFlags(CLI::App* app);
  // Reads the --config file if one was given, then applies every flag that
  // was given. InvalidArgument or NotFound naming the file, line and key, or
  // the flag, and the value.
  absl::Status Load();
  // Whether --check-config was given: validate everything, serve nothing.
  bool check_only() const { return check_only_; }
  const std::string& config_path() const { return config_path_; }

  // The parts of Load, for tests and tools. `source` names the text in
  // messages (the file's path).
  absl::Status LoadYaml(absl::string_view text, absl::string_view source);
  absl::Status LoadFile(const std::string& path);
  absl::Status ApplyFlags();

  // The keys declared, in order: for documentation and tests.
  std::vector<std::string> keys() const;

 private:
  struct Setting {
    std::string key;
    std::string flag;
    std::string help;
    std::string default_text;
    bool list = false;
    bool is_switch = false;
    Setter set;
    std::function<void()> clear;
    // Flag values, filled by CLI11.
    std::string flag_value;
    std::vector<std::string> flag_values;
    bool flag_switch = false;
    CLI::Option* option = nullptr;
  };

  absl::Status Apply(Setting& s, absl::string_view value, const std::string& where,
                     const std::string& origin);

  const std::string program_;
  Origins* const origins_;
  std::vector<std::unique_ptr<Setting>> settings_;
  std::string config_path_;
  bool check_only_ = false;
};

// Setters for the common kinds of value.
namespace setters {
// Any text; empty refused unless `allow_empty`.
Setter Text(std::string* out, bool allow_empty = true);
// A decimal integer in [min, max].
Setter Unsigned(uint64_t* out, uint64_t min, uint64_t max);
// A size in bytes: an integer with an optional KiB, MiB or GiB suffix
// ("8MiB", "4194304"), in [min, max].
Setter Bytes(int64_t* out, int64_t min, int64_t max);
// true or false (also yes/no, on/off, 1/0).
Setter Bool(bool* out);
// One of `choices`.
Setter OneOf(std::string* out, std::vector<std::string> choices);
// Text checked by `check` (which returns the reason when it refuses).
Setter Checked(std::string* out, std::function<absl::Status(absl::string_view)> check,
               bool allow_empty = false);
}  // namespace setters

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_CONFIG_SCHEMA_H_
