#!/bin/bash
# Session 39's second declaration (recipes/denoise/decisions/session39_declaration2.md): default
# candidates o1 = E3 x4 + v1 + w1 and o2 = E3 x2 + v1 + w1 against E3 on val_ood_more_seed76
# (built here, after runs (v) and (w) have ended; --resume them if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt
RV=runs/broad16k_default_context_creatures_fillets_steady_octave; RW=${RV}_seed88
S76=data/denoise_broad/val_ood_more_seed76
date > runs/s39b_gate_times.txt
$P recipes/denoise/pick.py $RV --against $E --average 10 --top 0 > runs/s39b_pick_v.txt 2>&1
$P recipes/denoise/pick.py $RW --against $E --average 10 --top 0 > runs/s39b_pick_w.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 76 > runs/s39b_prepare_seed76.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s39_o1.pt $E $E $E $E $RV/averaged.pt $RW/averaged.pt > runs/s39b_soup_o1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s39_o2.pt $E $E $RV/averaged.pt $RW/averaged.pt > runs/s39b_soup_o2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s39_v.pt $E $E $RV/averaged.pt > runs/s39b_soup_v.txt 2>&1
$P recipes/denoise/judge.py o1=runs/soup_s39_o1.pt o2=runs/soup_s39_o2.pt v=runs/soup_s39_v.pt --against $E --pairs $S76 --digits 4 > runs/s39b_judge_o_seed76.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s39_o1.pt --checkpoint runs/soup_s39_o2.pt > runs/s39b_transparency.txt 2>&1
date >> runs/s39b_gate_times.txt
