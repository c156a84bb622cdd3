#!/bin/bash
# Session 40's declaration (recipes/denoise/decisions/session40_declaration.md): default
# candidates r0 = P2 x2 + K, r1 = P2 x4 + x1 + y1 and r2 = P2 x2 + x1 + y1 + K x2 against P2 on
# val_ood_more_seed80 (built here, after runs (x) and (y) have ended; --resume them if a
# session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
P2=runs/default_session39.pt; K=runs/gentle_session38.pt
RX=runs/broad16k_default_context_creatures_fillets_steady_octave_p2; RY=${RX}_seed90
S80=data/denoise_broad/val_ood_more_seed80
date > runs/s40_gate_times.txt
$P recipes/denoise/pick.py $RX --against $P2 --average 10 --top 0 > runs/s40_pick_x.txt 2>&1
$P recipes/denoise/pick.py $RY --against $P2 --average 10 --top 0 > runs/s40_pick_y.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 80 > runs/s40_prepare_seed80.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s40_r0.pt $P2 $P2 $K > runs/s40_soup_r0.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s40_r1.pt $P2 $P2 $P2 $P2 $RX/averaged.pt $RY/averaged.pt > runs/s40_soup_r1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s40_r2.pt $P2 $P2 $RX/averaged.pt $RY/averaged.pt $K $K > runs/s40_soup_r2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s40_x.pt $P2 $P2 $RX/averaged.pt > runs/s40_soup_x.txt 2>&1
$P recipes/denoise/judge.py r0=runs/soup_s40_r0.pt r1=runs/soup_s40_r1.pt r2=runs/soup_s40_r2.pt x=runs/soup_s40_x.pt --against $P2 --pairs $S80 --digits 4 > runs/s40_judge_seed80.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s40_r0.pt --checkpoint runs/soup_s40_r1.pt --checkpoint runs/soup_s40_r2.pt > runs/s40_transparency.txt 2>&1
date >> runs/s40_gate_times.txt
