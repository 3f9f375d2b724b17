"""Command line of the instructor tooling: ``python -m coursekit <command>``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .chapters import BY_ID


def _stubs(args) -> int:
    from . import stubs
    if args.check:
        drifted = stubs.drifted_stubs()
        for module in drifted:
            print(f"nnlib/{module}.py is out of date with solutions/{module}.py: run `make stubs`")
        return 1 if drifted else 0
    for path in stubs.write_stubs():
        print(f"wrote {path.relative_to(path.parents[1])}")
    return 0


def _reference(args) -> int:
    from .variants import assemble_reference
    print(f"reference nnlib in {assemble_reference() / 'nnlib'}")
    return 0


def _book(args) -> int:
    from .book import build_book
    return build_book(fresh=args.fresh, chapter_ids=args.chapters or None)


def _release(args) -> int:
    from .release import release
    for chapter_id in args.chapters or list(BY_ID):
        print(f"released {chapter_id}: {release(chapter_id)}")
    return 0


def _grade(args) -> int:
    from .grading.grade import command
    return command(args.chapter, Path(args.submissions), workers=args.workers,
                   students=set(args.student) if args.student else None, resume=args.resume, merge=args.merge,
                   scheduler=args.scheduler)


def _report(args) -> int:
    from .grading.class_report import command
    from .paths import GRADING
    return command(args.chapter, Path(args.course) if args.course else GRADING)


def _bench(args) -> int:
    from .bench import run
    print(run(args.chapter, args.n, book=not args.no_book))
    return 0


def _bench_nnlib(args) -> int:
    from .bench_nnlib import run
    print(run(rounds=args.rounds))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__)
    parser.add_argument("--db-url", default=None, help="the gradebook, a SQLAlchemy URL such as postgresql://user@host/course "
                        "(default: $COURSEKIT_DB_URL, else SQLite in the course folder)")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("stubs", help="regenerate nnlib exercise stubs from solutions/")
    p.add_argument("--check", action="store_true", help="only report stubs that drifted; exit 1 if any")
    p.set_defaults(run=_stubs)

    p = commands.add_parser("reference", help="assemble the reference nnlib in _build/reference")
    p.set_defaults(run=_reference)

    p = commands.add_parser("book", help="build the book (executed against the reference nnlib)")
    p.add_argument("--fresh", action="store_true", help="drop the execution cache first")
    p.add_argument("chapters", nargs="*", choices=[[]] + list(BY_ID),
                   help="build only these chapters, into _build/partial/ (default: the whole book)")
    p.set_defaults(run=_book)

    p = commands.add_parser("release", help="write what students receive, per chapter, into dist/")
    p.add_argument("chapters", nargs="*", choices=[[]] + list(BY_ID), help="default: all chapters")
    p.set_defaults(run=_release)

    p = commands.add_parser("grade", help="grade a folder of LMS submission zips for one chapter")
    p.add_argument("chapter", choices=list(BY_ID))
    p.add_argument("submissions", help="an LMS bulk download (Canvas, Moodle, Blackboard, plain <id>.zip) "
                                       "or nbgrader's submitted/ folder")
    p.add_argument("--workers", type=int, default=None, help="submissions graded at once (default: CPU count)")
    p.add_argument("--student", action="append", help="regrade only this student (repeatable)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run: keep the students its journal finished, grade the rest")
    p.add_argument("--merge", action="store_true",
                   help="keep the other students' rows of the existing class CSV (default: this batch only)")
    p.add_argument("--scheduler", default=None, metavar="tcp://host:8786",
                   help="grade on this Dask cluster (pip install -e '.[cluster]'); default: on this machine")
    p.set_defaults(run=_grade)

    p = commands.add_parser("report", help="write a chapter's class report (HTML + CSV) from its graded students")
    p.add_argument("chapter", choices=list(BY_ID))
    p.add_argument("--course", default=None, help="the nbgrader course folder (default: _grading/)")
    p.set_defaults(run=_report)

    p = commands.add_parser("bench", help="grading throughput: this grader with 1 and 2 workers vs plain nbgrader")
    p.add_argument("--chapter", default="ch01", choices=list(BY_ID))
    p.add_argument("--n", type=int, default=12, help="number of synthetic submissions")
    p.add_argument("--no-book", action="store_true", help="grading only: skip the book's three builds")
    p.set_defaults(run=_bench)

    p = commands.add_parser("bench-nnlib", help="nnlib's training step against the NumPy floor (and PyTorch if installed)")
    p.add_argument("--rounds", type=int, default=15, help="paired interleaved rounds per network (default 15)")
    p.set_defaults(run=_bench_nnlib)

    args = parser.parse_args(argv)
    from .grading.database import apply
    if problem := apply(args.db_url):
        print(f"coursekit: error: {problem}", file=sys.stderr)
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
