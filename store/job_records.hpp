// How API-created jobs are kept in the store: table "jobs" holds one JSON
// record per job under its id, table "meta" holds the next job id to hand
// out (so that an id is never used twice, even after its job was deleted).
//
// A record (version 1):
//   {"version":1,"id":7,"name":"pump","command":["/usr/bin/pump","-v"],
//    "restart":"on-failure","watchdog_sec":0,"notify":false,
//    "autostart":true,"env":{"LEVEL":"3"},"cwd":""}
// Every field is written and required. Unknown fields are ignored, so that
// a newer build can add optional fields without a version bump; a record of
// another version is rejected rather than half understood.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "core/messages.hpp"

namespace signalbox::job_store {

constexpr const char* jobs_table = "jobs";
constexpr const char* meta_table = "meta";

/// The key of the next job id in the "meta" table.
constexpr const char* next_job_id_key = "jobs.next-id";

/// The record format written by this build.
constexpr int64_t job_record_version = 1;

/// A decoded record.
struct job_record {
  uint64_t id = 0;
  job_spec spec;
};

/// The key of job `id`: its decimal id zero-padded to 20 digits, so that the
/// store's key order is the id order.
std::string job_record_key(uint64_t id);

/// The id of a job record key; nullopt when `key` is not one.
std::optional<uint64_t> parse_job_record_key(std::string_view key);

/// Encodes job `id` with definition `spec`.
std::string encode_job_record(uint64_t id, const job_spec& spec);

/// Decodes a record; ec::storage_failure with a text naming the offending
/// field when it is malformed or of another version.
caf::expected<job_record> decode_job_record(std::string_view json);

/// Encodes and decodes the "meta" value of the next job id (decimal).
std::string encode_next_job_id(uint64_t id);
caf::expected<uint64_t> decode_next_job_id(std::string_view value);

} // namespace signalbox::job_store
