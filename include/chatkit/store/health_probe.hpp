#pragma once

#include <boost/asio/awaitable.hpp>

namespace chatkit::store {

// What /health and /readyz ask the storage layer: does the database answer,
// and can it take writes? The DB executor asks under the statement timeout.
class health_probe {
public:
    virtual ~health_probe() = default;
    virtual boost::asio::awaitable<bool> database_responds() = 0;
};

} // namespace chatkit::store
