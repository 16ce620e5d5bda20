#include "chatkit/services/email_address.hpp"

#include "chatkit/util/text.hpp"

#include <idn2.h>

#include <algorithm>
#include <memory>

namespace chatkit::services {

namespace {

// The domain as IDNA2008 writes it on the wire (UTS 46 non-transitional
// mapping first: lower case, width, NFC), or nullopt when libidn2 refuses it
// (invalid UTF-8, a disallowed code point, a bidi or joiner rule, '--' in
// the third and fourth place). No STD3 rules: libidn2 2.3 then drops a '_'
// instead of refusing it, and the LDH check below is narrower anyway.
std::optional<std::string> to_ascii(const std::string& domain)
{
    char* out = nullptr;
    if (idn2_to_ascii_8z(domain.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK)
        return std::nullopt;
    std::unique_ptr<char, decltype(&idn2_free)> owned(out, &idn2_free);
    return std::string(out);
}

// UTS 46 drops some code points without a trace (U+200B ZERO WIDTH SPACE,
// U+00AD SOFT HYPHEN, U+FEFF): an address holding one is refused rather than
// stored as something other than what was typed. Called on valid UTF-8.
bool has_ignored_code_point(std::string_view domain)
{
    for (std::size_t i = 0; i < domain.size();) {
        std::size_t n = 1;
        while (i + n < domain.size() && (static_cast<unsigned char>(domain[i + n]) & 0xC0) == 0x80)
            ++n;
        if (static_cast<unsigned char>(domain[i]) >= 0x80) {
            auto alone = to_ascii(std::string(domain.substr(i, n)));
            if (alone && alone->empty())
                return true;
        }
        i += n;
    }
    return false;
}

bool is_ascii(std::string_view text)
{
    return std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// Where a label of the typed domain ends: at '.' or one of the full stops
// UTS 46 maps to it (U+3002, U+FF0E, U+FF61); 0 when not at one.
std::size_t label_separator(std::string_view text, std::size_t i)
{
    if (text[i] == '.')
        return 1;
    for (std::string_view stop : {"\xE3\x80\x82", "\xEF\xBC\x8E", "\xEF\xBD\xA1"})
        if (text.substr(i, 3) == stop)
            return 3;
    return 0;
}

// The domain as it goes on the wire, not yet checked label by label. A label
// in ASCII is only lower-cased: IDNA2008 has no say over an LDH label that
// is not an A-label, so "r3--sn-abc" stays valid (libidn2 would refuse its
// "--" in third and fourth place); one that claims to be an A-label
// ("xn--") must be one. A label holding another script goes through
// libidn2.
std::optional<std::string> ascii_domain(std::string_view typed)
{
    // A NUL would end the C string libidn2 reads: what follows it unseen.
    if (typed.find('\0') != std::string_view::npos)
        return std::nullopt;
    std::string domain;
    for (std::size_t start = 0, i = 0; i <= typed.size();) {
        auto n = i < typed.size() ? label_separator(typed, i) : 1;
        if (n == 0) {
            ++i;
            continue;
        }
        auto label = std::string(typed.substr(start, i - start));
        if (is_ascii(label)) {
            label = util::ascii_lower(label);
            if (label.starts_with("xn--") && to_ascii(label) != label)
                return std::nullopt;
        } else {
            auto mapped = to_ascii(label);
            if (!mapped || mapped->empty() || has_ignored_code_point(label))
                return std::nullopt;
            label = std::move(*mapped);
        }
        domain += (start == 0 ? "" : ".") + label;
        i += n;
        start = i;
    }
    return domain;
}

bool ldh_label(std::string_view label)
{
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        return false;
    for (char c : label)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    return true;
}

} // namespace

std::optional<std::string> normalize_email(std::string_view raw)
{
    raw = util::trim_space(raw);
    auto at = raw.rfind('@');
    if (at == std::string_view::npos || at == 0 || at > 64 || raw.find('@') != at)
        return std::nullopt;
    std::string local;
    for (char c : raw.substr(0, at)) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-'))
            return std::nullopt;
        local += c;
    }
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos)
        return std::nullopt;
    auto domain = ascii_domain(raw.substr(at + 1));
    if (!domain)
        return std::nullopt;
    std::size_t labels = 0;
    std::string_view last;
    for (std::size_t start = 0, dot = 0; dot != std::string::npos; start = dot + 1, ++labels) {
        dot = domain->find('.', start);
        last = std::string_view(*domain).substr(start, dot - start); // to the end when there is no dot
        if (!ldh_label(last))
            return std::nullopt;
    }
    bool numeric_tld = last.find_first_not_of("0123456789") == std::string_view::npos;
    if (labels < 2 || numeric_tld || domain->size() > 253 || local.size() + 1 + domain->size() > 254)
        return std::nullopt;
    return local + "@" + *domain;
}

} // namespace chatkit::services
