"""Records the signals it receives: one line "<role> <signo>" per delivery,
appended to LOG. Usage: recorder.py LOG DIR [--grandchild]. Writes DIR/ready.<role>
once its handlers are installed, starts a grandchild (in the same process
group) unless it is one, and exits 0 once DIR/stop exists."""
import os
import signal
import subprocess
import sys
import time

log, d = sys.argv[1], sys.argv[2]
role = "grandchild" if "--grandchild" in sys.argv else "child"
fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)


def handler(signo, frame):
    os.write(fd, ("%s %d\n" % (role, signo)).encode())


skip = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD}
for s in range(1, signal.SIGRTMAX + 1):
    if s in skip:
        continue
    try:
        signal.signal(s, handler)
    except (OSError, ValueError, RuntimeError):
        pass

kid = None
if role == "child":
    kid = subprocess.Popen([sys.executable, __file__, log, d, "--grandchild"])
    while not os.path.exists(os.path.join(d, "ready.grandchild")):
        time.sleep(0.005)
open(os.path.join(d, "ready." + role), "w").close()
deadline = time.monotonic() + 60
while not os.path.exists(os.path.join(d, "stop")) and time.monotonic() < deadline:
    time.sleep(0.01)
if kid is not None:
    kid.wait()
sys.exit(0)
