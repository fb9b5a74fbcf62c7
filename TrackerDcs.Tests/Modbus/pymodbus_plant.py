"""A plant for the TrackerDcs tests: holding registers served over Modbus TCP by Debian's pymodbus (3.0).

Usage: /usr/bin/python3 pymodbus_plant.py <unit id> <port, 0 for a free one>
It listens on 127.0.0.1, prints "listening <port>", then obeys lines on stdin, answering each with one line:
  set <address> <value>...   store 16-bit values from <address> on          -> "ok"
  get <address> <count>      the values stored there, read back by pymodbus -> "values <v>..."
  writes                     the writes clients made since the last asking  -> "writes <address>:<v>,<v>..."
  stop                       close every connection and the listener        -> "stopped"
  start                      listen again on the same port                  -> "listening <port>"
End of input ends it. Registers 0-999 exist; addresses are the PDU's (zero_mode), as TrackerDcs sends them.
"""
import asyncio
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server.async_io import ModbusTcpServer

unit = int(sys.argv[1])
port = int(sys.argv[2])


class RecordingBlock(ModbusSequentialDataBlock):
    """Remembers every write a client makes, so that a test sees each one (a pulse of 1 then 0 included)."""

    def __init__(self, address, values):
        super().__init__(address, values)
        self.writes = []

    def setValues(self, address, values):
        self.writes.append((address, list(values)))
        super().setValues(address, values)


block = RecordingBlock(0, [0] * 1000)
context = ModbusServerContext(slaves={unit: ModbusSlaveContext(hr=block, zero_mode=True)}, single=False)


async def main():
    global port
    loop = asyncio.get_running_loop()
    server = None

    async def start():
        global port
        nonlocal server
        server = ModbusTcpServer(context, address=("127.0.0.1", port), allow_reuse_address=True)
        asyncio.create_task(server.serve_forever())
        await server.serving
        port = server.server.sockets[0].getsockname()[1]
        print(f"listening {port}", flush=True)

    async def stop():
        for handler in list(server.active_connections.values()):
            handler.transport.close()
        await server.server_close()
        print("stopped", flush=True)

    await start()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    while line := await stdin.readline():
        words = line.decode().split()
        if not words:
            continue
        if words[0] == "set":
            ModbusSequentialDataBlock.setValues(block, int(words[1]), [int(w) for w in words[2:]])
            print("ok", flush=True)
        elif words[0] == "get":
            values = block.getValues(int(words[1]), int(words[2]))
            print("values " + " ".join(str(v) for v in values), flush=True)
        elif words[0] == "writes":
            print(" ".join(["writes"] + [f"{a}:{','.join(str(v) for v in vs)}" for a, vs in block.writes]), flush=True)
            block.writes = []
        elif words[0] == "stop":
            await stop()
        elif words[0] == "start":
            await start()
        else:
            print(f"error: unknown command {words[0]}", flush=True)


asyncio.run(main())
