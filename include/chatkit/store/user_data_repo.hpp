#pragma once

#include "chatkit/store/identity_repo.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace soci {
class session;
}

// Everything kept about one user, for the rights privacy law gives them: a
// copy of it, and its deletion.
namespace chatkit::store::user_data_repo {

// The account, its sessions (never a token hash), its conversations (with
// when each was shared by a read-only link, never the link) and saved chats
// with their messages, and its analytics events.
[[nodiscard]] boost::json::object export_user(soci::session& s, const identity_repo::user_row& user);

// Deletes the account and all of the above, the read-only links to its
// conversations, its answer streams, pending sign-in links and mail; every instance forgets its sessions when the
// caller's transaction commits. Returns the ids of the sessions it had, so
// their open answers can be ended.
std::vector<std::string> delete_user(soci::session& s, const identity_repo::user_row& user);

} // namespace chatkit::store::user_data_repo
