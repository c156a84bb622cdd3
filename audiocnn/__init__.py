"""audiocnn: convolutional networks on raw audio, for genre classification and denoising."""

__version__ = "0.1.0"
