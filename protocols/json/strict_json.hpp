// What every JSON codec of the node shares on top of RapidJSON 1.1: one
// set of parse flags, the nesting check, and the two kinds of input that
// RapidJSON lets through although JSON.parse/Jackson would not produce them
// as valid UTF-8 text (found by fuzzing the Socket.IO codec): a raw NUL
// byte (RapidJSON's memory stream stops there, so `["x"]\0garbage` parses)
// and an escaped lone low surrogate (turned into bytes that are no UTF-8,
// which echoed would make clients drop the frame). Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace signalbox::json {

/// Iterative parsing keeps deep nesting off the stack; validating UTF-8
/// keeps every string we later echo valid JSON text. No
/// kParseStopWhenDoneFlag: anything but whitespace after the value is an
/// error. (Not kParseFullPrecisionFlag: its strtod in RapidJSON 1.1 has
/// undefined behaviour on extreme exponents.)
constexpr unsigned parse_flags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

/// The deepest nesting of arrays and objects in `json` (exact for valid
/// JSON; for invalid text only a guess, which is fine: it fails anyway).
size_t nesting_depth(std::string_view json);

/// Whether valid JSON `text` escapes a low surrogate (\uDC00-\uDFFF) that
/// follows no high one.
bool has_lone_low_surrogate(std::string_view text);

/// What is wrong with `text` that RapidJSON would not notice: "" when
/// nothing, else a short description ("NUL byte at offset 5", "lone
/// surrogate escape").
std::string unparsable_for_rapidjson(std::string_view text);

/// The compact JSON text of `value`.
std::string to_json(const rapidjson::Value& value);

/// Gives every floating-point number in `root`, parsed from valid JSON
/// `text` by RapidJSON, the value its text rounds to (std::from_chars).
/// RapidJSON 1.1's parser can be one unit in the last place off for
/// numbers with over 15 significant digits or a large exponent (the realdds
/// fuzzer found a CBOR half that came back as another double), and its
/// full precision mode has undefined behaviour (see parse_flags). Only a
/// document with floats is looked at: a lexical scan of `text` finds the
/// numbers RapidJSON may have read inexactly, and only when there are any
/// is the document walked again to set them.
void round_floats_exactly(rapidjson::Value& root, std::string_view text);

/// `doc.Parse<Flags>(text)` with numbers as exact as their text: what every
/// codec of the node parses with.
template <unsigned Flags = parse_flags>
void parse(rapidjson::Document& doc, std::string_view text) {
  doc.Parse<Flags>(text.data(), text.size());
  if (!doc.HasParseError())
    round_floats_exactly(doc, text);
}

} // namespace signalbox::json
