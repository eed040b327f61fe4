#include "lib/query/condition_lexer.h"

#include "absl/strings/match.h"

namespace goprobe::query::condition {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsDelimiter(char c) {
  switch (c) {
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '&':
    case '|':
    case '!':
    case '=':
    case '<':
    case '>': return true;
    default: return IsSpace(c);
  }
}

struct WordOperator {
  const char* word;
  CompareOp op;
};

constexpr WordOperator kWordOperators[] = {
    {"eq", CompareOp::kEq},      {"-eq", CompareOp::kEq},  {"equals", CompareOp::kEq},
    {"ne", CompareOp::kNe},      {"-ne", CompareOp::kNe},  {"neq", CompareOp::kNe},
    {"-neq", CompareOp::kNe},    {"lt", CompareOp::kLt},   {"-lt", CompareOp::kLt},
    {"less", CompareOp::kLt},    {"gt", CompareOp::kGt},   {"-gt", CompareOp::kGt},
    {"greater", CompareOp::kGt}, {"le", CompareOp::kLe},   {"-le", CompareOp::kLe},
    {"leq", CompareOp::kLe},     {"-leq", CompareOp::kLe}, {"ge", CompareOp::kGe},
    {"-ge", CompareOp::kGe},     {"geq", CompareOp::kGe},  {"-geq", CompareOp::kGe},
};

Token ClassifyWord(absl::string_view word, size_t position) {
  Token t;
  t.text = word;
  t.position = position;
  t.kind = Token::Kind::kWord;
  if (absl::EqualsIgnoreCase(word, "and")) {
    t.kind = Token::Kind::kAnd;
  } else if (absl::EqualsIgnoreCase(word, "or")) {
    t.kind = Token::Kind::kOr;
  } else if (absl::EqualsIgnoreCase(word, "not")) {
    t.kind = Token::Kind::kNot;
  } else {
    for (const WordOperator& w : kWordOperators) {
      if (absl::EqualsIgnoreCase(word, w.word)) {
        t.kind = Token::Kind::kCompare;
        t.op = w.op;
        break;
      }
    }
  }
  return t;
}

}  // namespace

std::vector<Token> LexCondition(absl::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  const size_t n = text.size();
  auto symbol = [&](Token::Kind kind, size_t length, CompareOp op = CompareOp::kEq) {
    Token t;
    t.kind = kind;
    t.op = op;
    t.text = text.substr(i, length);
    t.position = i;
    tokens.push_back(t);
    i += length;
  };
  auto next_is = [&](size_t offset, char c) { return i + offset < n && text[i + offset] == c; };
  while (i < n) {
    const char c = text[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    switch (c) {
      case '(':
      case '[':
      case '{': symbol(Token::Kind::kOpen, 1); continue;
      case ')':
      case ']':
      case '}': symbol(Token::Kind::kClose, 1); continue;
      case '&': symbol(Token::Kind::kAnd, next_is(1, '&') ? 2 : 1); continue;
      case '|': symbol(Token::Kind::kOr, next_is(1, '|') ? 2 : 1); continue;
      case '!':
        if (next_is(1, '=')) {
          symbol(Token::Kind::kCompare, 2, CompareOp::kNe);
        } else {
          symbol(Token::Kind::kNot, 1);
        }
        continue;
      case '=':
        symbol(Token::Kind::kCompare, next_is(1, '=') ? (next_is(2, '=') ? 3 : 2) : 1,
               CompareOp::kEq);
        continue;
      case '<':
        if (next_is(1, '=')) {
          symbol(Token::Kind::kCompare, 2, CompareOp::kLe);
        } else {
          symbol(Token::Kind::kCompare, 1, CompareOp::kLt);
        }
        continue;
      case '>':
        if (next_is(1, '=')) {
          symbol(Token::Kind::kCompare, 2, CompareOp::kGe);
        } else {
          symbol(Token::Kind::kCompare, 1, CompareOp::kGt);
        }
        continue;
      default: break;
    }
    const size_t start = i;
    while (i < n && !IsDelimiter(text[i])) ++i;
    tokens.push_back(ClassifyWord(text.substr(start, i - start), start));
  }
  Token end;
  end.kind = Token::Kind::kEnd;
  end.text = text.substr(n);
  end.position = n;
  tokens.push_back(end);
  return tokens;
}

}  // namespace goprobe::query::condition
