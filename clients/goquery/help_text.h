#ifndef GOPROBE_CLIENTS_GOQUERY_HELP_TEXT_H_
#define GOPROBE_CLIENTS_GOQUERY_HELP_TEXT_H_

// What goquery teaches on request: the text after --help's option list, and
// the worked examples of `goquery examples`.

#include <string>

namespace goprobe::goquery {

// Attributes and presets, conditions, times, formats, where the data comes
// from, exit status.
std::string HelpFooter();

// Worked examples, each a command and what it answers.
std::string ExamplesText();

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_HELP_TEXT_H_
