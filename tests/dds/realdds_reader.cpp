// realdds-reader: a standalone Fast-DDS participant that behaves like a realdds
// (librealsense third-party/realdds) client of a "device" server. The
// end-to-end tests drive it over stdin/stdout to check signalbox's realdds
// bridge against an implementation that shares none of the node's code: the
// type support below is written by hand against fastcdr, following realdds'
// flexible.idl, instead of reusing anything from protocols/.
//
//   realdds-reader --domain N --topic-root ROOT [--no-control]
//
// It reads ROOT/notification and (unless --no-control) writes ROOT/control.
// stdout: one JSON object per line ("ready", "matched", "control-matched",
// "message", "sent", "error"), flushed per line. stdin: one control per line
// (JSON text, or "cbor:" followed by hex). EOF, SIGTERM or SIGINT: clean exit
// 0.

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fastcdr/Cdr.h>
#include <fastcdr/FastBuffer.h>
#include <fastcdr/exceptions/Exception.h>
#include <fastdds/dds/domain/DomainParticipant.hpp>
#include <fastdds/dds/domain/DomainParticipantFactory.hpp>
#include <fastdds/dds/publisher/DataWriter.hpp>
#include <fastdds/dds/publisher/DataWriterListener.hpp>
#include <fastdds/dds/publisher/Publisher.hpp>
#include <fastdds/dds/subscriber/DataReader.hpp>
#include <fastdds/dds/subscriber/DataReaderListener.hpp>
#include <fastdds/dds/subscriber/SampleInfo.hpp>
#include <fastdds/dds/subscriber/Subscriber.hpp>
#include <fastdds/dds/topic/TopicDataType.hpp>
#include <fastdds/rtps/common/WriteParams.h>
#include <fastdds/rtps/transport/UDPv4TransportDescriptor.h>
#include <fastrtps/utils/IPLocator.h>
#include <functional>
#include <memory>
#include <mutex>
#include <poll.h>
#include <signal.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

// Not "dds": Fast-DDS 2.9's Topic.hpp declares a global ::dds namespace, so an
// alias with that name does not compile.
namespace fdds = eprosima::fastdds::dds;
namespace frtps = eprosima::fastrtps::rtps;
namespace fcdr = eprosima::fastcdr;

namespace {

// ---------------------------------------------------------------------------
// Wire type: realdds::topics::raw::flexible
//   enum flexible_data_format { JSON, CBOR, CUSTOM };  (uint32 in CDR)
//   struct flexible { flexible_data_format data_format; octet version[4];
//                     sequence<octet,4096> data; };
// ---------------------------------------------------------------------------
constexpr uint32_t kMaxData = 4096;

struct Flexible {
  uint32_t data_format = 0; // kept raw so an unknown enum value is still shown
  std::array<uint8_t, 4> version{};
  std::vector<uint8_t> data;
};

class FlexibleType : public fdds::TopicDataType {
public:
  FlexibleType() {
    setName("realdds::topics::raw::flexible"); // must match realdds exactly
    // 4 encapsulation + 4 enum + 4 version + 4 sequence length + 4096 bytes
    // (all already 4-aligned, so no padding to add).
    m_typeSize = 4 + 4 + 4 + 4 + kMaxData;
    m_isGetKeyDefined = false; // the struct has no @key member
  }

  bool serialize(void* data, frtps::SerializedPayload_t* payload) override {
    auto* s = static_cast<Flexible*>(data);
    if (s->data.size() > kMaxData)
      return false;
    fcdr::FastBuffer buf(reinterpret_cast<char*>(payload->data),
                         payload->max_size);
    fcdr::Cdr ser(buf, fcdr::Cdr::DEFAULT_ENDIAN, fcdr::Cdr::DDS_CDR);
    payload->encapsulation =
        ser.endianness() == fcdr::Cdr::BIG_ENDIANNESS ? CDR_BE : CDR_LE;
    try {
      ser.serialize_encapsulation();
      ser.serialize(s->data_format);
      ser.serializeArray(s->version.data(), s->version.size());
      ser.serialize(static_cast<uint32_t>(s->data.size()));
      ser.serializeArray(s->data.data(), s->data.size());
    } catch (const fcdr::exception::Exception&) {
      return false;
    }
    payload->length = static_cast<uint32_t>(ser.getSerializedDataLength());
    return true;
  }

  bool deserialize(frtps::SerializedPayload_t* payload, void* data) override {
    auto* s = static_cast<Flexible*>(data);
    fcdr::FastBuffer buf(reinterpret_cast<char*>(payload->data),
                         payload->length);
    fcdr::Cdr des(buf, fcdr::Cdr::DEFAULT_ENDIAN, fcdr::Cdr::DDS_CDR);
    try {
      // read_encapsulation() switches the deserializer to the sender's byte
      // order (CDR_BE or CDR_LE), so both endiannesses are handled here.
      des.read_encapsulation();
      payload->encapsulation =
          des.endianness() == fcdr::Cdr::BIG_ENDIANNESS ? CDR_BE : CDR_LE;
      des.deserialize(s->data_format);
      des.deserializeArray(s->version.data(), s->version.size());
      uint32_t n = 0;
      des.deserialize(n);
      if (n > kMaxData)
        return false; // the IDL bound; reject, don't allocate
      s->data.resize(n);
      des.deserializeArray(s->data.data(), n);
    } catch (const fcdr::exception::Exception&) {
      return false;
    }
    return true;
  }

  std::function<uint32_t()> getSerializedSizeProvider(void* data) override {
    return [data]() -> uint32_t {
      auto* s = static_cast<Flexible*>(data);
      return 4 + 4 + 4 + 4 + static_cast<uint32_t>(s->data.size());
    };
  }

  void* createData() override { return new Flexible(); }
  void deleteData(void* data) override { delete static_cast<Flexible*>(data); }

  bool getKey(void*, frtps::InstanceHandle_t*, bool) override { return false; }
};

// ---------------------------------------------------------------------------
// Output: one JSON object per line; listener threads and the stdin thread all
// print, so every line goes out under one mutex.
// ---------------------------------------------------------------------------
std::mutex g_out_mutex;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void emit(const std::function<void(JsonWriter&)>& fill) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  fill(w);
  w.EndObject();
  std::lock_guard<std::mutex> lock(g_out_mutex);
  std::fwrite(sb.GetString(), 1, sb.GetSize(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void emit_error(const std::string& text) {
  emit([&](JsonWriter& w) {
    w.Key("event");
    w.String("error");
    w.Key("text");
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  });
}

std::string hex(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 0xf];
  }
  return out;
}

std::string hex_u32(uint32_t v) { // lowercase, no leading zeros, 0 -> "0"
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x", v);
  return buf;
}

// The same text realdds' print_raw_guid produces, so tests can compare the
// GUIDs we print with the ones in the node's (realdds-style) logs and JSON.
std::string guid_string(const frtps::GUID_t& guid) {
  const auto& p = guid.guidPrefix.value;
  std::string out;
  if (p[0] == 0x01 && p[1] == 0x0f) { // eProsima vendor id: short form
    out = hex(p + 2, 6) + ".";
    out += hex_u32(uint32_t(p[8]) | uint32_t(p[9]) << 8 |
                   uint32_t(p[10]) << 16 | uint32_t(p[11]) << 24);
  } else {
    out = hex(p, 12);
  }
  const auto& e = guid.entityId.value;
  out += "." + hex_u32(uint32_t(e[0]) << 24 | uint32_t(e[1]) << 16 |
                       uint32_t(e[2]) << 8 | uint32_t(e[3]));
  return out;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The monotonic clock, which every process of the machine shares: the
// benchmark compares it with the send time signalbox-load stamps.
int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------
// Listeners
// ---------------------------------------------------------------------------
class NotificationListener : public fdds::DataReaderListener {
public:
  void on_data_available(fdds::DataReader* reader) override {
    Flexible s;
    fdds::SampleInfo info;
    while (reader->take_next_sample(&s, &info) == ReturnCode_t::RETCODE_OK) {
      if (!info.valid_data)
        continue; // dispose/unregister notices carry no data
      const int64_t received = now_ns();
      const int64_t steady = steady_ns();
      const std::string data = hex(s.data.data(), s.data.size());
      const std::string writer =
          guid_string(info.sample_identity.writer_guid());
      emit([&](JsonWriter& w) {
        w.Key("event");
        w.String("message");
        w.Key("format");
        w.Uint(s.data_format);
        w.Key("version");
        w.StartArray();
        for (uint8_t v : s.version)
          w.Uint(v);
        w.EndArray();
        w.Key("data");
        w.String(data.c_str());
        w.Key("writer");
        w.String(writer.c_str());
        w.Key("received_ns");
        w.Int64(received);
        w.Key("received_steady_ns");
        w.Int64(steady);
      });
    }
  }

  void
  on_subscription_matched(fdds::DataReader*,
                          const fdds::SubscriptionMatchedStatus& st) override {
    if (st.current_count_change == 0)
      return;
    emit([&](JsonWriter& w) {
      w.Key("event");
      w.String("matched");
      w.Key("notification-writers");
      w.Int(st.current_count);
    });
  }
};

class ControlListener : public fdds::DataWriterListener {
public:
  void
  on_publication_matched(fdds::DataWriter*,
                         const fdds::PublicationMatchedStatus& st) override {
    if (st.current_count_change == 0)
      return;
    emit([&](JsonWriter& w) {
      w.Key("event");
      w.String("control-matched");
      w.Key("readers");
      w.Int(st.current_count);
    });
  }
};

// ---------------------------------------------------------------------------
// Shutdown: SIGTERM/SIGINT write to a self-pipe the stdin loop polls, so the
// entities are deleted on the main thread, not inside a signal handler.
// ---------------------------------------------------------------------------
int g_wake[2] = {-1, -1};

void on_signal(int) {
  const char c = 1;
  ssize_t r = write(g_wake[1], &c, 1);
  (void)r;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Turns one stdin line into a control sample and writes it.
void send_control(fdds::DataWriter* writer, std::string line) {
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  if (line.empty())
    return;
  if (!writer) {
    emit_error("no control writer (--no-control)");
    return;
  }
  Flexible s;
  static const std::string cbor_prefix = "cbor:";
  if (line.compare(0, cbor_prefix.size(), cbor_prefix) == 0) {
    s.data_format = 1; // FLEXIBLE_DATA_CBOR
    const std::string h = line.substr(cbor_prefix.size());
    if (h.size() % 2 != 0) {
      emit_error("cbor: odd number of hex digits");
      return;
    }
    for (size_t i = 0; i < h.size(); i += 2) {
      const int hi = hex_value(h[i]), lo = hex_value(h[i + 1]);
      if (hi < 0 || lo < 0) {
        emit_error("cbor: invalid hex digit");
        return;
      }
      s.data.push_back(static_cast<uint8_t>(hi << 4 | lo));
    }
  } else {
    s.data_format = 0; // FLEXIBLE_DATA_JSON; the text is sent as-is
    s.data.assign(line.begin(), line.end());
  }
  if (s.data.size() > kMaxData) {
    emit_error("control too long: " + std::to_string(s.data.size()) +
               " bytes (max " + std::to_string(kMaxData) + ")");
    return;
  }
  frtps::WriteParams params;
  if (!writer->write(&s, params)) {
    emit_error("DataWriter::write failed");
    return;
  }
  // Fast-DDS fills the sample identity in on a successful write.
  const auto& sn = params.sample_identity().sequence_number();
  const int64_t seq = (static_cast<int64_t>(sn.high) << 32) + sn.low;
  emit([&](JsonWriter& w) {
    w.Key("event");
    w.String("sent");
    w.Key("sequence");
    w.Int64(seq);
  });
}

// Reads stdin lines until EOF or a signal. Reads raw bytes with poll() rather
// than std::getline so a signal can interrupt the wait.
void stdin_loop(fdds::DataWriter* writer) {
  // A "cbor:" line carries two hex digits per byte; anything longer than this
  // cannot be a valid control, so it is dropped (up to its newline) unread.
  constexpr size_t kMaxLine = 2 * kMaxData + 64;
  std::string line;
  bool discarding = false;
  char buf[4096];
  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {g_wake[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      emit_error(std::string("poll: ") + std::strerror(errno));
      return;
    }
    if (fds[1].revents)
      return; // signal
    if (!fds[0].revents)
      continue;
    const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) { // EOF (or error): a last unterminated line still counts
      if (!discarding)
        send_control(writer, line);
      return;
    }
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        if (!discarding)
          send_control(writer, line);
        line.clear();
        discarding = false;
      } else if (!discarding) {
        line += buf[i];
        if (line.size() > kMaxLine) {
          emit_error("stdin line too long (max " + std::to_string(kMaxLine) +
                     " characters); dropped");
          line.clear();
          discarding = true;
        }
      }
    }
  }
}

void usage() {
  std::fprintf(
      stderr,
      "usage: realdds-reader --domain N --topic-root ROOT [--no-control]\n");
}

} // namespace

int main(int argc, char** argv) {
  long domain = -1;
  std::string root;
  bool control = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--domain" && i + 1 < argc) {
      char* end = nullptr;
      domain = std::strtol(argv[++i], &end, 10);
      if (*end != '\0')
        domain = -1;
    } else if (a == "--topic-root" && i + 1 < argc) {
      root = argv[++i];
    } else if (a == "--no-control") {
      control = false;
    } else {
      usage();
      return 2;
    }
  }
  if (domain < 0 || domain > 232 || root.empty()) {
    usage();
    return 2;
  }

  if (pipe(g_wake) != 0)
    return 1;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE,
         SIG_IGN); // a test that closed our stdout must not kill us mid-cleanup

  // Loopback-only discovery, the same configuration the node uses, so the two
  // find each other without multicast or other interfaces: one UDPv4
  // transport limited to 127.0.0.1, and a single initial peer 127.0.0.1 with
  // port 0, which Fast-DDS expands to the metatraffic unicast ports of
  // participant ids 0..maxInitialPeersRange-1 on this domain.
  fdds::DomainParticipantQos pqos;
  pqos.name("realdds-reader");
  pqos.transport().use_builtin_transports = false;
  auto udp =
      std::make_shared<eprosima::fastdds::rtps::UDPv4TransportDescriptor>();
  udp->interfaceWhiteList = {"127.0.0.1"};
  udp->maxInitialPeersRange = 32;
  pqos.transport().user_transports.push_back(udp);
  frtps::Locator_t peer;
  peer.kind = LOCATOR_KIND_UDPv4;
  frtps::IPLocator::setIPv4(peer, 127, 0, 0, 1);
  peer.port = 0;
  pqos.wire_protocol().builtin.initialPeersList.push_back(peer);

  auto* factory = fdds::DomainParticipantFactory::get_instance();
  fdds::DomainParticipant* participant =
      factory->create_participant(static_cast<fdds::DomainId_t>(domain), pqos);
  if (!participant) {
    emit_error("create_participant failed");
    return 1;
  }
  fdds::TypeSupport type(new FlexibleType());
  NotificationListener reader_listener;
  ControlListener writer_listener;
  fdds::DataReader* reader = nullptr;
  fdds::DataWriter* writer = nullptr;
  bool ok = type.register_type(participant) == ReturnCode_t::RETCODE_OK;

  if (ok) {
    fdds::Topic* topic = participant->create_topic(
        root + "/notification", type.get_type_name(), fdds::TOPIC_QOS_DEFAULT);
    fdds::Subscriber* sub =
        participant->create_subscriber(fdds::SUBSCRIBER_QOS_DEFAULT);
    if (topic && sub) {
      // realdds' default reader QoS for notifications.
      fdds::DataReaderQos rqos = sub->get_default_datareader_qos();
      rqos.reliability().kind = fdds::RELIABLE_RELIABILITY_QOS;
      rqos.durability().kind = fdds::VOLATILE_DURABILITY_QOS;
      rqos.history().kind = fdds::KEEP_LAST_HISTORY_QOS;
      rqos.history().depth = 24;
      reader = sub->create_datareader(topic, rqos, &reader_listener);
    }
    ok = reader != nullptr;
  }
  if (ok && control) {
    fdds::Topic* topic = participant->create_topic(
        root + "/control", type.get_type_name(), fdds::TOPIC_QOS_DEFAULT);
    fdds::Publisher* pub =
        participant->create_publisher(fdds::PUBLISHER_QOS_DEFAULT);
    if (topic && pub) {
      fdds::DataWriterQos wqos = pub->get_default_datawriter_qos();
      wqos.reliability().kind = fdds::RELIABLE_RELIABILITY_QOS;
      wqos.durability().kind = fdds::VOLATILE_DURABILITY_QOS;
      wqos.history().kind = fdds::KEEP_LAST_HISTORY_QOS;
      wqos.history().depth = 10;
      writer = pub->create_datawriter(topic, wqos, &writer_listener);
    }
    ok = writer != nullptr;
  }

  int rc = 0;
  if (ok) {
    const std::string wguid =
        writer ? guid_string(writer->guid()) : std::string();
    emit([&](JsonWriter& w) {
      w.Key("event");
      w.String("ready");
      w.Key("writer");
      w.String(wguid.c_str());
    });
    stdin_loop(writer);
  } else {
    emit_error("failed to create the DDS entities");
    rc = 1;
  }

  // Delete everything before the listeners (locals above) go out of scope.
  participant->delete_contained_entities();
  factory->delete_participant(participant);
  return rc;
}
