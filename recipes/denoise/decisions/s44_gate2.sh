#!/bin/bash
# Session 44's second declaration (recipes/denoise/decisions/session44_declaration2.md):
# gentle candidates from the gentle steady step with the game voices drawn only at SNR >= 5 dB,
# j1 = K x4 + c1 + d1 and j3 = K x2 + c1 + d1, against K on val_ood_more_seed88 (built here,
# after runs (c) and (d) have ended; --resume them if a session ended first); K x2 + c1 reported.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
K=runs/gentle_session38.pt
RC=runs/broad16k_gentle_context_creatures_fillets_steady_highsnr; RD=${RC}_seed98
S88=data/denoise_broad/val_ood_more_seed88
date > runs/s44_gate2_times.txt
$P recipes/denoise/pick.py $RC --against $K --average 10 --top 0 > runs/s44_pick_c.txt 2>&1
$P recipes/denoise/pick.py $RD --against $K --average 10 --top 0 > runs/s44_pick_d.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 88 > runs/s44_prepare_seed88.txt 2>&1
C=$RC/averaged.pt; D=$RD/averaged.pt
$P recipes/denoise/soup.py runs/soup_s44_j1.pt $K $K $K $K $C $D > runs/s44_soup_j1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s44_j3.pt $K $K $C $D > runs/s44_soup_j3.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s44_c.pt $K $K $C > runs/s44_soup_c.txt 2>&1
$P recipes/denoise/judge.py j1=runs/soup_s44_j1.pt j3=runs/soup_s44_j3.pt c=runs/soup_s44_c.pt --against $K --pairs $S88 --digits 4 > runs/s44_judge_seed88.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s44_j1.pt --checkpoint runs/soup_s44_j3.pt > runs/s44_transparency2.txt 2>&1
date >> runs/s44_gate2_times.txt
