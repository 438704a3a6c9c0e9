"""Prints the number of zombie processes visible in /proc (the caller runs
in its own PID namespace or checks its own descendants)."""
import os

n = 0
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        with open("/proc/%s/stat" % pid) as f:
            stat = f.read()
    except OSError:
        continue
    state = stat[stat.rfind(")") + 2:].split()[0]
    if state == "Z":
        n += 1
print(n)
