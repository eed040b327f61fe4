// goprobe's Probe API against a real goprobe in live mode.
//
// The test makes two veth pairs between two network namespaces of its own
// (removed at the end): goprobe captures one end of each in the capture
// namespace, which this test process enters, so goprobe's loopback TCP
// listener is reachable; frames are replayed into the other ends with
// tcpreplay from the sending namespace. Nothing leaves those namespaces.
//
// Checked: status counters follow the traffic; LiveFlows returns the flows
// just sent before their window is written; a reload that changes one
// interface restarts only that one; a broken configuration is refused with
// file and key while capture goes on; calls without the right key are
// UNAUTHENTICATED on TCP; the metrics count the packets.
//
// Needs root, iproute2 and tcpreplay; runs outside the sandbox (tag local).
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/flow/flow_proto.h"
#include "proto/goprobe/v1/probe.grpc.pb.h"
#include "services/probe/test_packets.h"
#include "services/probe/window.h"
#include "tests/harness/loopback_port.h"
#include "tests/harness/prometheus_sample.h"
#include "tests/harness/subprocess.h"

namespace goprobe {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ChildProcess;
using testing::RunProcess;

constexpr char kKey[] = "probe-api-test-key-0123456789";
// Frames per replay: a UDP and a TCP conversation.
constexpr int kUdpPackets = 50;
constexpr int kTcpPackets = 20;

std::string Tool(const std::vector<std::string>& candidates) {
  for (const std::string& p : candidates) {
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

// Runs a command; its error output on failure.
absl::Status Run(const std::vector<std::string>& argv) {
  absl::StatusOr<testing::ProcessResult> r = RunProcess(argv);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return absl::InternalError(absl::StrCat(argv[0], " ", argv.size() > 1 ? argv[1] : "", ": exit ",
                                            r->exit_code, ": ", r->err, r->out));
  }
  return absl::OkStatus();
}

// Two namespaces and two veth pairs, removed on destruction.
class TestNetwork {
 public:
  explicit TestNetwork(std::string ip) : ip_(std::move(ip)) {
    const std::string id = std::to_string(::getpid());
    capture_ns = "gpapic" + id;
    send_ns = "gpapis" + id;
    capture_if = {"gpaa" + id, "gpab" + id};
    send_if = {"gpsa" + id, "gpsb" + id};
  }
  ~TestNetwork() {
    if (home_ >= 0) {
      (void)::setns(home_, CLONE_NEWNET);
      ::close(home_);
    }
    (void)Run({ip_, "netns", "del", capture_ns});
    (void)Run({ip_, "netns", "del", send_ns});
  }

  absl::Status Create() {
    for (const std::string& ns : {capture_ns, send_ns}) {
      absl::Status s = Run({ip_, "netns", "add", ns});
      if (!s.ok()) return s;
    }
    for (size_t i = 0; i < capture_if.size(); ++i) {
      std::vector<std::vector<std::string>> steps = {
          {ip_, "link", "add", capture_if[i], "type", "veth", "peer", "name", send_if[i]},
          {ip_, "link", "set", capture_if[i], "netns", capture_ns},
          {ip_, "link", "set", send_if[i], "netns", send_ns},
          {ip_, "netns", "exec", capture_ns, ip_, "link", "set", capture_if[i], "up"},
          {ip_, "netns", "exec", send_ns, ip_, "link", "set", send_if[i], "up"},
      };
      for (const auto& step : steps) {
        absl::Status s = Run(step);
        if (!s.ok()) return s;
      }
    }
    // No addresses and no IPv6: the kernel itself sends nothing on the
    // links, so what is captured is what the test replays.
    for (const std::string& ns : {capture_ns, send_ns}) {
      for (const char* key : {"net.ipv6.conf.all.disable_ipv6=1",
                              "net.ipv6.conf.default.disable_ipv6=1"}) {
        absl::Status s = Run({ip_, "netns", "exec", ns, "sysctl", "-qw", key});
        if (!s.ok()) return s;
      }
    }
    return Run({ip_, "netns", "exec", capture_ns, ip_, "link", "set", "lo", "up"});
  }

  // Moves this thread (the test's only one so far) into the capture
  // namespace; threads started later inherit it. The destructor moves it
  // back before removing the namespaces.
  absl::Status EnterCaptureNamespace() {
    home_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const std::string path = "/run/netns/" + capture_ns;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return absl::InternalError("cannot open " + path);
    const int rc = ::setns(fd, CLONE_NEWNET);
    ::close(fd);
    return rc == 0 ? absl::OkStatus() : absl::InternalError("setns " + path);
  }

  absl::Status Replay(const std::string& tcpreplay, size_t pair, const std::string& pcap) {
    return Run({ip_, "netns", "exec", send_ns, tcpreplay, "-q", "-i", send_if[pair], "--pps",
                "1000", pcap});
  }

  std::string capture_ns, send_ns;
  std::vector<std::string> capture_if, send_if;

 private:
  const std::string ip_;
  int home_ = -1;
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

flow::FlowKey Key(const char* sip, const char* dip, uint16_t dport, uint8_t proto) {
  return flow::FlowKey{*flow::IpAddress::Parse(sip), *flow::IpAddress::Parse(dip), dport, proto};
}

class ProbeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::getuid(), 0u) << "needs root to create network namespaces";
    ip_ = Tool({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"});
    tcpreplay_ = Tool({"/usr/bin/tcpreplay", "/usr/sbin/tcpreplay", "/usr/local/bin/tcpreplay"});
    ASSERT_FALSE(ip_.empty()) << "iproute2 missing";
    ASSERT_FALSE(tcpreplay_.empty()) << "tcpreplay missing (tools/install_deps.sh)";
    // Counts below are of one window: start well inside one.
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    if (probe::WindowEnd(now) - now < 90) {
      absl::SleepFor(absl::Seconds(probe::WindowEnd(now) - now + 1));
    }
    net_ = std::make_unique<TestNetwork>(ip_);
    const absl::Status created = net_->Create();
    ASSERT_TRUE(created.ok()) << created;
    ASSERT_TRUE(net_->EnterCaptureNamespace().ok());

    work_ = probe::testing::TestDir();
    std::vector<probe::testing::FilePacket> packets;
    const int64_t t0 = int64_t(1700000000) * 1000000000;
    for (int i = 0; i < kUdpPackets; ++i) {
      packets.push_back({t0 + i * 1000000,
                         probe::testing::Ethernet(
                             0x0800, probe::testing::Ipv4("10.9.0.1", "10.9.0.2", 17,
                                                          probe::testing::Udp(40001, 5353, 100)))});
    }
    for (int i = 0; i < kTcpPackets; ++i) {
      packets.push_back(
          {t0 + (kUdpPackets + i) * 1000000,
           probe::testing::Ethernet(
               0x0800, probe::testing::Ipv4("10.9.0.3", "10.9.0.4", 6,
                                            probe::testing::Tcp(40002, 443,
                                                                i == 0 ? probe::testing::kSyn
                                                                       : probe::testing::kAck)))});
    }
    pcap_ = work_ + "/flows.pcap";
    ASSERT_TRUE(probe::testing::WritePcap(pcap_, 1, packets).ok());
    WriteFile(work_ + "/keys", std::string(kKey) + "\n");
    ::chmod((work_ + "/keys").c_str(), 0600);
    // A unix socket path must fit 108 bytes: not under TEST_TMPDIR.
    char dir[] = "/tmp/gpapi.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    socket_dir_ = dir;
    socket_ = socket_dir_ + "/probe.sock";
    tcp_port_ = testing::FreeLoopbackPort();
    metrics_port_ = testing::FreeLoopbackPort();
    config_ = work_ + "/probe.yaml";
    WriteConfig(160, 160);
    absl::StatusOr<std::unique_ptr<ChildProcess>> probe = ChildProcess::Start(
        {testing::Runfile("services/probe/goprobe"), "--config", config_}, work_ + "/goprobe.out");
    ASSERT_TRUE(probe.ok()) << probe.status();
    probe_ = std::move(*probe);
    ASSERT_TRUE(probe_->WaitForPath(socket_, absl::Seconds(20))) << Log();
    ASSERT_TRUE(probe_->WaitForTcpPort(tcp_port_, absl::Seconds(20))) << Log();
    ASSERT_TRUE(probe_->WaitForTcpPort(metrics_port_, absl::Seconds(20))) << Log();
    unix_ = v1::Probe::NewStub(
        grpc::CreateChannel("unix:" + socket_, grpc::InsecureChannelCredentials()));
    tcp_ = v1::Probe::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(tcp_port_),
                                                  grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (probe_ && probe_->Running()) {
      probe_->Signal(SIGTERM);
      absl::StatusOr<int> rc = probe_->Wait(absl::Seconds(30));
      EXPECT_TRUE(rc.ok() && *rc == 0) << "goprobe did not stop cleanly: " << Log();
    }
    probe_.reset();
    net_.reset();
    if (!socket_dir_.empty()) {
      ::unlink(socket_.c_str());
      ::rmdir(socket_dir_.c_str());
    }
  }

  // The configuration with each capture interface's snaplen; `extra` is
  // appended to the first interface's settings (to break it).
  void WriteConfig(int snaplen_a, int snaplen_b, const std::string& extra_a = "") {
    WriteFile(config_, absl::StrCat(R"(db_path: )", work_, R"(/db
interfaces:
  )", net_->capture_if[0], ": {promisc: true, snaplen: ", snaplen_a, extra_a, R"(}
  )", net_->capture_if[1], ": {promisc: true, snaplen: ", snaplen_b, R"(}
logging: {destination: )", work_, R"(/probe.log, level: debug}
api:
  listen: [unix:)", socket_, ", 127.0.0.1:", tcp_port_, R"(]
  api_key_file: )", work_, R"(/keys
metrics: {listen: 127.0.0.1:)", metrics_port_, "}\n"));
  }

  std::string Log() const {
    std::ifstream in(work_ + "/probe.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str() + (probe_ ? probe_->Log() : "");
  }

  absl::StatusOr<v1::GetStatusResponse> Status() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::GetStatusResponse response;
    const grpc::Status s = unix_->GetStatus(&context, v1::GetStatusRequest(), &response);
    if (!s.ok()) return absl::InternalError(s.error_message());
    return response;
  }

  const v1::InterfaceStatus* Find(const v1::GetStatusResponse& r, const std::string& iface) {
    for (const v1::InterfaceStatus& i : r.interfaces()) {
      if (i.iface() == iface) return &i;
    }
    return nullptr;
  }

  // Waits until the first interface's window holds `packets` packets.
  v1::GetStatusResponse AwaitPackets(uint64_t packets) {
    v1::GetStatusResponse last;
    const absl::Time deadline = absl::Now() + absl::Seconds(15);
    while (absl::Now() < deadline) {
      absl::StatusOr<v1::GetStatusResponse> r = Status();
      if (r.ok()) {
        last = *r;
        const v1::InterfaceStatus* a = Find(last, net_->capture_if[0]);
        if (a != nullptr && a->capture_window().packets_received() >= packets) return last;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << "window never reached " << packets << " packets: " << last.DebugString();
    return last;
  }

  // LiveFlows over the unix socket: each interface's rows.
  std::map<std::string, std::pair<v1::FlowBatch, std::vector<flow::FlowRow>>> LiveFlows(
      const std::vector<std::string>& ifaces) {
    grpc::ClientContext context;
    v1::LiveFlowsRequest request;
    for (const std::string& i : ifaces) request.add_ifaces(i);
    auto reader = unix_->LiveFlows(&context, request);
    flow::BatchAssembler assembler;
    std::map<std::string, std::pair<v1::FlowBatch, std::vector<flow::FlowRow>>> out;
    v1::LiveFlowsResponse response;
    while (reader->Read(&response)) {
      absl::StatusOr<flow::BatchAssembler::Progress> p = assembler.Add(response.batch());
      EXPECT_TRUE(p.ok()) << p.status();
      if (p.ok() && *p == flow::BatchAssembler::Progress::kComplete) {
        out[assembler.header().iface()] = {assembler.header(), assembler.rows()};
      }
    }
    const grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::string ip_, tcpreplay_, work_, pcap_, socket_dir_, socket_, config_;
  int tcp_port_ = 0, metrics_port_ = 0;
  std::unique_ptr<TestNetwork> net_;
  std::unique_ptr<ChildProcess> probe_;
  std::unique_ptr<v1::Probe::Stub> unix_, tcp_;
};

TEST_F(ProbeApiTest, StatusLiveFlowsReloadAndAuth) {
  const std::string a = net_->capture_if[0], b = net_->capture_if[1];
  const uint64_t per_replay = kUdpPackets + kTcpPackets;

  // Both capturing, nothing seen yet.
  absl::StatusOr<v1::GetStatusResponse> before = Status();
  ASSERT_TRUE(before.ok()) << before.status() << Log();
  ASSERT_EQ(before->interfaces_size(), 2) << before->DebugString();
  const v1::InterfaceStatus a0 = *Find(*before, a), b0 = *Find(*before, b);
  EXPECT_EQ(a0.state(), v1::InterfaceStatus::STATE_CAPTURING);
  EXPECT_EQ(b0.state(), v1::InterfaceStatus::STATE_CAPTURING);
  EXPECT_GT(a0.capture_started_at(), 0);
  EXPECT_EQ(a0.capture_window().packets_received(), 0u);
  EXPECT_FALSE(before->has_shipper());  // writes its goDB itself

  // Traffic into the first interface: the counters move.
  ASSERT_TRUE(net_->Replay(tcpreplay_, 0, pcap_).ok());
  v1::GetStatusResponse after = AwaitPackets(per_replay);
  const v1::InterfaceStatus a1 = *Find(after, a);
  EXPECT_EQ(a1.capture_window().packets_received(), per_replay);
  EXPECT_EQ(a1.capture_total().packets_received(), per_replay);
  EXPECT_EQ(a1.capture_window().packets_dropped_kernel(), 0u);
  EXPECT_EQ(a1.traffic_window().packets_rcvd() + a1.traffic_window().packets_sent(), per_replay);
  EXPECT_EQ(a1.active_flows(), 2u);
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  EXPECT_EQ(a1.window_block_time(), probe::WindowEnd(now));
  EXPECT_EQ(a1.last_block_time(), 0);  // nothing written yet
  EXPECT_EQ(Find(after, b)->capture_window().packets_received(), 0u);

  // LiveFlows: the flows just sent, in the window not yet written.
  auto live = LiveFlows({a});
  ASSERT_EQ(live.size(), 1u);
  const v1::FlowBatch& header = live[a].first;
  EXPECT_EQ(header.block_time(), a1.window_block_time());
  EXPECT_EQ(header.sequence(), 0u);
  EXPECT_EQ(header.host_id(), after.host_id());
  EXPECT_EQ(header.capture().packets_received(), per_replay);
  const std::vector<flow::FlowRow>& rows = live[a].second;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key, Key("10.9.0.1", "10.9.0.2", 5353, 17));
  EXPECT_EQ(rows[0].counters.pkts_rcvd + rows[0].counters.pkts_sent, uint64_t(kUdpPackets));
  EXPECT_EQ(rows[1].key, Key("10.9.0.3", "10.9.0.4", 443, 6));
  EXPECT_EQ(rows[1].counters.pkts_rcvd + rows[1].counters.pkts_sent, uint64_t(kTcpPackets));
  // Every capturing interface when none is named; the idle one without rows.
  auto all = LiveFlows({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[a].second.size(), 2u);
  EXPECT_TRUE(all[b].second.empty());

  // A reload that changes the second interface restarts it alone; the
  // first keeps its capture and its window.
  absl::SleepFor(absl::Milliseconds(1100));  // a restart shows in capture_started_at
  WriteConfig(160, 256);
  {
    grpc::ClientContext context;
    v1::ReloadConfigResponse response;
    const grpc::Status s = unix_->ReloadConfig(&context, v1::ReloadConfigRequest(), &response);
    ASSERT_TRUE(s.ok()) << s.error_message() << Log();
    EXPECT_THAT(response.restarted(), ElementsAre(b));
    EXPECT_THAT(response.unchanged(), ElementsAre(a));
    EXPECT_TRUE(response.added().empty());
    EXPECT_TRUE(response.removed().empty());
  }
  absl::StatusOr<v1::GetStatusResponse> reloaded = Status();
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(Find(*reloaded, a)->capture_started_at(), a0.capture_started_at());
  EXPECT_EQ(Find(*reloaded, a)->capture_window().packets_received(), per_replay);
  EXPECT_GT(Find(*reloaded, b)->capture_started_at(), b0.capture_started_at());
  EXPECT_EQ(Find(*reloaded, b)->state(), v1::InterfaceStatus::STATE_CAPTURING);

  // A broken configuration is refused with file and key; nothing restarts
  // and capture goes on.
  WriteConfig(10, 256);
  {
    grpc::ClientContext context;
    v1::ReloadConfigResponse response;
    const grpc::Status s = unix_->ReloadConfig(&context, v1::ReloadConfigRequest(), &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr(config_));
    EXPECT_THAT(s.error_message(), HasSubstr("interfaces." + a + ".snaplen"));
  }
  ASSERT_TRUE(net_->Replay(tcpreplay_, 0, pcap_).ok());
  v1::GetStatusResponse refused = AwaitPackets(2 * per_replay);
  EXPECT_EQ(Find(refused, a)->capture_window().packets_received(), 2 * per_replay);
  EXPECT_EQ(Find(refused, a)->capture_started_at(), a0.capture_started_at());
  EXPECT_EQ(Find(refused, b)->capture_started_at(), Find(*reloaded, b)->capture_started_at());

  // TCP clients need the key; unix-socket clients are trusted.
  for (const std::string key : {"", "wrong-key-wrong-key-wrong"}) {
    grpc::ClientContext context;
    if (!key.empty()) context.AddMetadata("authorization", "Bearer " + key);
    v1::GetStatusResponse response;
    EXPECT_EQ(tcp_->GetStatus(&context, v1::GetStatusRequest(), &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    grpc::ClientContext stream_context;
    if (!key.empty()) stream_context.AddMetadata("authorization", "Bearer " + key);
    auto reader = tcp_->LiveFlows(&stream_context, v1::LiveFlowsRequest());
    v1::LiveFlowsResponse part;
    EXPECT_FALSE(reader->Read(&part));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
    grpc::ClientContext reload_context;
    if (!key.empty()) reload_context.AddMetadata("authorization", "Bearer " + key);
    v1::ReloadConfigResponse reload;
    EXPECT_EQ(tcp_->ReloadConfig(&reload_context, v1::ReloadConfigRequest(), &reload).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", std::string("Bearer ") + kKey);
    v1::GetStatusResponse response;
    const grpc::Status s = tcp_->GetStatus(&context, v1::GetStatusRequest(), &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.interfaces_size(), 2);
  }

  // The metrics count the packets (published once per read loop).
  httplib::Client metrics("127.0.0.1", metrics_port_);
  const std::string series = "goprobe_packets_total{iface=\"" + a + "\"}";
  double counted = -1;
  for (int i = 0; i < 50 && counted < double(2 * per_replay); ++i) {
    auto scrape = metrics.Get("/metrics");
    ASSERT_TRUE(scrape) << httplib::to_string(scrape.error());
    counted = testing::PrometheusSample(scrape->body, series);
    if (counted < double(2 * per_replay)) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(counted, double(2 * per_replay));
  // Packets in no flow are exported per interface too; no conversation was
  // over the flow cap.
  auto scrape = metrics.Get("/metrics");
  ASSERT_TRUE(scrape) << httplib::to_string(scrape.error());
  EXPECT_EQ(testing::PrometheusSample(scrape->body,
                                      "goprobe_packets_untracked_total{iface=\"" + a + "\"}"),
            0.0);
  for (const char* why : {"not_ip", "malformed"}) {
    EXPECT_GE(testing::PrometheusSample(scrape->body, "goprobe_packets_unplaced_total{iface=\"" +
                                                          a + "\",why=\"" + why + "\"}"),
              0.0)
        << why;
  }
}

}  // namespace
}  // namespace goprobe
