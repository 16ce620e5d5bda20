#pragma once

#include <boost/asio/awaitable.hpp>

namespace chatkit::store {

// The seam /health uses to ask the storage layer whether the database
// answers. The DB executor implements it; until a store is wired in, /health
// reports no database line at all rather than pretending one is connected.
class health_probe {
public:
    virtual ~health_probe() = default;
    virtual boost::asio::awaitable<bool> database_responds() = 0;
};

} // namespace chatkit::store
