#!/bin/bash
# Session 38: k1 ships as the gentle weights (session38_declaration.md); the figures for the
# READMEs, against the weights it replaces (H3, session 33's gentle). Run from the repository
# root after ship.py.
set -e
P=${PYTHON:-.venv/bin/python}
export AUDIOCNN_THREADS=2
H=runs/gentle_session33.pt
G=audiocnn/weights/denoiser16k_gentle.pt
date > runs/s38_ship_times.txt
$P -m audiocnn.denoise compare --pairs data/denoise_broad/val_ood --checkpoint $H --limit-db 20 > runs/s38_compare.txt 2> runs/s38_compare.err
date >> runs/s38_ship_times.txt
$P recipes/denoise/judge.py gentle=$G --against $H --pairs data/speech16k/val --digits 3 > runs/s38_judge_indist_gentle.txt 2>&1
$P recipes/denoise/judge.py gentle=$G --against $H --pairs data/denoise_broad/val_ood_more --digits 3 > runs/s38_judge_more_gentle.txt 2>&1
$P bench/denoise_transparency.py --limit-db 20 > runs/s38_transparency_shipped.txt 2>&1
date >> runs/s38_ship_times.txt
