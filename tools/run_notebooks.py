"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

Usage: python tools/run_notebooks.py notebooks/01_forward_pass.ipynb [more.ipynb ...]

Each notebook runs from its own folder, so execution counts are 1..N, and no timing
metadata is recorded. Figures are stored as 256-colour PNGs (lessons stay small; nbval does not
compare images) and no widget state is saved. So that a re-run which changes nothing changes no
bytes, each widget output gets an id made from the notebook's name and the cell's place instead of
a random one, and consecutive prints to the same stream are joined into one output (the kernel
splits them at random points in time). A notebook that raises is reported and left unchanged on disk.
"""

import base64
import hashlib
import io
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from PIL import Image

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"  # a live widget's output (make_book, make_slides drop it)


def palette_png(data):
    """A base64 PNG as a 256-colour PNG: the same picture for line plots and colour maps, a third of the bytes."""
    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(256).save(buffer, "PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii") + "\n"


def joined_streams(outputs):
    """``outputs`` with every run of consecutive stream outputs of one name (stdout, stderr) made one."""
    joined = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                and previous.name == output.name):  # a new output: the ones passed in stay as they were
            joined[-1] = nbformat.v4.new_output("stream", name=output.name, text=previous.text + output.text)
        else:
            joined.append(output)
    return joined


def steady_widget_ids(notebook, name):
    """Give each widget view output an id from the notebook's ``name`` and its cell and output index."""
    for cell_index, cell in enumerate(notebook.cells):
        for output_index, output in enumerate(cell.get("outputs", [])):
            view = output.get("data", {}).get(WIDGET_MIME)
            if view is not None:
                view["model_id"] = hashlib.sha256(f"{name}:{cell_index}:{output_index}".encode()).hexdigest()[:32]


def kernelspec_metadata(name="python3"):
    """The notebook metadata of the installed kernel ``name``, exactly as JupyterLab writes it when it
    starts that kernel (a different display name would mark every notebook unsaved as it opens)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(name)
    return {"display_name": spec.display_name, "language": spec.language, "name": name}


def run(path, timeout=600):
    """Execute ``path`` in place; return the wall time in seconds."""
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = kernelspec_metadata()
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
        if cell.cell_type == "code":
            cell.outputs = joined_streams(cell.outputs)
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                output["data"]["image/png"] = palette_png(output["data"]["image/png"])
    steady_widget_ids(notebook, Path(path).name)
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
