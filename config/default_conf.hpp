#pragma once

namespace signalbox {

/// The text of config/default.conf, compiled in: the configuration used when
/// no config file is given, a complete demo node on 127.0.0.1.
extern const char* const default_config_text;

} // namespace signalbox
