#!/bin/bash
# Session 25, third declaration (recipes/denoise/decisions/session25_declaration.md), scored in
# session 26: the candidates with (m''). After runs (m), (m') and (m'') have ended.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
D=runs/default_session23.pt; M=runs/broad16k_default_kept1/averaged.pt
M2=runs/broad16k_default_kept1_seed39/averaged.pt; M3=runs/broad16k_default_kept1_seed40/averaged.pt
S18=data/denoise_broad/val_ood_more_seed18
date > runs/s26_gate_q_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 18 > runs/s26_prepare_seed18.txt 2>&1
$P recipes/denoise/pick.py runs/broad16k_default_kept1_seed40 --against $D --average 10 --top 0 > runs/s26_pick_m_seed40.txt 2>&1
$P recipes/denoise/soup.py runs/soup_q1.pt $D $D $D $M $M2 $M3 > runs/s26_soup_q1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_q2.pt $D $D $M $M3 > runs/s26_soup_q2.txt 2>&1
date >> runs/s26_gate_q_times.txt
$P recipes/denoise/judge.py q1=runs/soup_q1.pt q2=runs/soup_q2.pt --against $D --pairs $S18 --digits 4 > runs/s26_judge_q_seed18.txt 2>&1
date >> runs/s26_gate_q_times.txt
$P bench/denoise_transparency.py --checkpoint $M3 --checkpoint runs/soup_q1.pt --checkpoint runs/soup_q2.pt > runs/s26_transparency_q.txt 2>&1
date >> runs/s26_gate_q_times.txt
