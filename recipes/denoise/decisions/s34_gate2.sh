#!/bin/bash
# Session 34's declaration (recipes/denoise/decisions/session34_declaration2.md): candidates
# p1, p2 = E3 + p1 (default kind, against E3) and q1, q2 = H3 + q1 (gentle kind, against H3):
# runs with the pitch search up to 1 kHz. After runs (p) and (q) have ended (--resume them if
# a session ended first). The controls cb1 and db1 (session 33's third declaration, the
# pitch search up to 500 Hz) are reported.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; H=runs/gentle_session33.pt
RP=runs/broad16k_default_context_creatures_pitch; RQ=runs/broad16k_gentle_context_creatures_pitch
S52=data/denoise_broad/val_ood_more_seed52
date > runs/s34b_gate_times.txt
$P recipes/denoise/pick.py $RP --against $E --average 10 --top 0 > runs/s34b_pick_p.txt 2>&1
$P recipes/denoise/pick.py $RQ --against $H --average 10 --top 0 > runs/s34b_pick_q.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 52 > runs/s34b_prepare_seed52.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s34_p2.pt $E $RP/averaged.pt > runs/s34b_soup_p2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s34_q2.pt $H $RQ/averaged.pt > runs/s34b_soup_q2.txt 2>&1
date >> runs/s34b_gate_times.txt
$P recipes/denoise/judge.py p1=$RP/averaged.pt p2=runs/soup_s34_p2.pt --against $E --pairs $S52 --digits 4 > runs/s34b_judge_p_seed52.txt 2>&1
$P recipes/denoise/judge.py q1=$RQ/averaged.pt q2=runs/soup_s34_q2.pt --against $H --pairs $S52 --digits 4 > runs/s34b_judge_q_seed52.txt 2>&1
date >> runs/s34b_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $RP/averaged.pt --checkpoint runs/soup_s34_p2.pt --checkpoint $RQ/averaged.pt --checkpoint runs/soup_s34_q2.pt > runs/s34b_transparency.txt 2>&1
date >> runs/s34b_gate_times.txt
# Reported, not gating
C=runs/broad16k_default_context_creatures2; D=runs/broad16k_gentle_context_creatures2
$P recipes/denoise/judge.py cb1=$C/averaged.pt --against $E --pairs $S52 --digits 4 > runs/s34b_judge_cb1_seed52.txt 2>&1
$P recipes/denoise/judge.py db1=$D/averaged.pt --against $H --pairs $S52 --digits 4 > runs/s34b_judge_db1_seed52.txt 2>&1
$P recipes/denoise/noise_alone.py --checkpoint $RP/averaged.pt --checkpoint $RQ/averaged.pt > runs/s34b_noise_alone.txt 2>&1
date >> runs/s34b_gate_times.txt
