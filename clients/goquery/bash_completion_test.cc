// The completion script as bash runs it: `goquery completion bash` sourced
// into a bash, its _goquery function driven with COMP_WORDS/COMP_CWORD as
// bash sets them when a user presses Tab, and the candidates compared.

#include "clients/goquery/bash_completion.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clients/goquery/fixture_db_for_test.h"
#include "clients/goquery/query_plan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/flow/flow.h"
#include "lib/godb/temp_dir_for_test.h"
#include "lib/query/condition_row_selector.h"
#include "tests/harness/subprocess.h"

namespace goprobe::goquery {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::string ShellQuote(const std::string& word) {
  return "'" + absl::StrReplaceAll(word, {{"'", "'\\''"}}) + "'";
}

class BashCompletionTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteFixtureDb(db_); }

  // The candidates for the last of `words`, typed after "goquery".
  std::vector<std::string> Complete(std::vector<std::string> words) {
    words.insert(words.begin(), goquery_);
    std::vector<std::string> quoted;
    for (const std::string& w : words) quoted.push_back(ShellQuote(w));
    const std::string script = absl::StrCat(
        "source <(", ShellQuote(goquery_), " completion bash) || exit 9\n",
        "COMP_WORDS=(", absl::StrJoin(quoted, " "), ")\n", "COMP_CWORD=", words.size() - 1, "\n",
        "_goquery\n", "printf '%s\\n' \"${COMPREPLY[@]}\"\n");
    absl::StatusOr<testing::ProcessResult> r = testing::RunProcess({"/bin/bash", "-c", script});
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    EXPECT_EQ(r->exit_code, 0) << r->err;
    EXPECT_EQ(r->err, "");
    std::vector<std::string> lines = absl::StrSplit(r->out, '\n', absl::SkipEmpty());
    return lines;
  }

  const std::string goquery_ = testing::Runfile("clients/goquery/goquery");
  godb::TempDir dir_;
  const std::string db_ = dir_.path() + "/db";
};

TEST_F(BashCompletionTest, AttributesAndPresetsAfterTheLastComma) {
  EXPECT_THAT(Complete({"talk_"}), ElementsAre("talk_conv", "talk_src", "talk_dst"));
  // Words already in the list are not offered again.
  EXPECT_THAT(Complete({"sip,d"}), ElementsAre("sip,dip", "sip,dport", "sip,dst"));
  EXPECT_THAT(Complete({"sip,dip,p"}), ElementsAre("sip,dip,proto", "sip,dip,port"));
  EXPECT_THAT(Complete({"-n", "5", "ap"}), ElementsAre("apps_port"));
  // Once the query is there, nothing more is positional.
  EXPECT_THAT(Complete({"sip", ""}), IsEmpty());
}

TEST_F(BashCompletionTest, SubcommandsBesideAttributes) {
  EXPECT_THAT(Complete({"l"}), ElementsAre("list"));
  EXPECT_THAT(Complete({"e"}), ElementsAre("examples"));
  EXPECT_THAT(Complete({"completion", ""}), ElementsAre("bash"));
  EXPECT_THAT(Complete({"completion", "bash", ""}), IsEmpty());
  EXPECT_THAT(Complete({"examples", ""}), IsEmpty());
}

TEST_F(BashCompletionTest, FlagsAndTheirValues) {
  EXPECT_THAT(Complete({"--li"}), ElementsAre("--limit", "--live"));
  EXPECT_THAT(Complete({"--tls-"}),
              ElementsAre("--tls-ca", "--tls-cert", "--tls-key", "--tls-server-name"));
  EXPECT_THAT(Complete({"-e", ""}), ElementsAre("txt", "json", "csv"));
  EXPECT_THAT(Complete({"--format", "j"}), ElementsAre("json"));
  EXPECT_THAT(Complete({"-s", ""}), ElementsAre("bytes", "packets", "time"));
  EXPECT_THAT(Complete({"time", "--resolution", "1"}), ElementsAre("15m", "1h", "1d"));
  // A value with nothing to offer is not mistaken for the query.
  EXPECT_THAT(Complete({"-f", ""}), IsEmpty());
  EXPECT_THAT(Complete({"-f", "-1d", "s"}), ElementsAre("sip", "src"));
  // -d completes directories.
  EXPECT_THAT(Complete({"-d", dir_.path() + "/d"}), ElementsAre(db_));
}

TEST_F(BashCompletionTest, InterfacesFromTheDataSourceOnTheLine) {
  EXPECT_THAT(Complete({"-d", db_, "-i", ""}), ElementsAre("any", "eth0", "eth1"));
  EXPECT_THAT(Complete({"-d", db_, "-i", "eth0,"}), ElementsAre("eth0,any", "eth0,eth1"));
  EXPECT_THAT(Complete({"-d", db_, "-i", "!e"}), ElementsAre("!eth0", "!eth1"));
  EXPECT_THAT(Complete({"-d", db_, "list", "--ifaces", "eth"}), ElementsAre("eth0", "eth1"));
  // No goDB there: nothing but "any", quickly and without a message.
  const absl::Time start = absl::Now();
  EXPECT_THAT(Complete({"-d", dir_.path() + "/none", "-i", ""}), ElementsAre("any"));
  EXPECT_THAT(Complete({"--server", "127.0.0.1:1", "-i", "e"}), IsEmpty());
  EXPECT_LT(absl::Now() - start, absl::Seconds(2 * kInterfaceListSeconds + 2));
}

TEST_F(BashCompletionTest, ConditionKeywordsInOrder) {
  EXPECT_THAT(Complete({"-c", ""}), ElementsAre("sip", "dip", "host", "snet", "dnet", "net",
                                                "dport", "proto", "dir", "not"));
  EXPECT_THAT(Complete({"-c", "dport "}),
              ElementsAre("dport =", "dport !=", "dport <", "dport >", "dport <=", "dport >="));
  EXPECT_THAT(Complete({"-c", "sip "}), ElementsAre("sip =", "sip !="));
  EXPECT_THAT(Complete({"-c", "dir = "}),
              ElementsAre("dir = in", "dir = out", "dir = uni", "dir = bi"));
  EXPECT_THAT(Complete({"-c", "(proto = u"}), ElementsAre("(proto = udp"));
  EXPECT_THAT(Complete({"-c", "sip = 10."}), IsEmpty());  // an address: nothing to offer
  EXPECT_THAT(Complete({"-c", "dport = 443 "}), ElementsAre("dport = 443 and", "dport = 443 or"));
  EXPECT_THAT(Complete({"--condition", "dport = 443 and s"}),
              ElementsAre("dport = 443 and sip", "dport = 443 and snet"));
  // Inside an open quote, a lone match comes with a longer twin, so readline
  // does not close the quote behind it.
  EXPECT_THAT(Complete({"-c", "'dport = 443 a"}),
              ElementsAre("dport = 443 and", "dport = 443 and "));
}

// Every word the script offers is one goquery takes.
TEST(BashCompletionWordsTest, EveryOfferedWordIsValid) {
  for (const char* word : CompletedAttributes()) {
    QueryArgs args;
    args.query = word;
    EXPECT_TRUE(BuildQueryPlan(args, absl::Now(), absl::UTCTimeZone()).ok()) << word;
  }
  const std::map<std::string, std::string> example_value = {
      {"sip", "10.0.0.1"},   {"dip", "10.0.0.1"},   {"host", "10.0.0.1"},
      {"snet", "10.0.0.0/8"}, {"dnet", "10.0.0.0/8"}, {"net", "10.0.0.0/8"},
      {"dport", "443"},      {"proto", "tcp"},      {"dir", "in"},
  };
  for (const char* name : CompletedConditionAttributes()) {
    ASSERT_TRUE(example_value.count(name)) << name;
    const std::string condition = absl::StrCat(name, " = ", example_value.at(name));
    EXPECT_TRUE(query::CompileCondition(condition).ok()) << condition;
  }
  for (const char* dir : {"in", "out", "uni", "bi"}) {
    EXPECT_TRUE(query::CompileCondition(absl::StrCat("dir = ", dir)).ok()) << dir;
  }
  for (const char* proto : CompletedProtocols()) {
    EXPECT_TRUE(flow::ParseProto(proto).ok()) << proto;
  }
}

}  // namespace
}  // namespace goprobe::goquery
