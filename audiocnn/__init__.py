"""audiocnn: convolutional networks on raw audio, for genre classification and denoising."""

from audiocnn import runtime

# Before anything imports torch: OpenMP reads its wait policy once, when torch loads it.
runtime.prefer_passive_waiting()

__version__ = "0.1.0"
