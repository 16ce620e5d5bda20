#include "chatkit/util/url.hpp"

#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>

namespace chatkit::util {

std::optional<boost::urls::url_view> parse_absolute_url(std::string_view text)
{
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed)
        return std::nullopt;
    auto path = parsed->encoded_path();
    if (parsed->has_authority() && !path.empty() && !path.starts_with('/'))
        return std::nullopt;
    return *parsed;
}

std::string percent_decode(std::string_view s)
{
    auto escaped = boost::urls::make_pct_string_view(s);
    return escaped ? escaped->decode() : std::string(s);
}

bool has_scheme(boost::urls::url_view url, std::initializer_list<std::string_view> schemes)
{
    // Schemes are case-blind (RFC 3986, 3.1).
    for (auto scheme : schemes)
        if (boost::urls::grammar::ci_is_equal(url.scheme(), scheme))
            return true;
    return false;
}

bool is_loopback_host(std::string_view url)
{
    auto parsed = parse_absolute_url(url);
    if (!parsed)
        return false;
    switch (parsed->host_type()) {
    case boost::urls::host_type::ipv4:
        return parsed->host_ipv4_address().is_loopback();
    case boost::urls::host_type::ipv6:
        return parsed->host_ipv6_address().is_loopback();
    case boost::urls::host_type::name:
        return parsed->encoded_host() == "localhost";
    default:
        return false;
    }
}

} // namespace chatkit::util
