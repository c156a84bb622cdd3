#!/bin/bash
# Session 32's second declaration (recipes/denoise/decisions/session32_declaration2.md):
# candidates x3, x4 (default kind, against E) and y3, y4 (gentle kind, against H). After runs
# (x'), (y') and the first declaration's (x), (y) have ended (--resume them if a session ended).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session29.pt; H=runs/gentle_session30.pt
X=runs/broad16k_default_context_vocal; Y=runs/broad16k_gentle_context_vocal
X2=runs/broad16k_default_context_vocal2; Y2=runs/broad16k_gentle_context_vocal2
S42=data/denoise_broad/val_ood_more_seed42
date > runs/s32b_gate_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 42 > runs/s32b_prepare_seed42.txt 2>&1
for R in $X $Y; do [ -f $R/averaged.pt ] || { echo "$R/averaged.pt: run s32_gate.sh first"; exit 2; }; done
$P recipes/denoise/pick.py $X2 --against $E --average 10 --top 0 > runs/s32b_pick_x2.txt 2>&1
$P recipes/denoise/pick.py $Y2 --against $H --average 10 --top 0 > runs/s32b_pick_y2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s32_x3.pt $E $X/averaged.pt $X2/averaged.pt > runs/s32b_soup_x3.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s32_x4.pt $E $E $X/averaged.pt $X2/averaged.pt > runs/s32b_soup_x4.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s32_y3.pt $H $Y/averaged.pt $Y2/averaged.pt > runs/s32b_soup_y3.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s32_y4.pt $H $H $Y/averaged.pt $Y2/averaged.pt > runs/s32b_soup_y4.txt 2>&1
date >> runs/s32b_gate_times.txt
$P recipes/denoise/judge.py x3=runs/soup_s32_x3.pt x4=runs/soup_s32_x4.pt --against $E --pairs $S42 --digits 4 > runs/s32b_judge_x_seed42.txt 2>&1
$P recipes/denoise/judge.py y3=runs/soup_s32_y3.pt y4=runs/soup_s32_y4.pt --against $H --pairs $S42 --digits 4 > runs/s32b_judge_y_seed42.txt 2>&1
date >> runs/s32b_gate_times.txt
$P bench/denoise_transparency.py --checkpoint runs/soup_s32_x3.pt --checkpoint runs/soup_s32_x4.pt --checkpoint runs/soup_s32_y3.pt --checkpoint runs/soup_s32_y4.pt > runs/s32b_transparency.txt 2>&1
date >> runs/s32b_gate_times.txt
# Reported, not gating
$P recipes/denoise/noise_alone.py --checkpoint runs/soup_s32_x3.pt --checkpoint runs/soup_s32_y3.pt > runs/s32b_noise_alone.txt 2>&1
$P recipes/denoise/gap.py --pairs $S42 --checkpoint $E --other runs/soup_s32_x3.pt > runs/s32b_gap_x3_seed42.txt 2>&1
date >> runs/s32b_gate_times.txt
