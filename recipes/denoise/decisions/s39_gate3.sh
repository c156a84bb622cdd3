#!/bin/bash
# Session 39's third declaration (recipes/denoise/decisions/session39_declaration3.md): default
# candidates p1 = E3 x4 + v1 + w1 + K x2 and p2 = E3 x2 + v1 + w1 + K x2 against E3 on
# val_ood_more_seed78 (built here). v1 and w1 are the last-10 means s39_gate2.sh made.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; K=runs/gentle_session38.pt
RV=runs/broad16k_default_context_creatures_fillets_steady_octave; RW=${RV}_seed88
S78=data/denoise_broad/val_ood_more_seed78
date > runs/s39c_gate_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 78 > runs/s39c_prepare_seed78.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s39_p1.pt $E $E $E $E $RV/averaged.pt $RW/averaged.pt $K $K > runs/s39c_soup_p1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s39_p2.pt $E $E $RV/averaged.pt $RW/averaged.pt $K $K > runs/s39c_soup_p2.txt 2>&1
$P recipes/denoise/judge.py p1=runs/soup_s39_p1.pt p2=runs/soup_s39_p2.pt --against $E --pairs $S78 --digits 4 > runs/s39c_judge_p_seed78.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s39_p1.pt --checkpoint runs/soup_s39_p2.pt > runs/s39c_transparency.txt 2>&1
date >> runs/s39c_gate_times.txt
