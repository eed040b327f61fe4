#ifndef GOPROBE_CLIENTS_GOCONVERT_GO_FLAGS_H_
#define GOPROBE_CLIENTS_GOCONVERT_GO_FLAGS_H_

// Compatibility with command lines written for the Go tools.

#include <string>
#include <vector>

namespace goprobe::goconvert {

// Go's flag package spells long flags with one dash (goConvert -in FILE -out
// DIR -iface eth0). Returns `args` with "-NAME" and "-NAME=VALUE" for each of
// `long_names` rewritten to "--NAME...", so scripts written for goConvert keep
// working with a parser that reads "-in" as "-i n". Arguments after "--" and
// every other argument are left alone.
std::vector<std::string> GoStyleLongFlags(std::vector<std::string> args,
                                          const std::vector<std::string>& long_names);

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_GO_FLAGS_H_
