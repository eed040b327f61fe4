#include "services/probe/flow_table.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "lib/flow/ip_address.h"
#include "services/probe/classify.h"
#include "services/probe/hash.h"

namespace goprobe::probe {

// A conversation as stored: `a` is the client, `b` the server, ports in host
// order. Plain bytes so equality is memcmp-cheap.
struct V4Key {
  uint8_t a[4];
  uint8_t b[4];
  uint16_t pa;
  uint16_t pb;
  uint8_t proto;

  static constexpr int kAddrLen = 4;
  flow::FlowKey ToFlowKey() const {
    return flow::FlowKey{flow::IpAddress::V4(a), flow::IpAddress::V4(b), pb, proto};
  }
};

struct V6Key {
  uint8_t a[16];
  uint8_t b[16];
  uint16_t pa;
  uint16_t pb;
  uint8_t proto;

  static constexpr int kAddrLen = 16;
  flow::FlowKey ToFlowKey() const {
    return flow::FlowKey{flow::IpAddress::V6(a), flow::IpAddress::V6(b), pb, proto};
  }
};

namespace {

// Hash of the unordered pair of endpoints plus protocol: both directions of
// a conversation land on the same probe sequence, so one walk finds it
// whichever way the packet goes.
inline uint64_t SymmetricHash(const uint8_t* x, uint16_t px, const uint8_t* y, uint16_t py,
                              uint8_t proto, int addr_len) {
  if (addr_len == 4) {
    const uint64_t ex = uint64_t(Load32(x)) << 16 | px;
    const uint64_t ey = uint64_t(Load32(y)) << 16 | py;
    const uint64_t lo = std::min(ex, ey), hi = std::max(ex, ey);
    return Mix64((lo * 0x9e3779b97f4a7c15ULL) ^ hi ^ (uint64_t(proto) << 56));
  }
  const uint64_t hx = HashBytes(x, 16, px);
  const uint64_t hy = HashBytes(y, 16, py);
  return Mix64(hx + hy + proto);
}

template <typename Key>
inline uint64_t HashOf(const Key& k) {
  return SymmetricHash(k.a, k.pa, k.b, k.pb, k.proto, Key::kAddrLen);
}

template <typename Key>
inline uint64_t HashOf(const PacketInfo& p) {
  return SymmetricHash(p.src, p.sport, p.dst, p.dport, p.proto, Key::kAddrLen);
}

// Address equality by whole words: memcmp of a constant 16 bytes is still a
// library call with some compilers, and this runs twice per packet.
template <int kLen>
inline bool SameAddr(const uint8_t* x, const uint8_t* y) {
  if constexpr (kLen == 4) {
    return Load32(x) == Load32(y);
  } else {
    return ((Load64(x) ^ Load64(y)) | (Load64(x + 8) ^ Load64(y + 8))) == 0;
  }
}

template <typename Key>
inline bool IsForward(const Key& k, const PacketInfo& p) {
  return k.pa == p.sport && k.pb == p.dport && SameAddr<Key::kAddrLen>(k.a, p.src) &&
         SameAddr<Key::kAddrLen>(k.b, p.dst);
}

template <typename Key>
inline bool IsReverse(const Key& k, const PacketInfo& p) {
  return k.pa == p.dport && k.pb == p.sport && SameAddr<Key::kAddrLen>(k.a, p.dst) &&
         SameAddr<Key::kAddrLen>(k.b, p.src);
}

template <typename Key>
inline void Orient(const PacketInfo& p, bool flip, Key* k) {
  const uint8_t* client = flip ? p.dst : p.src;
  const uint8_t* server = flip ? p.src : p.dst;
  std::memcpy(k->a, client, Key::kAddrLen);
  std::memcpy(k->b, server, Key::kAddrLen);
  k->pa = flip ? p.dport : p.sport;
  k->pb = flip ? p.sport : p.dport;
  k->proto = p.proto;
}

inline void Count(flow::Counters* c, bool from_client, Direction direction, uint32_t wire_len) {
  const bool sent =
      direction == Direction::kOutbound || (direction == Direction::kUnknown && from_client);
  if (sent) {
    c->bytes_sent += wire_len;
    ++c->pkts_sent;
  } else {
    c->bytes_rcvd += wire_len;
    ++c->pkts_rcvd;
  }
}

// An array that never moves its elements: fixed-size chunks allocated
// (zeroed) on first use, so one thread may read early elements while another
// appends.
template <typename T>
class ChunkedArray {
 public:
  static constexpr size_t kChunkBits = 14;
  static constexpr size_t kChunk = size_t{1} << kChunkBits;

  explicit ChunkedArray(size_t max_elements) : chunks_((max_elements + kChunk - 1) / kChunk) {}

  T& operator[](size_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  const T& operator[](size_t i) const { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  void EnsureChunkFor(size_t i) {
    std::unique_ptr<T[]>& c = chunks_[i >> kChunkBits];
    if (!c) c = std::make_unique<T[]>(kChunk);  // value-initialised: zero
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
};

}  // namespace

// A conversation's identity and the last window it had a packet in, side by
// side so a lookup touches one cache line for both.
template <typename Key>
struct Conversation {
  Key key;
  uint32_t last_epoch;  // 0: the number is free
};

// Dense per-conversation arrays (key and last window, two window counters)
// indexed by a conversation number, and an open-addressing index from the
// symmetric hash to that number. Only the capture thread touches the index,
// the keys it writes and the current counters; a snapshot reads the keys and
// the other counters of conversations that had packets in its window, which
// nobody writes until the snapshot is released.
template <typename Key>
class FlowTable::Family {
 public:
  explicit Family(size_t max_flows)
      : conv_(max_flows), counters_{ChunkedArray<flow::Counters>(max_flows),
                                                            ChunkedArray<flow::Counters>(max_flows)} {
    index_.assign(kInitialSlots, 0);
  }

  // always_inline: GCC otherwise judges a function whose only effect is a
  // prefetch to be pure, and deletes its calls (seen in -O2 builds).
  __attribute__((always_inline)) void PrefetchSlot(uint64_t h) const {
    __builtin_prefetch(&index_[static_cast<uint32_t>(h) & (index_.size() - 1)]);
  }
  __attribute__((always_inline)) void PrefetchEntry(uint64_t h, int parity) const {
    const uint64_t slot = index_[static_cast<uint32_t>(h) & (index_.size() - 1)];
    if (slot == 0 || static_cast<uint32_t>(slot >> 32) != static_cast<uint32_t>(h)) return;
    const uint32_t n = static_cast<uint32_t>(slot) - 1;
    __builtin_prefetch(&conv_[n]);
    __builtin_prefetch(&counters_[parity][n], 1);
  }

  // Finds the packet's conversation and counts it. Returns false when the
  // conversation is new and `room` is false.
  bool Add(const PacketInfo& p, uint64_t h, uint32_t wire_len, uint32_t epoch, int parity,
           bool room, bool* needs_room) {
    if ((live_ + 1) * 4 > index_.size() * 3) Grow();
    const uint32_t h32 = static_cast<uint32_t>(h);
    const size_t mask = index_.size() - 1;
    size_t i = h32 & mask;
    for (;; i = (i + 1) & mask) {
      const uint64_t slot = index_[i];
      if (slot == 0) break;
      if (static_cast<uint32_t>(slot >> 32) != h32) continue;
      const uint32_t n = static_cast<uint32_t>(slot) - 1;
      Conversation<Key>& c = conv_[n];
      Key& k = c.key;
      if (k.proto != p.proto) continue;
      bool forward = IsForward(k, p);
      if (!forward && !IsReverse(k, p)) continue;
      if (c.last_epoch + 1 < epoch) {
        // Idle for a whole window: it left at that window's end and is new
        // again now, needing room like any new one (the caller reclaims
        // idle conversations, this one included, and asks again). The hash
        // is symmetric, so re-orienting keeps the slot.
        if (!room) {
          *needs_room = true;
          return false;
        }
        const bool flip = ShouldFlip(p);
        Orient(p, flip, &k);
        forward = !flip;
      }
      c.last_epoch = epoch;
      Count(&counters_[parity][n], forward, p.direction, wire_len);
      return true;
    }
    if (!room) {
      *needs_room = true;
      return false;
    }
    uint32_t n;
    if (!free_.empty()) {
      n = free_.back();
      free_.pop_back();
    } else {
      n = static_cast<uint32_t>(size_++);
      if ((n & (ChunkedArray<Conversation<Key>>::kChunk - 1)) == 0) {
        conv_.EnsureChunkFor(n);
        counters_[0].EnsureChunkFor(n);
        counters_[1].EnsureChunkFor(n);
        // Room for every number that may be freed, so sweeping never allocates.
        free_.reserve(size_ + ChunkedArray<Conversation<Key>>::kChunk);
      }
    }
    const bool flip = ShouldFlip(p);
    Orient(p, flip, &conv_[n].key);
    conv_[n].last_epoch = epoch;
    Count(&counters_[parity][n], !flip, p.direction, wire_len);
    index_[i] = uint64_t(h32) << 32 | (uint64_t(n) + 1);
    ++live_;
    return true;
  }

  // Reclaims up to `budget` idle conversations' numbers, continuing where the
  // last call stopped. Returns how many were examined.
  size_t Sweep(uint32_t epoch, size_t budget) {
    size_t examined = 0;
    for (; sweep_cursor_ < size_ && examined < budget; ++sweep_cursor_, ++examined) {
      const uint32_t n = static_cast<uint32_t>(sweep_cursor_);
      const uint32_t last = conv_[n].last_epoch;
      if (last == 0 || last + 1 >= epoch) continue;
      EraseFromIndex(n);
      conv_[n].last_epoch = 0;
      free_.push_back(n);
      --live_;
    }
    return examined;
  }
  bool sweep_done() const { return sweep_cursor_ >= size_; }
  void RestartSweep() { sweep_cursor_ = 0; }

  // Snapshot side: appends the rows of conversations [0, size) counted in
  // `parity`'s counters and zeroes those counters.
  void DrainInto(int parity, size_t size, std::vector<flow::FlowRow>* rows) {
    ChunkedArray<flow::Counters>& counters = counters_[parity];
    for (size_t n = 0; n < size; ++n) {
      flow::Counters& c = counters[n];
      if (c.pkts_rcvd == 0 && c.pkts_sent == 0) continue;
      rows->push_back(flow::FlowRow{conv_[n].key.ToFlowKey(), c});
      c = flow::Counters();
    }
  }

  // Capture-thread side: the conversations counted in `parity`'s counters,
  // left as they are. The current window's parity holds only this window's
  // counts: the previous window with that parity was drained (zeroed)
  // before this one began.
  void ReadCurrent(int parity, std::vector<flow::FlowRow>* rows,
                   FlowTable::WindowSoFar* so_far) const {
    const ChunkedArray<flow::Counters>& counters = counters_[parity];
    for (size_t n = 0; n < size_; ++n) {
      const flow::Counters& c = counters[n];
      if (c.pkts_rcvd == 0 && c.pkts_sent == 0) continue;
      so_far->traffic += c;
      ++so_far->conversations;
      if (rows != nullptr) rows->push_back(flow::FlowRow{conv_[n].key.ToFlowKey(), c});
    }
  }

  size_t size() const { return size_; }
  size_t live() const { return live_; }

 private:
  static constexpr size_t kInitialSlots = 1024;

  void Grow() {
    std::vector<uint64_t> old(index_.size() * 2, 0);
    old.swap(index_);
    const size_t mask = index_.size() - 1;
    for (uint64_t slot : old) {
      if (slot == 0) continue;
      size_t i = static_cast<uint32_t>(slot >> 32) & mask;
      while (index_[i] != 0) i = (i + 1) & mask;
      index_[i] = slot;
    }
  }

  // Removes conversation n's slot, shifting later members of its probe run
  // back so lookups never need tombstones.
  void EraseFromIndex(uint32_t n) {
    const size_t mask = index_.size() - 1;
    const uint32_t h32 = static_cast<uint32_t>(HashOf(conv_[n].key));
    size_t i = h32 & mask;
    while (static_cast<uint32_t>(index_[i]) != n + 1) i = (i + 1) & mask;
    for (size_t j = (i + 1) & mask; index_[j] != 0; j = (j + 1) & mask) {
      const size_t home = static_cast<uint32_t>(index_[j] >> 32) & mask;
      // The entry at j may move to the hole at i unless its home lies
      // cyclically in (i, j].
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      index_[i] = index_[j];
      i = j;
    }
    index_[i] = 0;
  }

  ChunkedArray<Conversation<Key>> conv_;
  ChunkedArray<flow::Counters> counters_[2];
  std::vector<uint64_t> index_;  // (hash32 << 32) | (number + 1); 0 empty
  std::vector<uint32_t> free_;
  size_t size_ = 0;  // numbers handed out so far
  size_t live_ = 0;
  size_t sweep_cursor_ = 0;
};

FlowTable::FlowTable(FlowTableOptions options)
    : options_(options),
      v4_(std::make_unique<Family<V4Key>>(options.max_flows)),
      v6_(std::make_unique<Family<V6Key>>(options.max_flows)) {}

FlowTable::~FlowTable() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](bool* outstanding) { return !*outstanding; }, &snapshot_outstanding_));
}

size_t FlowTable::conversations() const { return v4_->live() + v6_->live(); }

FlowTable::WindowSoFar FlowTable::CurrentWindow(std::vector<flow::FlowRow>* rows) const {
  WindowSoFar so_far;
  const int parity = static_cast<int>(epoch_ & 1);
  v4_->ReadCurrent(parity, rows, &so_far);
  v6_->ReadCurrent(parity, rows, &so_far);
  return so_far;
}

bool FlowTable::HaveRoom() { return v4_->live() + v6_->live() < options_.max_flows; }

uint64_t FlowTable::Hash(const PacketInfo& packet) const {
  return packet.is_v4 ? HashOf<V4Key>(packet) : HashOf<V6Key>(packet);
}

void FlowTable::PrefetchSlot(const PacketInfo& packet, uint64_t hash) const {
  if (packet.is_v4) {
    v4_->PrefetchSlot(hash);
  } else {
    v6_->PrefetchSlot(hash);
  }
}

void FlowTable::PrefetchEntry(const PacketInfo& packet, uint64_t hash) const {
  const int parity = static_cast<int>(epoch_ & 1);
  if (packet.is_v4) {
    v4_->PrefetchEntry(hash, parity);
  } else {
    v6_->PrefetchEntry(hash, parity);
  }
}

FlowTable::AddResult FlowTable::Add(const PacketInfo& packet, uint32_t wire_len, uint64_t hash) {
  const int parity = static_cast<int>(epoch_ & 1);
  // Reclaiming idle conversations a few at a time keeps rotation O(1).
  if (!v4_->sweep_done()) v4_->Sweep(epoch_, 2);
  if (!v6_->sweep_done()) v6_->Sweep(epoch_, 2);
  bool needs_room = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool room = HaveRoom();
    const bool counted =
        packet.is_v4 ? v4_->Add(packet, hash, wire_len, epoch_, parity, room, &needs_room)
                     : v6_->Add(packet, hash, wire_len, epoch_, parity, room, &needs_room);
    if (counted) return AddResult::kCounted;
    // Full: reclaim every idle conversation now before giving up, so
    // whether a packet is tracked never depends on sweep progress.
    if (v4_->sweep_done() && v6_->sweep_done()) break;
    v4_->Sweep(epoch_, SIZE_MAX);
    v6_->Sweep(epoch_, SIZE_MAX);
  }
  return AddResult::kUntracked;
}

std::unique_ptr<WindowSnapshot> FlowTable::EndWindow() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](bool* outstanding) { return !*outstanding; }, &snapshot_outstanding_));
    snapshot_outstanding_ = true;
  }
  std::unique_ptr<WindowSnapshot> snapshot(
      new WindowSnapshot(this, static_cast<int>(epoch_ & 1), v4_->size(), v6_->size()));
  ++epoch_;
  v4_->RestartSweep();
  v6_->RestartSweep();
  return snapshot;
}

void FlowTable::Release() {
  absl::MutexLock lock(&mu_);
  snapshot_outstanding_ = false;
}

WindowSnapshot::~WindowSnapshot() {
  if (!drained_) {
    std::vector<flow::FlowRow> discard;
    Drain(&discard);
  }
}

void WindowSnapshot::Drain(std::vector<flow::FlowRow>* rows) {
  if (drained_) return;
  drained_ = true;
  const size_t from = rows->size();
  table_->v4_->DrainInto(parity_, v4_size_, rows);
  table_->v6_->DrainInto(parity_, v6_size_, rows);
  table_->Release();
  SortAndMergeRows(rows, from);
}

void SortAndMergeRows(std::vector<flow::FlowRow>* rows, size_t from) {
  auto first = rows->begin() + static_cast<std::ptrdiff_t>(from);
  std::sort(first, rows->end(),
            [](const flow::FlowRow& x, const flow::FlowRow& y) { return x.key < y.key; });
  auto out = first;
  for (auto it = first; it != rows->end(); ++it) {
    if (out != first && (out - 1)->key == it->key) {
      (out - 1)->counters += it->counters;
    } else {
      *out++ = *it;
    }
  }
  rows->erase(out, rows->end());
}

}  // namespace goprobe::probe
