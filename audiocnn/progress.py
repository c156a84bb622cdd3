"""Progress bars: tqdm's notebook widget where ipywidgets is installed, its text bar elsewhere.

``tqdm.auto`` picks the widget in any notebook, and without ipywidgets that opens the notebook
with a red "IProgress not found" warning and no bar at all. librosa imports ``tqdm.auto``
through pooch, so that warning is silenced here too: the text bars work without widgets.
(``tqdm.auto`` outside a notebook is tqdm's asyncio bar, which opens a second iterator over a
DataLoader and so draws one more seed from torch's generator per epoch: seeded training
numbers moved a little when the text bar replaced it, session 8.)
"""

import warnings

warnings.filterwarnings("ignore", message="IProgress not found")

try:
    import ipywidgets  # noqa: F401  (only asked whether it is there)
    from tqdm.auto import tqdm
except ImportError:
    from tqdm.std import tqdm

__all__ = ["tqdm"]


def counted(count: int, noun: str) -> str:
    """``"1 file"``, ``"3 files"``: a count and a regular noun, for summaries."""
    return f"{count} {noun}{'s' * (count != 1)}"
