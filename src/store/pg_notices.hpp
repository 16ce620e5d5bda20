#pragma once

#include <libpq-fe.h>

namespace chatkit::store {

// libpq prints notices and a terminated connection's FATAL line straight to
// stderr, which breaks a JSON log stream: this sends a connection's
// through the logger instead (debug level).
void route_notices_to_log(PGconn* connection);

} // namespace chatkit::store
