#!/bin/bash
# Session 36's probe (recipes/denoise/decisions/session36_declaration.md, part B): the game
# voices in the speech and only other actors' cries as noise. After runs/probe_cries_others has
# ended. Chooses nothing.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; R=runs/probe_cries_others/last.pt
date > runs/s36_probe_times.txt
$P recipes/denoise/noise_alone.py --checkpoint $E --checkpoint $R --other "noisy input" > runs/s36_probe_alone_val.txt 2>&1
$P recipes/denoise/noise_alone.py --noise data/denoise_broad/train/vocal_noise --checkpoint $E --checkpoint $R --other "noisy input" > runs/s36_probe_alone_train.txt 2>&1
date >> runs/s36_probe_times.txt
$P bench/denoise_transparency.py --checkpoint $R > runs/s36_probe_transparency.txt 2>&1
date >> runs/s36_probe_times.txt
