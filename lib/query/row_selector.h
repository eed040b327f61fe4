#ifndef GOPROBE_LIB_QUERY_ROW_SELECTOR_H_
#define GOPROBE_LIB_QUERY_ROW_SELECTOR_H_

#include <cstdint>
#include <vector>

#include "lib/godb/block.h"
#include "lib/godb/column.h"

namespace goprobe::query {

// A compiled condition: which rows of a block it keeps. Implementations are
// immutable and used from several scanning threads at once.
class RowSelector {
 public:
  virtual ~RowSelector() = default;
  // The columns Select reads.
  virtual godb::ColumnSet columns() const = 0;
  // Replaces *rows with the indices of the matching rows of `block`, in
  // ascending order. `block` holds at least columns().
  virtual void Select(const godb::BlockColumns& block, std::vector<uint32_t>* rows) const = 0;
};

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_ROW_SELECTOR_H_
