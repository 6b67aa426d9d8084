// What the load generator's RTOC clients write and read (docs/rtoc.md):
// the data requests a writer sends, and the parts of a node frame a client
// looks at (a reply, the authorize answer, a sample push). Pure. Both reuse
// their buffers, so that a client writing or reading one per message
// allocates nothing once they have grown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/reader.h>

namespace signalbox::load {

/// Builds `{"y":[..],"x":[..],"sname":[..],"dname":".."}` requests: value i
/// of a batch goes to signal i % signals, x is the sample number and y the
/// send time (both integers, exact in a double).
class rtoc_request_builder {
public:
  rtoc_request_builder(std::string device, std::vector<std::string> signals);

  /// The request carrying samples first_seq, first_seq+1, ... (`count` of
  /// them), all with y = `t_ns`. The view stays valid until the next call.
  std::string_view data(uint64_t first_seq, uint32_t count, uint64_t t_ns);

  const std::vector<std::string>& signals() const { return signals_; }
  const std::string& device() const { return device_; }

private:
  std::string device_;
  std::vector<std::string> signals_;
  std::string out_;
};

struct rtoc_frame {
  enum class kind {
    invalid,    ///< not a JSON object
    reply,      ///< has "error": the answer to one request
    authorized, ///< {"authorized":bool}
    sample,     ///< a "signal" push with one sample
    other,      ///< another push (a new signal, an event, a client)
  };
  kind type = kind::invalid;
  /// reply: the value of "error"; authorized: the value of "authorized".
  bool flag = false;
  /// sample: its device and signal name (views into the reader, valid until
  /// its next read), and x and y.
  std::string_view device;
  std::string_view signal;
  double x = 0;
  double y = 0;
};

class rtoc_frame_reader {
public:
  /// Parses one JSON text the node wrote (decrypted already).
  rtoc_frame read(std::string_view json);

private:
  rapidjson::Reader reader_;
  std::string device_;
  std::string signal_;
};

} // namespace signalbox::load
