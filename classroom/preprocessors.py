"""nbgrader preprocessors used by the course's configuration (nbgrader_config.py)."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


def _is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade", False)


class HideHiddenTests(NbGraderPreprocessor):
    """For feedback: hide the code of hidden tests but keep why they failed.

    In every autograded test cell, the lines between the hidden-test markers are replaced
    by a one-line note, and the traceback of a failure is reduced to its last line (the
    exception and its message, e.g. ``AssertionError: the hidden states are off in 12 of
    480 entries``), so the learner learns what is wrong, not how the test is written.
    """

    note = Unicode(
        "# (hidden tests: the code is not shown; the message below says what failed)",
        help="What replaces the hidden test code in feedback.",
    ).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if not _is_test_cell(cell) or HIDDEN_BEGIN not in cell.source:
            return cell, resources
        kept, inside = [], False
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped == HIDDEN_BEGIN:
                inside = True
                kept.append(self.note)
            elif stripped == HIDDEN_END:
                inside = False
            elif not inside:
                kept.append(line)
        cell.source = "\n".join(kept)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                message = f"{output.ename}: {output.evalue}" if output.evalue else output.ename
                output.traceback = [message]
        return cell, resources


class LimitOutputSize(NbGraderPreprocessor):
    """Cap the size of every output of every cell (nbgrader's LimitOutput counts lines).

    A submission that prints a gigabyte on one line would otherwise be stored in the
    autograded notebook, the gradebook's feedback and the learner's feedback page.
    """

    max_chars = Integer(100_000, help="Largest text output kept, in characters.").tag(config=True)

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + (
            f"\n... [output cut: {len(text) - self.max_chars:,} more characters not kept]\n"
        )

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                output.text = self._cut(output.text)
            elif output.output_type in ("display_data", "execute_result"):
                for mime, value in list(output.get("data", {}).items()):
                    if isinstance(value, str) and len(value) > self.max_chars:
                        if mime.startswith("text/"):
                            output.data[mime] = self._cut(value)
                        else:
                            del output.data[mime]
                            output.data.setdefault(
                                "text/plain", f"[{mime} output of {len(value):,} bytes not kept]"
                            )
            elif output.output_type == "error":
                output.evalue = self._cut(output.evalue)
                output.traceback = [self._cut(line) for line in output.traceback[-50:]]
        return cell, resources
