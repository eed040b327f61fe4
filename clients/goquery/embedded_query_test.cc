#include "clients/goquery/embedded_query.h"

#include "clients/goquery/fixture_db_for_test.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/godb/temp_dir_for_test.h"

namespace goprobe::goquery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Recorder : public AnswerSink {
 public:
  absl::Status OnRows(std::vector<query::ResultRow> rows) override {
    events.push_back("rows");
    answer.rows.insert(answer.rows.end(), rows.begin(), rows.end());
    return absl::OkStatus();
  }
  void OnProgress(const v1::Progress&) override { ++progress; }
  void OnHostStatus(const v1::HostStatus& s) override {
    events.push_back("host");
    answer.hosts.push_back(s);
  }
  absl::Status OnSummary(const v1::Summary& s) override {
    events.push_back("summary");
    answer.summary = s;
    return absl::OkStatus();
  }
  std::vector<std::string> events;
  QueryAnswer answer;
  int progress = 0;
};

class EmbeddedQueryTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteFixtureDb(dir_.path()); }

  v1::QueryRequest Request() {
    v1::QueryRequest r;
    r.add_attributes(v1::ATTRIBUTE_SIP);
    r.add_attributes(v1::ATTRIBUTE_DIP);
    r.mutable_interfaces()->set_any(true);
    r.set_limit(2);
    return r;
  }
  EmbeddedSource Source() { return {dir_.path(), {7, "testhost"}, 2}; }

  godb::TempDir dir_;
};

// The stream's shape: rows, this host's status, the summary.
TEST_F(EmbeddedQueryTest, AnswersAsALeafStreams) {
  Recorder r;
  ASSERT_TRUE(RunEmbeddedQuery(Source(), Request(), &r).ok());
  EXPECT_THAT(r.events, ElementsAre("rows", "host", "summary"));
  ASSERT_EQ(r.answer.rows.size(), 2u);
  EXPECT_EQ(r.answer.rows[0].sip.ToString(), "10.0.0.1");
  EXPECT_EQ(r.answer.rows[0].dip.ToString(), "192.168.1.10");
  EXPECT_EQ(r.answer.rows[0].counters, (flow::Counters{2000, 65000, 15, 52}));
  ASSERT_EQ(r.answer.hosts.size(), 1u);
  EXPECT_EQ(r.answer.hosts[0].hostname(), "testhost");
  EXPECT_EQ(r.answer.hosts[0].host_id(), 7u);
  EXPECT_EQ(r.answer.hosts[0].code(), v1::HostStatus::CODE_OK);
  const v1::Summary& s = r.answer.summary;
  EXPECT_EQ(s.hostname(), "testhost");
  EXPECT_EQ(s.hits_displayed(), 2u);
  EXPECT_EQ(s.hits_total(), 6u);
  EXPECT_EQ(s.totals().bytes_rcvd(), 3424u);
  EXPECT_EQ(s.totals().packets_sent(), 63u);
  EXPECT_EQ(s.time_first(), 1700000100);
  EXPECT_EQ(s.time_last(), 1700000700);
  EXPECT_THAT(s.interfaces(), ElementsAre("eth0", "eth1"));
  EXPECT_GT(s.timings().query_duration_us(), 0u);
}

TEST_F(EmbeddedQueryTest, HostLabelsComeFromTheIdentity) {
  v1::QueryRequest req = Request();
  req.add_attributes(v1::ATTRIBUTE_HOST);
  req.add_attributes(v1::ATTRIBUTE_HOSTID);
  Recorder r;
  ASSERT_TRUE(RunEmbeddedQuery(Source(), req, &r).ok());
  EXPECT_EQ(r.answer.rows[0].hostname, "testhost");
  EXPECT_EQ(r.answer.rows[0].host_id, 7u);
}

TEST_F(EmbeddedQueryTest, EmptyRangeIsNoDataNotAnError) {
  v1::QueryRequest req = Request();
  req.set_first(1800000000);
  Recorder r;
  ASSERT_TRUE(RunEmbeddedQuery(Source(), req, &r).ok());
  EXPECT_TRUE(r.answer.rows.empty());
  EXPECT_EQ(r.answer.hosts[0].code(), v1::HostStatus::CODE_EMPTY);
  EXPECT_FALSE(DataAvailable(r.answer.summary));
}

TEST_F(EmbeddedQueryTest, ProgressWhenAsked) {
  v1::QueryRequest req = Request();
  req.set_progress_interval_ms(1);
  Recorder r;
  EmbeddedSource source = Source();
  ASSERT_TRUE(RunEmbeddedQuery(source, req, &r).ok());
  // Five blocks scan in far less than a progress interval; no promise of a
  // report, but none may break the stream's order.
  EXPECT_EQ(r.events.back(), "summary");
}

TEST_F(EmbeddedQueryTest, MistakesAreNamed) {
  Recorder r;
  v1::QueryRequest req = Request();
  req.mutable_interfaces()->Clear();
  req.mutable_interfaces()->add_names("eth9");
  absl::Status s = RunEmbeddedQuery(Source(), req, &r);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("-i: interface eth9 has no data (there is data for eth0, eth1)"));

  s = RunEmbeddedQuery({dir_.path() + "/nope", {}, 1}, Request(), &r);
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("no goDB at " + dir_.path() + "/nope"));

  req = Request();
  req.set_condition("dport = x");
  s = RunEmbeddedQuery(Source(), req, &r);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("condition: position 8"));
}

}  // namespace
}  // namespace goprobe::goquery
