#include "chatkit/store/analytics_repo.hpp"

#include <soci/soci.h>

namespace chatkit::store::analytics_repo {

void insert_batch(soci::session& s, const std::vector<event_row>& events)
{
    soci::transaction tx(s);
    event_row row;
    std::string user, session;
    soci::indicator data_ind = soci::i_ok, user_ind = soci::i_ok, session_ind = soci::i_ok;
    soci::statement st = (s.prepare << "INSERT INTO analytics_events (id, event_type, event_data, user_id, session_id, "
                                       "created_at) VALUES (:id, :type, :data, :user, :session, :created)",
                          soci::use(row.id, "id"), soci::use(row.event_type, "type"),
                          soci::use(row.event_data, data_ind, "data"), soci::use(user, user_ind, "user"),
                          soci::use(session, session_ind, "session"), soci::use(row.created_at, "created"));
    for (const auto& e : events) {
        row = e;
        data_ind = e.event_data.empty() ? soci::i_null : soci::i_ok;
        user = e.user_id.value_or("");
        user_ind = e.user_id ? soci::i_ok : soci::i_null;
        session = e.session_id.value_or("");
        session_ind = e.session_id ? soci::i_ok : soci::i_null;
        st.execute(true);
    }
    tx.commit();
}

long long count(soci::session& s, const std::string& event_type)
{
    long long n = 0;
    s << "SELECT COUNT(*) FROM analytics_events WHERE event_type = :t", soci::use(event_type), soci::into(n);
    return n;
}

} // namespace chatkit::store::analytics_repo
