// The exporter over loopback, scraped the way Prometheus scrapes it.

#include "lib/metrics/http_exporter.h"

#include <httplib.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::metrics {
namespace {

using ::testing::HasSubstr;

TEST(HttpExporterTest, ServesTheRegistryAtMetrics) {
  Registry registry;
  Counter& c = registry.AddCounter("batches_total", "Batches.");
  auto exporter = HttpExporter::Start("127.0.0.1:0", &registry);
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  ASSERT_GT((*exporter)->port(), 0);
  httplib::Client client("127.0.0.1", (*exporter)->port());
  c.Increment(7);
  auto response = client.Get("/metrics");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), std::string(kTextContentType));
  EXPECT_EQ(response->body, registry.Render());
  EXPECT_THAT(response->body, HasSubstr("batches_total 7\n"));
  c.Increment();
  response = client.Get("/metrics");
  ASSERT_TRUE(response);
  EXPECT_THAT(response->body, HasSubstr("batches_total 8\n"));

  response = client.Get("/");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->body, HasSubstr("/metrics"));
  response = client.Get("/nothing-here");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST(HttpExporterTest, ServesIpv6Loopback) {
  Registry registry;
  registry.AddGauge("up_gauge", "x").Set(1);
  auto exporter = HttpExporter::Start("[::1]:0", &registry);
  if (!exporter.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << exporter.status();
  httplib::Client client("::1", (*exporter)->port());
  auto response = client.Get("/metrics");
  ASSERT_TRUE(response);
  EXPECT_THAT(response->body, HasSubstr("up_gauge 1\n"));
}

TEST(HttpExporterTest, StopsPromptlyAfterStart) {
  Registry registry;
  for (int i = 0; i < 20; ++i) {
    auto exporter = HttpExporter::Start("127.0.0.1:0", &registry);
    ASSERT_TRUE(exporter.ok()) << exporter.status();
  }
}

TEST(HttpExporterTest, RefusesMalformedAddressesAndPortsInUse) {
  Registry registry;
  for (const char* bad : {"9101", ":9101", "localhost", "127.0.0.1:http", "127.0.0.1:70000",
                          "::1:9101", "[::1:9101", ""}) {
    auto exporter = HttpExporter::Start(bad, &registry);
    ASSERT_FALSE(exporter.ok()) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(exporter.status())) << bad << ": " << exporter.status();
    EXPECT_THAT(std::string(exporter.status().message()), HasSubstr("want host:port"));
  }
  auto first = HttpExporter::Start("127.0.0.1:0", &registry);
  ASSERT_TRUE(first.ok());
  const std::string taken = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = HttpExporter::Start(taken, &registry);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(absl::IsUnavailable(second.status()));
  EXPECT_THAT(std::string(second.status().message()), HasSubstr(taken));
}

}  // namespace
}  // namespace goprobe::metrics
