"""Grading that learner code cannot escape or fool: the sandbox and the trusted test runner.

Threat model. During autograde, everything a learner wrote is untrusted input. It may try
to read the hidden tests or the solutions, change grades, damage other learners' work,
reach the network, outlive grading, exhaust the machine, or make a test pass without
doing the work. Here is what it can and cannot do:

- Its kernel runs in a bubblewrap sandbox (``bwrap.py``): new user, process, network,
  IPC, UTS and cgroup namespaces; an unprivileged uid with no capabilities; a clean
  environment built from an allowlist (no gradebook URL, token or credential). It sees
  the Python installation, lessonkit and system libraries read-only, and a scratch copy
  of its own submission in a writable home that lives in memory. It does not see the
  course, ``solutions/``, the gradebook, any ``submitted/``, ``autograded/`` or
  ``feedback/`` folder, the exchange, home folders or the host's ``/tmp``. It has no
  network at all (a loopback of its own, with nothing listening). When its notebook is
  done, the sandbox ends and every process it started ends with it.
- Limits (``c.Sandbox.*``): address space per process, number of processes, file size,
  and the size of its writable space; when grading runs as root, control groups cap the
  processes and memory of the whole sandbox. A submission over a limit fails for that
  learner alone; the status and problems columns of ``nbgrader export`` say why.
- Test cells never run in the learner's kernel (``trusted.py``). The grader runs them in
  its own process and calls the learner's functions across a data-only channel
  (``rpc.py``, ``wire.py``: JSON and raw numpy buffers over a ZeroMQ socket in the
  sandbox, no pickle). Results come back as plain data; anything else stays in the
  kernel as a handle that a test may inspect but never compare or truth-test, so an
  object that claims to equal everything earns nothing. Hidden test code never reaches
  the kernel: not run there, not in its history, not on its disk.
- What the kernel says can only make its own tests fail: a broken or hostile kernel
  produces errors, never passes. The autograded notebook is written by nbgrader from
  the kernel's replies and the grader's verdicts, never by the kernel.

Not covered: a learner's own JupyterLab (Validate runs tests in their kernel, as nbgrader
always does: that is their machine), and denial of service below the limits (a submission
may use its whole time and memory allowance). ``c.Sandbox.enabled = False`` (or
``python -m classroom.autograde --unsafe-no-sandbox``) grades without the sandbox, for a
machine where it cannot start; every report then says so. Tests still run in the grader.

Modules: ``executor`` (the nbgrader preprocessor and the sandboxed kernel manager),
``bwrap`` (the sandbox and its settings), ``launch`` (the launcher that sets the limits),
``trusted`` (test cells in the grader), ``kernel_side`` (the kernel's end of the channel),
``rpc`` and ``wire`` (the channel and its data format).
"""
