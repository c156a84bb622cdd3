#!/bin/bash
# Session 32's declaration (recipes/denoise/decisions/session32_declaration.md): candidates x1,
# x2 (default kind, against E) and y1, y2 (gentle kind, against H). After runs (x) and (y) have
# ended (resume them with --resume if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session29.pt; H=runs/gentle_session30.pt
X=runs/broad16k_default_context_vocal; Y=runs/broad16k_gentle_context_vocal
S40=data/denoise_broad/val_ood_more_seed40
date > runs/s32_gate_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 40 > runs/s32_prepare_seed40.txt 2>&1
$P recipes/denoise/pick.py $X --against $E --average 10 --top 0 > runs/s32_pick_x.txt 2>&1
$P recipes/denoise/pick.py $Y --against $H --average 10 --top 0 > runs/s32_pick_y.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s32_x2.pt $E $X/averaged.pt > runs/s32_soup_x2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s32_y2.pt $H $Y/averaged.pt > runs/s32_soup_y2.txt 2>&1
date >> runs/s32_gate_times.txt
$P recipes/denoise/judge.py x1=$X/averaged.pt x2=runs/soup_s32_x2.pt --against $E --pairs $S40 --digits 4 > runs/s32_judge_x_seed40.txt 2>&1
$P recipes/denoise/judge.py y1=$Y/averaged.pt y2=runs/soup_s32_y2.pt --against $H --pairs $S40 --digits 4 > runs/s32_judge_y_seed40.txt 2>&1
date >> runs/s32_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $X/averaged.pt --checkpoint runs/soup_s32_x2.pt --checkpoint $Y/averaged.pt --checkpoint runs/soup_s32_y2.pt > runs/s32_transparency_xy.txt 2>&1
date >> runs/s32_gate_times.txt
# Reported, not gating
$P recipes/denoise/noise_alone.py --checkpoint $E --checkpoint $X/averaged.pt --checkpoint $H --checkpoint $Y/averaged.pt > runs/s32_noise_alone.txt 2>&1
$P recipes/denoise/gap.py --pairs $S40 --checkpoint $E --other $X/averaged.pt > runs/s32_gap_x1_seed40.txt 2>&1
date >> runs/s32_gate_times.txt
