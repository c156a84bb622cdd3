#!/bin/bash
# Session 41's declaration (recipes/denoise/decisions/session41_declaration.md): default
# candidates at 320 hidden features, w1 = P2 x4 + a1 + b1, w2 = P2 x2 + a1 + b1 + K x2 and
# w3 = P2 x2 + a1 + b1, against P2 on val_ood_more_seed84 (built here, after runs (a) and (b)
# have ended; --resume them if a session ended first); session 40's r1 (256) reported.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
P2=runs/default_session39.pt; K=runs/gentle_session38.pt
RA=runs/broad16k_default_context_creatures_fillets_steady_octave_p2_wide; RB=${RA}_seed94
S84=data/denoise_broad/val_ood_more_seed84
date > runs/s41_gate_times.txt
$P recipes/denoise/pick.py $RA --against $P2 --average 10 --top 0 > runs/s41_pick_a.txt 2>&1
$P recipes/denoise/pick.py $RB --against $P2 --average 10 --top 0 > runs/s41_pick_b.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 84 > runs/s41_prepare_seed84.txt 2>&1
A=$RA/averaged.pt; B=$RB/averaged.pt
$P recipes/denoise/soup.py runs/soup_s41_w1.pt $P2 $P2 $P2 $P2 $A $B > runs/s41_soup_w1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s41_w2.pt $P2 $P2 $K $K $A $B > runs/s41_soup_w2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s41_w3.pt $P2 $P2 $A $B > runs/s41_soup_w3.txt 2>&1
$P recipes/denoise/judge.py w1=runs/soup_s41_w1.pt w2=runs/soup_s41_w2.pt w3=runs/soup_s41_w3.pt r1=runs/soup_s40_r1.pt --against $P2 --pairs $S84 --digits 4 > runs/s41_judge_seed84.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s41_w1.pt --checkpoint runs/soup_s41_w2.pt --checkpoint runs/soup_s41_w3.pt > runs/s41_transparency.txt 2>&1
date >> runs/s41_gate_times.txt
