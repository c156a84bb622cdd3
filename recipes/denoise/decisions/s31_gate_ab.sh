#!/bin/bash
# Session 31's second declaration (recipes/denoise/decisions/session31_declaration2.md): candidates a1,
# a2 (default kind, against E) and b1, b2 (gentle kind, against H). After runs (a) and (b) have
# ended (resume them with --resume if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session29.pt; H=runs/gentle_session30.pt
A=runs/broad16k_default_context_alone; B=runs/broad16k_gentle_context_alone
S38=data/denoise_broad/val_ood_more_seed38
date > runs/s31ab_gate_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 38 > runs/s31ab_prepare_seed38.txt 2>&1
$P recipes/denoise/pick.py $A --against $E --average 10 --top 0 > runs/s31ab_pick_a.txt 2>&1
$P recipes/denoise/pick.py $B --against $H --average 10 --top 0 > runs/s31ab_pick_b.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s31_a2.pt $E $A/averaged.pt > runs/s31ab_soup_a2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s31_b2.pt $H $B/averaged.pt > runs/s31ab_soup_b2.txt 2>&1
date >> runs/s31ab_gate_times.txt
$P recipes/denoise/judge.py a1=$A/averaged.pt a2=runs/soup_s31_a2.pt --against $E --pairs $S38 --digits 4 > runs/s31ab_judge_a_seed38.txt 2>&1
$P recipes/denoise/judge.py b1=$B/averaged.pt b2=runs/soup_s31_b2.pt --against $H --pairs $S38 --digits 4 > runs/s31ab_judge_b_seed38.txt 2>&1
date >> runs/s31ab_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $A/averaged.pt --checkpoint runs/soup_s31_a2.pt --checkpoint $B/averaged.pt --checkpoint runs/soup_s31_b2.pt > runs/s31ab_transparency_ab.txt 2>&1
date >> runs/s31ab_gate_times.txt
