"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

Usage: python tools/run_notebooks.py notebooks/01_forward_pass.ipynb [more.ipynb ...]

Each notebook runs from its own folder, so execution counts are 1..N, and no timing
metadata is recorded. Figures are stored as 256-colour PNGs (lessons stay small; nbval does not
compare images) and no widget state is saved. A notebook that raises is reported and left unchanged on disk.
"""

import base64
import io
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from PIL import Image


def palette_png(data):
    """A base64 PNG as a 256-colour PNG: the same picture for line plots and colour maps, a third of the bytes."""
    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(256).save(buffer, "PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii") + "\n"


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
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                output["data"]["image/png"] = palette_png(output["data"]["image/png"])
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
