"""The grading pipeline's wall: which code runs where.

Student code (the exercise modules and the notebook's cells) runs only in
:mod:`coursekit.grading.jail`, the one module that starts it, inside a bubblewrap sandbox
with an allow-list view of the filesystem. Everything else in this package runs on the
grader's side of the wall and only reads what comes out of a jail as untrusted data:

=========================  ======================================================
module                     side of the wall
=========================  ======================================================
``jail``                   starts every sandbox (the only module that starts student code)
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
=========================  ======================================================
"""
