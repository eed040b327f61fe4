#ifndef GOPROBE_LIB_GODB_DAY_DICTIONARY_H_
#define GOPROBE_LIB_GODB_DAY_DICTIONARY_H_

#include <string>

#include "absl/status/status.h"
#include "lib/godb/address_dictionary.h"
#include "lib/godb/block_codec.h"
#include "lib/godb/day_metadata.h"
#include "lib/godb/posix_file.h"

namespace goprobe::godb {

// Reads the address dictionary of the day in `dir` into *dict (empty on
// entry), chunk by chunk in the order they were written, as `meta` lists
// them. A chunk that cannot be read becomes a hole of the size the metadata
// gives it, and the first such problem is returned as DataLoss naming the
// file and offset; *dict is usable either way.
absl::Status LoadDayDictionary(const std::string& dir, const DayMetadata& meta,
                               BlockDecoder* decoder, AddressDictionary* dict);
// The same from the dictionary file opened already (or the error opening
// it), for readers that hold a day's files open.
absl::Status LoadDayDictionary(const absl::StatusOr<File>& file, const DayMetadata& meta,
                               BlockDecoder* decoder, AddressDictionary* dict);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_DAY_DICTIONARY_H_
