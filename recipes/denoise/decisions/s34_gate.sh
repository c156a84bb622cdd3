#!/bin/bash
# Session 34's declaration (recipes/denoise/decisions/session34_declaration.md): candidates
# g1, g2 = E3 + g1 (default kind, against E3) and k1, k2 = H3 + k1 (gentle kind, against H3),
# runs with a 64-unit GRU. After runs (g) and (k) have ended (--resume them if a session ended
# first). The controls cb1 and db1 (session 33's third declaration, no GRU) are reported.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; H=runs/gentle_session33.pt
G=runs/broad16k_default_context_creatures_gru; K=runs/broad16k_gentle_context_creatures_gru
S50=data/denoise_broad/val_ood_more_seed50
date > runs/s34_gate_times.txt
$P recipes/denoise/pick.py $G --against $E --average 10 --top 0 > runs/s34_pick_g.txt 2>&1
$P recipes/denoise/pick.py $K --against $H --average 10 --top 0 > runs/s34_pick_k.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 50 > runs/s34_prepare_seed50.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s34_g2.pt $E $G/averaged.pt > runs/s34_soup_g2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s34_k2.pt $H $K/averaged.pt > runs/s34_soup_k2.txt 2>&1
date >> runs/s34_gate_times.txt
$P recipes/denoise/judge.py g1=$G/averaged.pt g2=runs/soup_s34_g2.pt --against $E --pairs $S50 --digits 4 > runs/s34_judge_g_seed50.txt 2>&1
$P recipes/denoise/judge.py k1=$K/averaged.pt k2=runs/soup_s34_k2.pt --against $H --pairs $S50 --digits 4 > runs/s34_judge_k_seed50.txt 2>&1
date >> runs/s34_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $G/averaged.pt --checkpoint runs/soup_s34_g2.pt --checkpoint $K/averaged.pt --checkpoint runs/soup_s34_k2.pt > runs/s34_transparency.txt 2>&1
date >> runs/s34_gate_times.txt
# Reported, not gating
C=runs/broad16k_default_context_creatures2; D=runs/broad16k_gentle_context_creatures2
$P recipes/denoise/judge.py cb1=$C/averaged.pt --against $E --pairs $S50 --digits 4 > runs/s34_judge_cb1_seed50.txt 2>&1
$P recipes/denoise/judge.py db1=$D/averaged.pt --against $H --pairs $S50 --digits 4 > runs/s34_judge_db1_seed50.txt 2>&1
$P recipes/denoise/noise_alone.py --checkpoint $G/averaged.pt --checkpoint $K/averaged.pt > runs/s34_noise_alone.txt 2>&1
date >> runs/s34_gate_times.txt
