#!/bin/bash
# Session 24, second declaration (recipes/denoise/decisions/session24_declaration.md): the octave_clean runs.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
BD=runs/default_session23.pt; BG=runs/gentle_session23.pt
K=runs/broad16k_default_kept/averaged.pt; J=runs/broad16k_gentle_kept/averaged.pt
S12=data/denoise_broad/val_ood_more_seed12
export AUDIOCNN_THREADS=2
date > runs/s24b_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 12 > runs/s24b_prepare_seed12.txt 2>&1
$P recipes/denoise/pick.py runs/broad16k_default_kept --against $BD --average 10 --top 0 > runs/s24b_pick_k.txt 2>&1
$P recipes/denoise/pick.py runs/broad16k_gentle_kept --against $BG --average 10 --top 0 > runs/s24b_pick_j.txt 2>&1
$P recipes/denoise/soup.py runs/soup_k2.pt $BD $K > runs/s24b_soup_k2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_k3.pt $BD $BD $BD $K > runs/s24b_soup_k3.txt 2>&1
$P recipes/denoise/soup.py runs/soup_j2.pt $BG $J > runs/s24b_soup_j2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_j3.pt $BG $BG $BG $J > runs/s24b_soup_j3.txt 2>&1
date >> runs/s24b_times.txt
$P bench/denoise_transparency.py --checkpoint $K --checkpoint runs/soup_k2.pt --checkpoint runs/soup_k3.pt --checkpoint $J --checkpoint runs/soup_j2.pt --checkpoint runs/soup_j3.pt > runs/s24b_transparency.txt 2>&1
date >> runs/s24b_times.txt
$P recipes/denoise/judge.py k1=$K k2=runs/soup_k2.pt k3=runs/soup_k3.pt --against $BD --pairs $S12 --digits 4 > runs/s24b_judge_default_seed12.txt 2>&1
date >> runs/s24b_times.txt
$P recipes/denoise/judge.py j1=$J j2=runs/soup_j2.pt j3=runs/soup_j3.pt --against $BG --pairs $S12 --digits 4 > runs/s24b_judge_gentle_seed12.txt 2>&1
date >> runs/s24b_times.txt
