#pragma once

#include <string>
#include <utility>
#include <variant>

namespace switchboard {

// An expected runtime failure (send failed, Redis timeout, bad input) as a value.
// `retryable` says whether doing the same thing again later may succeed.
struct Error {
    std::string message;
    bool retryable = false;

    static Error Retryable(std::string msg) { return Error{std::move(msg), true}; }
    static Error Fatal(std::string msg) { return Error{std::move(msg), false}; }
};

// Either a value or an Error. Minimal on purpose (std::expected is C++23).
template <typename T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const Error& error() const { return std::get<1>(v_); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, Error> v_;
};

// Success or an Error, for operations without a value.
class Status {
public:
    Status() = default;
    Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
    static Status Ok() { return {}; }

    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const Error& error() const { return error_; }

private:
    Error error_;
    bool ok_ = true;
};

}  // namespace switchboard
