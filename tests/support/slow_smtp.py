#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) that takes its time over each message.

Each accepted message is recorded as one line, "<recipient>\\n", in the log
file *after* the delay: what a slow mail provider does between DATA and its
250. Prints "listening on <port>" once ready, like examples/fake_upstream.py.

    slow_smtp.py --delay SECONDS --log FILE [--port 0]
"""
import argparse
import asyncio

from aiosmtpd.smtp import SMTP


class SlowHandler:
    def __init__(self, delay, log):
        self.delay = delay
        self.log = log

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        with open(self.log, "a", encoding="utf-8") as out:
            for rcpt in envelope.rcpt_tos:
                out.write(rcpt + "\n")
        return "250 OK"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    handler = SlowHandler(args.delay, args.log)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", args.port)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
