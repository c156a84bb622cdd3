"""Denoising: `python -m audiocnn.denoise IN.wav -o OUT.wav`, and train / evaluate / compare."""
