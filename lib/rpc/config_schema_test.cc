#include "lib/rpc/config_schema.h"

#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::rpc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A small service: two plain values, a list, a section.
struct Settings {
  std::string name = "default";
  uint64_t count = 1;
  std::vector<std::string> items;
  std::string level = "info";
  int64_t size = 1 << 20;
  bool unsafe = false;
  Origins origins;
};

class ConfigSchemaTest : public ::testing::Test {
 protected:
  ConfigSchemaTest() : schema_("testd", &s_.origins) {
    schema_.AddScalar("name", "--name", "a name", setters::Text(&s_.name, false), "default");
    schema_.AddScalar("count", "--count", "a count", setters::Unsigned(&s_.count, 1, 100));
    schema_.AddList(
        "items", "--item", "items", [this] { s_.items.clear(); },
        [this](absl::string_view v) {
          if (v.find(' ') != absl::string_view::npos) {
            return absl::InvalidArgumentError("want no spaces");
          }
          s_.items.emplace_back(v);
          return absl::OkStatus();
        });
    schema_.AddScalar("logging.level", "--log-level", "level",
                      setters::OneOf(&s_.level, {"debug", "info", "warn"}));
    schema_.AddScalar("limits.size", "--size", "size", setters::Bytes(&s_.size, 1024, 1 << 30));
    schema_.AddSwitch("unsafe", "--unsafe", "an opt-out", &s_.unsafe);
  }

  std::string Error(absl::string_view yaml) {
    absl::Status st = schema_.LoadYaml(yaml, "testd.yaml");
    EXPECT_FALSE(st.ok()) << yaml;
    return std::string(st.message());
  }

  // Parses `args` as flags (argv[0] added) and applies them.
  absl::Status Flags(std::vector<std::string> args) {
    CLI::App app("testd");
    schema_.AddFlags(&app);
    args.insert(args.begin(), "testd");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    app.parse(int(argv.size()), argv.data());
    return schema_.Load();
  }

  Settings s_;
  ConfigSchema schema_;
};

TEST_F(ConfigSchemaTest, ReadsValuesListsAndSections) {
  ASSERT_TRUE(schema_.LoadYaml(R"(
name: store-1
count: 7
items: [a, b, c]
logging:
  level: warn
limits: {size: 8MiB}
)",
                               "testd.yaml")
                  .ok());
  EXPECT_EQ(s_.name, "store-1");
  EXPECT_EQ(s_.count, 7u);
  EXPECT_THAT(s_.items, ElementsAre("a", "b", "c"));
  EXPECT_EQ(s_.level, "warn");
  EXPECT_EQ(s_.size, 8 << 20);
  EXPECT_EQ(s_.origins.Describe("logging.level"), "testd.yaml:6: logging.level");
  EXPECT_EQ(s_.origins.Describe("hostname"), "hostname");
}

TEST_F(ConfigSchemaTest, OneScalarIsAListOfOneAndEmptyIsAllDefaults) {
  ASSERT_TRUE(schema_.LoadYaml("items: only\n", "t").ok());
  EXPECT_THAT(s_.items, ElementsAre("only"));
  ASSERT_TRUE(schema_.LoadYaml("", "t").ok());
  ASSERT_TRUE(schema_.LoadYaml("# nothing but a comment\n", "t").ok());
  ASSERT_TRUE(schema_.LoadYaml("logging:\n", "t").ok());  // an empty section
  EXPECT_EQ(s_.name, "default");
}

TEST_F(ConfigSchemaTest, ErrorsNameFileLineKeyAndValue) {
  EXPECT_EQ(Error("name: x\nitems:\n  - ok\n  - not ok\n"),
            "testd.yaml:4: items[1]: want no spaces (got \"not ok\")");
  EXPECT_EQ(Error("count: 0\n"), "testd.yaml:1: count: want a whole number from 1 to 100 (got \"0\")");
  EXPECT_EQ(Error("count: -3\n"),
            "testd.yaml:1: count: want a whole number from 1 to 100 (got \"-3\")");
  EXPECT_EQ(Error("logging:\n  level: loud\n"),
            "testd.yaml:2: logging.level: want debug, info or warn (got \"loud\")");
  EXPECT_EQ(Error("name: \"\"\n"), "testd.yaml:1: name: must not be empty (got \"\")");
  EXPECT_THAT(Error("limits:\n  size: 12 parsecs\n"),
              HasSubstr("testd.yaml:2: limits.size: want a size in bytes from 1024 to 1073741824"));
  EXPECT_THAT(Error("limits:\n  size: 2GiB\n"), HasSubstr("limits.size: want a size in bytes"));
}

TEST_F(ConfigSchemaTest, RefusesUnknownKeysWithASuggestion) {
  EXPECT_EQ(Error("name: x\ncuont: 3\n"),
            "testd.yaml:2: cuont: unknown key (did you mean count?); known here: count, items, "
            "limits, logging, name, unsafe");
  EXPECT_EQ(Error("logging:\n  lvl: info\n"),
            "testd.yaml:2: logging.lvl: unknown key (did you mean level?); known here: level");
  EXPECT_EQ(Error("tls:\n  cert: x\n"),
            "testd.yaml:1: tls: unknown key; known here: count, items, limits, logging, name, "
            "unsafe");
}

TEST_F(ConfigSchemaTest, RefusesWrongShapes) {
  EXPECT_EQ(Error("name: [a, b]\n"), "testd.yaml:1: name: want a single value, not a list");
  EXPECT_EQ(Error("name: {a: b}\n"), "testd.yaml:1: name: want a single value, not a mapping");
  EXPECT_EQ(Error("items: {a: b}\n"), "testd.yaml:1: items: want a list of values, not a mapping");
  EXPECT_EQ(Error("items:\n  - [nested]\n"), "testd.yaml:2: items[0]: want a single value");
  EXPECT_EQ(Error("logging: loud\n"), "testd.yaml:1: logging: want a mapping of settings");
  EXPECT_EQ(Error("- just\n- a list\n"), "testd.yaml:1: want a mapping of settings at the top");
  EXPECT_EQ(Error("name: a\nname: b\n"), "testd.yaml:2: name: given twice");
  EXPECT_THAT(Error("name: [unclosed\n"), HasSubstr("testd.yaml:2:"));
}

TEST_F(ConfigSchemaTest, FlagsOverrideTheFileAndListsReplaceWhole) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/testd.yaml";
  std::ofstream(path) << "name: from-file\ncount: 5\nitems: [x, y]\n";
  ASSERT_TRUE(Flags({"--config", path, "--count", "9", "--item", "z"}).ok());
  EXPECT_EQ(s_.name, "from-file");
  EXPECT_EQ(s_.count, 9u);
  EXPECT_THAT(s_.items, ElementsAre("z"));
  EXPECT_EQ(s_.origins.Describe("count"), "--count");
  EXPECT_EQ(s_.origins.Describe("name"), path + ":1: name");
  EXPECT_EQ(schema_.config_path(), path);
  EXPECT_FALSE(schema_.check_only());
}

TEST_F(ConfigSchemaTest, FlagErrorsNameTheFlag) {
  absl::Status s = Flags({"--log-level", "verbose"});
  EXPECT_EQ(s.message(), "--log-level: want debug, info or warn (got \"verbose\")");
  s = Flags({"--item", "a", "--item", "b c"});
  EXPECT_EQ(s.message(), "--item: want no spaces (got \"b c\")");
}

TEST_F(ConfigSchemaTest, MissingFileIsNamed) {
  absl::Status s = Flags({"--config", "/nonexistent/testd.yaml"});
  EXPECT_TRUE(absl::IsNotFound(s));
  EXPECT_EQ(s.message(),
            "cannot read configuration /nonexistent/testd.yaml: No such file or directory");
}

TEST_F(ConfigSchemaTest, CheckConfigFlag) {
  ASSERT_TRUE(Flags({"--check-config"}).ok());
  EXPECT_TRUE(schema_.check_only());
}

TEST_F(ConfigSchemaTest, SwitchIsABooleanInTheFileAndAFlagWithoutValue) {
  ASSERT_TRUE(schema_.LoadYaml("unsafe: true\n", "testd.yaml").ok());
  EXPECT_TRUE(s_.unsafe);
  ASSERT_TRUE(schema_.LoadYaml("unsafe: no\n", "testd.yaml").ok());
  EXPECT_FALSE(s_.unsafe);
  EXPECT_EQ(Error("unsafe: maybe\n"), "testd.yaml:1: unsafe: want true or false (got \"maybe\")");
  ASSERT_TRUE(Flags({"--unsafe", "--count", "3"}).ok());
  EXPECT_TRUE(s_.unsafe);
  EXPECT_EQ(s_.count, 3u);
  EXPECT_EQ(s_.origins.Describe("unsafe"), "--unsafe");
}

TEST_F(ConfigSchemaTest, SwitchLeftOutStaysOff) {
  ASSERT_TRUE(Flags({"--count", "3"}).ok());
  EXPECT_FALSE(s_.unsafe);
  EXPECT_FALSE(s_.origins.given("unsafe"));
}

TEST(ConfigSettersTest, Bytes) {
  int64_t v = 0;
  Setter set = setters::Bytes(&v, 1024, int64_t{1} << 32);
  ASSERT_TRUE(set("4096").ok());
  EXPECT_EQ(v, 4096);
  ASSERT_TRUE(set("16KiB").ok());
  EXPECT_EQ(v, 16 << 10);
  ASSERT_TRUE(set("3 GiB").ok());
  EXPECT_EQ(v, int64_t{3} << 30);
  EXPECT_FALSE(set("5GiB").ok());
  EXPECT_FALSE(set("1000").ok());
  EXPECT_FALSE(set("1.5MiB").ok());
  EXPECT_FALSE(set("-1KiB").ok());
  EXPECT_FALSE(set("MiB").ok());
}

}  // namespace
}  // namespace goprobe::rpc
