#!/bin/bash
# Session 25: ship (j2) = runs/soup_j2.pt as the gentle weights and measure them for the README.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=1   # one core; the other trains (m)
BG=runs/gentle_session23.pt
date > runs/s25_ship_times.txt
$P recipes/denoise/judge.py j2=runs/soup_j2.pt --against $BG --pairs data/denoise_broad/val_ood_more --digits 4 > runs/s25_judge_j2_more.txt 2>&1
date >> runs/s25_ship_times.txt
$P bench/denoise_transparency.py --limit-db 20 --limit-db 12 > runs/s25_transparency_shipped.txt 2>&1
date >> runs/s25_ship_times.txt
$P -m audiocnn.denoise compare --pairs data/denoise_broad/val_ood --pairs data/speech16k/val --limit-db 20 --limit-db 12 > runs/s25_compare.txt 2>&1
date >> runs/s25_ship_times.txt
