// The small parsers of client text: Last-Event-ID, email addresses (with
// IDN), and the trimming every message goes through.
#include "chatkit/handlers/chat_requests.hpp"
#include "chatkit/services/email_address.hpp"
#include "chatkit/util/text.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    static_cast<void>(chatkit::handlers::parse_last_event_id(text, "550e8400-e29b-41d4-a716-446655440000"));
    static_cast<void>(chatkit::handlers::is_uuid(text));
    static_cast<void>(chatkit::services::normalize_email(text));
    static_cast<void>(chatkit::util::trim_space(text));
    return 0;
}
