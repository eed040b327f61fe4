#include "lib/flow/flow_proto.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::flow {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

IpAddress Ip(const char* text) {
  absl::StatusOr<IpAddress> a = IpAddress::Parse(text);
  EXPECT_TRUE(a.ok()) << a.status();
  return *a;
}

FlowRow Row(const char* sip, const char* dip, uint16_t dport, uint8_t proto, uint64_t br,
            uint64_t bs, uint64_t pr, uint64_t ps) {
  FlowRow r;
  r.key = FlowKey{Ip(sip), Ip(dip), dport, proto};
  r.counters = Counters{br, bs, pr, ps};
  return r;
}

// Deliberately out of wire order: IPv6 rows first, IPv4 rows unsorted.
std::vector<FlowRow> MixedRows() {
  return {
      Row("2001:db8::1", "2001:db8::2", 443, kProtoTcp, 1000, 2000, 10, 20),
      Row("10.0.0.2", "10.0.0.1", 53, kProtoUdp, 80, 160, 1, 1),
      Row("fe80::1", "ff02::1", 0, kProtoIcmpV6, 0, 64, 0, 1),
      Row("10.0.0.1", "192.168.1.1", 443, kProtoTcp, 5000, 300, 7, 5),
      Row("::ffff:10.0.0.1", "::ffff:10.0.0.2", 80, kProtoTcp, 1, 2, 1, 1),
  };
}

std::vector<FlowRow> Sorted(std::vector<FlowRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const FlowRow& a, const FlowRow& b) { return a.key < b.key; });
  return rows;
}

v1::FlowBatch Header() {
  v1::FlowBatch b;
  b.set_host_id(0x1234abcd5678ef00u);
  b.set_hostname("probe-1");
  b.set_iface("eth0");
  b.set_block_time(1700000100);  // a multiple of 300
  b.set_sequence(7);
  b.mutable_capture()->set_packets_received(100);
  b.mutable_capture()->set_packets_dropped_kernel(2);
  b.mutable_capture()->set_packets_dropped_iface(1);
  b.mutable_capture()->set_packets_malformed(3);
  return b;
}

v1::FlowBatch ValidBatch() {
  v1::FlowBatch b = Header();
  absl::Status s = SetBatchRows(MixedRows(), &b);
  EXPECT_TRUE(s.ok()) << s;
  return b;
}

void ExpectInvalid(const absl::Status& s, const std::string& substring) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(substring));
}

// --- FlowKey and Counters ---------------------------------------------------

TEST(FlowKeyProtoTest, RoundTripsBothFamilies) {
  for (const FlowKey& key : {FlowKey{Ip("10.1.2.3"), Ip("8.8.8.8"), 53, kProtoUdp},
                             FlowKey{Ip("2001:db8::1"), Ip("::ffff:1.2.3.4"), 65535, 255}}) {
    v1::FlowKey msg;
    FlowKeyToProto(key, &msg);
    EXPECT_EQ(msg.sip().size(), static_cast<size_t>(key.sip.size()));
    absl::StatusOr<FlowKey> back = FlowKeyFromProto(msg);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, key);
  }
}

TEST(FlowKeyProtoTest, SendsAddressesInNetworkByteOrder) {
  v1::FlowKey msg;
  FlowKeyToProto(FlowKey{Ip("10.1.2.3"), Ip("10.1.2.4"), 1, 6}, &msg);
  EXPECT_EQ(msg.sip(), std::string("\x0a\x01\x02\x03", 4));
}

TEST(FlowKeyProtoTest, RejectsWrongAddressLengthsNamingTheField) {
  v1::FlowKey good;
  FlowKeyToProto(FlowKey{Ip("10.1.2.3"), Ip("10.1.2.4"), 1, 6}, &good);
  for (size_t len : {0, 3, 5, 15, 17}) {
    v1::FlowKey msg = good;
    msg.set_sip(std::string(len, '\x01'));
    ExpectInvalid(FlowKeyFromProto(msg).status(), "FlowKey.sip");
    msg = good;
    msg.set_dip(std::string(len, '\x01'));
    ExpectInvalid(FlowKeyFromProto(msg).status(), "FlowKey.dip");
  }
}

TEST(FlowKeyProtoTest, RejectsMixedFamiliesAndOutOfRangeNumbers) {
  v1::FlowKey msg;
  FlowKeyToProto(FlowKey{Ip("10.1.2.3"), Ip("10.1.2.4"), 1, 6}, &msg);
  v1::FlowKey mixed = msg;
  mixed.set_dip(std::string(16, '\x02'));
  ExpectInvalid(FlowKeyFromProto(mixed).status(), "same family");

  v1::FlowKey port = msg;
  port.set_dport(65536);
  ExpectInvalid(FlowKeyFromProto(port).status(), "FlowKey.dport");

  v1::FlowKey proto = msg;
  proto.set_proto(256);
  ExpectInvalid(FlowKeyFromProto(proto).status(), "FlowKey.proto");
}

TEST(CountersProtoTest, RoundTrips) {
  const Counters c{1, std::numeric_limits<uint64_t>::max(), 3, 4};
  v1::Counters msg;
  CountersToProto(c, &msg);
  EXPECT_EQ(msg.bytes_sent(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(CountersFromProto(msg), c);
}

// --- Columns ----------------------------------------------------------------

TEST(FlowColumnsTest, EncodesIpv4RowsFirstInKeyOrder) {
  v1::FlowColumns cols;
  ASSERT_TRUE(EncodeFlowColumns(MixedRows(), &cols).ok());
  EXPECT_EQ(cols.row_count(), 5u);
  EXPECT_EQ(cols.ipv4_row_count(), 2u);
  EXPECT_EQ(cols.sip().size(), 2 * 4 + 3 * 16u);
  EXPECT_EQ(cols.dip().size(), cols.sip().size());
  // 10.0.0.1 sorts before 10.0.0.2.
  EXPECT_EQ(cols.sip().substr(0, 4), std::string("\x0a\x00\x00\x01", 4));
  EXPECT_THAT(cols.dport(), ElementsAreArray({443u, 53u, 80u, 443u, 0u}));
  EXPECT_THAT(cols.proto(), ElementsAreArray({6u, 17u, 6u, 6u, 58u}));

  absl::StatusOr<std::vector<FlowRow>> back = DecodeFlowColumns(cols);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, Sorted(MixedRows()));
}

TEST(FlowColumnsTest, DecodeNamesTheColumnsMessage) {
  v1::FlowColumns cols;
  ASSERT_TRUE(EncodeFlowColumns(MixedRows(), &cols).ok());
  cols.mutable_dport()->RemoveLast();
  ExpectInvalid(DecodeFlowColumns(cols).status(), "FlowColumns.dport: 4 entries");
}

TEST(FlowColumnsTest, EncodeRejectsMixedFamilyRow) {
  std::vector<FlowRow> rows = MixedRows();
  rows.push_back(Row("10.9.9.9", "2001:db8::9", 80, kProtoTcp, 1, 1, 1, 1));
  v1::FlowColumns cols;
  ExpectInvalid(EncodeFlowColumns(rows, &cols), "row 5 (sip 10.9.9.9, dip 2001:db8::9");
}

TEST(FlowColumnsTest, EncodeRejectsDuplicateKeysNamingBothRows) {
  std::vector<FlowRow> rows = MixedRows();
  rows.push_back(rows[1]);
  v1::FlowColumns cols;
  ExpectInvalid(EncodeFlowColumns(rows, &cols), "rows 1 and 5 have the same key");
}

TEST(FlowColumnsTest, EncodeRejectsRowWithoutPackets) {
  std::vector<FlowRow> rows = MixedRows();
  rows[3].counters = Counters{};
  v1::FlowColumns cols;
  ExpectInvalid(EncodeFlowColumns(rows, &cols), "row 3");
}

TEST(FlowColumnsTest, RandomRowsRoundTrip) {
  absl::BitGen gen;
  absl::flat_hash_set<FlowKey> seen;
  std::vector<FlowRow> rows;
  while (rows.size() < 5000) {
    FlowRow r;
    if (absl::Bernoulli(gen, 0.3)) {
      uint8_t s[16], d[16];
      for (int i = 0; i < 16; ++i) {
        s[i] = absl::Uniform<uint8_t>(gen);
        d[i] = absl::Uniform<uint8_t>(gen);
      }
      r.key.sip = IpAddress::V6(s);
      r.key.dip = IpAddress::V6(d);
    } else {
      r.key.sip = IpAddress::V4(absl::Uniform<uint32_t>(gen, 0, 64));
      r.key.dip = IpAddress::V4(absl::Uniform<uint32_t>(gen));
    }
    r.key.dport = absl::Uniform<uint16_t>(gen);
    r.key.proto = absl::Uniform<uint8_t>(gen);
    r.counters = Counters{absl::Uniform<uint64_t>(gen), absl::Uniform<uint64_t>(gen),
                          absl::Uniform<uint64_t>(gen, 1, 1u << 20), absl::Uniform<uint64_t>(gen)};
    if (seen.insert(r.key).second) rows.push_back(r);
  }
  v1::FlowBatch batch = Header();
  ASSERT_TRUE(SetBatchRows(rows, &batch).ok());

  // Through the wire bytes, as a receiver sees it.
  v1::FlowBatch received;
  ASSERT_TRUE(received.ParseFromString(batch.SerializeAsString()));
  absl::StatusOr<std::vector<FlowRow>> back = RowsFromBatch(received);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, Sorted(rows));
}

// --- Batches ----------------------------------------------------------------

TEST(FlowBatchTest, RoundTripsIpv4AndIpv6Rows) {
  v1::FlowBatch batch = ValidBatch();
  EXPECT_EQ(batch.part(), 0u);
  EXPECT_EQ(batch.part_count(), 1u);
  EXPECT_EQ(batch.totals().bytes_rcvd(), 1000u + 80 + 0 + 5000 + 1);
  EXPECT_EQ(batch.totals().packets_sent(), 20u + 1 + 1 + 5 + 1);
  EXPECT_EQ(batch.capture().packets_malformed(), 3u);  // header left alone

  absl::StatusOr<std::vector<FlowRow>> rows = RowsFromBatch(batch);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, Sorted(MixedRows()));
}

TEST(FlowBatchTest, EmptyBatchRoundTrips) {
  v1::FlowBatch batch = Header();
  ASSERT_TRUE(SetBatchRows({}, &batch).ok());
  EXPECT_EQ(batch.flows().row_count(), 0u);
  absl::StatusOr<std::vector<FlowRow>> rows = RowsFromBatch(batch);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_TRUE(rows->empty());

  // A sender that never touches flows, totals or parts sends a valid empty batch.
  rows = RowsFromBatch(Header());
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_TRUE(rows->empty());
}

TEST(FlowBatchTest, SetBatchRowsLeavesBatchUnchangedOnError) {
  v1::FlowBatch batch = ValidBatch();
  const std::string before = batch.SerializeAsString();
  std::vector<FlowRow> rows = MixedRows();
  rows.push_back(rows[0]);
  EXPECT_FALSE(SetBatchRows(rows, &batch).ok());
  EXPECT_EQ(batch.SerializeAsString(), before);
}

TEST(FlowBatchTest, AcceptsEveryInterfaceNameGoDbStores) {
  for (const char* name : {"eth0", "eth0.100", "bond0:1", "veth-a@if3", "wlp3s0+x", "any",
                           "e_12345678901234567890123456789012345678901234567890123456789012"}) {
    v1::FlowBatch batch = ValidBatch();
    batch.set_iface(name);
    EXPECT_TRUE(RowsFromBatch(batch).ok()) << name;
  }
}

TEST(FlowBatchTest, AcceptsUnalignedFinalBlockTime) {
  v1::FlowBatch batch = ValidBatch();
  batch.set_block_time(1700000100 + 197);  // flushed at shutdown mid-window
  EXPECT_TRUE(RowsFromBatch(batch).ok());
}

struct MalformedCase {
  const char* name;
  std::function<void(v1::FlowBatch*)> mutate;
  const char* error;  // must appear in the status message
};

class MalformedBatchTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedBatchTest, IsRejectedNamingTheField) {
  v1::FlowBatch batch = ValidBatch();
  ASSERT_TRUE(RowsFromBatch(batch).ok());
  GetParam().mutate(&batch);
  ExpectInvalid(RowsFromBatch(batch).status(), GetParam().error);

  // Through the assembler too: the batch is rejected, not the stream.
  BatchAssembler assembler;
  ExpectInvalid(assembler.Add(batch).status(), GetParam().error);
  EXPECT_FALSE(assembler.pending());
}

v1::FlowColumns* Flows(v1::FlowBatch* b) { return b->mutable_flows(); }

const MalformedCase kMalformed[] = {
    {"Ipv4CountAboveRowCount", [](v1::FlowBatch* b) { Flows(b)->set_ipv4_row_count(6); },
     "FlowBatch.flows.ipv4_row_count: 6 exceeds row_count = 5"},
    {"Ipv4CountDisagreesWithSip", [](v1::FlowBatch* b) { Flows(b)->set_ipv4_row_count(3); },
     "FlowBatch.flows.sip: 56 bytes, expected 44 for 3 IPv4 and 2 IPv6 rows"},
    {"SipShort", [](v1::FlowBatch* b) { Flows(b)->mutable_sip()->pop_back(); },
     "FlowBatch.flows.sip: 55 bytes"},
    {"DipLong", [](v1::FlowBatch* b) { Flows(b)->mutable_dip()->push_back('\0'); },
     "FlowBatch.flows.dip: 57 bytes"},
    {"RowCountAboveColumns", [](v1::FlowBatch* b) { Flows(b)->set_row_count(6); },
     "FlowBatch.flows.sip: 56 bytes, expected 72"},
    {"ColumnsMovedElsewhere",
     [](v1::FlowBatch* b) {
       // What a newer sender that moved the columns looks like to this receiver.
       const uint32_t n = b->flows().row_count();
       const uint32_t v4 = b->flows().ipv4_row_count();
       Flows(b)->Clear();
       Flows(b)->set_row_count(n);
       Flows(b)->set_ipv4_row_count(v4);
     },
     "FlowBatch.flows.sip: 0 bytes"},
    {"DportShort", [](v1::FlowBatch* b) { Flows(b)->mutable_dport()->RemoveLast(); },
     "FlowBatch.flows.dport: 4 entries, expected row_count = 5"},
    {"ProtoLong", [](v1::FlowBatch* b) { Flows(b)->add_proto(6); },
     "FlowBatch.flows.proto: 6 entries"},
    {"BytesRcvdShort", [](v1::FlowBatch* b) { Flows(b)->mutable_bytes_rcvd()->RemoveLast(); },
     "FlowBatch.flows.bytes_rcvd: 4 entries"},
    {"BytesSentShort", [](v1::FlowBatch* b) { Flows(b)->mutable_bytes_sent()->RemoveLast(); },
     "FlowBatch.flows.bytes_sent: 4 entries"},
    {"PacketsRcvdLong", [](v1::FlowBatch* b) { Flows(b)->add_packets_rcvd(1); },
     "FlowBatch.flows.packets_rcvd: 6 entries"},
    {"PacketsSentEmpty", [](v1::FlowBatch* b) { Flows(b)->clear_packets_sent(); },
     "FlowBatch.flows.packets_sent: 0 entries"},
    {"DportOutOfRange", [](v1::FlowBatch* b) { Flows(b)->set_dport(1, 65536); },
     "FlowBatch.flows.dport[1]: 65536 exceeds 65535"},
    {"ProtoOutOfRange", [](v1::FlowBatch* b) { Flows(b)->set_proto(0, 256); },
     "FlowBatch.flows.proto[0]: 256 exceeds 255"},
    {"RowWithoutPackets",
     [](v1::FlowBatch* b) {
       Flows(b)->set_packets_rcvd(2, 0);
       Flows(b)->set_packets_sent(2, 0);
     },
     "FlowBatch.flows.packets_rcvd[2] and packets_sent[2]: both 0"},
    {"RowsOutOfOrder",
     [](v1::FlowBatch* b) {
       // Swap the two IPv4 rows' sip and dip.
       std::string* sip = Flows(b)->mutable_sip();
       std::string* dip = Flows(b)->mutable_dip();
       std::swap_ranges(sip->begin(), sip->begin() + 4, sip->begin() + 4);
       std::swap_ranges(dip->begin(), dip->begin() + 4, dip->begin() + 4);
     },
     "FlowBatch.flows.rows 0 and 1: keys not strictly increasing"},
    {"DuplicateRows",
     [](v1::FlowBatch* b) {
       std::string* sip = Flows(b)->mutable_sip();
       std::string* dip = Flows(b)->mutable_dip();
       std::copy(sip->begin(), sip->begin() + 4, sip->begin() + 4);
       std::copy(dip->begin(), dip->begin() + 4, dip->begin() + 4);
       Flows(b)->set_dport(1, b->flows().dport(0));
       Flows(b)->set_proto(1, b->flows().proto(0));
     },
     "FlowBatch.flows.rows 0 and 1: keys not strictly increasing"},
    {"TotalsDisagree",
     [](v1::FlowBatch* b) { b->mutable_totals()->set_bytes_sent(b->totals().bytes_sent() + 1); },
     "FlowBatch.totals.bytes_sent"},
    {"TotalsMissing", [](v1::FlowBatch* b) { b->clear_totals(); },
     "FlowBatch.totals.bytes_rcvd: 0, but the rows sum to 6081"},
    {"HostIdZero", [](v1::FlowBatch* b) { b->set_host_id(0); }, "FlowBatch.host_id"},
    {"HostnameEmpty", [](v1::FlowBatch* b) { b->clear_hostname(); }, "FlowBatch.hostname"},
    {"IfaceEmpty", [](v1::FlowBatch* b) { b->clear_iface(); }, "FlowBatch.iface: 0 bytes"},
    {"IfaceTooLong", [](v1::FlowBatch* b) { b->set_iface(std::string(65, 'e')); },
     "FlowBatch.iface: 65 bytes"},
    {"IfaceSlash", [](v1::FlowBatch* b) { b->set_iface("eth0/../x"); },
     "FlowBatch.iface: \"eth0/../x\" has a character other than"},
    {"IfaceComma", [](v1::FlowBatch* b) { b->set_iface("eth0,eth1"); }, "FlowBatch.iface"},
    {"IfaceSpace", [](v1::FlowBatch* b) { b->set_iface("eth 0"); }, "FlowBatch.iface"},
    {"IfaceBang", [](v1::FlowBatch* b) { b->set_iface("!eth0"); }, "FlowBatch.iface"},
    {"IfaceControl", [](v1::FlowBatch* b) { b->set_iface(std::string("eth\0", 4)); },
     "FlowBatch.iface: \"eth\\x00\""},
    {"IfaceDot", [](v1::FlowBatch* b) { b->set_iface("."); }, "FlowBatch.iface: \".\" starts"},
    {"IfaceDotDot", [](v1::FlowBatch* b) { b->set_iface(".."); }, "FlowBatch.iface: \"..\""},
    {"IfaceHidden", [](v1::FlowBatch* b) { b->set_iface(".eth0"); }, "starts with '.'"},
    {"BlockTimeZero", [](v1::FlowBatch* b) { b->set_block_time(0); }, "FlowBatch.block_time: 0"},
    {"BlockTimeNegative", [](v1::FlowBatch* b) { b->set_block_time(-300); },
     "FlowBatch.block_time: -300"},
    {"BlockTimeBeyondYear9999", [](v1::FlowBatch* b) { b->set_block_time(253402300800); },
     "FlowBatch.block_time: 253402300800, must be in [1, 253402300799]"},
    {"PartBeyondCount",
     [](v1::FlowBatch* b) {
       b->set_part(2);
       b->set_part_count(2);
     },
     "FlowBatch.part: 2, must be below part_count 2"},
    {"PartWithoutCount",
     [](v1::FlowBatch* b) {
       b->set_part(1);
       b->set_part_count(0);
     },
     "FlowBatch.part: 1, must be below part_count 1"},
};

INSTANTIATE_TEST_SUITE_P(AllKinds, MalformedBatchTest, ::testing::ValuesIn(kMalformed),
                         [](const ::testing::TestParamInfo<MalformedCase>& info) {
                           return std::string(info.param.name);
                         });

// --- Parts ------------------------------------------------------------------

std::vector<FlowRow> ManyRows(int n) {
  std::vector<FlowRow> rows;
  for (int i = 0; i < n; ++i) {
    FlowRow r;
    if (i % 3 == 0) {
      uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
      a[15] = static_cast<uint8_t>(i);
      a[14] = static_cast<uint8_t>(i >> 8);
      r.key.sip = IpAddress::V6(a);
      r.key.dip = IpAddress::V6(a);
    } else {
      r.key.sip = IpAddress::V4(0x0a000000u + static_cast<uint32_t>(i));
      r.key.dip = IpAddress::V4(0xc0a80001u);
    }
    r.key.dport = 443;
    r.key.proto = kProtoTcp;
    r.counters = Counters{uint64_t(i) * 100, 7, uint64_t(i), 1};
    rows.push_back(r);
  }
  std::reverse(rows.begin(), rows.end());
  return rows;
}

TEST(BatchPartsTest, SplitsAndReassembles) {
  const std::vector<FlowRow> rows = ManyRows(10);
  absl::StatusOr<std::vector<v1::FlowBatch>> parts = EncodeBatchParts(Header(), rows, 3);
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->size(), 4u);

  BatchAssembler assembler;
  for (size_t p = 0; p < parts->size(); ++p) {
    const v1::FlowBatch& part = (*parts)[p];
    EXPECT_EQ(part.part(), p);
    EXPECT_EQ(part.part_count(), 4u);
    EXPECT_EQ(part.iface(), "eth0");
    EXPECT_EQ(part.sequence(), 7u);
    EXPECT_EQ(part.capture().packets_received(), p == 0 ? 100u : 0u);
    EXPECT_TRUE(RowsFromBatch(part).ok()) << "part " << p;  // each part stands alone

    absl::StatusOr<BatchAssembler::Progress> r = assembler.Add(part);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(*r, p + 1 < parts->size() ? BatchAssembler::Progress::kNeedMore
                                        : BatchAssembler::Progress::kComplete);
    EXPECT_EQ(assembler.pending(), p + 1 < parts->size());
  }
  EXPECT_EQ(assembler.rows(), Sorted(rows));
  Counters sum;
  for (const FlowRow& r : rows) sum += r.counters;
  EXPECT_EQ(CountersFromProto(assembler.header().totals()), sum);
  EXPECT_EQ(assembler.header().capture().packets_dropped_kernel(), 2u);
  EXPECT_EQ(assembler.header().block_time(), 1700000100);
  EXPECT_EQ(assembler.header().flows().row_count(), 0u);
}

TEST(BatchPartsTest, EmptyBatchIsOnePart) {
  absl::StatusOr<std::vector<v1::FlowBatch>> parts = EncodeBatchParts(Header(), {});
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->size(), 1u);
  BatchAssembler assembler;
  absl::StatusOr<BatchAssembler::Progress> r = assembler.Add((*parts)[0]);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, BatchAssembler::Progress::kComplete);
  EXPECT_TRUE(assembler.rows().empty());
}

TEST(BatchPartsTest, RejectsBadArguments) {
  ExpectInvalid(EncodeBatchParts(Header(), ManyRows(3), 0).status(), "max_rows_per_part");
  v1::FlowBatch header = Header();
  header.set_iface("");
  ExpectInvalid(EncodeBatchParts(header, ManyRows(3)).status(), "FlowBatch.iface");
}

TEST(BatchPartsTest, WorstCasePartFitsInGrpcDefaultMessageLimit) {
  std::vector<FlowRow> rows;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (size_t i = 0; i < kMaxRowsPerBatchPart; ++i) {
    uint8_t a[16];
    std::fill(a, a + 16, 0xff);
    a[0] = static_cast<uint8_t>(i >> 8);
    a[1] = static_cast<uint8_t>(i);
    FlowRow r;
    r.key = FlowKey{IpAddress::V6(a), IpAddress::V6(a), 65535, 255};
    r.counters = Counters{kMax, kMax, kMax, kMax};
    rows.push_back(r);
  }
  v1::FlowBatch header = Header();
  header.set_hostname(std::string(255, 'h'));
  header.set_iface(std::string(64, 'i'));
  header.set_sequence(kMax);
  absl::StatusOr<std::vector<v1::FlowBatch>> parts = EncodeBatchParts(header, rows);
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_LT((*parts)[0].ByteSizeLong(), 4u << 20);
}

// --- Assembler protocol -------------------------------------------------------

std::vector<v1::FlowBatch> Parts(const v1::FlowBatch& header, int rows, size_t per_part) {
  absl::StatusOr<std::vector<v1::FlowBatch>> parts =
      EncodeBatchParts(header, ManyRows(rows), per_part);
  EXPECT_TRUE(parts.ok()) << parts.status();
  return *parts;
}

TEST(BatchAssemblerTest, CompletesConsecutiveBatches) {
  BatchAssembler assembler;
  v1::FlowBatch a = ValidBatch();
  v1::FlowBatch b = ValidBatch();
  b.set_block_time(a.block_time() + 300);
  for (const v1::FlowBatch& batch : {a, b, b}) {  // a retry repeats b: the store dedupes
    absl::StatusOr<BatchAssembler::Progress> r = assembler.Add(batch);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(*r, BatchAssembler::Progress::kComplete);
    EXPECT_EQ(assembler.header().block_time(), batch.block_time());
    EXPECT_EQ(assembler.rows(), Sorted(MixedRows()));
  }
}

TEST(BatchAssemblerTest, MissingFirstPartBreaksTheStream) {
  std::vector<v1::FlowBatch> parts = Parts(Header(), 9, 3);
  BatchAssembler assembler;
  absl::Status s = assembler.Add(parts[1]).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("part 0 expected, got part 1"));
}

TEST(BatchAssemblerTest, SkippedPartBreaksTheStream) {
  std::vector<v1::FlowBatch> parts = Parts(Header(), 9, 3);
  BatchAssembler assembler;
  ASSERT_TRUE(assembler.Add(parts[0]).ok());
  absl::Status s = assembler.Add(parts[2]).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("part 1 expected, got part 2"));
  EXPECT_FALSE(assembler.pending());
}

TEST(BatchAssemblerTest, InterleavedBatchBreaksTheStream) {
  v1::FlowBatch other = Header();
  other.set_iface("eth1");
  std::vector<v1::FlowBatch> a = Parts(Header(), 9, 3);
  std::vector<v1::FlowBatch> b = Parts(other, 9, 3);
  BatchAssembler assembler;
  ASSERT_TRUE(assembler.Add(a[0]).ok());
  absl::Status s = assembler.Add(b[0]).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("iface \"eth0\""));
  EXPECT_THAT(std::string(s.message()), HasSubstr("part 1 of 3 expected"));
  // After the sender reconnects, a fresh assembler state accepts b whole.
  for (const v1::FlowBatch& part : b) ASSERT_TRUE(assembler.Add(part).ok());
  EXPECT_EQ(assembler.header().iface(), "eth1");
}

TEST(BatchAssemblerTest, InvalidPartRejectsTheBatchAndSkipsItsRest) {
  std::vector<v1::FlowBatch> a = Parts(Header(), 9, 3);
  a[1].mutable_flows()->set_proto(0, 300);
  BatchAssembler assembler;
  ASSERT_TRUE(assembler.Add(a[0]).ok());
  ExpectInvalid(assembler.Add(a[1]).status(), "FlowBatch.flows.proto[0]: 300");
  absl::StatusOr<BatchAssembler::Progress> r = assembler.Add(a[2]);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, BatchAssembler::Progress::kIgnored);

  // The next batch is assembled normally.
  v1::FlowBatch next = ValidBatch();
  next.set_block_time(next.block_time() + 300);
  r = assembler.Add(next);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, BatchAssembler::Progress::kComplete);
}

TEST(BatchAssemblerTest, RejectedBatchFollowedDirectlyByAnotherIsNotIgnored) {
  std::vector<v1::FlowBatch> a = Parts(Header(), 9, 3);
  a[0].set_hostname("");
  BatchAssembler assembler;
  ExpectInvalid(assembler.Add(a[0]).status(), "FlowBatch.hostname");
  v1::FlowBatch next = ValidBatch();
  next.set_sequence(8);
  absl::StatusOr<BatchAssembler::Progress> r = assembler.Add(next);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, BatchAssembler::Progress::kComplete);
}

TEST(BatchAssemblerTest, KeysMustIncreaseAcrossParts) {
  std::vector<v1::FlowBatch> a = Parts(Header(), 9, 3);
  std::swap(*a[0].mutable_flows(), *a[1].mutable_flows());
  std::swap(*a[0].mutable_totals(), *a[1].mutable_totals());
  BatchAssembler assembler;
  ASSERT_TRUE(assembler.Add(a[0]).ok());
  ExpectInvalid(assembler.Add(a[1]).status(), "does not follow the last key of part 0");
}

TEST(BatchAssemblerTest, HeadersMustRepeatAcrossParts) {
  std::vector<v1::FlowBatch> a = Parts(Header(), 9, 3);
  a[1].set_hostname("probe-2");
  BatchAssembler assembler;
  ASSERT_TRUE(assembler.Add(a[0]).ok());
  ExpectInvalid(assembler.Add(a[1]).status(), "FlowBatch.hostname: \"probe-2\" in part 1");

  std::vector<v1::FlowBatch> b = Parts(Header(), 9, 3);
  b[1].set_part_count(4);
  assembler.Reset();
  ASSERT_TRUE(assembler.Add(b[0]).ok());
  ExpectInvalid(assembler.Add(b[1]).status(), "FlowBatch.part_count: 4 in part 1, but 3");
}

}  // namespace
}  // namespace goprobe::flow
