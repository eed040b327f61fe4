// Checks the shape of the wire contract that generated code alone would not
// catch: an RPC's streaming kind or a column's packing changing is a wire
// break even when everything still compiles.

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "proto/goprobe/v1/flow.pb.h"
#include "proto/goprobe/v1/probe.grpc.pb.h"
#include "proto/goprobe/v1/query.grpc.pb.h"
#include "proto/goprobe/v1/store.grpc.pb.h"
#include "proto/grpc/health/v1/health.grpc.pb.h"

namespace goprobe::v1 {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

const FileDescriptor* File(const std::string& name) {
  const FileDescriptor* f = DescriptorPool::generated_pool()->FindFileByName(name);
  EXPECT_NE(f, nullptr) << name;
  return f;
}

struct Rpc {
  const char* full_name;
  const char* input;
  const char* output;
  bool client_streaming;
  bool server_streaming;
};

void ExpectRpc(const Rpc& rpc) {
  const MethodDescriptor* m = DescriptorPool::generated_pool()->FindMethodByName(rpc.full_name);
  ASSERT_NE(m, nullptr) << rpc.full_name;
  EXPECT_EQ(m->input_type()->full_name(), rpc.input) << rpc.full_name;
  EXPECT_EQ(m->output_type()->full_name(), rpc.output) << rpc.full_name;
  EXPECT_EQ(m->client_streaming(), rpc.client_streaming) << rpc.full_name;
  EXPECT_EQ(m->server_streaming(), rpc.server_streaming) << rpc.full_name;
}

TEST(ContractTest, RpcsHaveTheirStreamingKinds) {
  // Referencing the stubs links the generated files into the pool.
  (void)Store::NewStub;
  (void)Query::NewStub;
  (void)Probe::NewStub;
  (void)grpc::health::v1::Health::NewStub;
  const Rpc rpcs[] = {
      {"goprobe.v1.Store.Ingest", "goprobe.v1.IngestRequest", "goprobe.v1.IngestAck", true, true},
      {"goprobe.v1.Store.ListInterfaces", "goprobe.v1.StoreListInterfacesRequest",
       "goprobe.v1.StoreListInterfacesResponse", false, false},
      {"goprobe.v1.Query.Run", "goprobe.v1.QueryRequest", "goprobe.v1.QueryResponse", false, true},
      {"goprobe.v1.Query.ListInterfaces", "goprobe.v1.QueryListInterfacesRequest",
       "goprobe.v1.QueryListInterfacesResponse", false, false},
      {"goprobe.v1.Probe.GetStatus", "goprobe.v1.GetStatusRequest", "goprobe.v1.GetStatusResponse",
       false, false},
      {"goprobe.v1.Probe.ReloadConfig", "goprobe.v1.ReloadConfigRequest",
       "goprobe.v1.ReloadConfigResponse", false, false},
      {"goprobe.v1.Probe.LiveFlows", "goprobe.v1.LiveFlowsRequest", "goprobe.v1.LiveFlowsResponse",
       false, true},
      {"grpc.health.v1.Health.Check", "grpc.health.v1.HealthCheckRequest",
       "grpc.health.v1.HealthCheckResponse", false, false},
      {"grpc.health.v1.Health.Watch", "grpc.health.v1.HealthCheckRequest",
       "grpc.health.v1.HealthCheckResponse", false, true},
  };
  for (const Rpc& rpc : rpcs) ExpectRpc(rpc);
}

// Visits every message of a file, nested ones included.
template <typename F>
void ForEachMessage(const Descriptor* d, F&& f) {
  f(d);
  for (int i = 0; i < d->nested_type_count(); ++i) ForEachMessage(d->nested_type(i), f);
}
template <typename F>
void ForEachMessage(const FileDescriptor* file, F&& f) {
  for (int i = 0; i < file->message_type_count(); ++i) ForEachMessage(file->message_type(i), f);
}

const char* const kFiles[] = {"proto/goprobe/v1/flow.proto", "proto/goprobe/v1/store.proto",
                              "proto/goprobe/v1/query.proto", "proto/goprobe/v1/probe.proto"};

TEST(ContractTest, RepeatedNumbersArePacked) {
  for (const char* name : kFiles) {
    const FileDescriptor* file = File(name);
    ASSERT_NE(file, nullptr);
    ForEachMessage(file, [](const Descriptor* d) {
      for (int i = 0; i < d->field_count(); ++i) {
        const FieldDescriptor* f = d->field(i);
        if (f->is_repeated() && f->is_packable()) {
          EXPECT_TRUE(f->is_packed()) << f->full_name();
        }
      }
    });
  }
}

// Each enum's zero is the default a sender gets by not setting the field, so
// it must mean "unspecified"; prefixed names keep values unique package-wide.
void ExpectEnumStyle(const EnumDescriptor* e) {
  std::string prefix;
  for (char c : e->name()) {
    if (absl::ascii_isupper(c) && !prefix.empty()) prefix += '_';
    prefix += absl::ascii_toupper(c);
  }
  prefix += '_';
  ASSERT_GT(e->value_count(), 0);
  EXPECT_EQ(e->value(0)->number(), 0) << e->full_name();
  EXPECT_EQ(e->value(0)->name(), prefix + "UNSPECIFIED") << e->full_name();
  for (int i = 0; i < e->value_count(); ++i) {
    EXPECT_TRUE(absl::StartsWith(e->value(i)->name(), prefix)) << e->value(i)->full_name();
  }
}

TEST(ContractTest, EnumsStartWithUnspecifiedAndArePrefixed) {
  int enums = 0;
  for (const char* name : kFiles) {
    const FileDescriptor* file = File(name);
    ASSERT_NE(file, nullptr);
    for (int i = 0; i < file->enum_type_count(); ++i, ++enums) ExpectEnumStyle(file->enum_type(i));
    ForEachMessage(file, [&](const Descriptor* d) {
      for (int i = 0; i < d->enum_type_count(); ++i, ++enums) ExpectEnumStyle(d->enum_type(i));
    });
  }
  EXPECT_GE(enums, 7);
}

TEST(ContractTest, NoReservedRangesInV1) {
  // v1 evolves by addition only; a reservation would mean something was
  // removed, which v1 does not do.
  for (const char* name : kFiles) {
    const FileDescriptor* file = File(name);
    ASSERT_NE(file, nullptr);
    ForEachMessage(file, [](const Descriptor* d) {
      EXPECT_EQ(d->reserved_range_count(), 0) << d->full_name();
      EXPECT_EQ(d->reserved_name_count(), 0) << d->full_name();
    });
  }
}

TEST(ContractTest, HealthMatchesThePublishedService) {
  const ServiceDescriptor* s =
      DescriptorPool::generated_pool()->FindServiceByName("grpc.health.v1.Health");
  ASSERT_NE(s, nullptr);
  const EnumDescriptor* e = grpc::health::v1::HealthCheckResponse::ServingStatus_descriptor();
  ASSERT_EQ(e->value_count(), 4);
  EXPECT_EQ(e->FindValueByName("UNKNOWN")->number(), 0);
  EXPECT_EQ(e->FindValueByName("SERVING")->number(), 1);
  EXPECT_EQ(e->FindValueByName("NOT_SERVING")->number(), 2);
  EXPECT_EQ(e->FindValueByName("SERVICE_UNKNOWN")->number(), 3);
  EXPECT_EQ(grpc::health::v1::HealthCheckRequest::kServiceFieldNumber, 1);
  EXPECT_EQ(grpc::health::v1::HealthCheckResponse::kStatusFieldNumber, 1);
}

TEST(ContractTest, QueryResponseIsOneKindPerMessage) {
  const Descriptor* d = QueryResponse::descriptor();
  ASSERT_EQ(d->oneof_decl_count(), 1);
  EXPECT_EQ(d->oneof_decl(0)->field_count(), d->field_count());
  for (const char* kind : {"rows", "progress", "host_status", "summary"}) {
    EXPECT_NE(d->FindFieldByName(kind), nullptr) << kind;
  }
}

}  // namespace
}  // namespace goprobe::v1
