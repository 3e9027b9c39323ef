#!/usr/bin/env python3
"""An SMTP server that accepts every mail and keeps only a count (standard library only),
so a benchmark can run Kefu with mail switched on.

  smtp_sink.py PORT COUNT_FILE   listens on 127.0.0.1:PORT; after each accepted mail writes
                                 the number accepted so far to COUNT_FILE
"""

import asyncio
import sys

accepted = 0


async def session(reader, writer, count_file):
    global accepted

    def reply(line):
        writer.write(line.encode() + b"\r\n")

    reply("220 sink ESMTP")
    await writer.drain()
    while line := await reader.readline():
        verb = line.decode(errors="replace").strip().split(" ")[0].upper()
        if verb == "EHLO":
            reply("250-sink")
            reply("250 8BITMIME")
        elif verb == "DATA":
            reply("354 end with <CRLF>.<CRLF>")
            await writer.drain()
            while (body := await reader.readline()) not in (b".\r\n", b""):
                pass
            accepted += 1
            with open(count_file, "w", encoding="utf-8") as f:
                f.write(str(accepted))
            reply("250 queued")
        elif verb == "QUIT":
            reply("221 bye")
            await writer.drain()
            break
        else:
            reply("250 ok")
        await writer.drain()
    writer.close()


async def main(port, count_file):
    server = await asyncio.start_server(lambda r, w: session(r, w, count_file), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
