"""Runs one ansible-rulebook event source file (ours or ansible.eda.webhook) the way ansible-rulebook does
(``runpy.run_path``, then ``main(queue, args)``), with a consumer that counts the queued events.

    python benchmarks/eda_source_host.py SOURCE.py '{"port": 5000, ...}'

Prints ``ready`` once the source listens, and ``queued N`` when it gets SIGTERM.
"""

import asyncio
import json
import runpy
import signal
import socket
import sys


async def run(path, args):
    module = runpy.run_path(path)
    queue = asyncio.Queue(1)        # ansible-rulebook's source queue holds one event
    count = [0]

    async def consume():
        while True:
            await queue.get()
            count[0] += 1
    consumer = asyncio.ensure_future(consume())
    source = asyncio.ensure_future(module["main"](queue, args))
    while True:
        try:
            socket.create_connection(("127.0.0.1", int(args["port"])), timeout=1).close()
            break
        except OSError:
            await asyncio.sleep(0.02)
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    source.cancel()
    consumer.cancel()
    print("queued %d" % count[0], flush=True)


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], json.loads(sys.argv[2])))
