#pragma once

#include <md4c.h>

#include <string_view>
#include <vector>

namespace chatkit::chat {

// md4c (0.4.8) can report a span's end that it never began, on some
// malformed input the fuzzer found. A handler that trusts nesting gets them
// balanced: a stray end is dropped, an end that skips open
// elements ends those first, and whatever is open at the end is ended.
template <class Handler> class balanced_events {
public:
    explicit balanced_events(Handler& b) : b_(b) {}

    int enter(bool span, int type, void* detail)
    {
        open_.push_back({span, type});
        return span ? b_.enter_span(static_cast<MD_SPANTYPE>(type), detail)
                    : b_.enter_block(static_cast<MD_BLOCKTYPE>(type), detail);
    }

    int leave(bool span, int type)
    {
        auto match = open_.size();
        for (auto i = open_.size(); i-- > 0;) {
            if (open_[i].span == span && open_[i].type == type) {
                match = i;
                break;
            }
            // A span never outlives the block around it.
            if (span && !open_[i].span)
                break;
        }
        if (match == open_.size())
            return 0;
        while (open_.size() > match)
            close_top();
        return 0;
    }

    int text(MD_TEXTTYPE type, std::string_view t) { return b_.text(type, t); }

    void finish()
    {
        while (!open_.empty())
            close_top();
    }

private:
    struct element {
        bool span;
        int type;
    };

    void close_top()
    {
        auto top = open_.back();
        open_.pop_back();
        if (top.span)
            b_.leave_span(static_cast<MD_SPANTYPE>(top.type));
        else
            b_.leave_block(static_cast<MD_BLOCKTYPE>(top.type));
    }

    Handler& b_;
    std::vector<element> open_;
};

} // namespace chatkit::chat
