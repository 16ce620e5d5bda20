#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) that takes its time over each message.

Each accepted message is recorded as one line, "<recipient>\\n", in the log
file *after* the delay: what a slow mail provider does between DATA and its
250. With --received, each recipient is also recorded there as its DATA
arrives, before the delay: a test knows a send is under way. Prints
"listening on <port>" once ready, like examples/fake_upstream.py.

    slow_smtp.py --delay SECONDS --log FILE [--received FILE] [--port 0]
"""
import argparse
import asyncio

from aiosmtpd.smtp import SMTP


class SlowHandler:
    def __init__(self, delay, log, received):
        self.delay = delay
        self.log = log
        self.received = received

    async def handle_DATA(self, server, session, envelope):
        if self.received:
            record(self.received, envelope.rcpt_tos)
        # A client that drops the connection meanwhile cancels this (aiosmtpd
        # cancels the handler): that message is not recorded as delivered.
        await asyncio.sleep(self.delay)
        record(self.log, envelope.rcpt_tos)
        return "250 OK"


def record(path, recipients):
    with open(path, "a", encoding="utf-8") as out:
        for rcpt in recipients:
            out.write(rcpt + "\n")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--received")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    handler = SlowHandler(args.delay, args.log, args.received)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", args.port)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
