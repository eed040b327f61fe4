#include "lib/query/condition_error.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace goprobe::query {

namespace {
constexpr absl::string_view kPrefix = "condition: position ";
constexpr size_t kMaxQuoted = 40;
}  // namespace

absl::Status ConditionError(size_t position, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(kPrefix, position, ": ", message));
}

std::optional<size_t> ConditionErrorPosition(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) return std::nullopt;
  const absl::string_view message = status.message();
  const size_t at = message.find(kPrefix);
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = message.substr(at + kPrefix.size());
  const size_t colon = rest.find(':');
  if (colon == absl::string_view::npos || colon == 0) return std::nullopt;
  size_t position = 0;
  for (char c : rest.substr(0, colon)) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  if (!absl::SimpleAtoi(rest.substr(0, colon), &position)) return std::nullopt;
  return position;
}

std::string QuoteForError(absl::string_view text) {
  if (text.size() <= kMaxQuoted) return absl::StrCat("\"", absl::CHexEscape(text), "\"");
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMaxQuoted)), "...\"");
}

std::string RenderCaret(absl::string_view text, size_t position, size_t width) {
  position = std::min(position, text.size());
  width = std::max<size_t>(width, 20);
  // Pick a window [begin, end) of the text that contains the position, with
  // room for the "..." marks at cut ends.
  size_t begin = 0, end = text.size();
  if (text.size() + 1 > width) {
    const size_t span = width - 6;
    begin = position > span / 2 ? position - span / 2 : 0;
    end = std::min(text.size(), begin + span);
    if (end - begin < span) begin = end > span ? end - span : 0;
  }
  std::string line, caret;
  if (begin > 0) line = "...";
  for (size_t i = begin; i < end; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\t' || c == '\n' || c == '\r') {
      line.push_back(' ');
    } else if (c < 0x20 || c >= 0x7f) {
      line.push_back('?');
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  const size_t caret_column = (begin > 0 ? 3 : 0) + (position - begin);
  if (end < text.size()) line.append("...");
  caret.assign(caret_column, ' ');
  caret.push_back('^');
  return absl::StrCat(line, "\n", caret, "\n");
}

std::string FormatConditionError(absl::string_view text, const absl::Status& status) {
  std::string out = absl::StrCat(status.message(), "\n");
  const std::optional<size_t> position = ConditionErrorPosition(status);
  if (position && *position <= text.size()) {
    out.append("\n");
    out.append(RenderCaret(text, *position));
  }
  return out;
}

}  // namespace goprobe::query
