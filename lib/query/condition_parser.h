#ifndef GOPROBE_LIB_QUERY_CONDITION_PARSER_H_
#define GOPROBE_LIB_QUERY_CONDITION_PARSER_H_

// Parses goQuery's condition language into a syntax tree (condition.h).
//
//   condition  := or_expr END
//   or_expr    := and_expr { ("or" | "||" | "|") and_expr }
//   and_expr   := unary { ("and" | "&&" | "&") unary }
//   unary      := ("not" | "!") unary | primary
//   primary    := open or_expr close | comparison
//   comparison := attribute operator value
//
// So not binds tighter than and, and and tighter than or:
// `not a and b or c` is `((not a) and b) or c`. Tokens are described in
// condition_lexer.h; keywords, attribute names, operator words, protocol
// names and direction names are all case-insensitive.
//
// Attributes, their aliases, operators and values:
//
//   sip (src), dip (dst), host   = !=           IPv4 or IPv6 address
//   snet, dnet, net              = != (in/not in) network in CIDR notation
//   dport (port)                 = != < > <= >=  0..65535
//   proto (protocol, ipproto)    = != < > <= >=  name (tcp, udp, ...) or 0..255
//   dir (direction)              =               in, out, uni, bi (also
//                                                inbound, outbound,
//                                                unidirectional, bidirectional)
//
// host and net mean "either address": `host = X` is `sip = X or dip = X`, and
// `host != X` is `sip != X and dip != X` (the normaliser expands them).
// Networks must carry a prefix length (a bare address after snet is an
// error, as in goQuery); host bits are cleared as goQuery does, so
// `snet = 192.168.1.17/25` means 192.168.1.0/25. Addresses are exact:
// ::ffff:10.0.0.1 is an IPv6 address and never equals 10.0.0.1.
//
// Errors are condition_error.h's: InvalidArgument "condition: position N:
// what was expected, what was found", e.g.
//   condition: position 6: expected an IP address after "sip =", found "foo"

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/query/condition.h"

namespace goprobe::query {

// Longer conditions are refused before lexing: they are not typed by people,
// and refusing them bounds the parser's time and memory.
inline constexpr size_t kMaxConditionLength = 64 * 1024;
// Parentheses and `not`s nest at most this deep, which bounds the recursion
// of every stage that walks the tree.
inline constexpr int kMaxConditionNesting = 100;

// Parses `text`. An empty or blank condition is an error ("expected a
// condition"): a query without a condition should not call the parser.
// The tree keeps what was written (host, net, not, dir, positions); see
// condition_normalizer.h for the form the engine evaluates.
absl::StatusOr<condition::Node> ParseCondition(absl::string_view text);

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_CONDITION_PARSER_H_
