"""Short command for learners: ``python -m lstm_core.grade NOTEBOOK`` (the grader lives in ``course.grade``)."""

import sys

from lstm_core.course.grade import main

if __name__ == "__main__":
    sys.exit(main())
