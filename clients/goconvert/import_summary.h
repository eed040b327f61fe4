#ifndef GOPROBE_CLIENTS_GOCONVERT_IMPORT_SUMMARY_H_
#define GOPROBE_CLIENTS_GOCONVERT_IMPORT_SUMMARY_H_

// The one line goconvert ends with.

#include <string>

#include "clients/goconvert/importer.h"

namespace goprobe::goconvert {

// "1200 rows read, 1165 written in 12 blocks (1100 flows) on 2 interfaces;
// 20 bad rows skipped; 1 stored block skipped (15 rows)[; 6 rows not
// written]". Parts that are
// zero are left out, except rows read and written. `written` is the verb
// for what the sink did ("written", or "valid" when only checking).
std::string ImportSummary(const ImportStats& stats, const std::string& written = "written");

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_IMPORT_SUMMARY_H_
