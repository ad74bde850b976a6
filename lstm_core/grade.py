"""Short command: ``python -m lstm_core.grade NOTEBOOK`` grades one notebook (``course.grade``);
``python -m lstm_core.grade --class DIR`` grades a whole class in parallel (``course.classgrade``)."""

import sys

if __name__ == "__main__":
    if any(arg == "--class" or arg.startswith("--class=") for arg in sys.argv[1:]):
        from lstm_core.course.classgrade import main
    else:
        from lstm_core.course.grade import main
    sys.exit(main())
