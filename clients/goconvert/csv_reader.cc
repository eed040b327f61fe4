#include "clients/goconvert/csv_reader.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/goconvert/csv_fields.h"
#include "clients/goconvert/field_parsers.h"
#include "lib/godb/layout.h"

namespace goprobe::goconvert {
namespace {

constexpr absl::string_view kHeaderPrefix = "# HEADER:";
constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

absl::string_view Trim(absl::string_view s) { return absl::StripAsciiWhitespace(s); }

}  // namespace

absl::StatusOr<std::unique_ptr<CsvFlowReader>> CsvFlowReader::Open(std::istream* in,
                                                                   std::string source,
                                                                   CsvReaderOptions options) {
  if (!options.default_iface.empty()) {
    absl::Status s = godb::ValidateInterfaceName(options.default_iface);
    if (!s.ok()) return s;
  }
  std::unique_ptr<CsvFlowReader> reader(
      new CsvFlowReader(in, std::move(source), std::move(options.default_iface)));

  std::vector<std::string> names;
  if (!options.schema.empty()) {
    names = absl::StrSplit(options.schema, ',');
    absl::StatusOr<CsvSchema> schema = ParseCsvSchema(names);
    if (!schema.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("schema: ", schema.status().message()));
    }
    reader->schema_ = std::move(*schema);
  } else {
    absl::StatusOr<bool> got = reader->ReadContentLine(/*header=*/true);
    if (!got.ok()) return got.status();
    if (!*got) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader->source_, ": no header line (the input is empty); give the columns "
                                        "with --schema if the file has none"));
    }
    absl::string_view text = reader->line_text_;
    if (absl::StartsWith(text, kHeaderPrefix)) text.remove_prefix(kHeaderPrefix.size());
    size_t bad_field = 0;
    absl::Status s = SplitCsvLine(text, &reader->fields_, &bad_field);
    if (!s.ok()) return reader->LineError(absl::StrCat("header: ", s.message()));
    absl::StatusOr<CsvSchema> schema = ParseCsvSchema(reader->fields_);
    if (!schema.ok()) return reader->LineError(absl::StrCat("header: ", schema.status().message()));
    reader->schema_ = std::move(*schema);
  }
  if (!reader->schema_.has(Field::kIface) && reader->default_iface_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        reader->source_, ": no iface column and no default interface: say which interface the "
                         "rows belong to (--iface)"));
  }
  return reader;
}

absl::StatusOr<bool> CsvFlowReader::ReadContentLine(bool header) {
  while (std::getline(*in_, line_text_)) {
    ++line_;
    if (line_ == 1 && absl::StartsWith(line_text_, kUtf8Bom)) line_text_.erase(0, kUtf8Bom.size());
    if (!line_text_.empty() && line_text_.back() == '\r') line_text_.pop_back();
    const absl::string_view t = Trim(line_text_);
    if (t.empty()) continue;
    if (t[0] == '#' && !(header && absl::StartsWith(t, kHeaderPrefix))) continue;
    return true;
  }
  if (in_->bad()) {
    return absl::DataLossError(absl::StrCat(source_, ":", line_ + 1, ": read error"));
  }
  return false;
}

absl::Status CsvFlowReader::LineError(absl::string_view what) const {
  return absl::InvalidArgumentError(absl::StrCat(source_, ":", line_, ": ", what));
}

absl::Status CsvFlowReader::ColumnError(int column, const absl::Status& reason) const {
  return LineError(absl::StrCat("column ", schema_.names[column], ": ", reason.message()));
}

absl::StatusOr<bool> CsvFlowReader::Next(CsvRecord* out) {
  absl::StatusOr<bool> got = ReadContentLine(/*header=*/false);
  if (!got.ok() || !*got) return got;
  absl::Status s = ParseRecord(out);
  if (!s.ok()) return s;
  return true;
}

absl::Status CsvFlowReader::ParseRecord(CsvRecord* out) {
  size_t bad_field = 0;
  absl::Status s = SplitCsvLine(line_text_, &fields_, &bad_field);
  if (!s.ok()) {
    if (bad_field < schema_.names.size()) return ColumnError(static_cast<int>(bad_field), s);
    return LineError(s.message());
  }
  const size_t want = schema_.fields.size();
  if (fields_.size() < want) {
    return LineError(absl::StrCat("column ", schema_.names[fields_.size()], ": missing (the line has ",
                                  fields_.size(), " fields, the header ", want, ")"));
  }
  if (fields_.size() > want) {
    return LineError(absl::StrCat("the line has ", fields_.size(), " fields, the header only ",
                                  want));
  }

  out->line = line_;
  out->iface.clear();
  out->row = flow::FlowRow();
  flow::FlowKey& key = out->row.key;
  flow::Counters& c = out->row.counters;
  // Left to right, so the first bad column reported is the first on the line.
  for (size_t i = 0; i < want; ++i) {
    const absl::string_view text = Trim(fields_[i]);
    const int col = static_cast<int>(i);
    absl::Status err;
    switch (schema_.fields[i]) {
      case Field::kIgnored:
        break;
      case Field::kTime: {
        absl::StatusOr<int64_t> t = ParseBlockTime(text);
        if (t.ok()) out->time = *t; else err = t.status();
        break;
      }
      case Field::kIface:
        if (!text.empty()) {
          err = godb::ValidateInterfaceName(text);
          if (err.ok()) out->iface.assign(text.data(), text.size());
        } else if (default_iface_.empty()) {
          err = absl::InvalidArgumentError("empty, and no default interface given (--iface)");
        }
        break;
      case Field::kSip:
      case Field::kDip: {
        absl::StatusOr<flow::IpAddress> ip = ParseIp(text);
        if (!ip.ok()) {
          err = ip.status();
        } else {
          (schema_.fields[i] == Field::kSip ? key.sip : key.dip) = *ip;
        }
        break;
      }
      case Field::kDport: {
        absl::StatusOr<uint16_t> p = ParsePort(text);
        if (p.ok()) key.dport = *p; else err = p.status();
        break;
      }
      case Field::kProto: {
        absl::StatusOr<uint8_t> p = ParseProto(text);
        if (p.ok()) key.proto = *p; else err = p.status();
        break;
      }
      case Field::kBytesRcvd:
      case Field::kBytesSent:
      case Field::kPktsRcvd:
      case Field::kPktsSent: {
        absl::StatusOr<uint64_t> v = ParseCounter(text);
        if (!v.ok()) {
          err = v.status();
          break;
        }
        switch (schema_.fields[i]) {
          case Field::kBytesRcvd: c.bytes_rcvd = *v; break;
          case Field::kBytesSent: c.bytes_sent = *v; break;
          case Field::kPktsRcvd: c.pkts_rcvd = *v; break;
          default: c.pkts_sent = *v; break;
        }
        break;
      }
    }
    if (!err.ok()) return ColumnError(col, err);
  }

  // Checks across columns, reported on the column read last.
  const int sip_col = schema_.column[static_cast<int>(Field::kSip)];
  const int dip_col = schema_.column[static_cast<int>(Field::kDip)];
  if (key.sip.is_v4() != key.dip.is_v4()) {
    const bool dip_last = dip_col > sip_col;
    return ColumnError(dip_last ? dip_col : sip_col,
                       absl::InvalidArgumentError(absl::StrCat(
                           key.sip.ToString(), " and ", key.dip.ToString(),
                           " are of different address families; a flow has one")));
  }
  if (c.pkts_rcvd == 0 && c.pkts_sent == 0) {
    const int rcvd_col = schema_.column[static_cast<int>(Field::kPktsRcvd)];
    const int sent_col = schema_.column[static_cast<int>(Field::kPktsSent)];
    return LineError(absl::StrCat("columns ", schema_.names[rcvd_col], " and ",
                                  schema_.names[sent_col],
                                  ": both are 0, but a flow has at least one packet"));
  }
  if (out->iface.empty()) out->iface = default_iface_;
  return absl::OkStatus();
}

}  // namespace goprobe::goconvert
