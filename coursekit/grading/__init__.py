"""The grading pipeline's wall: which code runs where.

Student code (the exercise modules and the notebook's cells) runs only in
:mod:`coursekit.grading.jail`, the one module that starts it, inside a bubblewrap sandbox
with an allow-list view of the filesystem. Everything else in this package runs on the
grader's side of the wall and only reads what comes out of a jail as untrusted data:

=========================  ======================================================
module                     side of the wall
=========================  ======================================================
``grade``                  grader side: the pipeline (intake, budgets, isolated checks,
                           nbgrader workers, gradebook, CSV, feedback, journal)
``intake``                 grader side: LMS downloads staged, hashed and unpacked with caps
``lms``                    grader side: which LMS convention a download's entry follows, the
                           student id it names, and which of several attempts counts
``jail``                   starts every sandbox (the only module that starts student code)
``sandbox``                grader side: one module's probes through the probe jail
``isolated``               grader side: the authoritative scores, judged from probe results
``nbgrader_worker``        grader side: a long-lived nbgrader process per slot (its execute
                           step hands the notebook to the kernel jail)
``nbgrader_run``           grader side: nbgrader's command line from the course environment
``kernel_limits``          grader side: per-slot cgroups and rlimits the jails inherit
``wire``                   both sides: the JSON-only result encoding (copied into the probe
                           sandbox to encode; decoded here, never into code)
``probe_supervisor``       runs *inside* the probe sandbox as its trusted supervisor,
                           before and apart from student code (forks one unprivileged
                           child per check)
``kernel_driver``          runs *inside* the kernel sandbox (with the student's kernel);
                           what it returns is untrusted
``kernel_shim``            copied into the kernel sandbox as ``coursekit.hidden``: adds the
                           isolated verdicts to the notebook's checker
``protocol``               grader side: the strict reader of probe results
``probe_package``          grader side: the probe code given to the sandbox (no judges, no
                           mutants, unreadable by the student's uid)
``execute``                grader side: nbgrader's execute step, delegated to the kernel jail
``seeds``                  grader side: per-student seeds of the hidden checks
``budgets``                grader side: each check's CPU budget, from the reference's own
                           CPU time measured once per grading run
``text``                   grader side: sanitising text that came from student code
``files``                  grader side: atomic writes of reports, CSV and journal
``diagnosis``              grader side: which known mistake (mutant) a wrong answer behaves like,
                           from its probe results and the mutants' on the same seeds (mutants
                           are probed here: our code); the student's sentence and record
``class_report``           grader side: the instructor's class report per chapter, from the records
``database``               grader side: where the gradebook lives (``COURSEKIT_DB_URL``: SQLite in
                           the course folder, or a PostgreSQL server); never passed to a sandbox
``cluster``                grader side, on two machines: the coordinator sends each submission to a
                           Dask worker and alone writes the results; the worker runs ``grade``'s
                           pipeline in a private folder (student code still only in ``jail``)
=========================  ======================================================
"""
