#ifndef GOPROBE_LIB_GODB_COLUMN_H_
#define GOPROBE_LIB_GODB_COLUMN_H_

#include <array>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace goprobe::godb {

// The eight columns of a goDB day partition, one file each. The numeric value
// is stored in every block header (FORMAT.md) and must never change.
enum class Column : uint8_t {
  kSip = 0,
  kDip = 1,
  kDport = 2,
  kProto = 3,
  kBytesRcvd = 4,
  kBytesSent = 5,
  kPktsRcvd = 6,
  kPktsSent = 7,
};
inline constexpr int kNumColumns = 8;

inline constexpr std::array<Column, kNumColumns> kAllColumns = {
    Column::kSip,       Column::kDip,       Column::kDport,    Column::kProto,
    Column::kBytesRcvd, Column::kBytesSent, Column::kPktsRcvd, Column::kPktsSent};

// A day partition's data files: the eight column files, then the address
// dictionary shared by sip and dip. Indexes arrays of per-file sizes/extents.
inline constexpr int kNumFiles = kNumColumns + 1;
inline constexpr int kAddressDictionaryFile = kNumColumns;
// "sip.gpf", ..., "pkts_sent.gpf", "addresses.gpd".
absl::string_view DataFileName(int file);

// "sip", "dip", ..., "pkts_sent": the attribute name, and the file's stem.
absl::string_view ColumnName(Column c);
// "sip.gpf", ...: the column's file inside a day directory.
inline absl::string_view ColumnFileName(Column c) { return DataFileName(int(c)); }

// A set of columns, for reading only what a query needs.
class ColumnSet {
 public:
  constexpr ColumnSet() = default;
  static constexpr ColumnSet All() { return ColumnSet(0xff); }
  constexpr ColumnSet& Add(Column c) {
    bits_ |= uint8_t(1u << uint8_t(c));
    return *this;
  }
  constexpr bool Has(Column c) const { return bits_ & (1u << uint8_t(c)); }
  constexpr bool empty() const { return bits_ == 0; }
  // The columns of this set that are not in `other`.
  constexpr ColumnSet Without(ColumnSet other) const {
    return ColumnSet(uint8_t(bits_ & ~other.bits_));
  }

 private:
  explicit constexpr ColumnSet(uint8_t bits) : bits_(bits) {}
  uint8_t bits_ = 0;
};

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_COLUMN_H_
