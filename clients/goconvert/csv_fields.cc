#include "clients/goconvert/csv_fields.h"

namespace goprobe::goconvert {

absl::Status SplitCsvLine(absl::string_view line, std::vector<std::string>* fields,
                          size_t* bad_field) {
  size_t count = 0;
  auto next_field = [&]() -> std::string& {
    if (count == fields->size()) fields->emplace_back();
    std::string& f = (*fields)[count++];
    f.clear();
    return f;
  };

  size_t i = 0;
  while (true) {
    std::string& field = next_field();
    // A quote only opens a quoted field at the field's first character (after
    // spaces, which some writers put after the comma).
    size_t start = i;
    while (start < line.size() && line[start] == ' ') ++start;
    if (start < line.size() && line[start] == '"') {
      i = start + 1;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (!closed) {
        *bad_field = count - 1;
        return absl::InvalidArgumentError("quoted field is not closed before the end of the line");
      }
      while (i < line.size() && line[i] == ' ') ++i;
      if (i < line.size() && line[i] != ',') {
        *bad_field = count - 1;
        return absl::InvalidArgumentError("text after the closing quote");
      }
    } else {
      const size_t comma = line.find(',', i);
      const size_t end = comma == absl::string_view::npos ? line.size() : comma;
      field.assign(line.data() + i, end - i);
      i = end;
    }
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  fields->resize(count);
  return absl::OkStatus();
}

}  // namespace goprobe::goconvert
