"""Every notebook runs top to bottom (small settings) without a cell error."""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_notebooks_are_committed_with_outputs_cleared():
    assert len(NOTEBOOKS) == 3
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


# The figures each notebook shows, as a reader sees them: each once.
FIGURES = {"00_signal_core.ipynb": 2, "01_denoise_before_after.ipynb": 3, "02_genre.ipynb": 3}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch, tmp_path):
    monkeypatch.setenv("AUDIOCNN_NOTEBOOK_SMALL", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # Jupyter's inline backend, as in use
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    assert os.environ["AUDIOCNN_NOTEBOOK_SMALL"] == "1"
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    images = [o["data"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == FIGURES[path.name] and len(set(images)) == len(images)
    shown = "".join(str(o.get("text", "")) + str(o.get("data", "")) for o in outputs)
    assert "IProgress" not in shown and "Traceback" not in shown
