#include "protocols/realdds/dds_link.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fastdds/dds/domain/DomainParticipant.hpp>
#include <fastdds/dds/domain/DomainParticipantFactory.hpp>
#include <fastdds/dds/domain/qos/DomainParticipantQos.hpp>
#include <fastdds/dds/publisher/DataWriter.hpp>
#include <fastdds/dds/publisher/DataWriterListener.hpp>
#include <fastdds/dds/publisher/Publisher.hpp>
#include <fastdds/dds/publisher/qos/DataWriterQos.hpp>
#include <fastdds/dds/subscriber/DataReader.hpp>
#include <fastdds/dds/subscriber/DataReaderListener.hpp>
#include <fastdds/dds/subscriber/SampleInfo.hpp>
#include <fastdds/dds/subscriber/Subscriber.hpp>
#include <fastdds/dds/subscriber/qos/DataReaderQos.hpp>
#include <fastdds/dds/topic/Topic.hpp>
#include <fastdds/dds/topic/TopicDataType.hpp>
#include <fastdds/dds/topic/TypeSupport.hpp>
#include <fastdds/rtps/transport/UDPv4TransportDescriptor.h>
#include <fastrtps/utils/IPLocator.h>

#include "protocols/realdds/message_codec.hpp"

namespace signalbox::realdds {

namespace dds = eprosima::fastdds::dds;
namespace rtps = eprosima::fastrtps::rtps;

namespace {

/// A flexible sample as the type support sees it: the writer points at
/// bytes it owns (no copy before serialization); a sample read keeps its
/// data in `storage`.
struct flexible_sample {
  data_format format = data_format::json;
  std::string_view data;
  std::string storage;
};

/// realdds' `flexible` type, serialized by flexible_codec.
class flexible_type : public dds::TopicDataType {
public:
  flexible_type() {
    setName(flexible_type_name);
    m_typeSize = static_cast<uint32_t>(flexible_overhead + max_message_bytes);
    m_isGetKeyDefined = false;
    // No TypeObject: readers match by the type name, as realdds' own do
    // when type information is missing.
    auto_fill_type_object(false);
    auto_fill_type_information(false);
  }

  bool serialize(void* data, rtps::SerializedPayload_t* payload) override {
    auto& s = *static_cast<flexible_sample*>(data);
    if (s.data.size() > max_message_bytes ||
        payload->max_size < flexible_overhead + s.data.size())
      return false;
    payload->length = static_cast<uint32_t>(write_flexible(
        s.format, s.data, reinterpret_cast<char*>(payload->data)));
    payload->encapsulation = CDR_LE;
    return true;
  }

  bool deserialize(rtps::SerializedPayload_t* payload, void* data) override {
    auto view = read_flexible(
        {reinterpret_cast<const char*>(payload->data), payload->length},
        max_message_bytes);
    if (!view)
      return false;
    auto& s = *static_cast<flexible_sample*>(data);
    s.format = view->format;
    s.storage.assign(view->data);
    s.data = s.storage;
    return true;
  }

  std::function<uint32_t()> getSerializedSizeProvider(void* data) override {
    auto size =
        flexible_overhead + static_cast<flexible_sample*>(data)->data.size();
    return [size] { return static_cast<uint32_t>(size); };
  }

  void* createData() override { return new flexible_sample(); }

  void deleteData(void* data) override {
    delete static_cast<flexible_sample*>(data);
  }

  bool getKey(void*, rtps::InstanceHandle_t*, bool) override { return false; }
};

sample_id sample_of(const dds::SampleInfo& info) {
  auto& guid = info.sample_identity.writer_guid();
  std::array<uint8_t, 12> prefix;
  std::array<uint8_t, 4> entity;
  std::memcpy(prefix.data(), guid.guidPrefix.value, prefix.size());
  std::memcpy(entity.data(), guid.entityId.value, entity.size());
  return {
      guid_text(prefix, entity),
      static_cast<int64_t>(info.sample_identity.sequence_number().to64long())};
}

dds::DomainParticipantQos participant_qos(const dds_settings& s) {
  auto qos = dds::PARTICIPANT_QOS_DEFAULT;
  qos.name(s.participant_name);
  std::vector<std::string> peers = s.peers;
  if (s.loopback_only) {
    qos.transport().use_builtin_transports = false;
    auto udp =
        std::make_shared<eprosima::fastdds::rtps::UDPv4TransportDescriptor>();
    udp->interfaceWhiteList.emplace_back("127.0.0.1");
    udp->maxInitialPeersRange = s.max_peer_ids;
    qos.transport().user_transports.push_back(udp);
    if (std::find(peers.begin(), peers.end(), "127.0.0.1") == peers.end())
      peers.emplace_back("127.0.0.1");
  }
  for (auto& address : peers) {
    rtps::Locator_t peer;
    peer.kind = LOCATOR_KIND_UDPv4;
    rtps::IPLocator::setIPv4(peer, address);
    // Port 0: Fast-DDS tries the well-known discovery port of each
    // participant id below maxInitialPeersRange.
    peer.port = 0;
    qos.wire_protocol().builtin.initialPeersList.push_back(peer);
  }
  return qos;
}

} // namespace

struct dds_link::impl : dds::DataWriterListener, dds::DataReaderListener {
  dds_callbacks callbacks;
  dds::DomainParticipant* participant = nullptr;
  dds::Publisher* publisher = nullptr;
  dds::Subscriber* subscriber = nullptr;
  dds::DataWriter* writer = nullptr;
  dds::DataReader* reader = nullptr;
  std::atomic<size_t> readers{0};
  std::atomic<bool> new_readers{false};

  ~impl() override {
    if (!participant)
      return;
    // Listeners first: no callback runs into a half-deleted link.
    if (writer)
      writer->set_listener(nullptr);
    if (reader)
      reader->set_listener(nullptr);
    participant->delete_contained_entities();
    dds::DomainParticipantFactory::get_instance()->delete_participant(
        participant);
  }

  void
  on_publication_matched(dds::DataWriter*,
                         const dds::PublicationMatchedStatus& info) override {
    readers = static_cast<size_t>(std::max(info.current_count, 0));
    if (info.current_count_change > 0) {
      new_readers = true;
      if (callbacks.reader_matched)
        callbacks.reader_matched();
    }
  }

  void on_data_available(dds::DataReader* r) override {
    flexible_sample sample;
    dds::SampleInfo info;
    while (r->take_next_sample(&sample, &info) == ReturnCode_t::RETCODE_OK) {
      if (!info.valid_data)
        continue;
      callbacks.control(sample.format, std::move(sample.storage),
                        sample_of(info));
      sample.storage.clear();
    }
  }
};

dds_link::dds_link(std::unique_ptr<impl> p) : impl_(std::move(p)) {
  // nop
}

dds_link::~dds_link() = default;

std::unique_ptr<dds_link> dds_link::open(const dds_settings& settings,
                                         dds_callbacks callbacks,
                                         std::string& error) {
  auto p = std::make_unique<impl>();
  p->callbacks = std::move(callbacks);
  auto factory = dds::DomainParticipantFactory::get_instance();
  p->participant =
      factory->create_participant(settings.domain, participant_qos(settings));
  if (!p->participant) {
    error = "cannot create a DDS participant in domain " +
            std::to_string(settings.domain);
    return nullptr;
  }
  dds::TypeSupport type{new flexible_type()};
  if (type.register_type(p->participant) != ReturnCode_t::RETCODE_OK) {
    error = "cannot register the flexible type";
    return nullptr;
  }
  auto notification =
      p->participant->create_topic(settings.topic_root + "/notification",
                                   flexible_type_name, dds::TOPIC_QOS_DEFAULT);
  auto control =
      p->participant->create_topic(settings.topic_root + "/control",
                                   flexible_type_name, dds::TOPIC_QOS_DEFAULT);
  p->publisher = p->participant->create_publisher(dds::PUBLISHER_QOS_DEFAULT);
  p->subscriber =
      p->participant->create_subscriber(dds::SUBSCRIBER_QOS_DEFAULT);
  if (!notification || !control || !p->publisher || !p->subscriber) {
    error = "cannot create the topics under '" + settings.topic_root +
            "' (a topic name is letters, digits and / _ -)";
    return nullptr;
  }
  // realdds' notification QoS (dds-notification-server.cpp): reliable,
  // volatile, the last 24 kept for readers that are behind. A reader that
  // falls further behind loses the oldest: the writer never waits for it.
  dds::DataWriterQos wqos = dds::DATAWRITER_QOS_DEFAULT;
  wqos.reliability().kind = dds::RELIABLE_RELIABILITY_QOS;
  wqos.durability().kind = dds::VOLATILE_DURABILITY_QOS;
  wqos.history().kind = dds::KEEP_LAST_HISTORY_QOS;
  wqos.history().depth = 24;
  p->writer = p->publisher->create_datawriter(
      notification, wqos, p.get(), dds::StatusMask::publication_matched());
  dds::DataReaderQos rqos = dds::DATAREADER_QOS_DEFAULT;
  rqos.reliability().kind = dds::RELIABLE_RELIABILITY_QOS;
  rqos.durability().kind = dds::VOLATILE_DURABILITY_QOS;
  rqos.history().kind = dds::KEEP_LAST_HISTORY_QOS;
  rqos.history().depth = 64;
  p->reader = p->subscriber->create_datareader(
      control, rqos, p.get(), dds::StatusMask::data_available());
  if (!p->writer || !p->reader) {
    error = "cannot create the notification writer or the control reader";
    return nullptr;
  }
  return std::unique_ptr<dds_link>(new dds_link(std::move(p)));
}

bool dds_link::write(data_format format, std::string_view data) {
  flexible_sample sample;
  sample.format = format;
  sample.data = data;
  return impl_->writer->write(&sample);
}

size_t dds_link::readers() const {
  return impl_->readers;
}

bool dds_link::take_new_readers() {
  return impl_->new_readers.exchange(false);
}

} // namespace signalbox::realdds
