#!/bin/bash
# Session 40's second declaration (recipes/denoise/decisions/session40_declaration2.md): default
# candidates t1 = P2 x4 + g1 + h1, t2 = P2 x4 + x1 + y1 + g1 + h1 and t3 = P2 x2 + x1 + y1 + g1
# + h1 against P2 on val_ood_more_seed82 (built here, after runs (g) and (h) have ended;
# --resume them if a session ended first). x1 and y1 are the last-10 means s40_gate.sh made.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
P2=runs/default_session39.pt
RX=runs/broad16k_default_context_creatures_fillets_steady_octave_p2; RY=${RX}_seed90
RG=runs/broad16k_gentle_context_creatures_fillets_steady_p2; RH=${RG}_seed92
S82=data/denoise_broad/val_ood_more_seed82
date > runs/s40b_gate_times.txt
$P recipes/denoise/pick.py $RG --against $P2 --average 10 --top 0 > runs/s40b_pick_g.txt 2>&1
$P recipes/denoise/pick.py $RH --against $P2 --average 10 --top 0 > runs/s40b_pick_h.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 82 > runs/s40b_prepare_seed82.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s40_t1.pt $P2 $P2 $P2 $P2 $RG/averaged.pt $RH/averaged.pt > runs/s40b_soup_t1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s40_t2.pt $P2 $P2 $P2 $P2 $RX/averaged.pt $RY/averaged.pt $RG/averaged.pt $RH/averaged.pt > runs/s40b_soup_t2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s40_t3.pt $P2 $P2 $RX/averaged.pt $RY/averaged.pt $RG/averaged.pt $RH/averaged.pt > runs/s40b_soup_t3.txt 2>&1
$P recipes/denoise/judge.py t1=runs/soup_s40_t1.pt t2=runs/soup_s40_t2.pt t3=runs/soup_s40_t3.pt r1=runs/soup_s40_r1.pt --against $P2 --pairs $S82 --digits 4 > runs/s40b_judge_seed82.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s40_t1.pt --checkpoint runs/soup_s40_t2.pt --checkpoint runs/soup_s40_t3.pt > runs/s40b_transparency.txt 2>&1
date >> runs/s40b_gate_times.txt
