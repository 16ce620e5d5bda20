#pragma once

#include <chrono>
#include <thread>

namespace chatkit::test {

// Polls `condition` until it holds or `timeout` passes: a test waits for
// what it expects instead of sleeping a guess slightly longer than a timer.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(50))
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (condition())
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(step);
    }
}

} // namespace chatkit::test
