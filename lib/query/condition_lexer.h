#ifndef GOPROBE_LIB_QUERY_CONDITION_LEXER_H_
#define GOPROBE_LIB_QUERY_CONDITION_LEXER_H_

// Splits a goQuery condition into tokens.
//
// Delimiters are whitespace and the symbols below; every other run of bytes
// is a word (attribute names, addresses, networks, numbers, protocol names,
// and the word forms of operators and keywords). So "dport=443" and
// "dport = 443" lex alike, and a word may hold ':', '.', '/' or '-'.
//
//   ( [ {          open a group; ) ] } close one (the parser pairs kinds)
//   && &           and          || |  or          !  not
//   = == ===       equal        !=    not equal
//   < > <= >=      ordering
//
// Words are classified ignoring case: "and", "or", "not" are keywords; the
// word operators goQuery accepts are comparisons:
//
//   eq -eq equals           ne -ne neq -neq
//   lt -lt less             gt -gt greater
//   le -le leq -leq         ge -ge geq -geq
//
// (goQuery's single-letter "l"/"g" and its '+'/'*' for or/and are not taken:
// they are easy to type by accident and nobody documents them.)
// Lexing never fails: any byte belongs to some token, and the parser decides
// what makes sense where.

#include <cstddef>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/query/condition.h"

namespace goprobe::query::condition {

struct Token {
  enum class Kind : uint8_t {
    kOpen,     // ( [ {
    kClose,    // ) ] }
    kAnd,      // and && &
    kOr,       // or || |
    kNot,      // not !
    kCompare,  // a comparison operator, symbol or word; see `op`
    kWord,     // anything else
    kEnd,      // end of the text; always the last token
  };

  Kind kind = Kind::kEnd;
  CompareOp op = CompareOp::kEq;  // kCompare only
  absl::string_view text;         // the token as written (empty for kEnd)
  size_t position = 0;            // byte offset in the condition text
};

// The tokens of `text`, ending with one kEnd token at text.size(). Token
// texts point into `text`, which must outlive them.
std::vector<Token> LexCondition(absl::string_view text);

}  // namespace goprobe::query::condition

#endif  // GOPROBE_LIB_QUERY_CONDITION_LEXER_H_
