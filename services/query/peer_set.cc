#include "services/query/peer_set.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace goprobe::query {
namespace {

// Splits "host:port" / "[v6]:port" into host and port; false if malformed.
bool SplitHostPort(absl::string_view entry, std::string* host, std::string* port) {
  const size_t colon = entry.rfind(':');
  if (colon == absl::string_view::npos || colon == 0 || colon + 1 == entry.size()) return false;
  absl::string_view h = entry.substr(0, colon);
  if (absl::StartsWith(h, "[")) {
    if (!absl::EndsWith(h, "]")) return false;
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != absl::string_view::npos) {
    return false;  // a bare IPv6 address needs brackets
  }
  int p;
  if (!absl::SimpleAtoi(entry.substr(colon + 1), &p) || p <= 0 || p > 65535 || h.empty()) {
    return false;
  }
  *host = std::string(h);
  *port = std::string(entry.substr(colon + 1));
  return true;
}

}  // namespace

absl::StatusOr<PeerSet> PeerSet::Parse(absl::string_view list) {
  PeerSet set;
  for (absl::string_view entry : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    std::string host, port;
    const bool unix_socket = absl::StartsWith(entry, "unix:/");
    if (!unix_socket && !SplitHostPort(entry, &host, &port)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "peer \"", entry, "\": want host:port, [ipv6]:port or unix:/path"));
    }
    set.entries_.emplace_back(entry);
  }
  if (set.entries_.empty()) return absl::InvalidArgumentError("no peers given");
  return set;
}

std::vector<Peer> PeerSet::Resolve() const {
  std::vector<Peer> out;
  std::set<std::string> seen;
  const auto add = [&](std::string address, const std::string& name) {
    if (seen.insert(address).second) out.push_back(Peer{std::move(address), name});
  };
  for (const std::string& entry : entries_) {
    std::string host, port;
    if (absl::StartsWith(entry, "unix:") || !SplitHostPort(entry, &host, &port)) {
      add(entry, "");
      continue;
    }
    in6_addr literal;
    const bool is_literal = inet_pton(AF_INET, host.c_str(), &literal) == 1 ||
                            inet_pton(AF_INET6, host.c_str(), &literal) == 1;
    const std::string name = is_literal ? "" : host;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* result = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &result) != 0 || result == nullptr) {
      add(entry, name);
      continue;
    }
    for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
      char text[INET6_ADDRSTRLEN];
      if (ai->ai_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, text, sizeof(text));
        add(absl::StrCat(text, ":", port), name);
      } else if (ai->ai_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, text,
                  sizeof(text));
        add(absl::StrCat("[", text, "]:", port), name);
      }
    }
    freeaddrinfo(result);
  }
  return out;
}

}  // namespace goprobe::query
