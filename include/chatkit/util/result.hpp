#pragma once

#include <utility>
#include <variant>

namespace chatkit {

// Expected failures of the domain layer: values, not exceptions.
enum class errc {
    invalid_email,
    consent_required,
    invalid_token,
    token_expired,
    unauthorized,
    session_expired,
    session_not_found,
    not_found,
    timed_out,         // an answer took longer than its deadline
    generation_failed, // the model refused or could not be reached
};

// A value or an errc (std::expected arrives with C++23).
template <class T> class result {
public:
    result(T value) : v_(std::move(value)) {}
    result(errc e) : v_(e) {}

    [[nodiscard]] bool ok() const { return std::holds_alternative<T>(v_); }
    explicit operator bool() const { return ok(); }
    [[nodiscard]] T& value() { return std::get<T>(v_); }
    [[nodiscard]] const T& value() const { return std::get<T>(v_); }
    [[nodiscard]] errc error() const { return std::get<errc>(v_); }
    T* operator->() { return &value(); }

private:
    std::variant<T, errc> v_;
};

} // namespace chatkit
