"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

Usage: python tools/run_notebooks.py notebooks/01_forward_pass.ipynb [more.ipynb ...]

Each notebook runs from its own folder, so execution counts are 1..N, and no timing
metadata is recorded. A notebook that raises is reported and left unchanged on disk.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def run(path, timeout=600):
    """Execute ``path`` in place; return the wall time in seconds."""
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    # no saved widget state: it churns on every run, and the static figure before each widget is what
    # readers see (nbclient must still collect it while running: Output widgets write into it)
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)
    return elapsed


def main(paths):
    failed = []
    for path in paths:
        try:
            print(f"{path}: {run(path):.1f} s", flush=True)
        except CellExecutionError as error:
            failed.append(path)
            print(f"{path}: FAILED\n{error}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
