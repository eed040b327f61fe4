#include "clients/goquery/text_table.h"

#include <algorithm>

namespace goprobe::goquery {

std::string TextTable::Render() const {
  std::vector<size_t> width;
  for (const auto& row : rows_) {
    if (row.size() > width.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string empty;
      const std::string& cell = i < row.size() ? row[i] : empty;
      line.append(width[i] - cell.size() + static_cast<size_t>(gap_), ' ');
      line.append(cell);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out.append(line);
    out.push_back('\n');
  }
  return out;
}

}  // namespace goprobe::goquery
