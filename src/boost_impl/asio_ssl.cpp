// The one translation unit that compiles Asio's SSL support (upstream HTTPS).
#include <boost/asio/ssl/impl/src.hpp>
