// chatkit-server: the command line of src/app/cli.cpp, without test routes.
#include "chatkit/cli.hpp"

#ifdef CHATKIT_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#endif

int main(int argc, char** argv)
{
#ifdef CHATKIT_TCMALLOC
    // Ten thousand open streams churn through many size classes, and what
    // tcmalloc keeps free for later weighs on the peak RSS (docs/benchmarks.md):
    // spans it frees go back to the kernel at once, and the threads' caches
    // share 8 MiB instead of 32. Small requests never free whole spans and fit
    // any cache, so /health costs the same.
    MallocExtension_SetNumericProperty("tcmalloc.aggressive_memory_decommit", 1);
    MallocExtension_SetNumericProperty("tcmalloc.max_total_thread_cache_bytes", std::size_t{8} << 20);
#endif
    return chatkit::run_cli(argc, argv, {});
}
