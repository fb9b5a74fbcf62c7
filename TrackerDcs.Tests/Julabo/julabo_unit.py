"""A Julabo unit as the tests' independent peer: not our simulator, written from the unit's manual.

Serves one end of a socat pty with pyserial and answers like a real FP50: numbers padded to a fixed
width ("  21.35", "020.00"), power in whole percent, "---.--" from IN_PV_02 when no external Pt100 is
plugged in, no answer to OUT_ commands, and commands that come sooner than the unit's minimum spacing
after the previous one are ignored. Driven over stdin ("sensor absent", "sensor present", "silent": switched
off behind its USB adapter, taking and answering nothing, "answer": back on); reports on stdout "ready", then
"rx <command>" for every command taken, "drop <command>" for every one ignored and "mute <command>" for every
one that came while silent.

usage: julabo_unit.py <pty> <min spacing ms> <present|absent>
"""
import sys
import threading
import time

import serial

lock = threading.Lock()
state = {"sensor": sys.argv[3], "silent": False, "running": False, "sp": [20.0, 20.0, 20.0], "selected": 0,
         "external": 0, "high": 50.0, "low": -50.0, "pump": 1}
spacing = int(sys.argv[2]) / 1000.0
BATH = 21.35
EXTERNAL = 21.8


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def padded(value):
    # IN_PV_xx: right-aligned in seven characters, two decimals ("  21.35", " -12.40").
    return "%7.2f" % value


def setpoint(value):
    # IN_SP_xx: zero-padded to six characters ("020.00", "-05.50").
    return "%06.2f" % value


def answer(command):
    with lock:
        s = dict(state)
    name = command.split(" ")[0]
    if name == "VERSION":
        return "JULABO FP50_MA VERSION 1.3"
    if name == "STATUS":
        return "03 REMOTE START" if s["running"] else "02 REMOTE STOP"
    if name == "IN_PV_00":
        return padded(BATH)
    if name == "IN_PV_01":
        return "%3d" % (-35 if s["running"] else 0)
    if name == "IN_PV_02":
        return padded(EXTERNAL) if s["sensor"] == "present" else "---.--"
    if name in ("IN_SP_00", "IN_SP_01", "IN_SP_02"):
        return setpoint(s["sp"][int(name[-1])])
    if name == "IN_SP_03":
        return setpoint(s["high"])
    if name == "IN_SP_04":
        return setpoint(s["low"])
    if name == "IN_MODE_01":
        return str(s["selected"])
    if name == "IN_MODE_04":
        return str(s["external"])
    return None


def take(command):
    parts = command.split(" ")
    if len(parts) != 2 or not parts[0].startswith("OUT_"):
        return
    name, value = parts[0], float(parts[1])
    with lock:
        if name in ("OUT_SP_00", "OUT_SP_01", "OUT_SP_02"):
            state["sp"][int(name[-1])] = value
        elif name == "OUT_SP_03":
            state["high"] = value
        elif name == "OUT_SP_04":
            state["low"] = value
        elif name == "OUT_MODE_01":
            state["selected"] = int(value)
        elif name == "OUT_MODE_04":
            state["external"] = int(value)
        elif name == "OUT_MODE_05":
            state["running"] = value == 1
        elif name == "OUT_SP_07":
            state["pump"] = int(value)


def serve(port):
    buffer = b""
    last = None
    while True:
        chunk = port.read(64)
        if not chunk:
            continue
        buffer += chunk
        while b"\r" in buffer:
            raw, buffer = buffer.split(b"\r", 1)
            command = raw.decode("ascii", "replace").strip()
            with lock:
                silent = state["silent"]
            if silent:
                say("mute " + command)
                continue
            now = time.monotonic()
            if last is not None and now - last < spacing:
                say("drop " + command)
                continue
            say("rx " + command)
            reply = answer(command)
            if reply is None:
                take(command)
            else:
                port.write((reply + "\r\n").encode("ascii"))
                port.flush()
            last = time.monotonic()


def control():
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["sensor"]:
            with lock:
                state["sensor"] = words[1]
        elif words[:1] in (["silent"], ["answer"]):
            with lock:
                state["silent"] = words[0] == "silent"
        say("ok " + line.strip())


port = serial.Serial(sys.argv[1], 4800, timeout=0.05)
threading.Thread(target=serve, args=(port,), daemon=True).start()
say("ready")
control()
