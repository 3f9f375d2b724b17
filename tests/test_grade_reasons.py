"""The reason shown for a notebook nbgrader could not run names what happened."""
import pytest

from coursekit.grading.grade import _nbgrader_reason


@pytest.mark.parametrize("log, words", [
    ("File .../preprocessors/overwritecells.py ...\n    KeyError: 'ch01_setup'\n", "check cells were deleted"),
    ("raise DeadKernelError(\"Kernel died\") from None\n", "the kernel died"),
    ("[ERROR] Timeout waiting for execute reply (10s).\n", "Timeout waiting for execute reply"),
    ("Traceback ...\n    ValueError: partial credit above the maximum\n", "ValueError: partial credit"),
    ("coursekit.grading.execute.JailedKernelError: DeadKernelError: Kernel died\n", "the kernel died"),
    ("coursekit.grading.execute.JailedKernelError: the sandbox returned no notebook (exit code 1)\n",
     "the sandbox returned no notebook"),
    ("nothing recognisable\n", "nbgrader could not run the notebook"),
])
def test_reason(log, words):
    assert words in _nbgrader_reason(log)
