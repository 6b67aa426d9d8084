// What a JMRI JSON client needs from one frame of the node (docs/jmri.md):
// its type, the heartbeat a hello announces, the text a message carries,
// the code of an error. Pure. Read with a SAX parse into buffers the reader
// keeps, so that a client reading one per message allocates nothing once
// they have grown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/reader.h>

namespace signalbox::load {

struct jmri_frame {
  enum class kind {
    other,   ///< valid JSON of another type (a list, a client, ...)
    invalid, ///< not a JSON object
    hello,
    pong,
    goodbye,
    message,
    error,
  };

  kind type = kind::invalid;
  /// hello: data.heartbeat (ms), 0 when absent or not a positive integer.
  uint64_t heartbeat_ms = 0;
  /// message: data.message; error: data.message. A view into the reader,
  /// valid until its next read.
  std::string_view text;
  /// error: data.code, 0 when absent.
  int64_t code = 0;
};

class jmri_frame_reader {
public:
  /// Parses one JSON text written by the node.
  jmri_frame read(std::string_view json);

private:
  rapidjson::Reader reader_;
  std::string type_;
  std::string text_;
};

} // namespace signalbox::load
