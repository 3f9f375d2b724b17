"""Run All that gets through a student's notebook while exercises are still unwritten.

A demo cell that calls an exercise stub stops with ``NotImplementedError``; in
JupyterLab, Run All then stops there and the later check cells never run. The
setup cell of every chapter calls :func:`run_all_past_unwritten_exercises`,
which registers an IPython AST transformer that makes such a cell print one
line (which exercise it needs) and end normally, so Run All goes on. A later
cell that fails only because it needs a name such a cell would have defined
says so in one line too. Every other error stays an error, with its traceback.

It is switched off in the book build (``NNLIB_STATIC``) and under nbgrader
(``NBGRADER_EXECUTION``): there every error shows and stops as usual. With the
exercises written nothing raises ``NotImplementedError``, so nothing is skipped.
IPython's own exception hook (``set_custom_exc``) is no alternative: ipykernel
still reports the cell as failed, which stops Run All.

Two smaller helps for the student: a check cell's points, already printed in its
summary line, are not echoed again as ``Out[n]`` (nbgrader, which reads that value,
runs without this transformer); and :func:`progress` puts a bar on a long demo loop.
"""
from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

__all__ = ["run_all_past_unwritten_exercises", "progress", "is_stub_error", "RUNNER_NAME", "PROGRESS_DELAY"]

PROGRESS_DELAY = 2.0
"""float: seconds a loop wrapped in :func:`progress` runs before its bar appears."""

RUNNER_NAME = "__nnlib_demo_runner__"
"""str: the name under which the runner object lives in the notebook's namespace."""

_NNLIB_DIR = Path(__file__).resolve().parent


def is_stub_error(error: BaseException) -> bool:
    """Whether ``error`` is a ``NotImplementedError`` raised by an exercise stub in nnlib.

    The innermost frame of its traceback must be in a file of the ``nnlib`` folder the
    notebook imported (stubs raise there); any other ``NotImplementedError`` is a real error.
    """
    if not isinstance(error, NotImplementedError):
        return False
    tb = error.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    try:
        return Path(tb.tb_frame.f_code.co_filename).resolve().parent == _NNLIB_DIR
    except (OSError, ValueError):
        return False


_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "add", "pop", "remove",
                       "clear", "sort", "__setitem__"})


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _statement_plan(statement: ast.stmt) -> tuple[int, int, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(first line, last line, names bound, names bound by assignment, containers changed in place).

    Functions, classes and imports are bound but are not "assignments": a ``def`` either
    completes or binds nothing, so it is never half done. Nested function bodies are not read.
    """
    names: set[str] = set()
    data: set[str] = set()
    mutated: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
            data.add(node.id)
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            mutated.add(_root(node))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in _MUTATORS):
            mutated.add(_root(node.func.value))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(statement)
    mutated.discard(None)
    last = getattr(statement, "end_lineno", None) or statement.lineno
    return statement.lineno, last, tuple(sorted(names)), tuple(sorted(data)), tuple(sorted(mutated))


def _describe(error: BaseException) -> tuple[str, str]:
    """("l2_penalty()", " (nnlib/regularization.py)") from a stub's message."""
    message = str(error)
    function = message.split(" is an exercise")[0].strip() if " is an exercise" in message else "an exercise"
    where = message.rsplit("write it in ", 1)[-1].strip() if "write it in " in message else ""
    return function, f" ({where})" if where else ""


_UNSET = object()


class _Runner:
    """Lives in the notebook's namespace; the guarded cells call it.

    A cell's *plan* lists its top-level statements as :func:`_statement_plan` describes them.
    """

    def __init__(self, namespace: dict) -> None:
        self.namespace = namespace
        self.missing: dict[str, str] = {}   # name -> the exercise that kept it from being defined
        self._last = None
        self._before: dict[str, object] = {}
        self._figures: set[int] = set()

    def start(self, plan) -> None:
        """A cell starts: remember what the names it assigns are bound to now, and the open figures."""
        self._before = {name: self.namespace[name] for *_, data, _ in plan for name in data
                        if name in self.namespace}
        pyplot = sys.modules.get("matplotlib.pyplot")
        self._figures = set(pyplot.get_fignums()) if pyplot is not None else set()

    def keep(self, value) -> None:
        self._last = value

    def result(self):
        """The cell's last value, shown as ``Out[n]`` unless it is a check cell's points.

        A check cell prints its summary (``... 2 of 2 points``); the bare number nbgrader reads
        would repeat it. Under nbgrader this runner is off, so the number is there for it.
        """
        value, self._last = self._last, None
        from .checking import Score

        return None if isinstance(value, Score) else value

    def ran(self, plan) -> None:
        """A cell finished: the names it bound are available again."""
        self._before = {}
        for _, _, names, _, _ in plan:
            for name in names:
                self.missing.pop(name, None)

    def unwritten(self, error: BaseException, plan) -> bool:
        """Report a stub's NotImplementedError in one line; False for any other error."""
        if not is_stub_error(error):
            return False
        function, where = _describe(error)
        print(f"[skipped] this cell needs {function}, not written yet{where}; Run All goes on.")
        sys.stdout.flush()
        self._forget(error, plan, function)
        return True

    def unavailable(self, error: BaseException, plan) -> bool:
        """Report a NameError for a name an earlier skipped cell would have bound."""
        name = getattr(error, "name", None)
        if not isinstance(error, NameError) or name not in self.missing:
            return False
        function = self.missing[name]
        print(f"[skipped] this cell needs {name!r}, which an earlier cell computes with "
              f"{function}, not written yet; Run All goes on.")
        sys.stdout.flush()
        self._forget(error, plan, function)
        return True

    def _forget(self, error: BaseException, plan, function: str) -> None:
        """A cell stopped: unbind what the stopped statement left half done.

        The top-level statement that raised may have bound names, or filled a list or dict
        that an earlier statement of the cell created, only in part: those are unbound, so a
        later cell that uses one says it was skipped instead of failing on half a result.
        Statements that completed keep their bindings, and so do names the cell never reached.
        """
        line = error.__traceback__.tb_lineno if error.__traceback__ is not None else None
        stopped = next((i for i, (first, last, *_) in enumerate(plan)
                        if line is not None and first <= line <= last), 0)
        earlier = {name for *_, data, _ in plan[:stopped] for name in data}
        _, _, _, data, mutated = plan[stopped]
        for name in set(data) | (set(mutated) & earlier):
            if name in self.namespace and self.namespace[name] is not self._before.get(name, _UNSET):
                del self.namespace[name]
        for _, _, names, _, _ in plan[stopped:]:
            for name in names:
                if name not in self.namespace:
                    self.missing.setdefault(name, function)
        for name in set(mutated) & earlier:
            self.missing.setdefault(name, function)
        self._before = {}
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:   # a figure the cell began is empty or half drawn: do not show it
            for number in set(pyplot.get_fignums()) - self._figures:
                pyplot.close(number)


class _GuardCells(ast.NodeTransformer):
    """Wraps a cell's statements in try/except that lets the runner skip stub errors.

    The value of a final expression is kept and shown by a last expression statement, so
    ``Out[n]`` and rich display work as before. Line numbers stay those of the cell.
    """

    def visit_Module(self, module: ast.Module) -> ast.Module:
        body = module.body
        if not body or any(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in body):
            return module
        plan = ast.Constant(tuple(_statement_plan(statement) for statement in body))
        runner = ast.Name(RUNNER_NAME, ast.Load())

        def call(method: str, *args: ast.expr) -> ast.Expr:
            return ast.Expr(ast.Call(ast.Attribute(runner, method, ast.Load()), list(args), []))

        inner = [call("start", plan), *body]
        shows_value = isinstance(inner[-1], ast.Expr)
        if shows_value:
            last = inner.pop()
            inner.append(ast.copy_location(call("keep", last.value), last))
        inner.append(call("ran", plan))
        handlers = [self._handler("NotImplementedError", "unwritten", plan),
                    self._handler("NameError", "unavailable", plan)]
        new_body: list[ast.stmt] = [ast.Try(body=inner, handlers=handlers, orelse=[], finalbody=[])]
        if shows_value:
            new_body.append(call("result"))
        new = ast.Module(body=new_body, type_ignores=module.type_ignores)
        for node in ast.walk(new):   # new nodes take the position of the cell's first line
            if "lineno" in node._attributes and not hasattr(node, "lineno"):
                ast.copy_location(node, body[0])
        return ast.fix_missing_locations(new)

    @staticmethod
    def _handler(exception: str, method: str, plan: ast.Constant) -> ast.ExceptHandler:
        error = "__nnlib_error__"
        call = ast.Call(ast.Attribute(ast.Name(RUNNER_NAME, ast.Load()), method, ast.Load()),
                        [ast.Name(error, ast.Load()), plan], [])
        check = ast.If(test=ast.UnaryOp(ast.Not(), call), body=[ast.Raise()], orelse=[])
        return ast.ExceptHandler(type=ast.Name(exception, ast.Load()), name=error, body=[check])


def _quiet_environment() -> bool:
    return bool(os.environ.get("NNLIB_STATIC", "")) or "NBGRADER_EXECUTION" in os.environ


def progress(iterable, description, *, total=None):
    """Iterate over ``iterable`` with a progress bar, for a demo loop that takes a while.

    The bar appears only once the loop has run :data:`PROGRESS_DELAY` seconds, and never
    in the book build (``NNLIB_STATIC``) or under nbgrader (``NBGRADER_EXECUTION``), so the
    book's HTML and graded notebooks stay free of it. In JupyterLab it is a widget.

    Parameters
    ----------
    iterable : iterable
        What the loop runs over (a list of settings, seeds, ...).
    description : str
        A few words shown before the bar, e.g. ``"lambda sweep"``.
    total : int, optional
        Number of items when ``iterable`` has no ``len``.

    Returns
    -------
    iterable
        Yields the items of ``iterable`` unchanged.
    """
    if _quiet_environment():
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=description, total=total, delay=PROGRESS_DELAY, leave=False)


def run_all_past_unwritten_exercises(shell=None) -> bool:
    """Let Run All continue past demo cells that need an unwritten exercise.

    Call it once in the notebook's setup cell (calling it again does nothing more).

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell, optional
        Default: the running IPython shell.

    Returns
    -------
    bool
        True when the cells are now guarded; False outside IPython, in the book build
        (``NNLIB_STATIC`` set) and under nbgrader (``NBGRADER_EXECUTION`` set), where
        every error stays an error.
    """
    if _quiet_environment():
        return False
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
        if shell is None:
            return False
    if not any(isinstance(t, _GuardCells) for t in shell.ast_transformers):
        shell.ast_transformers.append(_GuardCells())
    if not isinstance(shell.user_ns.get(RUNNER_NAME), _Runner):
        shell.user_ns[RUNNER_NAME] = _Runner(shell.user_ns)
        shell.user_ns_hidden[RUNNER_NAME] = shell.user_ns[RUNNER_NAME]
    return True
