"""Prints "tick N" every 50 ms, N up to the first argument; reports SIGCONT,
SIGINT (counted in the file given as second argument, then dies of it) and
the size of its stderr terminal on SIGWINCH."""
import os
import signal
import sys
import time

last = int(sys.argv[1])
count_file = sys.argv[2] if len(sys.argv) > 2 else None


def on_int(signo, frame):
    if count_file:
        with open(count_file, "a") as f:
            f.write("INT\n")
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)


def on_winch(signo, frame):
    sz = os.get_terminal_size(2)
    os.write(1, b"size=%dx%d\n" % (sz.columns, sz.lines))


signal.signal(signal.SIGINT, on_int)
signal.signal(signal.SIGCONT, lambda s, f: os.write(1, b"continued\n"))
signal.signal(signal.SIGWINCH, on_winch)
tty2 = os.isatty(2)
sz = os.get_terminal_size(2) if tty2 else None
os.write(1, b"ready isatty2=%d size=%s\n" % (
    tty2, b"%dx%d" % (sz.columns, sz.lines) if sz else b"-"))
for i in range(1, last + 1):
    time.sleep(0.05)
    os.write(1, b"tick %d\n" % i)
os.write(2, b"finished\n")
