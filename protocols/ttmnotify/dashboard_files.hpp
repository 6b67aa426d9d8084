// The dashboard's files, compiled into the binary: the page's own
// (web/dashboard/) and uPlot's from npm (web/package-lock.json), turned into
// a generated source by web/CMakeLists.txt and cmake/embed_files.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace signalbox::ttmnotify {

struct embedded_file {
  std::string_view name; // "index.html", "uplot.js"
  std::string_view body;
  std::string_view etag; // quoted, for ETag / If-None-Match
};

/// The file called `name`, or nullptr.
const embedded_file* find_embedded_file(std::string_view name);

/// Every embedded file's name (tests).
std::vector<std::string_view> embedded_file_names();

} // namespace signalbox::ttmnotify
