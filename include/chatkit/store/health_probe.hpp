#pragma once

#include <boost/asio/awaitable.hpp>

namespace chatkit::store {

// What /health asks the storage layer: does the database answer? The DB
// executor implements it with SELECT 1 under the statement timeout.
class health_probe {
public:
    virtual ~health_probe() = default;
    virtual boost::asio::awaitable<bool> database_responds() = 0;
};

} // namespace chatkit::store
