"""Course tooling: what the lessons and exercises use besides the model itself.

- ``grade``: the self-study grader (``python -m lstm_core.grade NOTEBOOK``).
- ``classgrade``: a whole class in parallel (``python -m lstm_core.grade --class DIR``).
- ``session``: one learner's kernel driven with deadlines (interrupt, restart, replay).
- ``agent``: the grader's side inside that kernel: calls the learner's functions for the tests.
- ``wire``: values as plain data (JSON and ``.npy`` bytes, never pickle) between kernel and grader.
- ``notebook_cells``: reading and rewriting nbgrader cells (solutions -> exercises).
- ``feedback``: the messages a learner sees when a check fails (sign, transpose, factor...).
- ``bugs``: the bug clinic's deliberately broken backward passes (lesson 06).
- ``article_record``: the source article's formulas as printed, with what is wrong in each (lesson 00's table).
- ``article``: the article's formulas as functions, beside corrected ones (lesson 09's verdicts).
"""
