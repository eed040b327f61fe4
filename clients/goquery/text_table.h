#ifndef GOPROBE_CLIENTS_GOQUERY_TEXT_TABLE_H_
#define GOPROBE_CLIENTS_GOQUERY_TEXT_TABLE_H_

// Right-aligned text tables, laid out as goQuery's (Go's text/tabwriter with
// AlignRight): every column is as wide as its widest cell, every cell is
// preceded by `gap` spaces, so the table is indented by `gap` too.

#include <string>
#include <vector>

namespace goprobe::goquery {

class TextTable {
 public:
  explicit TextTable(int gap = 2) : gap_(gap) {}

  // A row may have fewer cells than others; the missing ones are empty.
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // Prints as an empty line.
  void AddEmptyRow() { rows_.emplace_back(); }

  // The table, each line ending in '\n' and without trailing spaces. Widths
  // count bytes: cells are expected to be ASCII.
  std::string Render() const;

 private:
  int gap_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_TEXT_TABLE_H_
