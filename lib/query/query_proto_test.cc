#include "lib/query/query_proto.h"

#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::query {
namespace {

ConditionCompiler NoConditions() {
  return [](absl::string_view) -> absl::StatusOr<CompiledCondition> {
    return absl::InvalidArgumentError("condition: not expected in this test");
  };
}

TEST(QueryProtoTest, RequestBecomesSpec) {
  v1::QueryRequest req;
  req.add_attributes(v1::ATTRIBUTE_DIP);
  req.add_attributes(v1::ATTRIBUTE_SIP);
  req.set_first(1000);
  req.set_last(0);
  req.set_sort_by(v1::SORT_BY_PACKETS);
  req.set_ascending(true);
  req.set_limit(5);
  req.set_direction(v1::DIRECTION_IN);
  req.mutable_interfaces()->add_regexes("^eth");
  req.set_max_memory_bytes(1 << 30);
  req.set_max_memory_percent(10);
  req.set_partial(true);
  ServerLimits limits;
  limits.physical_memory_bytes = uint64_t(4) << 30;
  auto spec = SpecFromRequest(req, NoConditions(), limits);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_TRUE(spec->attributes.Has(Attribute::kSip) && spec->attributes.Has(Attribute::kDip));
  EXPECT_EQ(spec->first, 1000);
  EXPECT_GT(spec->last, 1000);
  EXPECT_EQ(spec->sort_by, SortBy::kPackets);
  EXPECT_TRUE(spec->ascending);
  EXPECT_EQ(spec->limit, 5u);
  EXPECT_EQ(spec->direction, Direction::kIn);
  EXPECT_TRUE(spec->interfaces.Matches("eth3"));
  EXPECT_FALSE(spec->interfaces.Matches("wlan0"));
  EXPECT_EQ(spec->max_memory_bytes, (uint64_t(4) << 30) / 100 * 10);  // the smallest cap
  EXPECT_TRUE(spec->partial);

  req.set_progress_interval_ms(1);
  spec = SpecFromRequest(req, NoConditions(), limits);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->progress_interval, kMinProgressInterval);
  req.set_progress_interval_ms(2000);
  spec = SpecFromRequest(req, NoConditions(), limits);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->progress_interval, absl::Seconds(2));
}

TEST(QueryProtoTest, BadRequestsNameTheField) {
  const auto error = [](const v1::QueryRequest& req) {
    return std::string(SpecFromRequest(req, NoConditions(), {}).status().message());
  };
  v1::QueryRequest req;
  EXPECT_THAT(error(req), testing::HasSubstr("attributes"));
  req.add_attributes(v1::ATTRIBUTE_SIP);
  req.set_first(10);
  req.set_last(5);
  EXPECT_THAT(error(req), testing::HasSubstr("time range"));
  req.set_last(0);
  req.set_resolution_seconds(100);
  EXPECT_THAT(error(req), testing::HasSubstr("resolution_seconds"));
  req.set_resolution_seconds(0);
  req.mutable_interfaces()->add_regexes("(");
  EXPECT_THAT(error(req), testing::HasSubstr("interfaces"));
  req.mutable_interfaces()->clear_regexes();
  req.set_condition("dport = 1");
  EXPECT_THAT(error(req), testing::HasSubstr("condition"));
  req.clear_condition();
  req.add_attributes(v1::Attribute(99));
  EXPECT_THAT(error(req), testing::HasSubstr("unknown attribute"));
}

TEST(QueryProtoTest, ServerRowCapRefusesLargerLimitsAndCutsAllRows) {
  v1::QueryRequest req;
  req.add_attributes(v1::ATTRIBUTE_SIP);
  ServerLimits limits;
  limits.max_rows = 1000;
  req.set_limit(uint64_t{1} << 63);
  auto refused = SpecFromRequest(req, NoConditions(), limits);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "limit: 9223372036854775808 rows is more than this server's query.max_rows (1000)");
  req.set_limit(1000);
  EXPECT_EQ(SpecFromRequest(req, NoConditions(), limits)->limit, 1000u);
  req.set_limit(0);  // every row: as many as the server gives
  EXPECT_EQ(SpecFromRequest(req, NoConditions(), limits)->limit, 1000u);
  // A root's partial query is never cut.
  req.set_partial(true);
  req.set_limit(uint64_t{1} << 63);
  EXPECT_TRUE(SpecFromRequest(req, NoConditions(), limits).ok());
}

TEST(QueryProtoTest, AutoResolutionKeepsBinsFew) {
  EXPECT_EQ(AutoResolution(0, 100), 300);
  EXPECT_EQ(AutoResolution(1000, 1000 + 86400), 300);
  EXPECT_EQ(AutoResolution(1000, 1000 + 7 * 86400), 3600);
  EXPECT_EQ(AutoResolution(1000, 1000 + 365 * 86400), 86400);
}

TEST(QueryProtoTest, RowsSurviveChunking) {
  std::vector<ResultRow> rows(7);
  for (int i = 0; i < 7; ++i) {
    rows[i].time = 1000 + i;
    rows[i].iface = i % 2 ? "eth0" : "eth1";
    rows[i].hostname = i % 3 ? "a" : "b";
    rows[i].host_id = i % 3 ? 1 : 2;
    rows[i].sip = i % 3 ? flow::IpAddress::V4(uint32_t(i)) : *flow::IpAddress::Parse("2001:db8::1");
    rows[i].dip = flow::IpAddress::V4(0x08080808u);
    rows[i].dport = uint16_t(443 + i);
    rows[i].proto = 6;
    rows[i].counters = {uint64_t(i), 2, 3, 4};
  }
  AttributeSet all;
  for (Attribute a : {Attribute::kTime, Attribute::kHost, Attribute::kHostId, Attribute::kIface, Attribute::kSip, Attribute::kDip,
                      Attribute::kDport, Attribute::kProto}) {
    all.Add(a);
  }
  auto chunks = RowsToChunks(rows, all, 3);
  ASSERT_EQ(chunks.size(), 3u);
  std::vector<ResultRow> back;
  for (const auto& c : chunks) {
    auto part = RowsFromChunk(c.rows());
    ASSERT_TRUE(part.ok()) << part.status();
    back.insert(back.end(), part->begin(), part->end());
  }
  ASSERT_EQ(back.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(back[i].time, rows[i].time);
    EXPECT_EQ(back[i].iface, rows[i].iface);
    EXPECT_EQ(back[i].hostname, rows[i].hostname);
    EXPECT_EQ(back[i].host_id, rows[i].host_id);
    EXPECT_EQ(back[i].sip, rows[i].sip);
    EXPECT_EQ(back[i].dip, rows[i].dip);
    EXPECT_EQ(back[i].dport, rows[i].dport);
    EXPECT_EQ(back[i].counters, rows[i].counters);
  }
  v1::RowsChunk broken = chunks[0].rows();
  broken.mutable_sip()->resize(broken.sip().size() - 1);
  EXPECT_FALSE(RowsFromChunk(broken).ok());
  broken = chunks[0].rows();
  broken.add_dport(1);
  EXPECT_FALSE(RowsFromChunk(broken).ok());
}

TEST(QueryProtoTest, DnsNamesTheAddressesOfTheFirstRows) {
  std::vector<ResultRow> rows(4);
  for (int i = 0; i < 4; ++i) {
    rows[i].sip = flow::IpAddress::V4(uint32_t(0x0a000001 + i));
    rows[i].dip = flow::IpAddress::V4(0x08080808u);
  }
  AttributeSet talkers;
  talkers.Add(Attribute::kSip);
  talkers.Add(Attribute::kDip);
  const auto lookup = [](const flow::IpAddress& a) -> std::optional<std::string> {
    if (a == flow::IpAddress::V4(0x08080808u)) return "dns.google";
    if (a == flow::IpAddress::V4(0x0a000001u)) return "first.example";
    return std::nullopt;
  };
  v1::DnsResolution dns;
  absl::Duration took;
  EXPECT_TRUE(ResolveRowNames(rows, talkers, dns, &took, lookup).empty());  // not enabled
  dns.set_enabled(true);
  dns.set_max_rows(2);
  const dns::AddressNames names = ResolveRowNames(rows, talkers, dns, &took, lookup);
  EXPECT_EQ(names.size(), 2u);

  auto chunks = RowsToChunks(rows, talkers, 3, &names);
  ASSERT_EQ(chunks.size(), 2u);
  const v1::RowsChunk& c = chunks[0].rows();
  ASSERT_EQ(c.sip_name_size(), 3);
  ASSERT_EQ(c.dip_name_size(), 3);
  EXPECT_EQ(c.sip_name(0), "first.example");
  EXPECT_EQ(c.sip_name(1), "");
  EXPECT_EQ(c.dip_name(2), "dns.google");
  // Without names the columns stay empty, as the contract says.
  EXPECT_EQ(RowsToChunks(rows, talkers, 3)[0].rows().sip_name_size(), 0);
  AttributeSet ports;
  ports.Add(Attribute::kDport);
  EXPECT_TRUE(ResolveRowNames(rows, ports, dns, &took, lookup).empty());
}

}  // namespace
}  // namespace goprobe::query
