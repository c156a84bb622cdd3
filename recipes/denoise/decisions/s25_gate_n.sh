#!/bin/bash
# Session 25, second declaration (recipes/denoise/decisions/session25_declaration.md): the candidates with (m').
# After runs (m) and (m') have ended.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
D=runs/default_session23.pt; M=runs/broad16k_default_kept1/averaged.pt
M2=runs/broad16k_default_kept1_seed39/averaged.pt
S16=data/denoise_broad/val_ood_more_seed16
date > runs/s25_gate_n_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 16 > runs/s25_prepare_seed16.txt 2>&1
$P recipes/denoise/pick.py runs/broad16k_default_kept1_seed39 --against $D --average 10 --top 0 > runs/s25_pick_m_seed39.txt 2>&1
$P recipes/denoise/soup.py runs/soup_n1.pt $D $D $M $M2 > runs/s25_soup_n1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_n2.pt $M $M2 > runs/s25_soup_n2.txt 2>&1
date >> runs/s25_gate_n_times.txt
$P recipes/denoise/judge.py n1=runs/soup_n1.pt n2=runs/soup_n2.pt --against $D --pairs $S16 --digits 4 > runs/s25_judge_n_seed16.txt 2>&1
date >> runs/s25_gate_n_times.txt
$P bench/denoise_transparency.py --checkpoint $M2 --checkpoint runs/soup_n1.pt --checkpoint runs/soup_n2.pt > runs/s25_transparency_n.txt 2>&1
date >> runs/s25_gate_n_times.txt
