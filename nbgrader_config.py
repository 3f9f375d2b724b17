"""nbgrader configuration for the course (nbgrader 0.9.x).

The nbgrader course folder is ``_grading/`` (git-ignored: it holds student work). Its
``source/<chapter>/`` is assembled by ``python -m coursekit release``: the chapter's
notebooks with their hidden-check lines, and nnlib with the exercise modules as stubs, so
no solution code is ever in an nbgrader folder. See notes on each setting below.
"""
import os
import sys

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, GetGrades,
                                    IgnorePattern, LimitOutput, SaveAutoGrades)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from coursekit.chapters import CHAPTER_LIST  # noqa: E402
from coursekit.grading import database  # noqa: E402
from coursekit.grading.execute import JailedExecute  # noqa: E402

c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "practical-nn"
c.CourseDirectory.root = os.path.join(HERE, "_grading")
# The gradebook: COURSEKIT_DB_URL (e.g. a PostgreSQL server) when set, so nbgrader's own commands
# (formgrader, export) see the grades coursekit writes; otherwise nbgrader's SQLite in the course folder.
if database.configured():
    c.CourseDirectory.db_url = database.configured()
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store", "__MACOSX", ".git"]

# Autograde copies every non-notebook file of source/ over the student's copy. That keeps
# the infrastructure pristine (a student cannot weaken nnlib/checking.py), but the exercise
# modules are the student's work and must be kept.
c.Autograde.exclude_overwriting = {ch.id: [f"nnlib/{m}.py" for m in ch.modules] for ch in CHAPTER_LIST}

# No student code runs in nbgrader's process: its execute step is replaced by one that runs
# nbclient and the kernel inside the bubblewrap sandbox (coursekit/grading/execute.py), with
# a private copy of that one submission. Every other step is nbgrader's default.
c.Autograde.autograde_preprocessors = [JailedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]

c.Execute.timeout = 30             # seconds per cell (the checks take milliseconds)
c.Execute.startup_timeout = 120
# nbclient skips cells tagged "skip-execution": a student could tag the check cells away. The
# jailed execute skips only the demos, with a tag made up per job; this guards nbgrader's own.
c.Execute.skip_cells_with_tag = "coursekit-never-skip-7f3c1e"
c.OverwriteCells.add_missing_cells = True   # a deleted check cell is put back and run
# Any stderr output zeroes a cell; harmless warnings must not cost points.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(DeprecationWarning|FutureWarning|RuntimeWarning|UserWarning)"
c.LimitOutput.max_lines = 300
c.LimitOutput.max_traceback = 60

# nbgrader's feedback shows the hidden checks by design (jupyter/nbgrader#917); remove them
# with nbgrader's own preprocessor before the HTML is written.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
