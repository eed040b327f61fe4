#ifndef GOPROBE_LIB_QUERY_CONDITION_ERROR_H_
#define GOPROBE_LIB_QUERY_CONDITION_ERROR_H_

// How condition errors look, and how a client points at them.
//
// Every error the condition language reports (syntax, values, misplaced
// filters) is InvalidArgument with a message of the form
//
//   condition: position 12: expected an IP address after "sip =", found "foo"
//
// where the position is the 0-based byte offset in the condition text of what
// is wrong (the text's length when the condition ended too early). The
// position lives in the message, not in a status payload, because messages
// survive gRPC: goquery can draw the caret for an error goqueryd returned.

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace goprobe::query {

// InvalidArgument "condition: position <position>: <message>".
absl::Status ConditionError(size_t position, absl::string_view message);

// The position of an error ConditionError made, wherever it appears in the
// message (a server may prefix it with context); nullopt for any other status.
std::optional<size_t> ConditionErrorPosition(const absl::Status& status);

// Quotes a piece of condition text for a message: in double quotes, with
// non-printable bytes escaped and anything past 40 bytes cut to "...".
std::string QuoteForError(absl::string_view text);

// Two lines (each ending in '\n'): the condition text and a caret under byte
// `position`, e.g.
//
//   sip = foo and dport = 443
//         ^
//
// Tabs, newlines and non-printable bytes show as one space or '?' each so the
// caret stays under its byte. A text longer than `width` columns is cut to a
// window around the position, with "..." marking the cuts. A position past
// the end puts the caret just after the text.
std::string RenderCaret(absl::string_view text, size_t position, size_t width = 100);

// What goquery prints for a failed condition: the status message, then the
// caret lines when the status carries a position within `text`; otherwise
// just the message and a newline.
std::string FormatConditionError(absl::string_view text, const absl::Status& status);

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_CONDITION_ERROR_H_
