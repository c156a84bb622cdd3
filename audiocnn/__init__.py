"""audiocnn: convolutional networks on raw audio, for genre classification and denoising.

import audiocnn

clean = audiocnn.load_denoiser().denoise(noisy, sample_rate=16000)  # shipped weights
top3 = audiocnn.load_genre_classifier("runs/genre/best.pt").predict("song.wav")
"""

from audiocnn import runtime

# Before anything imports torch: OpenMP reads its wait policy once, when torch loads it.
runtime.prefer_passive_waiting()

__version__ = "0.1.0"
__all__ = ["load_denoiser", "load_genre_classifier"]


def __getattr__(name: str):
    # The API imports torch; `import audiocnn` alone stays light until it is used.
    if name in __all__:
        from audiocnn import api

        return getattr(api, name)
    raise AttributeError(f"module 'audiocnn' has no attribute {name!r}")
