#!/bin/bash
# Session 36's declaration (recipes/denoise/decisions/session36_declaration.md): candidates x1,
# x2 = E3 + x1, x3 = E3 x2 + x1 (default kind, against E3) and y1, y2 = H3 + y1, y3 = H3 x2 + y1
# (gentle kind, against H3): the game voices kept in the speech less their raised lines
# (recipes/denoise/shouts.txt). After runs (x) and (y) have ended (--resume them if a session
# ended first). The check of a kind's winner: judge.py on prepare.py --only val_ood_more --seed 61.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; H=runs/gentle_session33.pt
RX=runs/broad16k_default_context_creatures_noshouts; RY=runs/broad16k_gentle_context_creatures_noshouts
S60=data/denoise_broad/val_ood_more_seed60
date > runs/s36_gate_times.txt
$P recipes/denoise/pick.py $RX --against $E --average 10 --top 0 > runs/s36_pick_x.txt 2>&1
$P recipes/denoise/pick.py $RY --against $H --average 10 --top 0 > runs/s36_pick_y.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 60 > runs/s36_prepare_seed60.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s36_x2.pt $E $RX/averaged.pt > runs/s36_soup_x2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s36_x3.pt $E $E $RX/averaged.pt > runs/s36_soup_x3.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s36_y2.pt $H $RY/averaged.pt > runs/s36_soup_y2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s36_y3.pt $H $H $RY/averaged.pt > runs/s36_soup_y3.txt 2>&1
date >> runs/s36_gate_times.txt
$P recipes/denoise/judge.py x1=$RX/averaged.pt x2=runs/soup_s36_x2.pt x3=runs/soup_s36_x3.pt --against $E --pairs $S60 --digits 4 > runs/s36_judge_x_seed60.txt 2>&1
$P recipes/denoise/judge.py y1=$RY/averaged.pt y2=runs/soup_s36_y2.pt y3=runs/soup_s36_y3.pt --against $H --pairs $S60 --digits 4 > runs/s36_judge_y_seed60.txt 2>&1
date >> runs/s36_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $RX/averaged.pt --checkpoint runs/soup_s36_x2.pt --checkpoint runs/soup_s36_x3.pt --checkpoint $RY/averaged.pt --checkpoint runs/soup_s36_y2.pt --checkpoint runs/soup_s36_y3.pt > runs/s36_transparency.txt 2>&1
date >> runs/s36_gate_times.txt
# Reported, not gating
$P recipes/denoise/noise_alone.py --checkpoint $RX/averaged.pt --checkpoint $RY/averaged.pt --checkpoint runs/soup_s36_x2.pt --checkpoint runs/soup_s36_y2.pt --other "noisy input" > runs/s36_noise_alone.txt 2>&1
$P recipes/denoise/noise_alone.py --noise data/denoise_broad/train/vocal_noise --checkpoint $RX/averaged.pt --checkpoint $RY/averaged.pt --other "noisy input" > runs/s36_noise_alone_train.txt 2>&1
date >> runs/s36_gate_times.txt
