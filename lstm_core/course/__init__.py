"""Course tooling: what the lessons and exercises use besides the model itself.

- ``grade``: the self-study and class grader (``python -m lstm_core.grade``).
- ``notebook_cells``: reading and rewriting nbgrader cells (solutions -> exercises).
- ``feedback``: the messages a learner sees when a check fails (sign, transpose, factor...).
- ``bugs``: the bug clinic's deliberately broken backward passes (lesson 06).
- ``article``: the source article's formulas as printed, beside corrected ones (lesson 09).
"""
