#include "chatkit/store/vector_repo.hpp"

#include <soci/soci.h>

namespace chatkit::store::vector_repo {

long long count(soci::session& s, const std::string& model, long long dimensions)
{
    long long n = 0;
    s << "SELECT COUNT(*) FROM section_vectors WHERE model = :model AND dimensions = :dims", soci::use(model, "model"),
        soci::use(dimensions, "dims"), soci::into(n);
    return n;
}

std::vector<vector_row> load(soci::session& s, const std::string& model, long long dimensions)
{
    std::vector<vector_row> out;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT text_hash, scale, codes FROM section_vectors WHERE model = :model AND dimensions = :dims",
         soci::use(model, "model"), soci::use(dimensions, "dims"));
    for (const auto& r : rows)
        out.push_back({r.get<std::string>(0), r.get<double>(1), r.get<std::string>(2)});
    return out;
}

void insert(soci::session& s, const std::string& model, long long dimensions, const std::vector<vector_row>& rows,
            long long now)
{
    if (rows.empty())
        return;
    vector_row row;
    soci::transaction tx(s);
    soci::statement st =
        (s.prepare << "INSERT INTO section_vectors (model, dimensions, text_hash, scale, codes, created_at) VALUES "
                      "(:model, :dims, :hash, :scale, :codes, :now) ON CONFLICT DO NOTHING",
         soci::use(model, "model"), soci::use(dimensions, "dims"), soci::use(row.text_hash, "hash"),
         soci::use(row.scale, "scale"), soci::use(row.codes, "codes"), soci::use(now, "now"));
    for (const auto& r : rows) {
        row = r;
        st.execute(true);
    }
    tx.commit();
}

int remove_others(soci::session& s, const std::string& model, long long dimensions,
                  const std::unordered_set<std::string>& keep, long long made_before)
{
    soci::transaction tx(s);
    soci::statement others =
        (s.prepare << "DELETE FROM section_vectors WHERE (model <> :model OR dimensions <> :dims) "
                      "AND created_at < :before",
         soci::use(model, "model"), soci::use(dimensions, "dims"), soci::use(made_before, "before"));
    others.execute(true);
    int removed = static_cast<int>(others.get_affected_rows());
    std::vector<std::string> stale;
    soci::rowset<std::string> hashes =
        (s.prepare << "SELECT text_hash FROM section_vectors WHERE model = :model AND "
                      "dimensions = :dims AND created_at < :before",
         soci::use(model, "model"), soci::use(dimensions, "dims"), soci::use(made_before, "before"));
    for (const auto& h : hashes)
        if (!keep.contains(h))
            stale.push_back(h);
    std::string hash;
    soci::statement gone = (s.prepare << "DELETE FROM section_vectors WHERE model = :model AND dimensions = :dims AND "
                                         "text_hash = :hash",
                            soci::use(model, "model"), soci::use(dimensions, "dims"), soci::use(hash, "hash"));
    for (auto& h : stale) {
        hash = std::move(h);
        gone.execute(true);
    }
    tx.commit();
    return removed + static_cast<int>(stale.size());
}

} // namespace chatkit::store::vector_repo
