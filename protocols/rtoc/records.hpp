// How RTOC's devices, signals, samples and events are kept in the node's
// LMDB store (docs/rtoc.md, "Storage"). Pure: keys and values only.
//
// - rtoc_devices: id (8 bytes, big-endian) -> the device's name;
// - rtoc_signals: id -> {"device","name","unit"}, and "boot" -> how many
//   times the node has started;
// - rtoc_samples: signal id, x (sortable), sequence -> y (8 bytes);
// - rtoc_events: id -> the event as JSON.
//
// Sample keys sort by signal and then by x, so a window [xmin, xmax] of a
// signal is one range scan, and the newest N samples one reverse scan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/messages.hpp"
#include "core/rtoc_types.hpp"

namespace signalbox::rtoc::records {

constexpr const char* devices_table = "rtoc_devices";
constexpr const char* signals_table = "rtoc_signals";
constexpr const char* samples_table = "rtoc_samples";
constexpr const char* events_table = "rtoc_events";

/// The key of a device, signal or event id.
std::string id_key(int64_t id);
std::optional<int64_t> id_of(std::string_view key);

/// The key of a sample; `seq` keeps samples with the same x apart (its
/// high half is the node's start count, so a restart never reuses one).
std::string sample_key(int64_t signal_id, double x, uint64_t seq);

/// The sizes of a sample's key and value, and the same encodings appended
/// to a buffer (a store_batch of a signal's new samples).
constexpr uint32_t sample_key_size = 24;
constexpr uint32_t y_size = 8;
void append_sample_key(std::string& out, int64_t signal_id, double x,
                       uint64_t seq);
void append_y(std::string& out, double y);

/// An empty batch of sample records with room for `n`, and one sample
/// appended to it: what the directory sends the store for a request.
store_batch sample_records(size_t n);
void append_sample(store_batch& batch, int64_t signal_id, double x, double y,
                   uint64_t seq);

/// The key under which the node counts its starts.
constexpr const char* boot_key = "boot";

/// The first key of a signal's samples at or after `x`.
std::string samples_from(int64_t signal_id, double x);

/// The first and the last-plus-one key of all samples of a signal.
std::string samples_begin(int64_t signal_id);
std::string samples_end(int64_t signal_id);

/// x of a sample key; nullopt for a key of another shape.
std::optional<double> x_of(std::string_view key);

std::string encode_y(double y);
std::optional<double> decode_y(std::string_view value);

struct signal_record {
  int64_t device_id = 0;
  std::string name; // the signal's own name, without the device
  std::string unit;
};

std::string encode_signal(const signal_record& x);
std::optional<signal_record> decode_signal(std::string_view json);

std::string encode_event(const event_view& x);
std::optional<event_view> decode_event(std::string_view json);

} // namespace signalbox::rtoc::records
