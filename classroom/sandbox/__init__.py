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

The grader itself is attacked from the kernel too (issue 18). Each class, and what closes it:

- *Fake objects.* A learner's object answers every question a test asks it (``predict``,
  ``layers``, class names). Outcome tests therefore never use the object: they rebuild the
  model from plain data, its Keras configuration and weights, with Keras' own layers and
  the course's (``lessonkit.models.rebuilt_model``, safe mode, no Lambda, no class from the
  notebook) and predict with the copy on data the kernel never sees; and they never call
  the learner's graded functions (a later redefinition earns nothing).
- *Expected values the learner's code can move.* Changes a learner function makes to its
  arguments are copied back (so "inputs unchanged" can be graded); tests compute expected
  values and copy inputs before the call (docs/authoring.md), and the gate has a wrong
  version per lesson that edits its input.
- *Promises checked through state the kernel controls.* A warning raised in the kernel
  reaches the grader only as stderr, which the learner can silence: no point depends on a
  warning; stability is graded by values.
- *Hidden inputs in feedback.* What the kernel prints or displays while serving a hidden
  test cell is dropped (a note says so), and an error raised by learner code in a hidden
  cell keeps its type but not its message. Visible tests keep their output.
- *Exhausting the grader.* ZeroMQ refuses frames over ``rpc.MAX_MESSAGE`` and holds at most
  ``rpc.RECEIVE_QUEUE`` unread messages on the test channel (and ``JUPYTER_MAX_FRAME`` /
  ``JUPYTER_QUEUE`` on the Jupyter channels); a header over ``wire.MAX_HEADER`` is refused
  before it is parsed; every message read, asked for or not, counts against a budget per
  test cell and per notebook (``rpc.Budget``; over it the cell fails and the export says
  so). A test's random generator draws at most ``trusted.MAX_DRAWS`` values per call from a
  short list of methods. A test that runs past the cell timeout in the grader fails, every
  later test of that notebook fails at once, and ``python -m classroom.autograde`` replaces
  the grading process before the next learner; each grading process runs under its own
  memory limit (``--memory``; on the hub, the formgrader service under ``prlimit``), so the
  worst case is one learner reported in ``problems``.
- *Output floods.* Outputs are capped per cell (count and bytes) and per notebook
  (``c.SandboxedExecute.max_cell_outputs``, ``max_cell_output_bytes``,
  ``max_notebook_output_bytes``); what is dropped is noted in the cell and reported.
- *A path from the kernel to the host.* The grader reaches the kernel's sockets under
  ``/proc/<pid>/root``, where graded code could replace a socket with a link to a host
  path. The grader opens each socket once, before any learner code runs, as an ``O_PATH``
  descriptor (never following a link), and connects to ``/proc/<grader>/fd/N``: a
  reconnection reaches the same socket or nothing. This holds for the test channel and
  for the five Jupyter channels.

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
