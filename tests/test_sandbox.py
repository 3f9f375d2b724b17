"""The sandbox and its wire format: plain data only, hangs and crashes cost one check each."""
import tempfile
from pathlib import Path

import numpy as np
import pytest

from coursekit import variants
from coursekit.grading import jail, sandbox, wire
from coursekit.chapters import chapter
from coursekit.hidden import Raised, suite
from coursekit.grading.isolated import isolated_scores
from coursekit.synthetic import inject

CH = chapter("ch01")
MODULE = CH.modules[0]
POINTS = {f"{CH.id}_{e}": 1.0 for e in suite(MODULE).exercises}


def test_wire_round_trips_plain_data():
    value = [1, 2.5, float("nan"), "s", None, True, (np.arange(3), {"k": np.eye(2, dtype=np.float32)}),
             Raised("ValueError", "bad")]
    back = wire.loads(wire.dumps(value))
    assert back[:2] == [1, 2.5] and np.isnan(back[2]) and back[3:6] == ["s", None, True]
    assert isinstance(back[6], tuple) and np.array_equal(back[6][0], np.arange(3))
    assert back[6][1]["k"].dtype == np.float32 and back[7] == Raised("ValueError", "bad")


@pytest.mark.parametrize("bad", [{"__ndarray__": ["object", [1], ""]}, {"__pickle__": "x"}, {"a": 1, "b": 2}])
def test_wire_refuses_anything_else(bad):
    with pytest.raises(ValueError):
        wire.decode(bad)
    with pytest.raises(TypeError):
        wire.encode(object())


def _scores(source, **limits):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"{MODULE}.py").write_text(source)
        result = isolated_scores(CH, POINTS, Path("nnlib"), Path(tmp), limits=sandbox.Limits(**limits))
    return {gid.removeprefix(f"{CH.id}_"): r for gid, r in result.items()}


def test_reference_passes_and_stub_fails_in_isolation():
    assert all(r.score == 1.0 for r in _scores(variants.reference_source(MODULE)).values())
    assert all(r.score == 0.0 for r in _scores(variants.stub_source(MODULE)).values())


def test_a_hang_and_a_crash_cost_only_their_exercise():
    source = inject(variants.reference_source(MODULE), "kfold_indices", "while True:\n    pass")
    source = inject(source, "split_indices", "import ctypes\nctypes.string_at(0)")
    scores = _scores(source, check_seconds=2)
    assert scores["kfold_indices"].score == 0 and "did not finish within 2 s" in scores["kfold_indices"].failed[0]
    assert scores["split_indices"].score == 0 and "segmentation fault" in scores["split_indices"].failed[0]
    assert all(r.score == 1.0 for name, r in scores.items() if name not in {"kfold_indices", "split_indices"})


@pytest.mark.skipif(not sandbox.isolation().bwrap, reason="needs bubblewrap")
def test_student_code_sees_no_solutions_and_no_network():
    probe = ("import socket\nfrom coursekit.paths import ROOT\n"
             "assert not (ROOT / 'solutions').exists()\n"
             "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n    raise SystemExit(9)\n"
             "except OSError:\n    pass")
    source = inject(variants.reference_source(MODULE), "recommended_split", probe)
    assert _scores(source)["recommended_split"].score == 1.0


def test_missing_bubblewrap_is_reported(monkeypatch):
    sandbox.isolation.cache_clear()
    monkeypatch.setattr(jail, "tool", lambda name: None)
    try:
        notes = sandbox.isolation().notes
    finally:
        sandbox.isolation.cache_clear()
    assert sandbox.isolation.cache_info().currsize == 0
    assert any("bubblewrap (bwrap) is not installed" in note for note in notes)


def test_a_module_that_hangs_on_import_fails_every_check():
    source = variants.reference_source(MODULE).replace("import numpy as np\n", "import numpy as np\nwhile True:\n    pass\n", 1)
    scores = _scores(source, startup_seconds=2)
    assert all(r.score == 0 for r in scores.values())
    assert all("importing nnlib/splitting.py did not finish" in f for r in scores.values() for f in r.failed)
