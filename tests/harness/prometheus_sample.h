#ifndef GOPROBE_TESTS_HARNESS_PROMETHEUS_SAMPLE_H_
#define GOPROBE_TESTS_HARNESS_PROMETHEUS_SAMPLE_H_

#include <cstdlib>
#include <string>

namespace goprobe::testing {

// The value of `series` (name and labels, exactly as exposed) in a
// Prometheus text exposition, or -1 if it is not there.
inline double PrometheusSample(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::atof(text.c_str() + at + series.size() + 2);
}

}  // namespace goprobe::testing

#endif  // GOPROBE_TESTS_HARNESS_PROMETHEUS_SAMPLE_H_
