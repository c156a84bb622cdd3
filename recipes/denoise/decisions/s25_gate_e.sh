#!/bin/bash
# Session 25 declaration (recipes/denoise/decisions/session25_declaration.md): the candidates that need no training.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=1
D=runs/default_session23.pt; J1=runs/broad16k_gentle_kept/averaged.pt
S14=data/denoise_broad/val_ood_more_seed14
date > runs/s25_gate_e_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 14 > runs/s25_prepare_seed14.txt 2>&1
$P recipes/denoise/soup.py runs/soup_e1.pt $D $D $D $J1 > runs/s25_soup_e1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_e2.pt $D $J1 > runs/s25_soup_e2.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_e1.pt --checkpoint runs/soup_e2.pt > runs/s25_transparency_e.txt 2>&1
date >> runs/s25_gate_e_times.txt
$P recipes/denoise/judge.py e1=runs/soup_e1.pt e2=runs/soup_e2.pt --against $D --pairs $S14 --digits 4 > runs/s25_judge_e_seed14.txt 2>&1
date >> runs/s25_gate_e_times.txt
