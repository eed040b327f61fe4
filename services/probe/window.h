#ifndef GOPROBE_SERVICES_PROBE_WINDOW_H_
#define GOPROBE_SERVICES_PROBE_WINDOW_H_

#include <cstdint>

namespace goprobe::probe {

// goProbe's five-minute blocks. A block's time is the END of its interval
// (proto/goprobe/v1/flow.proto, FlowBatch.block_time): the block at T holds
// packets with times in [T - 300, T). Regular rotations happen at multiples
// of 300 seconds of the wall clock (live) or of packet time (offline).
inline constexpr int64_t kWindowSeconds = 300;

// Latest block time goDB accepts (end of year 9999).
inline constexpr int64_t kMaxBlockTime = 253402300799;

// Packet times outside what goDB can store are pulled into range so a bogus
// timestamp can neither create an unstorable block nor go negative.
inline int64_t ClampPacketSeconds(int64_t seconds) {
  if (seconds < 0) return 0;
  if (seconds > kMaxBlockTime - kWindowSeconds) return kMaxBlockTime - kWindowSeconds;
  return seconds;
}

// The block time of the aligned window containing `seconds` (>= 0).
inline int64_t WindowEnd(int64_t seconds) {
  return (seconds / kWindowSeconds + 1) * kWindowSeconds;
}

// Block time of a window flushed before its end (shutdown, end of offline
// input) whose newest packet or clock reading is `last_seconds` (whole
// seconds, rounded down): one second later, kept inside the window. Not
// aligned, so it never collides with the aligned block a restarted probe
// writes for the same window.
inline int64_t EarlyFlushTime(int64_t last_seconds, int64_t window_end) {
  int64_t t = last_seconds + 1;
  if (t > window_end) t = window_end;
  if (t <= window_end - kWindowSeconds) t = window_end - kWindowSeconds + 1;
  return t;
}

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_WINDOW_H_
