// chatkit-test-server: chatkit-server plus the /api/v1/test/* routes the
// integration tests drive the chain with. Never installed.
#include "chatkit/cli.hpp"

#include "test_routes.hpp"

int main(int argc, char** argv)
{
    return chatkit::run_cli(argc, argv, chatkit::test::mount_test_routes);
}
