#include "chatkit/store/rate_limit_repo.hpp"

#include <soci/soci.h>

namespace chatkit::store::rate_limit_repo {

long long hit(soci::session& s, const std::string& bucket, long long window_start)
{
    long long count = 0;
    s << "INSERT INTO rate_limit_counters (bucket, window_start, count) VALUES (:bucket, :window, 1) "
         "ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_counters.count + 1 RETURNING count",
        soci::use(bucket, "bucket"), soci::use(window_start, "window"), soci::into(count);
    return count;
}

} // namespace chatkit::store::rate_limit_repo
