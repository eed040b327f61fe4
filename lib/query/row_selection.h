#ifndef GOPROBE_LIB_QUERY_ROW_SELECTION_H_
#define GOPROBE_LIB_QUERY_ROW_SELECTION_H_

// Which rows of one goDB block a condition selected: a bitmap, bit i for row i
// (godb::BlockColumns' row order: IPv4 rows, then IPv6 rows).
//
// A scanning thread keeps one RowSelection and reuses it for every block:
// its buffers keep their capacity, so once warm, evaluating a block
// allocates nothing. It also holds the evaluator's working space, which is
// why each thread needs its own; it is not safe to share between threads.

#include <cstdint>
#include <vector>

#include "absl/numeric/bits.h"
#include "absl/types/span.h"

namespace goprobe::query {

class RowSelection {
 public:
  RowSelection() = default;

  // The number of rows of the block it was last reset for.
  uint32_t rows() const { return rows_; }

  bool Contains(uint32_t row) const { return row < rows_ && (words_[row >> 6] >> (row & 63) & 1); }
  // The number of selected rows.
  uint32_t Count() const {
    uint32_t n = 0;
    for (uint64_t w : words_) n += uint32_t(absl::popcount(w));
    return n;
  }
  bool None() const {
    for (uint64_t w : words_) {
      if (w != 0) return false;
    }
    return true;
  }
  bool All() const { return Count() == rows_; }

  // Calls f(row) for every selected row, in ascending order.
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < words_.size(); ++i) {
      uint64_t w = words_[i];
      while (w != 0) {
        f(uint32_t(i * 64 + absl::countr_zero(w)));
        w &= w - 1;
      }
    }
  }
  // Appends the selected rows, ascending, to *out.
  void AppendRows(std::vector<uint32_t>* out) const {
    ForEach([out](uint32_t row) { out->push_back(row); });
  }

  // The bitmap: ceil(rows / 64) words; bits at and past rows() are zero.
  absl::Span<const uint64_t> words() const { return words_; }

  // Resets to `rows` rows, every one selected or none.
  void SelectAll(uint32_t rows) {
    Resize(rows);
    for (uint64_t& w : words_) w = ~uint64_t{0};
    ClearTail();
  }
  void SelectNone(uint32_t rows) {
    Resize(rows);
    for (uint64_t& w : words_) w = 0;
  }

 private:
  friend class ConditionEvaluator;

  static size_t WordsFor(uint32_t rows) { return (size_t(rows) + 63) / 64; }
  void Resize(uint32_t rows) {
    rows_ = rows;
    words_.resize(WordsFor(rows));
  }
  void ClearTail() {
    if (rows_ % 64 != 0) words_.back() &= (uint64_t{1} << (rows_ % 64)) - 1;
  }

  uint32_t rows_ = 0;
  std::vector<uint64_t> words_;
  // The evaluator's temporaries, one bitmap per nesting level of the
  // compiled condition.
  std::vector<std::vector<uint64_t>> scratch_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_ROW_SELECTION_H_
