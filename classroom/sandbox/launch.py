"""``python -m classroom.sandbox.launch LIMITS CGROUPS BWRAP ARGS...``: how every sandbox starts.

Sets the resource limits (a JSON object of RLIMIT names and values), joins the control
groups listed (comma-separated folders, or none), ignores SIGINT (an interrupt reaches the
kernel as a message, never as a signal that would stop bwrap), then becomes bwrap.
Standard library only: it runs before every graded kernel.
"""

import json
import os
import resource
import signal
import sys

LIMITS = {"AS": resource.RLIMIT_AS, "NPROC": resource.RLIMIT_NPROC,
          "FSIZE": resource.RLIMIT_FSIZE, "CORE": resource.RLIMIT_CORE}


def launch(argv: list[str]) -> None:
    limits, cgroups, command = json.loads(argv[0]), argv[1], argv[2:]
    for group in filter(None, cgroups.split(",")):
        with open(os.path.join(group, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    for name, value in limits.items():
        resource.setrlimit(LIMITS[name], (value, value))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.execv(command[0], command)


if __name__ == "__main__":
    launch(sys.argv[1:])
