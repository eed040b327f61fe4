#ifndef GOPROBE_FUZZ_CHECK_H_
#define GOPROBE_FUZZ_CHECK_H_

#include <cstdlib>

namespace goprobe::fuzz {

// A contract the code under test broke: abort, so libFuzzer keeps the input
// as a crash reproducer. (assert() would vanish under NDEBUG.)
inline void Check(bool ok) {
  if (!ok) abort();
}

}  // namespace goprobe::fuzz

#endif  // GOPROBE_FUZZ_CHECK_H_
