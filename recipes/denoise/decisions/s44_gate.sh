#!/bin/bash
# Session 44's declaration (recipes/denoise/decisions/session44_declaration.md): default
# candidates from the octave step with the game voices drawn only at SNR >= 5 dB,
# h1 = P2 x4 + a1 + b1, h2 = P2 x2 + a1 + b1 + K x2 and h3 = P2 x2 + a1 + b1, against P2 on
# val_ood_more_seed86 (built here, after runs (a) and (b) have ended; --resume them if a
# session ended first); session 40's r1 (the same step without the game voices) and
# P2 x2 + a1 reported.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
P2=runs/default_session39.pt; K=runs/gentle_session38.pt
RA=runs/broad16k_default_context_creatures_fillets_steady_octave_p2_highsnr; RB=${RA}_seed96
S86=data/denoise_broad/val_ood_more_seed86
date > runs/s44_gate_times.txt
$P recipes/denoise/pick.py $RA --against $P2 --average 10 --top 0 > runs/s44_pick_a.txt 2>&1
$P recipes/denoise/pick.py $RB --against $P2 --average 10 --top 0 > runs/s44_pick_b.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 86 > runs/s44_prepare_seed86.txt 2>&1
A=$RA/averaged.pt; B=$RB/averaged.pt
$P recipes/denoise/soup.py runs/soup_s44_h1.pt $P2 $P2 $P2 $P2 $A $B > runs/s44_soup_h1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s44_h2.pt $P2 $P2 $K $K $A $B > runs/s44_soup_h2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s44_h3.pt $P2 $P2 $A $B > runs/s44_soup_h3.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s44_a.pt $P2 $P2 $A > runs/s44_soup_a.txt 2>&1
$P recipes/denoise/judge.py h1=runs/soup_s44_h1.pt h2=runs/soup_s44_h2.pt h3=runs/soup_s44_h3.pt r1=runs/soup_s40_r1.pt a=runs/soup_s44_a.pt --against $P2 --pairs $S86 --digits 4 > runs/s44_judge_seed86.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s44_h1.pt --checkpoint runs/soup_s44_h2.pt --checkpoint runs/soup_s44_h3.pt > runs/s44_transparency.txt 2>&1
date >> runs/s44_gate_times.txt
