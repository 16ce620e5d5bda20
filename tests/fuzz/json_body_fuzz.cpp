// The JSON field validation of every route with a body: the chat and
// saved-chat parsers as they run, and the field schemas of sign-up, resend,
// verify, migrate, analytics and personalize through json_fields, with the
// email rule behind sign-up.
#include "chatkit/handlers/chat_requests.hpp"
#include "chatkit/http/json_fields.hpp"
#include "chatkit/http/json_reply.hpp"
#include "chatkit/services/email_address.hpp"

#include <cstddef>
#include <cstdint>

namespace http = chatkit::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    http::request req;
    req.method = "POST";
    req.body.assign(reinterpret_cast<const char*>(data), size);
    req.headers.add("Content-Type", "application/json");
    http::request_context ctx;
    ctx.request_id = "fuzz";
    static_cast<void>(chatkit::handlers::parse_chat_request(req, ctx, 32));
    static_cast<void>(chatkit::handlers::parse_saved_chat(req, ctx, 32));

    auto parsed = http::parse_json_object(req, ctx, 32);
    auto* body = std::get_if<boost::json::object>(&parsed);
    if (!body)
        return 0;
    {
        http::json_fields f(*body, ctx);
        auto email = f.string("email");
        static_cast<void>(f.boolean("consent_data_storage"));
        if (email)
            static_cast<void>(chatkit::services::normalize_email(*email));
    }
    {
        http::json_fields f(*body, ctx);
        static_cast<void>(f.string("token"));
        static_cast<void>(f.string("anon_token"));
        static_cast<void>(f.string("event_type"));
        static_cast<void>(f.object("event_data", false));
        static_cast<void>(f.object("preferences", false));
        static_cast<void>(f.error());
    }
    return 0;
}
