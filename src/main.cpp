// chatkit-server: the command line of src/app/cli.cpp, without test routes.
#include "chatkit/cli.hpp"

int main(int argc, char** argv)
{
    return chatkit::run_cli(argc, argv, {});
}
