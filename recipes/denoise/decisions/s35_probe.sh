#!/bin/bash
# Session 35's probes (recipes/denoise/decisions/session35_declaration.md): can the default
# network learn to remove voices that are not speech? After runs/probe_cries and
# runs/probe_cries_fillets have ended. Chooses nothing.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; R=runs/probe_cries/last.pt; S=runs/probe_cries_fillets/last.pt
date > runs/s35_probe_times.txt
$P recipes/denoise/noise_alone.py --noise data/denoise_broad/train/vocal_noise --checkpoint $E --checkpoint $R --checkpoint $S --other "noisy input" > runs/s35_probe_alone_train.txt 2>&1
$P recipes/denoise/noise_alone.py --checkpoint $E --checkpoint $R --checkpoint $S --other "noisy input" > runs/s35_probe_alone_val.txt 2>&1
date >> runs/s35_probe_times.txt
$P bench/denoise_transparency.py --checkpoint $R --checkpoint $S > runs/s35_probe_transparency.txt 2>&1
date >> runs/s35_probe_times.txt
