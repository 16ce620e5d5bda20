#pragma once

#include <string>
#include <string_view>

namespace chatkit::http {

// One Server-Sent Events frame. `data` must be a single line (callers pass
// serialized JSON, which never contains a raw newline); `id` and `event` are
// ours. Any CR or LF that still reaches a field is dropped so it can never
// split the frame or forge another field.
[[nodiscard]] std::string sse_event(std::string_view id, std::string_view event, std::string_view data);

// The same frame without its id line ("event: ...\ndata: ...\n\n"), for
// stores that add ids when they replay; "id: <id>\n" + this = sse_event.
[[nodiscard]] std::string sse_fields(std::string_view event, std::string_view data);

// A comment frame (": ping"), ignored by EventSource parsers; keeps proxies
// from timing out an idle stream.
[[nodiscard]] std::string sse_comment(std::string_view text);

} // namespace chatkit::http
